"""The public's forms: look a certificate up by number, check a holder against it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.verification.holder_match import ID_NUMBER_MAX_LENGTH, NAME_MAX_LENGTH


class NumberForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "GD-J-2026-000123", "autocomplete": "off"}),
    )

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not number.isprintable():
            raise forms.ValidationError(_("Type the number as it is printed on the certificate."))
        return number


class HolderCheckForm(NumberForm):
    """A certificate number with the holder's full name, ID number, or both."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "check-%s")  # beside the look-up form's own number field
        super().__init__(*args, **kwargs)

    name = forms.CharField(
        label=_("Holder's full name"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("Holder's ID number"),
        max_length=ID_NUMBER_MAX_LENGTH,
        required=False,
        help_text=_("The number of the identity document, e.g. a resident ID (身份证号)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("name") or "").strip() and not (data.get("id_number") or "").strip():
            raise forms.ValidationError(_("Give the holder's full name or their ID number."))
        for field in ("name", "id_number"):
            if not (data.get(field) or "").isprintable():
                self.add_error(field, _("This contains characters that cannot be checked."))
        return data


class FileCheckForm(forms.Form):
    """A certificate PDF or a credential file someone was handed, to check."""

    file = forms.FileField(
        label=_("Certificate PDF or credential file"),
        help_text=_("The PDF the holder downloaded, or the credential (.json) they shared."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.json,application/pdf"}),
    )
