"""Absolute addresses of the public pages and documents a certificate points to."""

from django.conf import settings
from django.urls import reverse

from certification.credentials.models import StatusList


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def verify_url(number: str) -> str:
    return absolute_url(reverse("certificate_verify", args=[number]))


def credential_url(number: str) -> str:
    return absolute_url(reverse("api_certificate_credential", args=[number]))


def status_list_url(status_list: StatusList) -> str:
    return absolute_url(
        reverse("api_status_list", args=[status_list.body.code, status_list.number])
    )
