"""Wording shared by the capabilities' messages."""

from django.utils.translation import pgettext


def list_separator() -> str:
    """Between the parts of one checklist cell: "；" in Chinese, "; " in English."""
    return pgettext("list separator", "; ")
