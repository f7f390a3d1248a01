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
