"""The published targets for certified talent that the country is measured against.

A goal counts PEOPLE, never certificates: someone holding a junior and an intermediate
certificate is one person towards a goal. How the count is made (which certificates, which
province, which dates) is in ``certification/goals/selectors.py`` and
``docs/decisions/0006-goals-and-registry.md``.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.levels.models import CertificationLevel, Track
from portal.accounts.provinces import Province

# China opened its technology market in November 1984: no certificate this portal counts can
# be older, and a start before it would only make the monthly series long for nothing.
EARLIEST_START = datetime.date(1984, 1, 1)
LONGEST_YEARS = 30


def _years_after(day: datetime.date, years: int) -> datetime.date:
    year = min(day.year + years, datetime.MAXYEAR)  # far enough to refuse the span
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


class Goal(models.Model):
    """A target count of certified people, in levels that count, by a deadline."""

    class Measure(models.TextChoices):
        EVER = "ever", _("people ever certified")
        VALID = "valid", _("people holding a valid certificate")

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(
        pgettext_lazy("goal", "source"),
        max_length=300,
        help_text=_("The plan or document that sets the goal."),
    )
    target = models.IntegerField(
        _("target (people)"),
        validators=[MinValueValidator(1, _("The target must be at least one person."))],
    )
    tracks = models.ManyToManyField(
        Track,
        verbose_name=_("tracks that count"),
        blank=True,
        related_name="goals",
        help_text=_("Every level of a chosen track counts, including levels added later."),
    )
    levels = models.ManyToManyField(
        CertificationLevel,
        verbose_name=_("levels that count"),
        blank=True,
        related_name="goals",
    )
    province = models.CharField(
        _("scope"),
        max_length=2,
        choices=Province.choices,
        blank=True,
        help_text=_(
            "Leave empty for a national goal. A provincial goal counts the people whose "
            "profile names that province."
        ),
    )
    measure = models.CharField(
        _("what counts"),
        max_length=8,
        choices=Measure.choices,
        default=Measure.EVER,
        help_text=_(
            "People ever certified keep counting after their certificate expires or is "
            "revoked; people holding a valid certificate count only while it is in force."
        ),
    )
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target__gte=1),
                name="goal_target_positive",
                violation_error_message=_("The target must be at least one person."),
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("start_date")),
                name="goal_deadline_after_start",
                violation_error_message=_("The deadline must come after the start date."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.start_date < EARLIEST_START:
            errors["start_date"] = _("The start date cannot be before 1984.")
        if self.start_date and self.deadline:
            if self.deadline <= self.start_date:
                errors["deadline"] = _("The deadline must come after the start date.")
            elif self.deadline > _years_after(self.start_date, LONGEST_YEARS):
                errors["deadline"] = _("A goal can span at most %(years)d years.") % {
                    "years": LONGEST_YEARS
                }
            elif self._state.adding and self.deadline < timezone.localdate():
                # Past goals (the 2020 one) stay editable; a new one must still be ahead of us.
                errors["deadline"] = _(
                    "The deadline has already passed. A new goal needs a deadline from today on."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def scope_label(self) -> str:
        return str(Province(self.province).label) if self.province else str(_("National"))
