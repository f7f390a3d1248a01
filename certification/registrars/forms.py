"""The forms of an office's page: add an in-post registrar, end a post, record a check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.registrars.models import FollowUpCheck

DATE = forms.DateInput(attrs={"type": "date"})


class InPostForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    since = forms.DateField(label=_("In post since"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EndForm(forms.Form):
    record = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    until = forms.DateField(label=_("Left the post on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CheckForm(forms.Form):
    record = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    checked_on = forms.DateField(label=_("Checked on"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpCheck.Outcome.choices)
    finding = forms.CharField(
        label=_("Finding"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
