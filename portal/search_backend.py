"""The search backend: Wagtail's database backend, picked per database as usual, with Chinese cut
into searchable pieces on both sides (cms.search_text) and, on SQLite, a double quote typed into
any search box (the site's or the admin's) searched as text.

Chinese: SQLite's FTS5 and PostgreSQL's ``simple`` configuration take a run of Chinese characters
as one word, so "初级" never matched "初级技术经纪人培训班". Every text that goes into the index
(title, body, autocomplete, of every indexed model) is passed through ``index_text`` and every
typed query through ``query_text``. The backends build their index rows with a module-level
``ObjectIndexer`` class; the segmenting subclass is put in its place once, here, since the index
classes offer no other hook short of copying their ``add_items``. Nothing else in the project
uses these modules directly. After this change, ``manage.py update_index`` re-cuts what was
indexed before.

Quotes: Wagtail's SQLite backend puts each typed word between double quotes in an FTS5 MATCH
expression without doubling a quote inside the word, so `"a` is a syntax error and the page a
server error. FTS5 reads `""` inside a quoted string as one quote character; that is done here.
"""

from django.db import connection
from modelsearch.backends.database import SearchBackend as database_search_backend
from modelsearch.query import Phrase, PlainText

from cms.search_text import index_text, query_text


def _cut(query, *, sqlite):
    """The query with its Chinese cut like the index (and, on SQLite, its quotes doubled)."""
    if isinstance(query, PlainText):
        # Punctuation alone cuts to nothing; searched as typed, it finds nothing either.
        text = query_text(query.query_string) or query.query_string
        if sqlite:
            text = text.replace('"', '""')
        return PlainText(text, operator=query.operator, boost=query.boost)
    if isinstance(query, Phrase):
        text = query_text(query.query_string) or query.query_string
        if sqlite:
            text = text.replace('"', '""')
        return Phrase(text)
    return query


def _sqlite_backend(backend):
    from modelsearch.backends.database.sqlite import sqlite as module

    if not getattr(module.ObjectIndexer, "segments_chinese", False):

        class SegmentingIndexer(module.ObjectIndexer):
            segments_chinese = True

            @property
            def title(self):
                return index_text(super().title)

            @property
            def body(self):
                return index_text(super().body)

            @property
            def autocomplete(self):
                return index_text(super().autocomplete)

        module.ObjectIndexer = SegmentingIndexer

    if isinstance(backend, module.SQLiteSearchBackend):

        class QueryCompiler(module.SQLiteSearchQueryCompiler):
            def build_search_query_content(self, query, config=None):
                return super().build_search_query_content(_cut(query, sqlite=True), config=config)

        class AutocompleteCompiler(module.SQLiteAutocompleteQueryCompiler):
            def build_search_query_content(self, query, config=None):
                return super().build_search_query_content(_cut(query, sqlite=True), config=config)

        backend.query_compiler_class = QueryCompiler
        backend.autocomplete_query_compiler_class = AutocompleteCompiler
    return backend


def _postgres_backend(backend):
    from modelsearch.backends.database.postgres import postgres as module

    if not getattr(module.ObjectIndexer, "segments_chinese", False):

        class SegmentingIndexer(module.ObjectIndexer):
            segments_chinese = True

            def as_vector(self, texts, for_autocomplete=False):
                texts = [(index_text(text), weight) for text, weight in texts]
                return super().as_vector(texts, for_autocomplete=for_autocomplete)

        module.ObjectIndexer = SegmentingIndexer

    class QueryCompiler(module.PostgresSearchQueryCompiler):
        def build_tsquery_content(self, query, config=None, invert=False):
            return super().build_tsquery_content(
                _cut(query, sqlite=False), config=config, invert=invert
            )

    class AutocompleteCompiler(module.PostgresAutocompleteQueryCompiler):
        def build_tsquery_content(self, query, config=None, invert=False):
            return super().build_tsquery_content(
                _cut(query, sqlite=False), config=config, invert=invert
            )

    backend.query_compiler_class = QueryCompiler
    backend.autocomplete_query_compiler_class = AutocompleteCompiler
    return backend


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend's module
    backend = database_search_backend(params)
    # Each database's module is imported only on that database: the SQLite module's models
    # exist only on SQLite (importing it elsewhere breaks indexing).
    if connection.vendor == "sqlite":
        return _sqlite_backend(backend)
    if connection.vendor == "postgresql":
        return _postgres_backend(backend)
    return backend
