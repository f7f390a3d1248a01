"""Forms for applying and for the certifier's queue and decisions."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from certification.applications.models import Application, Evidence
from certification.levels.models import CertifyingBody
from certification.workspace import ALL, body_field, level_field, scoped
from portal.accounts.names import NameField


class ApplicationForm(forms.Form):
    # The one rule for names (portal/accounts/names.py); the service applies it again.
    printed_name = NameField(label=_("Name to print on the certificate"), max_length=60)
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

    def __init__(self, *args, optional: bool = False, **kwargs):
        """``optional``: part of the one application form, where a file may or may not come
        with the details; a file still needs its kind."""
        super().__init__(*args, **kwargs)
        self.optional = optional
        if optional:
            self.fields["file"].required = False
            self.fields["kind"].required = False
            self.fields["kind"].choices = [("", "—"), *Evidence.Kind.choices]
            self.fields["file"].label = _("Add a file")

    def clean(self):
        cleaned = super().clean()
        if self.optional and cleaned.get("file") and not cleaned.get("kind"):
            self.add_error("kind", _("Choose what kind of evidence this is."))
        return cleaned

    @property
    def has_file(self) -> bool:
        return bool(self.is_bound and self.files.get(self.add_prefix("file")))


class QueueFilterForm(forms.Form):
    """Which applications the queue lists. No status means those awaiting a decision."""

    q = forms.CharField(
        label=_("Name or e-mail"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    level = level_field()
    body = body_field(CertifyingBody.objects.none())
    course = forms.ChoiceField(label=_("Class"), required=False)

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Awaiting decision")),
            *Application.Status.choices,
            (ALL, _("All statuses")),
        ]
        self.fields["body"].queryset = scoped(CertifyingBody.objects.all(), bodies)
        classes = (
            scoped(Application.objects.exclude(course=None), bodies, "body_id")
            .values_list("course_id", "course__title", "course__class_name")
            .order_by("course__title", "course__class_name", "course_id")
            .distinct()
        )
        classes = list(classes)
        # Many bases run classes of the same name: each is named with its base.
        from cms import api as cms_api

        base_of = cms_api.base_ids_for_pages(page_ids=[pk for pk, _t, _n in classes])
        base_names = {base.page_id: base.name for base in cms_api.training_bases_all()}

        def label(pk, title, name):
            text = f"{title} · {name}" if name else title
            base = base_names.get(base_of.get(pk))
            return f"{text}（{base}）" if base else text

        self.fields["course"].choices = [
            ("", _("All classes")),
            *((str(pk), label(pk, title, name)) for pk, title, name in classes),
        ]


class ReasonForm(forms.Form):
    """A reason the applicant or the public will read: returning, rejecting, revoking."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason; the applicant will read it.")},
    )
