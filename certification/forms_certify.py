"""Forms of the certifier's workspace: filters, decisions, revocation, bulk issuing, filing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.models import Application, Certificate, CertificationLevel, CertifyingBody

ALL = "all"
NO_CLASS = "none"


def _scoped(queryset, bodies, field="pk"):
    """``queryset`` narrowed to ``bodies``; None means every body (administrators)."""
    return queryset if bodies is None else queryset.filter(**{f"{field}__in": bodies})


class _BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _level_field():
    return _LevelChoiceField(
        label=_("Level"),
        queryset=CertificationLevel.objects.select_related("track"),
        required=False,
        empty_label=_("All levels"),
    )


def _body_field(queryset, label=None):
    return _BodyChoiceField(
        label=label or _("Certifying body"),
        queryset=queryset,
        required=False,
        empty_label=_("All bodies"),
    )


class QueueFilterForm(forms.Form):
    """Which applications the queue lists. No status means those awaiting a decision."""

    q = forms.CharField(
        label=_("Name or e-mail"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    level = _level_field()
    body = _body_field(CertifyingBody.objects.none())
    course = forms.ChoiceField(label=_("Class"), required=False)

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Awaiting decision")),
            *Application.Status.choices,
            (ALL, _("All statuses")),
        ]
        self.fields["body"].queryset = _scoped(CertifyingBody.objects.all(), bodies)
        classes = (
            _scoped(Application.objects.exclude(course=None), bodies, "body_id")
            .values_list("course_id", "course__title", "course__class_name")
            .order_by("course__title", "course__class_name", "course_id")
            .distinct()
        )
        self.fields["course"].choices = [
            ("", _("All classes")),
            *((str(pk), f"{title} · {name}" if name else title) for pk, title, name in classes),
        ]


class ReasonForm(forms.Form):
    """A reason the applicant or the public will read: returning, rejecting, revoking."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason; the applicant will read it.")},
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly on the verification page."),
        error_messages={"required": _("Give the reason for revoking; it is shown publicly.")},
    )


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
    level = _level_field()


class BulkIssueForm(forms.Form):
    title = forms.CharField(
        label=_("Name of this run"),
        max_length=200,
        help_text=_("For your records, e.g. the class and the date of the decision."),
    )


class FilingFilterForm(forms.Form):
    """The filing page's filters, shared with its XLSX export."""

    filing = forms.ChoiceField(label=_("Filing"), required=False)
    level = _level_field()
    body = _body_field(CertifyingBody.objects.none(), label=_("Issuing body"))
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
