"""The public course catalogue at /courses/ (the learning pages are under /learn/)."""

from django.urls import path

from . import views_catalogue

urlpatterns = [
    path("", views_catalogue.catalogue, name="course_catalogue"),
    path("calendar/", views_catalogue.class_calendar, name="class_calendar"),
    path("my-sessions.ics", views_catalogue.my_sessions_ics, name="my_sessions_ics"),
]
