"""A level's, track's or body's name in the reader's language.

Names of levels, tracks and certifying bodies are data (``name`` in Chinese, ``name_en`` in
English), not translatable strings, so the catalogue cannot translate them: these helpers pick
the one for the active language, and join both, separated, where a page shows both.
"""

from django.utils.translation import get_language

# Between the Chinese and the English name wherever both are shown side by side.
SEPARATOR = " / "


def is_chinese(language: str | None) -> bool:
    return (language or "zh-hans").lower().startswith("zh")


def name_pair(obj, *, field: str = "name") -> tuple[str, str]:
    """(Chinese, English) names of ``obj`` from ``field`` and ``field_en``; English may be ''."""
    if obj is None:
        return "", ""
    if isinstance(obj, dict):
        return str(obj.get(field) or ""), str(obj.get(f"{field}_en") or "")
    return str(getattr(obj, field, "") or ""), str(getattr(obj, f"{field}_en", "") or "")


def localized_name(obj, *, field: str = "name", language: str | None = None) -> str:
    """The name in ``language`` (the active one by default), the Chinese one when no English."""
    chinese, english = name_pair(obj, field=field)
    if is_chinese(language or get_language()):
        return chinese or english
    return english or chinese


def bilingual_name(obj, *, field: str = "name", language: str | None = None) -> str:
    """Both names on a Chinese page ("初级技术经纪人 / Junior Technology Broker").

    An English page shows the English name alone: an English reader gains nothing from the
    Chinese one, and a page in English carries no Chinese level or track names.
    """
    chinese, english = name_pair(obj, field=field)
    if not is_chinese(language or get_language()):
        return english or chinese
    if not english or english == chinese or not chinese:
        return chinese or english
    return f"{chinese}{SEPARATOR}{english}"
