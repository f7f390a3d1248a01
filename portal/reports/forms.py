"""The form that asks for a report: which one, for which period, and optionally which body."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.api import certifying_bodies_list

from .models import ReportJob

FIRST_DAY = datetime.date(1984, 1, 1)
LONGEST_YEARS = 20
# Reports that can be narrowed to one certifying body.
BY_BODY = (ReportJob.Kind.CERTIFICATES, ReportJob.Kind.FILING)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("reports", "Report"),
        choices=ReportJob.Kind.choices,
        widget=forms.RadioSelect,
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Both days are included."),
    )
    year = forms.IntegerField(
        label=_("Or a whole year"),
        required=False,
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
        help_text=_("Instead of the dates: 1 January to 31 December of that year."),
    )
    body = forms.TypedChoiceField(
        label=_("Certifying body"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Optional. Certificates report: what the body issued. Filing report: what it "
            "issued or numbered. The training report covers every base."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = {body.body_id: body for body in certifying_bodies_list()}
        self.fields["body"].choices = [("", _("All certifying bodies"))] + [
            (body.body_id, f"{body.name} ({body.code})") for body in self.bodies.values()
        ]
        last = self.last_day()
        self.fields["year"].widget.attrs.update({"min": FIRST_DAY.year, "max": last.year})
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(
                {"min": FIRST_DAY.isoformat(), "max": last.isoformat()}
            )

    @staticmethod
    def last_day() -> datetime.date:
        """Reports may reach to the end of the current year, no further."""
        return datetime.date(timezone.localdate().year, 12, 31)

    def clean(self):
        data = super().clean()
        date_from, date_to, year = data.get("date_from"), data.get("date_to"), data.get("year")
        last = self.last_day()
        if self.errors.get("date_from") or self.errors.get("date_to") or self.errors.get("year"):
            return data
        if year is not None:
            if date_from or date_to:
                self.add_error("year", _("Give either a whole year or the two dates, not both."))
                return data
            if not FIRST_DAY.year <= year <= last.year:
                self.add_error(
                    "year",
                    _("Give a year from %(first)s to %(last)s.")
                    % {"first": FIRST_DAY.year, "last": last.year},
                )
                return data
            date_from, date_to = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        else:
            if date_from is None:
                self.add_error("date_from", _("Give the first day of the period, or a year."))
            if date_to is None:
                self.add_error("date_to", _("Give the last day of the period, or a year."))
            if date_from is None or date_to is None:
                return data
        problem = False
        for field, day in (("date_from", date_from), ("date_to", date_to)):
            if day < FIRST_DAY:
                self.add_error(
                    field, _("Reports start on 1 January 1984 at the earliest; give a later day.")
                )
                problem = True
            elif day > last:
                self.add_error(
                    field,
                    _("Reports reach %(last)s at the latest; give an earlier day.")
                    % {"last": last.isoformat()},
                )
                problem = True
        if problem:
            return data
        if date_to < date_from:
            self.add_error("date_to", _("The period ends before it starts."))
            return data
        if date_to >= _years_later(date_from, LONGEST_YEARS):
            self.add_error(
                "date_to",
                _("A report covers at most %(years)d years; give a shorter period.")
                % {"years": LONGEST_YEARS},
            )
            return data
        data["date_from"], data["date_to"] = date_from, date_to
        if data.get("kind") not in BY_BODY:
            data["body"] = None
        return data

    def parameters(self) -> dict:
        """The cleaned values as the job keeps them."""
        data = self.cleaned_data
        body = self.bodies.get(data.get("body"))
        return {
            "date_from": data["date_from"].isoformat(),
            "date_to": data["date_to"].isoformat(),
            "body": body.body_id if body else None,
            "body_name": body.name if body else "",
        }
