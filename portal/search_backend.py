"""The search backend: Wagtail's database backend, picked per database as usual, except that on
SQLite a double quote typed into any search box (the site's or the admin's) is searched as text.

Wagtail's SQLite backend puts each typed word between double quotes in an FTS5 MATCH
expression without doubling a quote inside the word, so `"a` is a syntax error and the page a
server error. FTS5 reads `""` inside a quoted string as one quote character; that is done here.
"""

from django.db import connection
from modelsearch.backends.database import SearchBackend as database_search_backend
from modelsearch.query import PlainText


def _quoted(query):
    if isinstance(query, PlainText) and '"' in query.query_string:
        return PlainText(
            query.query_string.replace('"', '""'), operator=query.operator, boost=query.boost
        )
    return query


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend's module
    backend = database_search_backend(params)
    # PostgreSQL's backend escapes its queries; and the SQLite module's models exist only on
    # SQLite (importing it elsewhere breaks indexing).
    if connection.vendor != "sqlite":
        return backend
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteAutocompleteQueryCompiler,
        SQLiteSearchBackend,
        SQLiteSearchQueryCompiler,
    )

    if isinstance(backend, SQLiteSearchBackend):

        class QueryCompiler(SQLiteSearchQueryCompiler):
            def build_search_query_content(self, query, config=None):
                return super().build_search_query_content(_quoted(query), config=config)

        class AutocompleteCompiler(SQLiteAutocompleteQueryCompiler):
            def build_search_query_content(self, query, config=None):
                return super().build_search_query_content(_quoted(query), config=config)

        backend.query_compiler_class = QueryCompiler
        backend.autocomplete_query_compiler_class = AutocompleteCompiler
    return backend
