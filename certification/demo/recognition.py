"""The demo's finished selection round: 示例 2025年度“十大技术经纪人”评选, run through the same
services as a real one, from nominations to the published list with signed award credentials.

The nominees are five made-up brokers whose certificates in force come from a small demo
import (certification/imports) that each of them has claimed with their confirmed e-mail, so
the rule "the nominee holds a certificate" is met the real way. The round's windows are moved
along as each step is taken (the services check today's date against them) and end in the
past. Idempotent: nothing happens if the round is there already.
"""

import contextlib
import datetime

from django.db import transaction
from django.utils import timezone

from certification.errors import CertificationError
from certification.imports.claims import claimable_records, imported_holder_claim
from certification.imports.models import ImportBatch
from certification.imports.services import certificates_check_rows, certificates_import
from certification.levels.models import CertificationLevel
from certification.recognition import services
from certification.recognition.forms import DEFAULT_CRITERIA
from certification.recognition.models import Nomination, SelectionRound
from certification.registry.services import registry_join
from portal.accounts.demo import DemoAccount, demo_account_ensure
from portal.accounts.provinces import Province
from portal.accounts.roles import Role

DEMO_TITLE = "2025年度“十大技术经纪人”评选（示例）"
DEMO_FILENAME = "在册证书（评选示例）.xlsx"
DAY = datetime.timedelta(days=1)

# email, name, province, organisation, statement, scores per criterion (out of 10)
NOMINEES = [
    (
        "broker1@demo.local",
        "何志远",
        Province.GUANGDONG,
        "某高校技术转移中心",
        "牵头完成高校新材料专利包许可，促成校企共建中试平台，合同登记额逾千万元。",
        (9, 9, 8, 10),
    ),
    (
        "broker2@demo.local",
        "梁晓雯",
        Province.HUNAN,
        "某知识产权运营有限公司",
        "长期从事专利价值评估与作价入股，服务中小企业百余家，形成可推广的评估流程。",
        (8, 9, 9, 9),
    ),
    (
        "broker3@demo.local",
        "邓海峰",
        Province.GUANGXI,
        "某产业技术研究院",
        "组织区域技术需求征集与对接活动，促成多项农业生物技术成果落地转化。",
        (8, 7, 8, 9),
    ),
    (
        "broker4@demo.local",
        "曾雅琴",
        Province.GUANGDONG,
        "某技术交易所",
        "负责技术合同登记与挂牌交易服务，推动线上技术交易平台规范运营。",
        (7, 8, 6, 8),
    ),
    (
        "broker5@demo.local",
        "彭俊杰",
        Province.HAINAN,
        "某科技成果转化服务有限公司",
        "围绕海洋装备领域开展成果转化服务，完成多项技术许可与转让。",
        (6, 7, 7, 8),
    ),
]


def _windows(today: datetime.date, phase: str) -> dict:
    offset = {"nominate": 0, "review": 10, "announce": 20, "after": 40}[phase]
    start = today - offset * DAY
    return {
        "nomination_opens": start - 2 * DAY,
        "nomination_closes": start + 2 * DAY,
        "review_opens": start + 3 * DAY,
        "review_closes": start + 12 * DAY,
        "announce_from": start + 15 * DAY,
        "announce_until": start + 30 * DAY,
    }


def _move(selection: SelectionRound, phase: str) -> None:
    SelectionRound.objects.filter(pk=selection.pk).update(**_windows(timezone.localdate(), phase))
    selection.refresh_from_db()


def _brokers(*, national, actor) -> list:
    """The five demo brokers, each holding an intermediate certificate in force from the demo
    import, claimed with their confirmed e-mail."""
    people = []
    for email, name, province, organisation, *_rest in NOMINEES:
        user, _created = demo_account_ensure(
            DemoAccount(email, name, Role.TRAINEE, province, organisation)
        )
        people.append(user)
    if not ImportBatch.objects.filter(filename=DEMO_FILENAME).exists():
        level = CertificationLevel.objects.get(code="intermediate_broker")
        issued_on = timezone.localdate() - 400 * DAY
        validity = level.validity_years or 3
        rows = []
        for n, (person, nominee) in enumerate(zip(people, NOMINEES, strict=True), start=1):
            rows.append(
                (
                    n + 1,
                    {
                        "name": person.real_name,
                        "email": person.email,
                        "province": nominee[2],
                        "organisation": nominee[3],
                        "level": level.code,
                        "body": national.code,
                        "number": f"CNTT-{issued_on.year}-9{n:04d}",
                        "issued_on": issued_on,
                        "valid_until": issued_on.replace(year=issued_on.year + validity) - DAY,
                        "status": "有效",
                    },
                )
            )
        checked, errors = certificates_check_rows(rows, bodies=None)
        if errors:
            raise ValueError(f"demo recognition certificates: {errors[:3]}")
        certificates_import(rows=checked, actor=actor, filename=DEMO_FILENAME)
    for person in people:
        for record in claimable_records(user=person):
            imported_holder_claim(user=person, holder_id=record.holder_id)
    return people


