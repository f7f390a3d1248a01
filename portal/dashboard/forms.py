"""The dashboard's filters: a period of months, a province, a training base and a level."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.provinces import Province

from .selectors import Filters, month_range_default

FIRST_YEAR = 1984  # the technology market opened; no certificate predates it
MAX_YEARS = 30
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (what ``<input type="month">`` sends); the first day of it."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2025-06.")}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if int(match[1]) < FIRST_YEAR:  # year 0 is no date at all: refused before making one
            raise forms.ValidationError(
                _("The figures begin in %(year)s; choose a later month.") % {"year": FIRST_YEAR},
                code="too_early",
            )
        return datetime.date(int(match[1]), int(match[2]), 1)


class FilterForm(forms.Form):
    start = MonthField(label=_("From"), required=False)
    end = MonthField(label=_("To"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    base = forms.TypedChoiceField(
        label=_("Training base"), required=False, coerce=int, empty_value=None
    )
    level = forms.ChoiceField(label=_("Level"), required=False)

    def __init__(self, data=None, *, bases=None, levels=None, today=None):
        super().__init__(data)
        self.today = today or timezone.localdate()
        everywhere = [("", _("All"))]
        self.fields["province"].choices = everywhere + list(Province.choices)
        if bases is None:
            del self.fields["base"]
        else:
            self.fields["base"].choices = everywhere + [(str(pk), name) for pk, name in bases]
        self.fields["level"].choices = everywhere + list((levels or {}).items())

    def clean(self):
        data = super().clean()
        default_start, default_end = month_range_default(self.today)
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        if self.errors:
            return data
        latest = datetime.date(self.today.year + 1, 12, 1)
        if start.year < FIRST_YEAR or end.year < FIRST_YEAR:
            raise forms.ValidationError(
                _("The figures begin in %(year)s; choose a later month.") % {"year": FIRST_YEAR}
            )
        if start > latest or end > latest:
            raise forms.ValidationError(
                _("Choose months up to %(month)s at the latest.")
                % {"month": latest.strftime("%Y-%m")}
            )
        if start > end:
            raise forms.ValidationError(_("The period starts after it ends; swap the two months."))
        if (end.year - start.year) * 12 + end.month - start.month >= MAX_YEARS * 12:
            raise forms.ValidationError(
                _("Choose a period of at most %(years)s years.") % {"years": MAX_YEARS}
            )
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            province=data.get("province") or "",
            base_id=data.get("base"),
            level=data.get("level") or "",
        )

    def query_string(self) -> str:
        """The filters as a query string, for the download links."""
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for name, value in (self.data or {}).items():
            if name in self.fields and value:
                query[name] = value
        return query.urlencode()
