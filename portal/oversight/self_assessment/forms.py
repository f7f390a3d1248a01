from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.validators import validate_printable_text

from ..files import MultipleFileField
from ..rules import CRITERIA


class SelfAssessmentForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the year"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_printable_text],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in CRITERIA.items():
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
                validators=[validate_printable_text],
            )
        self.fields["files"] = MultipleFileField(label=_("Evidence"), required=False)

    @classmethod
    def initial_from(cls, assessment) -> dict:
        if assessment is None:
            return {}
        return {
            key: getattr(assessment, key)
            for key in ("summary", "facilities", "organisation", "results", "innovation")
        }
