"""Talent filing: submitted → under review → filed | returned; the yearly evaluation's grade
follows the visible rule; nobody decides on their own filing; the registry shows it on opt-in."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.errors import CertificationError
from certification.filing.rules import DEFAULT_RULE, grade_of
from certification.filing.services import (
    evaluations_run,
    filing_decide,
    filing_review_start,
    filing_submit,
)
from certification.models import (
    AuditEntry,
    Certificate,
    ContinuingEducation,
    PracticeRecord,
    TalentEvaluation,
    TalentFiling,
)
from certification.registry.services import registry_join
from tests.certification.factories import certifier, certifying_body
from tests.certification.records import certificate_record, holder_record, record_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer():
    national = certifying_body("CN", kind="national", images=False, key=False)
    return certifier(national)


@pytest.fixture
def holder():
    person = UserFactory(real_name="陈中级", organisation="华南技术转移中心")
    issued = timezone.localdate() - datetime.timedelta(days=400)
    certificate_record(
        person, "intermediate_broker", issued_on=issued, filing_status=Certificate.Filing.PENDING
    )
    return person


def _submit(person):
    return filing_submit(
        person=person,
        organisation="华南技术转移中心",
        specialties="专利运营、技术评估",
        statement="三年来促成高校专利许可五项。",
    )


def _confirmed(person, *, ended_on, amount="0", kind=PracticeRecord.Kind.TRANSACTION):
    return PracticeRecord.objects.create(
        owner=person,
        title="项目",
        kind=kind,
        role="经纪人",
        counterparties="甲；乙",
        amount=Decimal(amount),
        started_on=ended_on - datetime.timedelta(days=30),
        ended_on=ended_on,
        outcome="完成",
        method=PracticeRecord.Method.CONTACT,
        status=PracticeRecord.Status.CONFIRMED,
    )


def test_a_junior_holder_cannot_submit():
    person = holder_record()
    certificate_record(person, "junior_broker", issued_on=timezone.localdate())
    with pytest.raises(CertificationError):
        _submit(person)
    assert not TalentFiling.objects.exists()


def test_submitted_reviewed_then_filed_files_the_certificate_too(holder, officer):
    filing = _submit(holder)
    assert filing.status == TalentFiling.Status.SUBMITTED
    with pytest.raises(CertificationError):  # a decision needs a review first
        filing_decide(filing_id=filing.pk, actor=officer, file=True, reference="国科备〔2026〕1号")
    filing_review_start(filing_id=filing.pk, actor=officer)
    filing = filing_decide(
        filing_id=filing.pk, actor=officer, file=True, reference="国科备〔2026〕1号"
    )
    assert filing.status == TalentFiling.Status.FILED
    filing.certificate.refresh_from_db()
    assert filing.certificate.filing_status == Certificate.Filing.FILED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"filing.submitted", "filing.review_started", "filing.filed", "certificate.filed"} <= (
        actions
    )


def test_returned_with_comments_then_resubmitted(client, holder, officer):
    filing = _submit(holder)
    filing_review_start(filing_id=filing.pk, actor=officer)
    with pytest.raises(CertificationError):
        filing_decide(filing_id=filing.pk, actor=officer, file=False, comment=" ")
    filing_decide(filing_id=filing.pk, actor=officer, file=False, comment="请补充项目证明")
    client.force_login(holder)
    page = client.get(reverse("my_filing")).content.decode()
    assert "请补充项目证明" in page and "returned for changes" in page
    response = client.post(
        reverse("my_filing"),
        {"organisation": "华南技术转移中心", "specialties": "", "statement": "已补充证明。"},
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == TalentFiling.Status.SUBMITTED
    with pytest.raises(CertificationError):  # not again while it is open
        _submit(holder)


def test_nobody_decides_their_own_filing(officer):
    issued = timezone.localdate() - datetime.timedelta(days=10)
    certificate_record(officer, "intermediate_broker", issued_on=issued)
    filing = _submit(officer)
    with pytest.raises(CertificationError):
        filing_review_start(filing_id=filing.pk, actor=officer)
    filing.refresh_from_db()
    assert filing.status == TalentFiling.Status.SUBMITTED


def test_only_filing_officers_reach_the_talent_filing_desk(client, holder):
    base_certifier = certifier(record_body())
    client.force_login(base_certifier)
    assert client.get(reverse("certify_talent_filing")).status_code == 403
    filing = _submit(holder)
    response = client.post(
        reverse("certify_talent_filing"), {"filing": filing.pk, "action": "start"}
    )
    assert response.status_code == 403
    client.force_login(holder)
    assert client.get(reverse("certify_talent_filing")).status_code == 403
    filing.refresh_from_db()
    assert filing.status == TalentFiling.Status.SUBMITTED


def test_grade_follows_the_rule():
    rule = DEFAULT_RULE
    # 3 projects = 45, ¥300,000 = 15, 30 h = 30, certificate = 10 → 100 excellent
    scores, total, grade, capped = grade_of(
        {"projects": 3, "amount": "300000", "hours": "30", "certificate_in_force": True}, rule
    )
    assert (total, grade, capped) == (Decimal("100.0"), "excellent", "")
    # 1 project = 15, ¥150,000 = 5, 50 h → 30, certificate 10 → 60 pass
    scores, total, grade, _ = grade_of(
        {"projects": 1, "amount": "150000", "hours": "50", "certificate_in_force": True}, rule
    )
    assert scores == {"projects": "15.0", "amount": "5.0", "hours": "30.0", "certificate": "10.0"}
    assert (total, grade) == (Decimal("60.0"), "pass")
    # 2 projects = 30, ¥1,000,000 → 15, 25 h, certificate 10 → 80 good
    _, total, grade, _ = grade_of(
        {"projects": 2, "amount": "1000000", "hours": "25", "certificate_in_force": True}, rule
    )
    assert (total, grade) == (Decimal("80.0"), "good")
    # no project in the year: at most pass, whatever the hours
    _, total, grade, capped = grade_of(
        {"projects": 0, "amount": "0", "hours": "200", "certificate_in_force": True}, rule
    )
    assert (total, grade, capped) == (Decimal("40.0"), "fail", "")
    # without a certificate in force: fail, whatever the rest
    _, total, grade, capped = grade_of(
        {"projects": 5, "amount": "900000", "hours": "40", "certificate_in_force": False}, rule
    )
    assert (total, grade, capped) == (Decimal("90.0"), "fail", "certificate")


def test_the_no_project_cap(settings):
    settings.PORTAL_TALENT_EVALUATION_RULE = {"thresholds": {"excellent": 30, "good": 20}}
    from certification.filing.rules import rule_in_force

    _, total, grade, capped = grade_of(
        {"projects": 0, "amount": "0", "hours": "30", "certificate_in_force": True},
        rule_in_force(),
    )
    assert (total, grade, capped) == (Decimal("40.0"), "pass", "projects")


def test_yearly_evaluation_measures_the_year_and_is_shown(client, holder, officer):
    filing = _submit(holder)
    filing_review_start(filing_id=filing.pk, actor=officer)
    filing_decide(filing_id=filing.pk, actor=officer, file=True, reference="国科备1号")
    year = timezone.localdate().year - 1
    _confirmed(holder, ended_on=datetime.date(year, 3, 1), amount="200000")
    _confirmed(holder, ended_on=datetime.date(year, 9, 1), amount="100000")
    _confirmed(holder, ended_on=datetime.date(year - 1, 9, 1), amount="900000")  # other year
    ContinuingEducation.objects.create(
        holder=holder,
        body=record_body(),
        title="研修",
        provider="协会",
        completed_on=datetime.date(year, 5, 1),
        hours=Decimal("12"),
        status=ContinuingEducation.Status.APPROVED,
    )
    counts = evaluations_run(year=year, actor=officer)
    assert counts["evaluated"] == 1
    evaluation = TalentEvaluation.objects.get(filing=filing, year=year)
    # 2 projects 30 + ¥300,000 → 15 + 12 h → 12 + certificate 10 = 67 → pass
    assert evaluation.figures["projects"] == 2
    assert Decimal(evaluation.total) == Decimal("67.0")
    assert evaluation.grade == "pass"
    assert AuditEntry.objects.filter(action="filing.evaluated").count() == 1
    client.force_login(holder)
    page = client.get(reverse("my_filing")).content.decode()
    assert f'data-evaluation="{year}"' in page and "67.0" in page
    assert "How the yearly grade is worked out" in page
    client.force_login(officer)
    desk = client.get(reverse("certify_talent_filing"), {"year": year}).content.decode()
    assert "陈中级" in desk and 'data-grade="pass"' in desk


def test_evaluation_refuses_a_bad_year_and_other_people(client, officer, holder):
    with pytest.raises(CertificationError):
        evaluations_run(year=1999, actor=officer)
    with pytest.raises(CertificationError):
        evaluations_run(year=timezone.localdate().year + 1, actor=officer)
    with pytest.raises(CertificationError):
        evaluations_run(year=timezone.localdate().year - 1, actor=holder)
    client.force_login(officer)
    response = client.post(
        reverse("certify_talent_filing"), {"action": "evaluate", "year": "abc"}, follow=True
    )
    assert response.status_code == 200
    assert not TalentEvaluation.objects.exists()


def test_registry_shows_filing_and_grade_only_on_opt_in(client, holder, officer):
    filing = _submit(holder)
    filing_review_start(filing_id=filing.pk, actor=officer)
    filing_decide(filing_id=filing.pk, actor=officer, file=True, reference="国科备2号")
    year = timezone.localdate().year - 1
    _confirmed(holder, ended_on=datetime.date(year, 3, 1), amount="300000")
    evaluations_run(year=year, actor=officer)
    registry_join(user=holder, organisation="华南技术转移中心")
    page = client.get(reverse("registry")).content.decode()
    assert "陈中级" in page and "data-filed" not in page
    client.force_login(holder)
    client.post(
        reverse("registry_listing"),
        {"action": "save", "organisation": "华南技术转移中心", "show_filing": "on"},
    )
    assert AuditEntry.objects.filter(action="registry.filing_shown").exists()
    client.logout()
    page = client.get(reverse("registry")).content.decode()
    assert "data-filed" in page and 'data-grade="fail"' in page  # 15 + 15 + 0 + 10
    assert str(year) in page
