from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("<int:pk>/status.json", views.report_status, name="report_status"),
    path("<int:pk>/download/", views.report_download, name="report_download"),
    path("<int:pk>/delete/", views.report_delete, name="report_delete"),
]
