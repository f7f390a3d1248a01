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
    texts = forms.MultipleChoiceField(
        label=_("Also send me a text message (SMS) about"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sent to the phone number you confirmed; nothing is sent by SMS unless ticked."
        ),
    )

    def __init__(self, *args, phone_confirmed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not phone_confirmed:
            # Texts go only to a confirmed phone: without one, the choice is not offered.
            del self.fields["texts"]
