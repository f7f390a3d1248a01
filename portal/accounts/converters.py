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
