from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalise_isbn(value: str) -> str:
    return value.replace("-", "").replace(" ", "").upper()


def validate_isbn(value: str) -> None:
    """Accept an ISBN-10 or ISBN-13 whose check digit is right; hyphens and spaces are fine."""
    isbn = normalise_isbn(value)
    if len(isbn) == 13 and isbn.isdigit():
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(isbn[:12]))
        if (10 - total % 10) % 10 == int(isbn[12]):
            return
    elif len(isbn) == 10 and isbn[:9].isdigit() and (isbn[9].isdigit() or isbn[9] == "X"):
        check = 10 if isbn[9] == "X" else int(isbn[9])
        total = sum((10 - i) * int(d) for i, d in enumerate(isbn[:9])) + check
        if total % 11 == 0:
            return
    raise ValidationError(
        _("“%(value)s” is not a valid ISBN. Check the digits, including the last one."),
        params={"value": value},
        code="invalid_isbn",
    )
