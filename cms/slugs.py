"""Readable ASCII slugs for pages with Chinese titles.

A slug of Chinese characters reaches the browser %-encoded (``/news/%E5%9F%BA...``), which is
unreadable when pasted into a message or printed. Chinese is spelt out in pinyin instead
(``jidi-dongtai``); other non-ASCII letters are folded to ASCII where they can be and dropped
where they cannot.
"""

from urllib.parse import unquote

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

# Long titles make long addresses; a slug is cut at a word boundary after this many characters.
SLUG_MAX_LENGTH = 80


def slug_needs_pinyin(slug: str) -> bool:
    """Whether ``slug`` would be %-encoded in an address (anything beyond ASCII)."""
    return not unquote(slug).isascii()


def slug_from_text(text: str) -> str:
    """A lower-case ASCII slug for ``text``: Chinese as pinyin without tones, one word per
    character ("基地动态" -> "ji-di-dong-tai"), digits and Latin letters kept."""
    words = lazy_pinyin(unquote(text), style=Style.NORMAL, errors="default")
    slug = slugify(" ".join(words), allow_unicode=False)
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0] or slug[:SLUG_MAX_LENGTH]
    return slug


def slug_available(slug: str, *, parent, page=None) -> str:
    """``slug``, or ``slug-2``, ``slug-3``... whichever no sibling of ``page`` below
    ``parent`` holds yet."""
    from wagtail.models import Page

    candidate, suffix = slug, 1
    while parent is not None and not Page._slug_is_available(candidate, parent, page):
        suffix += 1
        candidate = f"{slug}-{suffix}"
    return candidate
