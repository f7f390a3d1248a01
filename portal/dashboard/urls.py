from django.urls import path, register_converter

from . import views


class ChartFormat:
    regex = "csv|xlsx|svg"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ChartFormat, "chartformat")

urlpatterns = [
    path("", views.national, name="dashboard_national"),
    path("chart/<slug:key>.<chartformat:fmt>", views.national_chart, name="dashboard_chart"),
    path("base/", views.base_landing, name="dashboard_bases"),
    path("base/<int:base_id>/", views.base, name="dashboard_base"),
    path(
        "base/<int:base_id>/chart/<slug:key>.<chartformat:fmt>",
        views.base_chart,
        name="dashboard_base_chart",
    ),
]
