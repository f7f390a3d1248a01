"""Forms of selection rounds: they parse input; the services decide."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certification.levels.models import CertifyingBody
from certification.practice.forms import MultipleFileField
from certification.practice.models import PracticeRecord
from certification.recognition.models import Nomination, Objection
from certification.recognition.services import MAX_EVIDENCE
from certification.workspace import BodyChoiceField

DATE = {"type": "date"}


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE))


class RoundForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("For example: 2026年度“十大技术经纪人”评选"),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea({"rows": 3})
    )
    body = BodyChoiceField(
        label=_("Awarding body"),
        queryset=CertifyingBody.objects.none(),
        help_text=_("The body whose key signs the award credentials."),
    )
    awards = forms.IntegerField(label=_("Number of awards"), min_value=1, max_value=100, initial=10)
    nomination_opens = _date(_("Nominations open"))
    nomination_closes = _date(_("Nominations close"))
    review_opens = _date(_("Review opens"))
    review_closes = _date(_("Review closes"))
    announce_from = _date(_("Announcement (公示) starts"))
    announce_until = _date(_("Announcement (公示) ends"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = CertifyingBody.objects.filter(is_active=True)
        self.fields["year"].initial = timezone.localdate().year


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=80, required=False)
    description = forms.CharField(label=_("What it looks at"), max_length=300, required=False)
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=1, max_value=100, required=False)
    max_score = forms.IntegerField(
        label=_("Highest score"), min_value=1, max_value=100, required=False, initial=10
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("weight"):
            self.add_error("weight", _("Give the criterion a weight."))
        return data


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=12, absolute_max=12)


def criteria_rows(formset) -> list[dict]:
    """The named rows of a valid criteria formset."""
    return [
        {**form.cleaned_data, "max_score": form.cleaned_data.get("max_score") or 10}
        for form in formset.forms
        if form.cleaned_data.get("name")
    ]


DEFAULT_CRITERIA = [
    {
        "name": "项目业绩 Project results",
        "description": "促成的技术交易、合同登记额与转化成效",
        "weight": 40,
        "max_score": 10,
    },
    {
        "name": "专业能力 Professional competence",
        "description": "等级证书、继续教育与专业领域深度",
        "weight": 25,
        "max_score": 10,
    },
    {
        "name": "创新做法 Innovation",
        "description": "服务模式与方法上的创新及可推广性",
        "weight": 20,
        "max_score": 10,
    },
    {
        "name": "职业操守 Professional ethics",
        "description": "诚信记录与行业口碑",
        "weight": 15,
        "max_score": 10,
    },
]


class ReviewerForm(forms.Form):
    email = forms.EmailField(label=_("Reviewer's e-mail address"))


class NominationForm(forms.Form):
    SELF = "self"
    nominator = forms.ChoiceField(label=_("Nominated by"))
    nominee_email = forms.EmailField(
        label=_("Nominee's e-mail address"),
        required=False,
        help_text=_("The e-mail address of the nominee's portal account."),
    )
    statement = forms.CharField(
        label=_("Statement"),
        max_length=4000,
        widget=forms.Textarea({"rows": 6}),
        help_text=_("What the nominee achieved and why they deserve the award."),
    )
    practice_records = forms.ModelMultipleChoiceField(
        label=_("Your confirmed practice records"),
        queryset=PracticeRecord.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A nominee chooses their own records; others can add them later."),
    )
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Up to %(count)d pictures or PDFs. Only the panel and administrators see them.")
        % {"count": MAX_EVIDENCE},
    )

    def __init__(self, *args, user, bases, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.SELF, _("Myself (self-nomination)"))]
        choices += [(f"base:{base.page_id}", base.name) for base in bases]
        choices += [(f"body:{body.pk}", body.name) for body in bodies]
        self.fields["nominator"].choices = choices
        self.fields["practice_records"].queryset = PracticeRecord.objects.filter(
            owner=user, status=PracticeRecord.Status.CONFIRMED
        )

    def clean(self):
        data = super().clean()
        nominator = data.get("nominator")
        if nominator and nominator != self.SELF and not data.get("nominee_email"):
            self.add_error("nominee_email", _("Give the nominee's e-mail address."))
        return data

    def nominator_parts(self) -> tuple[str, int | None]:
        value = self.cleaned_data["nominator"]
        if value == self.SELF:
            return Nomination.By.SELF, None
        kind, _colon, pk = value.partition(":")
        return (Nomination.By.BASE if kind == "base" else Nomination.By.BODY), int(pk)


class PracticeChoiceForm(forms.Form):
    nomination = forms.IntegerField(widget=forms.HiddenInput)
    practice_records = forms.ModelMultipleChoiceField(
        label=_("Confirmed practice records the panel sees"),
        queryset=PracticeRecord.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice_records"].queryset = PracticeRecord.objects.filter(
            owner=user, status=PracticeRecord.Status.CONFIRMED
        )


class ReviewForm(forms.Form):
    NONE, CONFLICT = "none", "conflict"
    declaration = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            (NONE, _("I declare that I have no conflict of interest with this nominee.")),
            (CONFLICT, _("I have a conflict of interest and stand aside.")),
        ],
        widget=forms.RadioSelect,
    )
    conflict_note = forms.CharField(
        label=_("The conflict"), required=False, max_length=500, widget=forms.Textarea({"rows": 2})
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name}（{criterion.weight}%）",
                help_text=criterion.description,
                min_value=0,
                max_value=criterion.max_score,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self):
        data = super().clean()
        if data.get("declaration") == self.CONFLICT:
            if not (data.get("conflict_note") or "").strip():
                self.add_error("conflict_note", _("Say what the conflict is."))
        elif data.get("declaration") == self.NONE:
            for criterion in self.criteria:
                name = f"score_{criterion.pk}"
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Score every criterion."))
        return data

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class ObjectionForm(forms.Form):
    award = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Say what is wrong, with facts the administrators can check."),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        help_text=_("Needed when you are not signed in: the answer is sent here."),
    )


class AnswerForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Decision on the objection"),
        choices=Objection.Outcome.choices,
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer to the objector"), max_length=4000, widget=forms.Textarea({"rows": 3})
    )


class RevokeAwardForm(forms.Form):
    award = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for revoking (the awardee reads it)"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the award's credential will read as revoked everywhere."),
        error_messages={"required": _("Tick the box to confirm the revocation.")},
    )


def default_round_initial() -> dict:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    return {
        "nomination_opens": today,
        "nomination_closes": today + 30 * day,
        "review_opens": today + 31 * day,
        "review_closes": today + 45 * day,
        "announce_from": today + 46 * day,
        "announce_until": today + 52 * day,
    }
