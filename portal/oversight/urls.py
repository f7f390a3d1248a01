from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("", views.evaluation_list, name="oversight_evaluations"),
    path("<id:year>.xlsx", views.evaluation_export, name="oversight_evaluation_export"),
    path("base/<id:base_id>/", views.evaluation_history, name="oversight_evaluation_history"),
    path("base/<id:base_id>/<id:year>/", views.evaluation_form, name="oversight_evaluation"),
]
