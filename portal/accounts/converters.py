"""The path converter for record ids in the site's addresses.

Django's ``int`` converter takes any run of digits, and a number past SQLite's 64-bit integers
then fails inside the database driver (a server error, not "not found"). ``<id:...>`` takes one
to eighteen digits, always within range; a longer number simply matches no page (404).
"""

from django.urls import register_converter


class RecordId:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(RecordId, "id")


def record_id(value) -> int | None:
    """A record's id from a form field or query parameter, or None when the value cannot be
    one ("abc", "1.5", "²", "", a number too long for the database): it then names nothing, the
    same as an id that no longer exists."""
    if not isinstance(value, str) or not (0 < len(value) <= 18):
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    return int(value)
