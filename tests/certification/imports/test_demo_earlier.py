"""The demo's earlier batch: imported through the real checks, once, and counted by the 2020
goal like the demo dashboard shows it."""

import datetime

import pytest

from certification.demo.earlier import CLAIMABLE_EMAIL, COUNT, seed_earlier_certificates
from certification.goals.selectors import goal_progress
from certification.models import Certificate, CertificationLevel, Goal, ImportedHolder
from tests.certification.factories import certifier, certifying_body

pytestmark = pytest.mark.django_db


def test_the_demo_imports_its_earlier_batch_once_and_the_2020_goal_counts_it():
    national = certifying_body(
        "CN",
        kind="national",
        levels=("intermediate_broker", "senior_manager"),
        key=False,
        images=False,
    )
    base = certifying_body("GD", key=False, images=False)
    actor = certifier(national)
    base.certifiers.add(actor)
    bodies = {"CN": national, "GD": base}

    assert seed_earlier_certificates(bodies=bodies, actor=actor) == COUNT
    assert seed_earlier_certificates(bodies=bodies, actor=actor) == 0

    imported = Certificate.objects.filter(origin=Certificate.Origin.IMPORTED)
    assert imported.count() == COUNT
    years = set(imported.values_list("issued_on__year", flat=True))
    assert years == {2017, 2018, 2019, 2020}
    assert ImportedHolder.objects.filter(email=CLAIMABLE_EMAIL).exists()

    goal = Goal.objects.create(
        name="2020 目标",
        source="“十三五”规划（示例）",
        target=10_000,
        measure=Goal.Measure.EVER,
        start_date=datetime.date(2017, 1, 1),
        deadline=datetime.date(2020, 12, 31),
    )
    goal.levels.set(
        CertificationLevel.objects.filter(
            code__in=["junior_broker", "intermediate_broker", "senior_manager"]
        )
    )
    progress = goal_progress(goal, today=datetime.date(2021, 1, 1))
    assert progress.people == ImportedHolder.objects.count() > 250
