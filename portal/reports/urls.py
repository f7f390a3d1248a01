from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<id:pk>/status.json", views.report_status, name="report_status"),
    path("<id:pk>/download/", views.report_download, name="report_download"),
    path("<id:pk>/delete/", views.report_delete, name="report_delete"),
]
