"""A selection round in whichever phase a test needs, and people to put in it."""

import datetime
import itertools

from django.utils import timezone

from certification.models import PracticeRecord, SelectionRound
from certification.recognition.services import nomination_create, round_create
from tests.certification.factories import certifying_body
from tests.certification.records import certificate_record
from tests.factories import UserFactory

DAY = datetime.timedelta(days=1)
CRITERIA = [
    {"name": "项目业绩", "description": "促成的交易", "weight": 60, "max_score": 10},
    {"name": "职业操守", "description": "", "weight": 40, "max_score": 5},
]
_n = itertools.count(1)
STATEMENT = "多年从事高校专利转移转化，促成多项技术交易。"


def admin():
    return UserFactory(roles=["Administrator"], real_name="管理员")


def national_body():
    from certification.models import CertifyingBody

    return CertifyingBody.objects.filter(code="CN").first() or certifying_body(
        "CN", kind="national", images=False, name="国家技术转移人才评价中心"
    )


def windows(phase: str) -> dict:
    """The six dates putting today in ``phase``: nominate, review, between (review closed,
    announcement not started), announce, after (announcement over)."""
    today = timezone.localdate()
    offset = {"nominate": 0, "review": 10, "between": 14, "announce": 20, "after": 40}[phase]
    start = today - offset * DAY
    return {
        "nomination_opens": start - 2 * DAY,
        "nomination_closes": start + 2 * DAY,
        "review_opens": start + 3 * DAY,
        "review_closes": start + 12 * DAY,
        "announce_from": start + 15 * DAY,
        "announce_until": start + 30 * DAY,
    }


def move_to(selection: SelectionRound, phase: str) -> SelectionRound:
    SelectionRound.objects.filter(pk=selection.pk).update(**windows(phase))
    selection.refresh_from_db()
    return selection


def a_round(actor=None, phase="nominate", awards=2, criteria=CRITERIA) -> SelectionRound:
    return round_create(
        actor=actor or admin(),
        data={
            "title": "2026年度“十大技术经纪人”评选",
            "year": 2026,
            "description": "示例评选",
            "body": national_body(),
            "awards": awards,
            **windows(phase),
        },
        criteria=criteria,
    )


def certified(**fields):
    """A person holding a junior certificate in force."""
    person = UserFactory(**fields)
    certificate_record(person, issued_on=timezone.localdate() - 100 * DAY)
    return person


def confirmed_project(owner, title="专利许可项目"):
    today = timezone.localdate()
    return PracticeRecord.objects.create(
        owner=owner,
        title=title,
        kind=PracticeRecord.Kind.TRANSACTION,
        role="技术经纪人",
        counterparties="甲方；乙方",
        started_on=today - 200 * DAY,
        ended_on=today - 30 * DAY,
        outcome="签订合同",
        method=PracticeRecord.Method.CONTACT,
        status=PracticeRecord.Status.CONFIRMED,
    )


def reviewer(**fields):
    return UserFactory(roles=["Faculty"], real_name=f"评审{next(_n)}", **fields)


def nominate_self(selection, person, **kwargs):
    return nomination_create(
        round_id=selection.pk,
        actor=person,
        nominee=person,
        by="self",
        statement=STATEMENT,
        **kwargs,
    )
