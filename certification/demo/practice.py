"""Demo practice records and the illustrative practice requirements of the higher levels.

The figures are illustrative, not official: the levels stay marked as seeded defaults, and an
administrator who saves a level in the admin confirms their own. Idempotent: nothing is changed
on a second run, nor on a level whose practice figures someone has already set.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from certification.levels.models import CertificationLevel
from certification.practice.models import PracticeRecord

# code: (projects, amount in CNY, kinds, within years)
PRACTICE_DEFAULTS = {
    "intermediate_broker": (2, Decimal("0"), 1, 5),
    "senior_manager": (5, Decimal("1000000"), 2, 5),
}


def seed_practice_requirements() -> None:
    for code, (projects, amount, kinds, years) in PRACTICE_DEFAULTS.items():
        level = CertificationLevel.objects.filter(code=code, values_are_defaults=True).first()
        if level is None or level.practice_required or level.practice_within_years:
            continue
        level.practice_min_projects = projects
        level.practice_min_amount = amount
        level.practice_min_kinds = kinds
        level.practice_within_years = years
        level.save(
            update_fields=[
                "practice_min_projects",
                "practice_min_amount",
                "practice_min_kinds",
                "practice_within_years",
            ]
        )


def seed_practice_demo(*, holder) -> None:
    """The demo trainee's projects: one the counterpart confirmed, one awaiting confirmation."""
    seed_practice_requirements()
    if PracticeRecord.objects.filter(owner=holder).exists():
        return
    today = timezone.localdate()
    common = {
        "owner": holder,
        "role": "技术经纪人（项目牵头）",
        "method": PracticeRecord.Method.CONTACT,
    }
    PracticeRecord.objects.create(
        **common,
        title="示例：高校新材料专利许可给制造企业",
        kind=PracticeRecord.Kind.TRANSACTION,
        counterparties="示例大学；示例新材料有限公司",
        contract_number="DEMO-2025-0001",
        amount=Decimal("380000"),
        started_on=today - datetime.timedelta(days=320),
        ended_on=today - datetime.timedelta(days=150),
        outcome="签订专利实施许可合同，完成技术合同认定登记（示例数据）。",
        contact_name="周经理",
        contact_organisation="示例新材料有限公司",
        contact_email="contact@demo.local",
        status=PracticeRecord.Status.CONFIRMED,
        decided_at=timezone.now() - datetime.timedelta(days=140),
        decision_comment="情况属实。",
    )
    PracticeRecord.objects.create(
        **common,
        title="示例：企业技术需求调研与对接",
        kind=PracticeRecord.Kind.DEMAND,
        counterparties="示例装备制造公司",
        amount=Decimal("0"),
        started_on=today - datetime.timedelta(days=90),
        ended_on=today - datetime.timedelta(days=30),
        outcome="梳理技术需求 12 项，对接高校团队 3 个（示例数据）。",
        contact_name="吴主任",
        contact_organisation="示例装备制造公司",
        contact_email="contact2@demo.local",
        link_sent_at=timezone.now() - datetime.timedelta(days=2),
    )
