"""The evaluation form: four scores with comments, checked by the grading rule's own check."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .rules import GradingRule
from .services import evaluation_scores_check


class EvaluationForm(forms.Form):
    overall_comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    published = forms.BooleanField(
        label=_("Publish this grade on the base's public page"),
        required=False,
        help_text=_(
            "The base's editors see the grade either way; the public sees it only if ticked."
        ),
    )

    def __init__(self, *args, rule: GradingRule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        for criterion in rule.criteria:
            # A text field, so that "abc" reaches the rule's check and gets its clear message.
            score = forms.CharField(
                label=_("%(criterion)s score") % {"criterion": criterion.label},
                required=False,
                widget=forms.NumberInput(
                    attrs={
                        "min": 0,
                        "max": criterion.maximum,
                        "step": "0.5",
                        "inputmode": "decimal",
                    }
                ),
                help_text=_("0 to %(maximum)s; below %(floor)s holds the grade down")
                % {"maximum": criterion.maximum, "floor": criterion.floor},
            )
            comment = forms.CharField(
                label=_("%(criterion)s comment") % {"criterion": criterion.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{criterion.key}_score"] = score
            self.fields[f"{criterion.key}_comment"] = comment

    def criteria_rows(self):
        """(criterion, score field, comment field) for the template."""
        return [
            (criterion, self[f"{criterion.key}_score"], self[f"{criterion.key}_comment"])
            for criterion in self.rule.criteria
        ]

    def clean(self):
        data = super().clean()
        raw = {c.key: data.get(f"{c.key}_score") for c in self.rule.criteria}
        try:
            data["scores"] = evaluation_scores_check(scores=raw, rule=self.rule)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return data

    @classmethod
    def initial_from(cls, evaluation) -> dict:
        if evaluation is None:
            return {}
        initial = {
            "overall_comment": evaluation.overall_comment,
            "published": evaluation.published,
        }
        for key in ("facilities", "organisation", "results", "innovation"):
            initial[f"{key}_score"] = getattr(evaluation, f"{key}_score")
            initial[f"{key}_comment"] = getattr(evaluation, f"{key}_comment")
        return initial
