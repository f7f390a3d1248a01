"""Administrators' review of applications, mounted at /oversight/base-applications/."""

from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("", views.review_queue, name="oversight_base_applications"),
    path("<id:application_id>/", views.review, name="oversight_base_application"),
]
