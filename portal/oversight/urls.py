from django.urls import path

from . import views

urlpatterns = [
    path("", views.evaluation_list, name="oversight_evaluations"),
    path("<int:year>.xlsx", views.evaluation_export, name="oversight_evaluation_export"),
    path("base/<int:base_id>/", views.evaluation_history, name="oversight_evaluation_history"),
    path("base/<int:base_id>/<int:year>/", views.evaluation_form, name="oversight_evaluation"),
]
