"""The accreditation period: started by an approved application, carried to the end of the
following year by each evaluation graded pass or better, not by a fail; a re-grade takes
back what it gave; the public page states the period and whether it has lapsed."""

import datetime

import pytest
from django.conf import settings

from portal.accounts.roles import Role
from portal.oversight import services
from portal.oversight.accreditation import accreditation_start
from portal.oversight.models import BaseAccreditation
from tests.factories import UserFactory, training_base

pytestmark = pytest.mark.django_db

PASS = {"facilities": "16", "organisation": "16", "results": "18", "innovation": "12"}  # 62
FAIL = {"facilities": "10", "organisation": "10", "results": "10", "innovation": "10"}  # 40


@pytest.fixture
def chief():
    return UserFactory(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def base():
    base = training_base("GD-A")
    accreditation_start(base_id=base.pk, today=datetime.date(2024, 5, 10))
    return base


def _grade(base, year, scores, chief):
    services.evaluation_save(
        base_id=base.pk, year=year, scores=scores, comments={}, overall_comment="", actor=chief
    )
    return BaseAccreditation.objects.get(base=base)


def test_the_first_period_runs_to_the_end_of_the_year_after_approval(base):
    period = BaseAccreditation.objects.get(base=base)
    assert period.starts_on == datetime.date(2024, 5, 10)
    assert period.ends_on == datetime.date(2025, 12, 31)


def test_a_pass_carries_the_period_on_and_a_fail_does_not(base, chief):
    assert _grade(base, 2025, PASS, chief).ends_on == datetime.date(2026, 12, 31)
    assert _grade(base, 2026, FAIL, chief).ends_on == datetime.date(2026, 12, 31)
    assert _grade(base, 2027, PASS, chief).ends_on == datetime.date(2028, 12, 31)


def test_a_regrade_from_pass_to_fail_takes_back_the_extension(base, chief):
    assert _grade(base, 2025, PASS, chief).ends_on == datetime.date(2026, 12, 31)
    assert _grade(base, 2025, FAIL, chief).ends_on == datetime.date(2025, 12, 31)


def test_an_evaluation_of_a_year_before_the_accreditation_gives_nothing(base, chief):
    assert _grade(base, 2023, PASS, chief).ends_on == datetime.date(2025, 12, 31)


def test_a_base_without_an_application_has_no_period_and_the_page_says_nothing(client, chief):
    old = training_base("SH-OLD")
    services.evaluation_save(
        base_id=old.pk, year=2025, scores=PASS, comments={}, overall_comment="", actor=chief
    )
    assert not BaseAccreditation.objects.filter(base=old).exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'data-fact="accreditation"' not in client.get(old.url).content.decode()


def test_the_public_page_states_the_period_and_when_it_has_lapsed(client, base):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(base.url).content.decode()
    # 2025-12-31 is past on the session's clock (2026): the page says it lapsed.
    assert 'data-fact="accreditation">2024-05-10 – 2025-12-31' in page
    if datetime.date.today() > datetime.date(2025, 12, 31):
        assert "(lapsed)" in page
