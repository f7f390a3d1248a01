"""Forms for the certifier's certificate list and bulk issue."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.issuing.models import Certificate
from certification.workspace import level_field


class CertificateFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Number or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Certificate.Status.choices],
    )
    level = level_field()


class BulkIssueForm(forms.Form):
    title = forms.CharField(
        label=_("Name of this run"),
        max_length=200,
        help_text=_("For your records, e.g. the class and the date of the decision."),
    )


class CorrectionForm(forms.Form):
    """Re-issue a certificate with a corrected printed name or photo (issuing/corrections.py)."""

    printed_name = forms.CharField(label=_("Name to print"), max_length=60)
    photo = forms.ChoiceField(
        label=_("Photo"),
        choices=[
            ("keep", _("Keep the photo printed now")),
            ("account", _("Use the photo on the holder's account")),
            ("upload", _("Upload another photo")),
            ("remove", _("Print no photo")),
        ],
        initial="keep",
        widget=forms.RadioSelect,
    )
    upload = forms.FileField(
        label=_("Photo file"),
        required=False,
        help_text=_("A JPEG, PNG or WebP picture; only with “Upload another photo”."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    reason = forms.CharField(
        label=_("Why it is corrected"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log and told to the holder."),
    )
    confirmed = forms.BooleanField(
        label=_("I have checked the correction."),
        error_messages={"required": _("Tick that you have checked the correction.")},
    )

    def __init__(self, *args, next_number: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if next_number:
            self.fields["confirmed"].label = _(
                "I have checked the correction: version %(number)s will be issued and the "
                "current one will be marked as replaced by it."
            ) % {"number": next_number}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") == "upload" and not cleaned.get("upload"):
            self.add_error("upload", _("Choose the photo file to print."))
        return cleaned
