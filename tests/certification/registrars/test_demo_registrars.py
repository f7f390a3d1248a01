"""The demo's registration office: registrar certificates imported through the real checks,
three in post, one follow-up check; once."""

import pytest

from certification.demo.registrars import OFFICE, seed_registrars
from certification.models import FollowUpCheck, InPostRecord
from certification.registrars.selectors import registrar_figures
from tests.certification.factories import certifying_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_office_has_registrars_in_post_and_a_check_once():
    national = certifying_body(
        "CN", kind="national", levels=("intermediate_broker",), key=False, images=False
    )
    administrator = UserFactory(roles=["Administrator"])
    assert seed_registrars(bodies={"CN": national}, administrator=administrator) == 3
    assert seed_registrars(bodies={"CN": national}, administrator=administrator) == 0
    records = InPostRecord.objects.filter(office__name=OFFICE, status="in_post")
    assert records.count() == 3
    assert FollowUpCheck.objects.filter(record__in=records, checker=administrator).count() == 1
    country = registrar_figures()[0]
    assert (country.held_national, country.in_post_national) == (5, 3)
