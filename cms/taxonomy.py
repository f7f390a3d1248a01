"""The national syllabus's module categories and the levels courses, exams and certificates
are of, defined once.

Every page, lesson and question that needs a level or a module category takes it from here.
Module categories are fixed by the syllabus; levels are data (``Level`` rows an administrator
keeps as a snippet), so a new track such as the technology-contract registrar needs no code.
"""

from django import forms
from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class ModuleCategory(models.TextChoices):
    """The four modules of the 2020 national capability-level training syllabus."""

    GENERAL = "general", _("General knowledge")
    POLICY = "policy", _("Policies and regulations")
    PRACTICE = "practice", _("Practical skills")
    ENHANCEMENT = "enhancement", _("Capability enhancement")


class Level(models.Model):
    """A level courses, exams, textbooks and faculty are of, e.g. 初级技术经纪人.

    Courses and exams point at it by its code, and so does each certification level
    (``CertificationLevel.course_level``), so hours and exams count towards the certificate of
    the same level. The national ladder's three codes are seeded (migration 0011).
    """

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Letters, digits, - and _; used in links and imports, e.g. junior_broker."),
    )
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    track = models.CharField(
        _("track"),
        max_length=80,
        help_text=_("The ladder it belongs to, e.g. 技术经纪人 / 技术经理人."),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank within the track"), default=1, help_text=_("1 for the lowest level.")
    )
    sort_order = models.PositiveSmallIntegerField(
        _("order in lists"), default=0, help_text=_("Lower numbers are listed first.")
    )

    class Meta:
        app_label = "cms"
        ordering = ["sort_order", "rank", "pk"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: English where the page is and one is given."""
        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def next_in_track(self):
        """The level above this one in its track, or None."""
        return (
            Level.objects.filter(track=self.track, rank__gt=self.rank)
            .order_by("rank", "pk")
            .first()
        )

    @classmethod
    def codes(cls) -> list[str]:
        """Every level's code, in list order."""
        return list(cls.objects.values_list("code", flat=True))

    @classmethod
    def as_choices(cls) -> list[tuple[str, str]]:
        """(code, label) for every level, in list order, for forms and filters."""
        return [(level.code, level.label) for level in cls.objects.all()]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """The label of each code."""
        return dict(cls.as_choices())


class SeededLevels:
    """The codes of the national ladder's levels as migration 0011 seeds them, for demos and
    tests to name; the portal's own rules read levels from the table."""

    JUNIOR_BROKER = "junior_broker"
    INTERMEDIATE_BROKER = "intermediate_broker"
    SENIOR_MANAGER = "senior_manager"


class _LevelDescriptor(ForwardManyToOneDescriptor):
    """Takes a level's code as well as the level itself: ``CoursePage(level="junior_broker")``."""

    def __set__(self, instance, value):
        if isinstance(value, str):
            setattr(instance, self.field.attname, value or None)
            return
        super().__set__(instance, value)


class LevelField(models.ForeignKey):
    """A required or optional pointer to a ``Level`` by its code, kept in a column named as the
    field (``level``), so the codes stored before levels were data stay as they were."""

    forward_related_accessor_class = _LevelDescriptor

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("to", "cms.Level")
        kwargs.setdefault("to_field", "code")
        kwargs.setdefault("on_delete", models.PROTECT)
        super().__init__(verbose_name=verbose_name, **kwargs)

    def contribute_to_class(self, cls, name, *args, **kwargs):
        if self.db_column is None:
            self.db_column = name
        super().contribute_to_class(cls, name, *args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ForeignKey", args, kwargs

    def formfield(self, **kwargs):
        # A short list, chosen from a drop-down: Wagtail's snippet chooser would look the
        # stored code up as a primary key.
        kwargs["widget"] = forms.Select
        return super().formfield(**kwargs)


class Accreditation(models.TextChoices):
    """How a training base was accredited."""

    NATIONAL_2015 = "national_2015", _("National base (2015 batch)")
    NATIONAL_2020 = "national_2020", _("National base (2020 batch)")
    PROVINCIAL = "provincial", _("Provincial base")
