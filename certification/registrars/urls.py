from django.urls import path

from certification.registrars import views

urlpatterns = [
    path("registrars/", views.registrars_overview, name="registrars_overview"),
    path("registrars/office/<id:pk>/", views.office_page, name="registration_office"),
]
