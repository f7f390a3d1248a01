from datetime import UTC, datetime

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
    """Whether the user's role obliges them to sign in with a second factor: every staff role
    (faculty, base editor, certifier, administrator), superusers and anyone with the Wagtail
    admin's staff flag."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(user_role_names(user) & set(settings.PORTAL_MFA_REQUIRED_ROLES))


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_mfa(request) -> bool:
    """Whether this session's sign-in included the second factor, or the person set up their
    authenticator within this session (its activation checked a code from it)."""
    records = get_authentication_records(request, request.user)
    if any(record.get("method") == "mfa" for record in records):
        return True
    signed_in_at = min((record.get("at", 0) for record in records), default=None)
    if signed_in_at is None:
        return False
    return Authenticator.objects.filter(
        user=request.user,
        type=Authenticator.Type.TOTP,
        created_at__gte=datetime.fromtimestamp(signed_in_at, tz=UTC),
    ).exists()


# What a staff member's session may reach before it has used a second factor, by URL name:
# signing in and out, confirming an address, resetting a password, and setting up or using
# the authenticator. Nothing else, public pages included: a new staff member enrols before
# anything else, and no page is left to judge by its path whether it shows someone's data.
SECOND_FACTOR_NOT_YET_NEEDED = frozenset(
    {
        "account_login",
        "account_logout",
        "account_inactive",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_confirm_login_code",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "set_language",
        "healthz",
        # The site icon browsers fetch on their own: a fixed picture, no one's data.
        "favicon",
    }
)


class MFARequiredMiddleware:
    """Keep every staff member out of the portal until their session has used a second factor.

    A staff role (``user_needs_mfa``) reaches, with a session that was signed in without the
    second factor, only the pages in ``SECOND_FACTOR_NOT_YET_NEEDED``: a view is let through
    by what it is (its URL name), never by the prefix of its path. Someone who has no
    authenticator yet is sent to set one up; someone who has one but whose session was not
    signed in with it (however it was signed in) is signed out and asked to sign in again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in SECOND_FACTOR_NOT_YET_NEEDED:
            return None
        if not user_needs_mfa(request.user):
            return None
        return second_factor_refusal(
            request,
            _("Your role requires two-factor sign-in. Set up an authenticator app to continue."),
        )


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
