from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .mail import mail_queue
from .models import User
from .ratelimit import client_network
from .roles import Role, user_role_names

# The longest address an account can keep (the database column's length); an e-mail address
# as such may have up to 320 characters, which a form's own check lets through.
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


def same_site_path(value: str) -> bool:
    """Whether ``value`` is a path on this site ("/courses/x/"), never another site's address
    ("//evil.example", "/\\evil.example", "https://…") nor a header-splitting string."""
    return (
        isinstance(value, str)
        and len(value) <= 2000
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and value.isprintable()
        and " " not in value
    )


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become Trainees; account mail goes out through the background mail queue."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            trainee_group, _ = Group.objects.get_or_create(name=Role.TRAINEE)
            user.groups.add(trainee_group)
        return user

    def get_login_redirect_url(self, request):
        """Where a person lands after signing in without a ``next``: their role's desk (an
        administrator's dashboard, a certifier's queue, faculty's grading queue, an editor's
        admin), a trainee's "my learning". URL names only: this floor imports no app."""
        from django.urls import reverse

        user = request.user
        roles = user_role_names(user)
        if user.is_superuser or Role.ADMINISTRATOR in roles:
            return reverse("dashboard_national")
        if Role.CERTIFIER in roles:
            return reverse("certify_queue")
        if Role.FACULTY in roles:
            return reverse("courses:grading")
        if Role.BASE_EDITOR in roles:
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The verification link, carrying on the page the person signed up from (a path on
        this site only), so that confirming the address leads back to it."""
        from urllib.parse import urlencode

        url = super().get_email_confirmation_url(request, emailconfirmation)
        following = (request.POST.get("next") or request.GET.get("next")) if request else None
        if following and same_site_path(following):
            url = f"{url}?{urlencode({'next': following})}"
        return url

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Count wrong passwords per account *and* client (an IPv4 address, an IPv6 /64).

        allauth counts ``login_failed``'s "per key" limit per account alone, so five wrong
        passwords typed by anyone, anywhere, lock the owner out, right password and all: a
        way to keep a certifier from working. Counted per account and address together, a
        guesser locks out only themself; the per-address limit stays as configured. (allauth
        builds this key in ``pre_authenticate``, and clears it after a password reset.)"""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{client_network(request)}"

    def clean_email(self, email):
        """Refuse an address longer than the account can keep, at sign-up and when one is
        added to an account (rather than cut it short, or fail to store it)."""
        email = super().clean_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError(
                _("An e-mail address can have at most %(max)d characters; this one has %(length)d.")
                % {"max": EMAIL_MAX_LENGTH, "length": len(email)},
                code="too_long",
            )
        return email

    def send_mail(self, template_prefix, email, context):
        # The site's name and address: allauth's own ``current_site`` has no name here, which
        # made mails read "在  上注册" (portal/templates/account/email/ use these).
        site_url = settings.PORTAL_BASE_URL.rstrip("/") + "/"
        site_name = _("Technology Transfer Talent Training Portal")
        context = {
            **context,
            "site_name": site_name,
            "site_url": site_url,
            "current_site": SimpleNamespace(name=site_name, domain=urlsplit(site_url).netloc),
        }
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        if message.content_subtype == "html":
            html, text = message.body, ""
        else:
            text = message.body
        mail_queue(to=email, subject=message.subject, body_text=text, body_html=html)


class MFAAdapter(DefaultMFAAdapter):
    """A staff member keeps their last authenticator while they hold the role."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Your role requires two-factor sign-in: you cannot switch off your last "
            "authenticator while you hold it."
        ),
    }

    def can_delete_authenticator(self, authenticator):
        from .middleware import user_needs_mfa

        if not user_needs_mfa(authenticator.user):
            return True
        # Recovery codes alone are no authenticator: the last TOTP is what the role needs.
        others = Authenticator.objects.filter(user=authenticator.user).exclude(pk=authenticator.pk)
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
