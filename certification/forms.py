"""Forms for applicants and holders. They only parse input; the rules live in services."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.models import CertifyingBody, ContinuingEducation, Evidence


class ApplicationForm(forms.Form):
    printed_name = forms.CharField(
        label=_("Name to print on the certificate"), max_length=60, strip=True
    )
    experience_years = forms.DecimalField(
        label=_("Years of relevant work experience"),
        min_value=Decimal("0"),
        max_value=Decimal("60"),
        decimal_places=1,
        initial=Decimal("0"),
    )
    experience_note = forms.CharField(
        label=_("Where and how you worked in technology transfer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("What it is"), choices=Evidence.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A JPEG, PNG or WebP picture, or a PDF; at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )


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
