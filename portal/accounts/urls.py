"""The account pages the portal adds to allauth's: real-name details and the phone."""

from django.urls import path

from . import views

urlpatterns = [
    path("identity/", views.identity, name="account_identity"),
    path("phone/", views.phone, name="account_phone"),
    path("phone/confirm/", views.phone_confirm, name="account_phone_confirm"),
]
