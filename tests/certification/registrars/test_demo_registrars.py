"""The demo's registration office: registrar certificates imported through the real checks,
three in post, one follow-up check; once."""

import pytest

from certification.demo.registrars import OFFICE, seed_registrars
from certification.models import FollowUpCheck, InPostRecord
from certification.registrars.selectors import registrar_figures
from courses.models import CoursePage, Exam, Question
from tests import factories
from tests.certification.factories import certifying_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_office_has_registrars_in_post_and_a_check_once():
    national = certifying_body(
        "CN", kind="national", levels=("intermediate_broker",), key=False, images=False
    )
    administrator = UserFactory(roles=["Administrator"])
    base = factories.training_base("GD-A", "44")
    factories.course(base)  # the base's course index
    for expected in (3, 0):
        made = seed_registrars(bodies={"CN": national}, administrator=administrator, base=base)
        assert made == expected
    course = CoursePage.objects.get(slug="registrar")
    assert course.level_id == "contract_registrar" and course.level.name == "技术合同认定登记员"
    assert Exam.objects.filter(level="contract_registrar", course=course).count() == 1
    assert Question.objects.filter(level="contract_registrar", base=base).exists()
    records = InPostRecord.objects.filter(office__name=OFFICE, status="in_post")
    assert records.count() == 3
    assert FollowUpCheck.objects.filter(record__in=records, checker=administrator).count() == 1
    country = registrar_figures()[0]
    assert (country.held_national, country.in_post_national) == (5, 3)
