from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from .mail import mail_queue
from .roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """Sign-ups become Trainees; account mail goes out through the background mail queue."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            trainee_group, _ = Group.objects.get_or_create(name=Role.TRAINEE)
            user.groups.add(trainee_group)
        return user

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
