"""The question bank's XLSX import and export pages in the Wagtail admin."""

from django.urls import path
from wagtail import hooks

from portal.accounts.converters import record_id

from . import admin_views

# The largest primary key a page can have (a 32-bit integer column on PostgreSQL).
MAX_PAGE_ID = 2**31 - 1


def _page_id(value: str) -> bool:
    number = record_id(value)
    return number is not None and number <= MAX_PAGE_ID


def questions_export_view(request):
    """The export, given only the ``base`` filter values that can be a page's number: "²" or
    "١" pass ``str.isdigit`` but are no number to the database, and a thirty-digit number
    overflows its integers, either failing the query with a server error. A value that cannot
    be a base is ignored, as the export ignores other unknown filter values."""
    bases = request.GET.getlist("base")
    numbers = [value for value in bases if _page_id(value)]
    if numbers != bases:
        query = request.GET.copy()
        query.setlist("base", numbers)
        query._mutable = False
        request.GET = query
    return admin_views.questions_export_view(request)


@hooks.register("register_admin_urls")
def register_question_io_urls():
    return [
        path(
            "questions/import/",
            admin_views.questions_import_view,
            name="courses_questions_import",
        ),
        path(
            "questions/export/",
            questions_export_view,
            name="courses_questions_export",
        ),
    ]
