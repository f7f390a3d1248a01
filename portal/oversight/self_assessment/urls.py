"""A base's editors' view of their evaluation, mounted at /my-base/."""

from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("", views.my_bases, name="my_bases"),
    path("<id:base_id>/", views.base_evaluation, name="my_base_evaluation"),
    path(
        "<id:base_id>/<id:year>/self-assessment/",
        views.self_assessment,
        name="my_base_self_assessment",
    ),
    path("evidence/<id:file_id>/", views.evidence_file, name="self_assessment_file"),
]
