"""The year's evaluation of filed talent leaves the portal as a workbook for the authorities,
only in national officers' hands; and the officers are reminded in January when it is due."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.filing.services import (
    evaluation_reminders_send,
    evaluations_run,
    filing_decide,
    filing_review_start,
    filing_submit,
)
from certification.models import Certificate, PracticeRecord
from tests.certification.factories import certifier, certifying_body
from tests.certification.records import certificate_record, record_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EXPORT = reverse("certify_talent_evaluations_export")


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer():
    return certifier(certifying_body("CN", kind="national", images=False, key=False))


def _filed(officer, name="陈中级", reference="国科备1号"):
    person = UserFactory(real_name=name, organisation="华南技术转移中心", province="44")
    issued = timezone.localdate() - datetime.timedelta(days=400)
    certificate_record(
        person, "intermediate_broker", issued_on=issued, filing_status=Certificate.Filing.PENDING
    )
    filing = filing_submit(
        person=person,
        organisation="华南技术转移中心",
        specialties="专利运营",
        statement="促成许可。",
    )
    filing_review_start(filing_id=filing.pk, actor=officer)
    filing_decide(filing_id=filing.pk, actor=officer, file=True, reference=reference)
    return person


def _rows(content: bytes):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_year_downloads_with_the_figures_and_grade_the_page_shows(client, officer):
    person = _filed(officer)
    year = timezone.localdate().year - 1
    PracticeRecord.objects.create(
        owner=person,
        title="项目",
        kind=PracticeRecord.Kind.TRANSACTION,
        role="经纪人",
        counterparties="甲；乙",
        amount=Decimal("200000"),
        started_on=datetime.date(year, 2, 1),
        ended_on=datetime.date(year, 3, 1),
        outcome="完成",
        method=PracticeRecord.Method.CONTACT,
        status=PracticeRecord.Status.CONFIRMED,
    )
    evaluations_run(year=year, actor=officer)
    client.force_login(officer)
    desk = client.get(reverse("certify_talent_filing"), {"year": year}).content.decode()
    assert f"{EXPORT}?year={year}" in desk
    response = client.get(EXPORT, {"year": year})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="talent-evaluations-{year}.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    header, *rows = _rows(response.content)
    assert header[0] == "Filing reference" and header[11] == "Grade"
    assert len(rows) == 1
    row = rows[0]
    assert row[0] == "国科备1号" and row[1] == "陈中级" and row[3] == "华南技术转移中心"
    # 1 project 15 + ¥200,000 → 10 + 0 h + certificate 10 = 35 → fail; capped by nothing
    assert row[6] == 1 and row[7] == "200000.00"
    assert Decimal(str(row[10])) == Decimal("35.0") and row[11] == "fail"
    assert row[14] == officer.email


def test_only_national_officers_download_and_bad_years_are_refused(client, officer):
    _filed(officer)
    year = timezone.localdate().year - 1
    evaluations_run(year=year, actor=officer)
    base_certifier = certifier(record_body())
    client.force_login(base_certifier)
    assert client.get(EXPORT, {"year": year}).status_code == 403
    client.force_login(UserFactory())
    assert client.get(EXPORT, {"year": year}).status_code == 403
    client.logout()
    assert client.get(EXPORT, {"year": year}).status_code == 302  # to sign in
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logging out dropped it
    client.force_login(officer)
    for bad in ("abc", "1999", str(timezone.localdate().year + 1), ""):
        response = client.get(EXPORT, {"year": bad}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("certify_talent_filing")
        assert "Choose a year from 2017" in response.content.decode()


def test_officers_are_reminded_once_when_last_year_is_not_evaluated(
    officer, django_capture_on_commit_callbacks
):
    cache.clear()
    other_officer = certifier(officer.certifying_bodies.get())
    certifier(record_body())  # a base's certifier is not told
    assert evaluation_reminders_send() == 0  # nobody filed yet: nothing to evaluate
    _filed(officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation_reminders_send() == 2
    year = timezone.localdate().year - 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, other_officer.email])
    assert str(year) in mail.outbox[0].subject
    assert reverse("certify_talent_filing") in mail.outbox[0].body
    assert evaluation_reminders_send() == 0  # once a year
    cache.clear()
    evaluations_run(year=year, actor=officer)
    assert evaluation_reminders_send() == 0  # already evaluated
