"""WeChat sign-in (微信登录): the portal's rules for allauth's social accounts.

Loaded only when WeChat sign-in is configured (``WECHAT_SIGN_IN`` in the settings: the app
``allauth.socialaccount`` and its ``weixin`` provider are installed then, never otherwise).

WeChat tells the portal which WeChat user came back (an ``openid``) and a nickname; never an
e-mail address. So a WeChat account joins a portal account only when the person has proved
the portal account is theirs:

- signed in (password and, if they have one, their second factor), they connect WeChat from
  their account's "WeChat" page (allauth's ``process=connect``, which asks a recently
  signed-in session to sign in again); or
- after WeChat, a person with no linked account is offered the same: sign in to the existing
  account first, then WeChat is asked once more and linked; or they sign up as new, with the
  sign-up's own fields (real name, privacy consent) and an address that must be confirmed.

An address typed on that form never connects anything: one that already has an account is
refused with "sign in to that account first" (allauth's ``email_taken``), and allauth's
"connect by e-mail" is off (``SOCIALACCOUNT_EMAIL_AUTHENTICATION`` and its auto-connect).
A staff member signing in with WeChat still gives their second factor: allauth's login stages
ask for it, and ``portal.accounts.middleware`` refuses a session without it.
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.reauthentication import stash_and_reauthenticate
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess

# What is kept of WeChat's profile: who the person is on WeChat, nothing else. The nickname,
# picture and region WeChat also sends are not needed and not stored (data minimisation).
WECHAT_KEPT_FIELDS = ("openid", "unionid")

# Ways of signing in (allauth's authentication records) that prove the person holds the
# account itself: its password, a code sent to its address, its second factor. A WeChat
# sign-in ("socialaccount") is not one of them.
ACCOUNT_PROOFS = frozenset({"password", "code", "mfa"})


def session_proved_account_recently(request) -> bool:
    """Whether this session signed in to its account, or confirmed it again, with the
    account's own password, code or second factor within allauth's re-authentication window
    (``ACCOUNT_REAUTHENTICATION_TIMEOUT``, 5 minutes)."""
    since = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") in ACCOUNT_PROOFS and record.get("at", 0) >= since
        for record in get_authentication_records(request, request.user)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's adapter with the portal's rules for WeChat accounts."""

    def pre_social_login(self, request, sociallogin) -> None:
        """Keep only the WeChat ids of what WeChat sent (``WECHAT_KEPT_FIELDS``).

        Linking WeChat to the signed-in account needs a sign-in of that account within the
        last minutes: a browser left signed in must not let someone else add their WeChat as
        a lasting way in. Otherwise the person confirms their password (or code) first and the
        link is made after it (allauth's own "re-authenticate, then resume" step)."""
        account = sociallogin.account
        data = account.extra_data or {}
        account.extra_data = {key: data[key] for key in WECHAT_KEPT_FIELDS if key in data}
        if account.pk:  # allauth has just saved the full profile onto the existing link
            account.save(update_fields=["extra_data"])
        if sociallogin.state.get("process") != AuthProcess.CONNECT:
            return
        if not request.user.is_authenticated or session_proved_account_recently(request):
            return
        raise ImmediateHttpResponse(
            stash_and_reauthenticate(
                request,
                sociallogin.serialize(),
                "allauth.socialaccount.internal.flows.connect.resume_connect",
            )
        )

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        # Always the sign-up form: it asks for the address to confirm, the real name to print
        # and the privacy consent, none of which WeChat gives.
        return False

    def populate_user(self, request, sociallogin, data):
        # A WeChat nickname is not the real name a certificate prints, and WeChat gives no
        # address: the new account starts empty and the sign-up form fills it.
        return sociallogin.user

    def is_email_verified(self, provider, email) -> bool:
        return False
