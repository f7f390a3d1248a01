"""The demo's accredited base from an approved application, seeded twice: nothing doubles."""

import pytest

from cms.models import TrainingBasePage
from portal.accounts.roles import Role
from portal.oversight.accreditation import accreditation_in_force
from portal.oversight.demo import seed_accredited_base
from portal.oversight.models import BaseAccreditation, BaseApplication, SelfAssessment
from tests.factories import UserFactory, base_index

pytestmark = pytest.mark.django_db


def test_the_demo_base_comes_from_an_approved_application_and_seeds_once(
    django_capture_on_commit_callbacks,
):
    base_index()
    reviewer = UserFactory(roles=[Role.ADMINISTRATOR])
    with django_capture_on_commit_callbacks(execute=True):
        first = seed_accredited_base(reviewer=reviewer)
        again = seed_accredited_base(reviewer=reviewer)
    assert first.pk == again.pk
    assert BaseApplication.objects.get().status == BaseApplication.Status.APPROVED
    base = TrainingBasePage.objects.get(short_code="ZJ-JZY")
    assert base.live and first.base_id == base.pk
    assert accreditation_in_force(BaseAccreditation.objects.get(base=base))
    assert SelfAssessment.objects.filter(base=base).count() == 1
    assert first.applicant.groups.filter(training_base_workspace__base=base).exists()
