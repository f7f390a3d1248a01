"""Forms for importing earlier certificates and claiming them."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from certification.imports.services import MAX_FILE_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX file"),
        validators=[FileExtensionValidator(["xlsx"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 2**20}
            )
        return file


class ClaimRequestForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    note = forms.CharField(
        label=_("Anything that helps the certifier (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. the e-mail or phone you used then, or where you trained. The certifier "
            "compares it with their records."
        ),
    )
