"""Template filters for names kept in two languages (levels, tracks, certifying bodies).

``{{ level|local_name }}`` shows the name in the page's language; ``{{ level|both_names }}``
shows both, separated, on a Chinese page (the English one alone on an English page). A
certificate keeps its own copy of the names: ``{{ certificate|local_name:"level_name" }}``.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from certification.levels.display import (
    SEPARATOR,
    bilingual_name,
    is_chinese,
    localized_name,
    name_pair,
)

register = template.Library()


@register.filter
def local_name(obj, field: str = "name") -> str:
    """The name in the active language (Chinese when there is no English one)."""
    return localized_name(obj, field=field)


@register.filter
def both_names(obj, field: str = "name") -> str:
    """Chinese and English separated by " / " on a Chinese page; English alone on an English one."""
    return bilingual_name(obj, field=field)


@register.simple_tag
def name_in_both(obj, field: str = "name"):
    """Like ``both_names``, in markup: each name carries its ``lang``, the English one muted."""
    chinese, english = name_pair(obj, field=field)
    if not is_chinese(get_language()) or not english or not chinese or english == chinese:
        text = localized_name(obj, field=field)
        return format_html('<span lang="{}">{}</span>', _lang_of(text, chinese), text)
    return format_html(
        '<span lang="zh-Hans">{}</span><span class="name-separator">{}</span>'
        '<span lang="en" class="name-en">{}</span>',
        chinese,
        SEPARATOR,
        english,
    )


def _lang_of(text: str, chinese: str) -> str:
    return "zh-Hans" if text and text == chinese else "en"
