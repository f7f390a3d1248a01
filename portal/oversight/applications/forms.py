"""Forms for applying to become a training base and for reviewing an application."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

import cms.api
from portal.accounts.provinces import Province
from portal.accounts.validators import validate_printable_text

from ..files import MultipleFileField
from .services import Decision


def level_choices() -> list[tuple[str, str]]:
    """The levels a base may train, as cms defines them (a table or fixed choices)."""
    level = cms.api.Level
    if hasattr(level, "as_choices"):
        return level.as_choices()
    return list(level.choices)


SHORT_CODE = RegexValidator(
    r"^[A-Z][A-Z0-9-]{1,15}$",
    _("Use 2 to 16 capital letters, digits and dashes, starting with a letter, e.g. GD-SCUT."),
)


def _text(label, *, max_length, rows=None, required=True, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        help_text=help_text,
        validators=[validate_printable_text],
    )


class ApplicationForm(forms.Form):
    institution = _text(_("Institution name"), max_length=100)
    short_code = forms.CharField(
        label=_("Proposed short code"),
        max_length=16,
        validators=[SHORT_CODE],
        help_text=_(
            "Used in class and certificate numbers, e.g. GD-SCUT. Reviewers may change it."
        ),
    )
    province = forms.ChoiceField(label=_("Province"), choices=[("", "—"), *Province.choices])
    city = _text(_("City"), max_length=50)
    accreditation = forms.ChoiceField(label=_("Accreditation applied for"))
    levels = forms.MultipleChoiceField(
        label=_("Levels you want to train"), widget=forms.CheckboxSelectMultiple
    )
    profile = _text(
        _("Profile of the institution"),
        max_length=4000,
        rows=5,
        help_text=_("Who you are, your work in technology transfer, earlier training you ran."),
    )
    facilities = _text(
        _("Facilities"),
        max_length=4000,
        rows=4,
        help_text=_("Classrooms, online platform, practice sites, staff who organise classes."),
    )
    faculty = _text(
        _("Faculty list"),
        max_length=6000,
        rows=5,
        help_text=_("One teacher per line: name, professional title, specialty."),
    )
    contact_name = _text(_("Contact person"), max_length=50)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        validators=[RegexValidator(r"^[0-9+() -]{5,30}$", _("Enter a phone number."))],
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def __init__(self, *args, files_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accreditation"].choices = [("", "—"), *cms.api.Accreditation.choices]
        self.fields["levels"].choices = level_choices()
        self.fields["files"] = MultipleFileField(
            label=_("Sample materials") if files_required else _("More sample materials"),
            required=files_required,
        )

    def clean_short_code(self):
        return self.cleaned_data["short_code"].strip().upper()

    @classmethod
    def initial_from(cls, application) -> dict:
        from .services import FIELDS

        return {field: getattr(application, field) for field in FIELDS}


class ResubmitNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What you changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("comment", _("Comment only, no decision yet")),
            (Decision.APPROVE, _("Approve: create the base and invite the applicant")),
            (Decision.RETURN, _("Return for changes")),
            (Decision.REJECT, _("Reject")),
        ],
    )
    short_code = forms.CharField(
        label=_("Short code of the new base"),
        max_length=16,
        required=False,
        validators=[SHORT_CODE],
        help_text=_("Used when approving; the applicant's proposal unless you change it."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed to return or reject: the applicant reads it."),
    )

    def clean_short_code(self):
        return self.cleaned_data["short_code"].strip().upper()
