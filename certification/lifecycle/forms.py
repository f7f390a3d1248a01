"""Forms for continuing education, revocation and filing."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.lifecycle.models import ContinuingEducation
from certification.workspace import ALL, body_field, level_field


class ContinuingEducationForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Report to"), queryset=CertifyingBody.objects.none())
    title = forms.CharField(label=_("Activity"), max_length=200)
    provider = forms.CharField(label=_("Organised by"), max_length=200)
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_value=Decimal("200"), decimal_places=1
    )
    evidence = forms.FileField(
        label=_("Evidence (certificate of attendance, agenda…)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = (
            bodies if bodies is not None else CertifyingBody.objects.none()
        )
        self.fields["completed_on"].widget.attrs.update(
            min=ContinuingEducation.EARLIEST_COMPLETION.isoformat(),
            max=timezone.localdate().isoformat(),
        )

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        problem = ContinuingEducation.completion_date_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class RevokeForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Reason for revocation"),
        choices=[("", "—"), *Certificate.RevocationCode.choices],
        help_text=_("Shown publicly on the verification page, in the API and to the holder."),
        error_messages={"required": _("Choose the reason for revoking from the list.")},
    )
    reason = forms.CharField(
        label=_("Internal note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, for the record. Only certifiers read it; it is never public."),
        error_messages={
            "required": _(
                "Write an internal note on why the certificate is revoked; only certifiers read it."
            )
        },
    )


class FilingFilterForm(forms.Form):
    """The filing page's filters, shared with its XLSX export."""

    filing = forms.ChoiceField(label=_("Filing"), required=False)
    level = level_field()
    body = body_field(CertifyingBody.objects.none(), label=_("Issuing body"))
    issued_from = forms.DateField(
        label=_("Issued from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_to = forms.DateField(
        label=_("Issued until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filing"].choices = [
            (Certificate.Filing.PENDING, Certificate.Filing.PENDING.label),
            (Certificate.Filing.FILED, Certificate.Filing.FILED.label),
            (ALL, _("Awaiting filing or filed")),
        ]
        self.fields["body"].queryset = CertifyingBody.objects.all() if bodies is None else bodies

    def clean_filing(self):
        return self.cleaned_data.get("filing") or Certificate.Filing.PENDING

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            self.add_error("issued_to", _("The end of the period is before its start."))
        return data


class FilingForm(forms.Form):
    certificate = forms.ModelMultipleChoiceField(
        label=_("Certificates"),
        queryset=Certificate.objects.none(),
        error_messages={
            "required": _("Select at least one certificate to file."),
            "invalid_choice": _("A selected certificate cannot be filed here."),
            "invalid_pk_value": _("A selected certificate cannot be filed here."),
        },
    )
    reference = forms.CharField(
        label=_("Filing reference"),
        max_length=60,
        help_text=_("The reference of the national filing, e.g. its document number."),
        error_messages={"required": _("Enter the filing reference.")},
    )

    def __init__(self, *args, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = certificates


class ActivityReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    activity = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("note") or "").strip():
            self.add_error("note", _("Give a reason; the holder will read it."))
        return data
