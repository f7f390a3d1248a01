"""Registrars in post (在岗登记员): an office's administrators record who is in post and
follow-up checks; the refusals hold for hand-made posts; administrators see certified vs in
post, national and per province; certificates are national or provincial by their body."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.models import AuditEntry, CertificationLevel, FollowUpCheck, InPostRecord
from certification.registrars.models import RegistrationOffice
from certification.registrars.selectors import registrar_figures
from tests.certification.factories import certifying_body
from tests.certification.records import certificate_record, holder_record
from tests.factories import UserFactory, sign_in, with_totp

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ISSUED = TODAY - datetime.timedelta(days=200)


@pytest.fixture
def bodies():
    levels = ("contract_registrar", "junior_broker")
    national = certifying_body("CN", kind="national", levels=levels, images=False)
    guangdong = certifying_body(
        "GDP", kind="provincial", province="44", levels=levels, images=False
    )
    return national, guangdong


@pytest.fixture
def office():
    made = RegistrationOffice.objects.create(name="广东省技术合同登记处", province="44")
    admin = UserFactory(real_name="登记处管理员")
    made.administrators.add(admin)
    made.admin = admin
    return made


def registrar(bodies, kind="national", province="44", **fields):
    national, provincial = bodies
    body = national if kind == "national" else provincial
    return certificate_record(
        holder_record(province=province), "contract_registrar", issued_on=ISSUED, body=body,
        **fields,
    )  # fmt: skip


def post(client, office, **data):
    return client.post(reverse("registration_office", args=[office.pk]), data, follow=True)


def test_the_registrar_track_has_its_own_course_level():
    level = CertificationLevel.objects.get(code="contract_registrar")
    assert level.course_level_id == "contract_registrar"
    assert level.course_level.name == "技术合同认定登记员"


def test_an_office_administrator_records_a_registrar_in_post_and_a_check(client, bodies, office):
    certificate = registrar(bodies)
    client.force_login(office.admin)
    response = post(client, office, action="add", number=certificate.number, since=str(ISSUED))
    page = response.content.decode()
    assert certificate.number in page and 'data-scope="national"' in page
    record = InPostRecord.objects.get(certificate=certificate)
    assert (record.office, record.status, record.since) == (office, "in_post", ISSUED)
    assert AuditEntry.objects.filter(action="registrar.in_post", actor=office.admin).exists()

    post(client, office, action="check", record=record.pk, checked_on=str(TODAY),
         outcome="satisfactory", finding="现场核查在岗，登记台账完整")  # fmt: skip
    check = FollowUpCheck.objects.get(record=record)
    assert check.checker == office.admin and check.finding == "现场核查在岗，登记台账完整"
    assert AuditEntry.objects.filter(action="registrar.checked").exists()

    response = post(client, office, action="end", record=record.pk, until=str(TODAY))
    record.refresh_from_db()
    assert (record.status, record.until) == ("left", TODAY)
    assert AuditEntry.objects.filter(action="registrar.left").exists()


def test_another_offices_administrator_changes_nothing(client, bodies, office):
    certificate = registrar(bodies)
    other = RegistrationOffice.objects.create(name="北京技术市场管理办公室", province="11")
    outsider = UserFactory()
    other.administrators.add(outsider)
    client.force_login(outsider)
    response = client.post(
        reverse("registration_office", args=[office.pk]),
        {"action": "add", "number": certificate.number, "since": str(ISSUED)},
    )
    assert response.status_code == 403
    assert not InPostRecord.objects.exists()
    # A record of the first office, posted through the outsider's own office page.
    record = InPostRecord.objects.create(
        office=office, certificate=certificate, since=ISSUED, recorded_by=office.admin
    )
    page = post(client, other, action="end", record=record.pk, until=str(TODAY)).content.decode()
    assert "There is no such in-post record." in page or "没有这条在岗记录" in page
    record.refresh_from_db()
    assert record.status == "in_post"
    assert not AuditEntry.objects.filter(action__startswith="registrar.").exists()


def test_nobody_marks_themselves_in_post(client, bodies, office):
    certificate = registrar(bodies)
    office.administrators.add(certificate.holder)
    client.force_login(certificate.holder)
    page = post(client, office, action="add", number=certificate.number, since=str(ISSUED))
    text = page.content.decode()
    assert "You cannot mark yourself in post" in text or "不能将自己登记为在岗" in text
    assert not InPostRecord.objects.exists()


def test_a_certificate_that_is_not_a_registrars_is_refused(client, bodies, office):
    broker = certificate_record(holder_record(), "junior_broker", issued_on=ISSUED, body=bodies[1])
    client.force_login(office.admin)
    text = post(client, office, action="add", number=broker.number, since=str(ISSUED))
    text = text.content.decode()
    assert "not a technology-contract registrar" in text or "不是技术合同认定登记员证书" in text
    assert not InPostRecord.objects.exists()


def test_a_revoked_certificate_a_future_date_and_a_second_post_are_refused(client, bodies, office):
    revoked = registrar(bodies, status="revoked")
    valid = registrar(bodies)
    client.force_login(office.admin)
    post(client, office, action="add", number=revoked.number, since=str(ISSUED))
    future = str(TODAY + datetime.timedelta(days=3))
    post(client, office, action="add", number=valid.number, since=future)
    assert not InPostRecord.objects.exists()
    post(client, office, action="add", number=valid.number, since=str(ISSUED))
    other = RegistrationOffice.objects.create(name="广州分处", province="44")
    other.administrators.add(office.admin)
    post(client, other, action="add", number=valid.number, since=str(ISSUED))
    assert InPostRecord.objects.filter(certificate=valid).count() == 1


def test_a_person_without_an_office_sees_no_office_page(client, office):
    client.force_login(UserFactory())
    assert client.get(reverse("registration_office", args=[office.pk])).status_code == 403
    assert client.get(reverse("registrars_overview")).status_code == 403


def test_certified_vs_in_post_national_and_per_province(client, bodies, office):
    in_post = registrar(bodies, "national", "44")
    registrar(bodies, "national", "44")
    registrar(bodies, "provincial", "44")
    registrar(bodies, "national", "11")
    registrar(bodies, "national", "44", status="revoked")  # not counted
    InPostRecord.objects.create(
        office=office, certificate=in_post, since=ISSUED, recorded_by=office.admin
    )
    country, *provinces = registrar_figures()
    assert (country.held_national, country.held_provincial, country.in_post_national) == (3, 1, 1)
    by_province = {row.province: row for row in provinces}
    assert (by_province["44"].held, by_province["44"].in_post) == (3, 1)
    assert (by_province["11"].held, by_province["11"].in_post) == (1, 0)

    sign_in(client, with_totp(UserFactory(roles=["Administrator"])))
    page = client.get(reverse("registrars_overview")).content.decode()
    assert "data-registrar-figures" in page and "广东省技术合同登记处" in page
    dashboard = client.get(reverse("dashboard_national")).content.decode()
    shown = dashboard.split("data-registrars-in-post>")[1].split("</p>")[0]
    numbers = [part.split("</strong>")[0] for part in shown.split("<strong>")[1:]]
    assert numbers == ["3", "1", "1", "0"]  # national held, in post; provincial held, in post


def test_administrators_set_up_an_office_and_who_administers_it(client):
    keeper = UserFactory(real_name="登记处管理员")
    sign_in(client, with_totp(UserFactory(roles=["Administrator"])))
    response = client.post(
        reverse("wagtailsnippets_certification_registrationoffice:add"),
        {"name": "江苏省技术市场管理中心", "province": "32", "administrators": [keeper.pk]},
    )
    assert response.status_code == 302
    office = RegistrationOffice.objects.get(name="江苏省技术市场管理中心")
    assert list(office.administrators.all()) == [keeper]


def test_the_public_verify_page_and_api_say_national_or_provincial(client, bodies):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    for kind, label in (("national", "国家级证书"), ("provincial", "省级证书")):
        certificate = registrar(bodies, kind)
        page = client.get(reverse("certificate_verify", args=[certificate.number]))
        assert f'data-issuer-kind="{kind}">{label}<' in page.content.decode()
        entry = client.get(reverse("api_certificate", args=[certificate.number])).json()
        assert entry["issuer_kind"] == kind
