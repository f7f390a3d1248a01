from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .mail import mail_queue
from .models import User
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
