"""The question bank's XLSX import and export pages in the Wagtail admin."""

from django.urls import path
from wagtail import hooks

from . import admin_views


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
            admin_views.questions_export_view,
            name="courses_questions_export",
        ),
    ]
