"""Reads for the site search: pages found, grouped by kind, with the words found highlighted.

The matching itself is the search backend's (portal/search_backend.py, Chinese cut by
cms.search_text); here the results are sorted into kinds, each hit gets the training base it
belongs to and a short extract, and every piece of page text is HTML-escaped before the
``<mark>`` tags around the words found are added.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Manager
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.search import index

from cms.search_text import HAN_RUN, han_bigrams, query_terms

EXTRACT_BEFORE = 30
EXTRACT_LENGTH = 140


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    models: tuple[tuple[str, str], ...]  # (app_label, model) of the page types it holds


# In the order the groups are shown. "page" holds every page type not named here.
KINDS = (
    Kind("course", _("Courses"), (("courses", "coursepage"),)),
    Kind("base", _("Training bases"), (("cms", "trainingbasepage"),)),
    Kind("textbook", _("Textbooks"), (("cms", "textbookpage"),)),
    Kind("faculty", _("Faculty"), (("cms", "facultymemberpage"),)),
    Kind("news", _("News"), (("cms", "newspage"),)),
    Kind(
        "lesson", _("Modules and lessons"), (("courses", "modulepage"), ("courses", "lessonpage"))
    ),
    Kind("page", _("Other pages"), ()),
)
KIND_CODES = tuple(kind.code for kind in KINDS) + ("registry",)
BASE_MODEL = ("cms", "trainingbasepage")


@dataclass(frozen=True)
class Hit:
    """One page found, as the results list shows it: title and extract are safe HTML."""

    title: SafeString
    url: str
    extract: SafeString
    base: str  # the training base the page belongs to, if any
    page: Page


@dataclass
class Group:
    kind: str
    label: str
    count: int
    hits: list = field(default_factory=list)


def _content_type_ids(models) -> list[int]:
    return [ContentType.objects.get_by_natural_key(app, model).pk for app, model in models]


def pages_of_kind(*, query: str, kind: str):
    """The live public pages of ``kind`` matching every word of ``query``, best first (a lazy
    search result: slice or paginate it)."""
    pages = Page.objects.live().public()
    this = next(k for k in KINDS if k.code == kind)
    if this.models:
        pages = pages.filter(content_type__in=_content_type_ids(this.models))
    else:
        named = [model for k in KINDS for model in k.models]
        pages = pages.exclude(content_type__in=_content_type_ids(named))
    return pages.specific().search(query, operator="and")


# -- highlighting --------------------------------------------------------------------------


def highlight_pattern(query: str) -> re.Pattern | None:
    """A pattern for the words of ``query`` as they may appear in a text: each word, and for a
    Chinese word of three or more characters also its two-character pieces (the search finds a
    page holding them apart, "华南初级" in "华南…初级"), longest first."""
    words = set()
    for term in query_terms(query):
        words.add(term)
        if HAN_RUN.fullmatch(term) and len(term) > 2:
            words.update(han_bigrams(term))
    if not words:
        return None
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in alternatives), re.IGNORECASE)


def _spans(text: str, pattern) -> list[tuple[int, int]]:
    """Where the words are found, touching or overlapping finds merged into one span."""
    spans = []
    if pattern is None:
        return spans
    for match in pattern.finditer(text):
        start, end = match.span()
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def highlighted(text: str, pattern) -> SafeString:
    """``text`` escaped, with ``<mark>`` around each word found."""
    out, last = [], 0
    for start, end in _spans(text, pattern):
        out.append(escape(text[last:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped above


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_plain(item) for item in value)
    if isinstance(value, dict):
        return " ".join(_plain(item) for item in value.values())
    # Rich text and stream blocks hold HTML: searched and shown as the words a reader sees.
    return " ".join(html.unescape(strip_tags(str(value))).split())


def _page_texts(page) -> list[str]:
    """The text the index holds for ``page`` besides its title, field by field."""
    texts = [page.search_description] if page.search_description else []
    for search_field in page.get_search_fields():
        if isinstance(search_field, index.SearchField) and search_field.field_name != "title":
            texts.append(_plain(search_field.get_value(page)))
        elif isinstance(search_field, index.RelatedFields):
            related = search_field.get_value(page)
            objects = related.all() if isinstance(related, Manager) else [related]
            for obj in objects:
                if obj is None:
                    continue
                texts.extend(
                    _plain(sub.get_value(obj))
                    for sub in search_field.fields
                    if isinstance(sub, index.SearchField)
                )
    return [text for text in texts if text]


def extract(texts: list[str], pattern) -> SafeString:
    """A short passage of ``texts`` around the first word found (or their beginning)."""
    text = " · ".join(texts)
    spans = _spans(text, pattern)
    start = max(0, spans[0][0] - EXTRACT_BEFORE) if spans else 0
    end = min(len(text), start + EXTRACT_LENGTH)
    passage = highlighted(text[start:end], pattern)
    return mark_safe(  # noqa: S308 - the passage is escaped by highlighted()
        ("…" if start else "") + passage + ("…" if end < len(text) else "")
    )


def _base_titles(pages) -> dict[str, str]:
    """The title of the training base above each page, by the page's path (one query)."""
    steplen = Page.steplen
    ancestor_paths = {
        page.path[: steplen * depth] for page in pages for depth in range(1, page.depth)
    }
    if not ancestor_paths:
        return {}
    bases = Page.objects.filter(
        path__in=ancestor_paths, content_type__in=_content_type_ids([BASE_MODEL])
    ).values_list("path", "title")
    bases = list(bases)
    titles = {}
    for page in pages:
        for path, title in bases:
            if page.path.startswith(path) and page.path != path:
                titles[page.path] = title
    return titles


def hits_for(pages, *, query: str, request=None) -> list[Hit]:
    """The results list's view of ``pages``: escaped title and extract, words marked."""
    pages = list(pages)
    pattern = highlight_pattern(query)
    bases = _base_titles(pages)
    return [
        Hit(
            title=highlighted(page.title, pattern),
            url=page.get_url(request=request) or "",
            extract=extract(_page_texts(page), pattern),
            base=bases.get(page.path, ""),
            page=page,
        )
        for page in pages
    ]


def search_groups(*, query: str, per_group: int, request=None) -> list[Group]:
    """Every kind of page with at least one match: how many, and its first ``per_group``."""
    groups = []
    for kind in KINDS:
        results = pages_of_kind(query=query, kind=kind.code)
        count = results.count()
        if not count:
            continue
        groups.append(
            Group(
                kind=kind.code,
                label=kind.label,
                count=count,
                hits=hits_for(results[:per_group], query=query, request=request),
            )
        )
    return groups


def kind_label(code: str):
    if code == "registry":
        return _("Talent registry")
    return next((k.label for k in KINDS if k.code == code), "")


@dataclass(frozen=True)
class RegistryHit:
    """One person of the public registry as the results list shows them (safe HTML)."""

    name: SafeString
    details: SafeString
    level: str
    level_en: str
    province: str
    certificate_number: str


def registry_hits(entries, *, query: str) -> list[RegistryHit]:
    pattern = highlight_pattern(query)
    return [
        RegistryHit(
            name=highlighted(entry.name, pattern),
            details=highlighted(
                " · ".join(
                    part for part in (entry.organisation, "、".join(entry.specialties)) if part
                ),
                pattern,
            ),
            level=entry.level,
            level_en=getattr(entry, "level_en", ""),
            province=entry.province_label,
            certificate_number=entry.certificate_number,
        )
        for entry in entries
    ]
