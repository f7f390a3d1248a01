"""Applicants' pages, mounted at /base-applications/."""

from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("", views.application_list, name="base_applications"),
    path("new/", views.application_new, name="base_application_new"),
    path("<id:application_id>/", views.application_detail, name="base_application"),
    path(
        "<id:application_id>/files/<id:file_id>/",
        views.application_file,
        name="base_application_file",
    ),
]
