"""Forms for talent filing and the yearly evaluation."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FilingSubmitForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    specialties = forms.CharField(
        label=_("Specialties"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas, e.g. technology valuation, patent licensing."),
    )
    statement = forms.CharField(
        label=_("Statement of practice"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Your technology-transfer work so far; your confirmed projects are attached."),
    )


class FilingDecisionForm(forms.Form):
    START, FILE, RETURN = "start", "file", "return"
    filing = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[(START, START), (FILE, FILE), (RETURN, RETURN)], widget=forms.HiddenInput
    )
    reference = forms.CharField(label=_("Filing reference"), max_length=60, required=False)
    comment = forms.CharField(label=_("Comments"), max_length=2000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.FILE and not (data.get("reference") or "").strip():
            self.add_error("reference", _("Enter the filing reference."))
        if data.get("action") == self.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what must change; the holder will read it."))
        return data


class EvaluationRunForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1
