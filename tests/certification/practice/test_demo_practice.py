"""The demo's practice records and the higher levels' illustrative practice requirements."""

import pytest

from certification.demo.practice import seed_practice_demo
from certification.models import CertificationLevel, PracticeRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_practice_is_illustrative_and_idempotent():
    holder = UserFactory()
    seed_practice_demo(holder=holder)
    seed_practice_demo(holder=holder)
    assert PracticeRecord.objects.filter(owner=holder).count() == 2
    senior = CertificationLevel.objects.get(code="senior_manager")
    assert senior.practice_min_projects == 5 and senior.values_are_defaults
    intermediate = CertificationLevel.objects.get(code="intermediate_broker")
    assert intermediate.practice_min_projects == 2


def test_demo_leaves_confirmed_figures_alone():
    level = CertificationLevel.objects.get(code="intermediate_broker")
    level.values_are_defaults = False
    level.save()
    seed_practice_demo(holder=UserFactory())
    level.refresh_from_db()
    assert level.practice_min_projects == 0
