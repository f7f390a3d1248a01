from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .roles import user_role_names


def user_needs_mfa(user) -> bool:
    """Whether the user's role obliges them to sign in with a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user_role_names(user) & set(settings.PORTAL_MFA_REQUIRED_ROLES))


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_mfa(request) -> bool:
    """Whether this session's sign-in included the second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class MFARequiredMiddleware:
    """Keep certifiers and administrators out of their working areas without a second factor.

    Only the working areas are guarded (the Wagtail admin, the certification desk and the
    management dashboard); public pages and the account pages stay open so the person can
    reach the set-up page itself. Someone who has an authenticator but whose session was not
    signed in with it (however it was signed in) is signed out and asked to sign in again.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.protected = tuple(settings.PORTAL_MFA_PROTECTED_PATHS)

    def __call__(self, request):
        if request.path_info.startswith(self.protected) and user_needs_mfa(request.user):
            refused = second_factor_refusal(
                request,
                _(
                    "Your role requires two-factor sign-in. "
                    "Set up an authenticator app to continue."
                ),
            )
            if refused is not None:
                return refused
        return self.get_response(request)


def second_factor_refusal(request, no_authenticator_message: str):
    """None when this session was signed in with a second factor; otherwise where to send the
    person: to set up an authenticator (with ``no_authenticator_message``), or, when they have
    one but did not use it, signed out and back to the sign-in page."""
    if not user_has_totp(request.user):
        messages.warning(request, no_authenticator_message)
        return redirect("mfa_activate_totp")
    if not session_used_mfa(request):
        logout(request)
        messages.warning(request, _("Sign in again with your two-factor code to continue."))
        login = reverse("account_login")
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
    return None