@transaction.atomic
def seed_recognition_demo(*, bodies, accounts) -> SelectionRound | None:
    """A finished round with its published list; None when it exists already."""
    if SelectionRound.objects.filter(title=DEMO_TITLE).exists():
        return None
    national = bodies["CN"]
    admin = accounts["admin@demo.local"]
    certifier = accounts["certifier@demo.local"]
    editor = accounts["editor@demo.local"]
    people = _brokers(national=national, actor=certifier)
    today = timezone.localdate()
    selection = services.round_create(
        actor=admin,
        data={
            "title": DEMO_TITLE,
            "year": 2025,
            "description": (
                "示例数据：按“开展优秀技术经纪人评选活动”的做法演示推荐、专家独立评分、"
                "公示与异议处理、结果公布和获奖凭证签发的全过程。人物与单位均为虚构。"
            ),
            "body": national,
            "awards": 3,
            **_windows(today, "nominate"),
        },
        criteria=DEFAULT_CRITERIA,
    )
    # Nominations: a training base, the national body, and three brokers themselves.
    from cms import api as cms_api

    base_ids = sorted(cms_api.training_base_ids_for_staff(user_id=editor.pk, role="editor"))
    nominators = [
        ("base", editor, {"base_id": base_ids[0]} if base_ids else None),
        ("body", certifier, {"body": national}),
        ("self", None, {}),
        ("self", None, {}),
        ("self", None, {}),
    ]
    nominations = []
    for person, nominee, (by, actor, extra) in zip(people, NOMINEES, nominators, strict=True):
        if extra is None:  # no base to nominate for: the broker nominates themselves
            by, actor, extra = "self", None, {}
        nominations.append(
            services.nomination_create(
                round_id=selection.pk,
                actor=actor or person,
                nominee=person,
                by=by,
                statement=nominee[4],
                **extra,
            )
        )
    # The panel: the demo teacher, the certifier and the administrator. Each scores what
    # the rules let them score; where they may not (their own organisation, a person they
    # nominated) another reviewer does.
    panel = [accounts["faculty@demo.local"], certifier, admin]
    for member in panel:
        services.reviewer_assign(round_id=selection.pk, actor=admin, user=member)
    _move(selection, "review")
    criteria = list(selection.criteria.all())
    nominations = list(
        Nomination.objects.filter(round=selection).select_related("round").order_by("pk")
    )
    for offset, member in enumerate(panel):
        for nomination, nominee in zip(nominations, NOMINEES, strict=True):
            if services.review_refusal(member, nomination):
                continue
            points = nominee[5]
            services.review_submit(
                nomination_id=nomination.pk,
                actor=member,
                conflict=False,
                no_conflict_declared=True,
                scores={
                    c.pk: max(0, min(c.max_score, points[i] - (offset + i) % 2))
                    for i, c in enumerate(criteria)
                },
            )
    _move(selection, "announce")
    awards = services.round_announce(round_id=selection.pk, actor=admin)
    objection = services.objection_lodge(
        award_id=awards[-1].pk,
        reason="听说其所报项目的合同金额有夸大，请核实合同登记情况。",
        contact_email="public@example.com",
    )
    services.objection_answer(
        objection_id=objection.pk,
        actor=admin,
        outcome="dismissed",
        answer="经核对技术合同登记记录，所报合同金额与登记一致，异议不成立。",
    )
    _move(selection, "after")
    services.round_publish(round_id=selection.pk, actor=admin)
    for award in selection.award_list.select_related("nomination__nominee"):
        with contextlib.suppress(CertificationError):
            registry_join(
                user=award.nomination.nominee,
                organisation=award.organisation,
                specialties="技术转移, 成果转化",
                public_contact="合作洽谈请经平台留言",
            )
    selection.refresh_from_db()
    return selection
