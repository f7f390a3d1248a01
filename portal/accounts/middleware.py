from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
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


class MFARequiredMiddleware:
    """Send certifiers and administrators without an authenticator to set one up.

    Only the working areas are guarded (the Wagtail admin, the certification desk and the
    management dashboard); public pages and the account pages stay open so the person can
    reach the set-up page itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.protected = tuple(settings.PORTAL_MFA_PROTECTED_PATHS)

    def __call__(self, request):
        if (
            request.path_info.startswith(self.protected)
            and user_needs_mfa(request.user)
            and not user_has_totp(request.user)
        ):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor sign-in. "
                    "Set up an authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
