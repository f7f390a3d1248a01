"""A confirmation before anything that cannot be undone (approve and issue, reject, revoke,
a class run): the page names the person, the level and the number or range, and carries the
posted fields on. A post without ``confirmed=yes`` (a first click, or a hand-made post) only
shows this page; nothing is changed."""

from certification.workspace import render_section

CONFIRMED_FIELD = "confirmed"
CONFIRMED_VALUE = "yes"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED_FIELD) == CONFIRMED_VALUE


def confirmation_page(
    request,
    *,
    title: str,
    facts: list[tuple[str, str]],
    consequence: str,
    button: str,
    cancel_url: str,
    section: str,
    fields: list[tuple[str, str]],
    danger: bool = False,
    extra_lines: list[str] | None = None,
):
    """The page asking to confirm; ``fields`` are posted again with ``confirmed=yes``."""
    return render_section(
        request,
        "confirm.html",
        {
            "title": title,
            "facts": facts,
            "consequence": consequence,
            "extra_lines": extra_lines or [],
            "button": button,
            "danger": danger,
            "cancel_url": cancel_url,
            "fields": [(name, value) for name, value in fields if value not in (None, "")],
            "confirmed_field": CONFIRMED_FIELD,
            "confirmed_value": CONFIRMED_VALUE,
        },
        section,
    )
