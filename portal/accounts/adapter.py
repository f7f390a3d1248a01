from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .mail import mail_queue
from .models import User
from .ratelimit import client_network
from .roles import Role

# The longest address an account can keep (the database column's length); an e-mail address
# as such may have up to 320 characters, which a form's own check lets through.
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become Trainees; account mail goes out through the background mail queue."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            trainee_group, _ = Group.objects.get_or_create(name=Role.TRAINEE)
            user.groups.add(trainee_group)
        return user

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
