"""The national syllabus's module categories and the capability levels, defined once.

Every page, lesson and question that needs a level or a module category takes it from here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModuleCategory(models.TextChoices):
    """The four modules of the 2020 national capability-level training syllabus."""

    GENERAL = "general", _("General knowledge")
    POLICY = "policy", _("Policies and regulations")
    PRACTICE = "practice", _("Practical skills")
    ENHANCEMENT = "enhancement", _("Capability enhancement")


class Level(models.TextChoices):
    """The national capability ladder, lowest first."""

    JUNIOR_BROKER = "junior_broker", _("Junior Technology Broker")
    INTERMEDIATE_BROKER = "intermediate_broker", _("Intermediate Technology Broker")
    SENIOR_MANAGER = "senior_manager", _("Senior Technology Manager")


class Accreditation(models.TextChoices):
    """How a training base was accredited."""

    NATIONAL_2015 = "national_2015", _("National base (2015 batch)")
    NATIONAL_2020 = "national_2020", _("National base (2020 batch)")
    PROVINCIAL = "provincial", _("Provincial base")
