from django.urls import path

from certification.filing import views

urlpatterns = [
    path("me/filing/", views.my_filing, name="my_filing"),
    path("certify/filing/talent/", views.talent_filing, name="certify_talent_filing"),
    path(
        "certify/filing/talent/evaluations.xlsx",
        views.talent_evaluations_export,
        name="certify_talent_evaluations_export",
    ),
]
