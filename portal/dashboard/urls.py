from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

# The format is checked by the view (csv, xlsx or svg; anything else is a 404).
urlpatterns = [
    path("", views.national, name="dashboard_national"),
    path("chart/<slug:key>.<str:fmt>", views.national_chart, name="dashboard_chart"),
    path("base/", views.base_landing, name="dashboard_bases"),
    path("base/<id:base_id>/", views.base, name="dashboard_base"),
    path(
        "base/<id:base_id>/chart/<slug:key>.<str:fmt>",
        views.base_chart,
        name="dashboard_base_chart",
    ),
]
