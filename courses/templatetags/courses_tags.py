from django import template

register = template.Library()


@register.filter
def option_letter(index: int) -> str:
    """A, B, C… for the options in the order they are shown (zero-based index)."""
    return chr(ord("A") + int(index)) if 0 <= int(index) < 26 else str(index + 1)


@register.filter
def hours(value) -> str:
    """Training hours with one decimal place."""
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return ""
