from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Kind


class NotificationSettingsForm(forms.Form):
    """Which e-mails to get (ticked: wanted) and their language."""

    emails = forms.MultipleChoiceField(
        label=_("Send me an e-mail about"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Account e-mails (confirming your address, resetting your password) are always "
            "sent. Everything is also listed under Notifications."
        ),
    )
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)
