"""Forms for practice records: they parse input; the services decide."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.levels.models import CertifyingBody
from certification.practice.models import MAX_AMOUNT, PracticeRecord
from certification.practice.services import MAX_PROOFS
from certification.workspace import BodyChoiceField

DATE = {"type": "date"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PracticeRecordForm(forms.Form):
    title = forms.CharField(label=_("Project"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of service"), choices=PracticeRecord.Kind.choices)
    kind_other = forms.CharField(
        label=_("Other kind of service"),
        max_length=100,
        required=False,
        help_text=_("Only when the kind is “other service”."),
    )
    role = forms.CharField(label=_("Your role"), max_length=200)
    counterparties = forms.CharField(
        label=_("Counterparties"),
        max_length=400,
        help_text=_("The organisations on each side, e.g. the university and the enterprise."),
    )
    contract_number = forms.CharField(
        label=_("Technology-contract registration number"),
        max_length=60,
        required=False,
        help_text=_("Where the contract was registered (技术合同认定登记)."),
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        min_value=Decimal("0"),
        max_value=Decimal(MAX_AMOUNT),
        max_digits=14,
        decimal_places=2,
        initial=0,
    )
    started_on = forms.DateField(label=_("Started on"), widget=forms.DateInput(attrs=DATE))
    ended_on = forms.DateField(label=_("Ended on"), widget=forms.DateInput(attrs=DATE))
    outcome = forms.CharField(
        label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    proofs = MultipleFileField(
        label=_("Proof (contract, acceptance letter, invoice)"),
        required=False,
        help_text=_("Up to %(count)d pictures or PDFs. Only you and the reviewers see them.")
        % {"count": MAX_PROOFS},
    )
    method = forms.ChoiceField(
        label=_("Who confirms it"),
        choices=PracticeRecord.Method.choices,
        widget=forms.RadioSelect,
        initial=PracticeRecord.Method.CONTACT,
    )
    contact_name = forms.CharField(label=_("Contact's name"), max_length=60, required=False)
    contact_organisation = forms.CharField(
        label=_("Contact's organisation"), max_length=200, required=False
    )
    contact_email = forms.EmailField(
        label=_("Contact's e-mail"),
        required=False,
        help_text=_("We e-mail them a link to confirm or dispute the project."),
    )
    body = BodyChoiceField(
        label=_("Certifying body to review it"),
        queryset=CertifyingBody.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = CertifyingBody.objects.filter(is_active=True)
        today = timezone.localdate().isoformat()
        self.fields["started_on"].widget.attrs["max"] = today
        self.fields["ended_on"].widget.attrs["max"] = today

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The project cannot end before it started."))
        if end and end > timezone.localdate():
            self.add_error("ended_on", _("Record a project once it has ended."))
        if data.get("kind") == PracticeRecord.Kind.OTHER and not data.get("kind_other"):
            self.add_error("kind_other", _("Say what kind of service it was."))
        if data.get("method") == PracticeRecord.Method.CONTACT:
            for name in ("contact_name", "contact_organisation", "contact_email"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed when a contact confirms the project."))
        elif data.get("method") == PracticeRecord.Method.CERTIFIER:
            if not data.get("body"):
                self.add_error("body", _("Choose the certifying body that reviews the project."))
            if not data.get("proofs") and "proofs" not in self.errors:
                self.add_error("proofs", _("Attach proof for the certifier to review."))
        return data


class ConfirmForm(forms.Form):
    CONFIRM, DISPUTE = "confirm", "dispute"
    decision = forms.ChoiceField(choices=[(CONFIRM, _("Confirm")), (DISPUTE, _("Dispute"))])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you dispute: say what is not right."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DISPUTE and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what is wrong; the trainee will read your comment."))
        return data


class ReviewForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"
    record = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Confirm")), (REJECT, _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Give a reason; the trainee will read it."))
        return data
