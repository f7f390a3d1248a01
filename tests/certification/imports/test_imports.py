"""Importing earlier certificates from XLSX: the row report, all or nothing, who may import,
the imported record on the verify page and API, claims, and goals counting them."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from certification.goals.selectors import goal_progress
from certification.imports.claims import claim_request_create
from certification.imports.services import COLUMNS
from certification.models import (
    AuditEntry,
    Certificate,
    CertificationLevel,
    ClaimRequest,
    Goal,
    ImportBatch,
    ImportedHolder,
    NumberSequence,
)
from tests.certification.factories import certifier, certifying_body, level
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date
KEYS = [key for key, _header in COLUMNS]


def row(**values):
    base = {
        "name": "李四",
        "email": "lisi@example.com",
        "phone": "",
        "province": "广东",
        "organisation": "广州某技术转移中心",
        "level": "初级技术经纪人",
        "body": "GD",
        "number": "GD-2018-0001",
        "issued_on": D(2018, 6, 30),
        "valid_until": D(2021, 6, 29),
        "status": "过期",
        "revoked_on": None,
    }
    base.update(values)
    return base


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for _key, header in COLUMNS])
    for values in rows:
        sheet.append([values.get(key) for key in KEYS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="earlier.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("certify_import"), {"file": file})


@pytest.fixture
def gd():
    return certifying_body(
        "GD", levels=("junior_broker", "intermediate_broker"), key=False, images=False
    )


@pytest.fixture
def gd_certifier(client, gd):
    user = certifier(gd)
    client.force_login(user)
    return user


def test_the_downloaded_template_imports_as_it_stands(client, gd_certifier):
    response = client.get(reverse("certify_import_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["姓名", "电子邮箱", "手机号"]

    response = upload(client, response.content)

    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.origin == Certificate.Origin.IMPORTED
    assert certificate.number == "GD-2018-0001"
    assert certificate.holder is None and certificate.pdf.name == "" and not certificate.credential


def test_bad_rows_are_reported_row_by_row_and_nothing_is_written(client, gd_certifier, gd):
    gd.imported_number_pattern = r"GD-\d{4}-\d{4}"
    gd.save()
    data = xlsx(
        row(),  # row 2: fine on its own
        row(number="GD-2018-0002", level="特级经纪人"),  # row 3: unknown level
        row(number="GD-2018-0003", issued_on="去年夏天"),  # row 4: not a date
        row(number="GD-2018-0004", valid_until=D(2017, 1, 1)),  # row 5: ends before issue
        row(number="GD-2018-0005", email="", phone=""),  # row 6: no way to claim it
        row(number="粤2018第5号"),  # row 7: not the body's number format
        row(number="GD-2018-0007", issued_on=D(2099, 1, 1), valid_until=D(2100, 1, 1)),  # row 8
        row(number="GD-2018-0008", level="高级技术经理人"),  # row 9: GD does not award it
        row(number="GD-2018-0009", status="撤销"),  # row 10: revoked without a date
    )

    response = upload(client, data)

    assert response.status_code == 400
    page = response.content.decode()
    reported = {error.row for error in response.context["errors"]}
    assert reported == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "特级经纪人" in page and "去年夏天" in page and "粤2018第5号" in page
    assert 'data-row="2"' not in page
    assert Certificate.objects.count() == 0
    assert ImportBatch.objects.count() == 0 and ImportedHolder.objects.count() == 0
    assert not AuditEntry.objects.filter(action="certificate.imported").exists()


def test_duplicates_in_the_file_and_on_record_are_refused(client, gd_certifier):
    assert upload(client, xlsx(row())).status_code == 302
    data = xlsx(
        row(number="GD-2018-0001"),  # row 2: already imported
        row(number="GD-2019-0010"),  # row 3 and row 4: the same number twice
        row(number="gd-2019-0010", name="王五", email="wangwu@example.com"),
    )

    response = upload(client, data)

    assert response.status_code == 400
    messages = [(e.row, e.message) for e in response.context["errors"]]
    assert any(r == 2 and "GD-2018-0001" in m for r, m in messages)
    assert {r for r, m in messages if "4" in m or "3" in m} >= {3, 4}
    assert Certificate.objects.count() == 1


def test_a_certifier_cannot_import_for_another_body(client, gd_certifier):
    certifying_body("BJ", key=False, images=False)

    response = upload(client, xlsx(row(body="BJ", number="BJ-2018-0001")))

    assert response.status_code == 400
    assert any("BJ" in e.message for e in response.context["errors"])
    assert Certificate.objects.count() == 0


def test_an_administrator_imports_for_any_body(client, gd):
    admin = UserFactory(roles=["Administrator"])
    client.force_login(admin)
    certifying_body("BJ", key=False, images=False)

    response = upload(client, xlsx(row(), row(body="BJ", number="BJ-2018-0001")))

    assert response.status_code == 302
    assert ImportBatch.objects.get().imported_as == ImportBatch.ImportedAs.ADMINISTRATOR
    assert Certificate.objects.count() == 2


def test_a_trainee_cannot_import_or_download_the_template(client, gd):
    client.force_login(UserFactory())
    assert client.get(reverse("certify_import")).status_code == 403
    assert client.get(reverse("certify_import_template")).status_code == 403
    assert upload(client, xlsx(row())).status_code == 403
    assert Certificate.objects.count() == 0


def test_a_file_that_is_not_xlsx_is_refused_with_a_message(client, gd_certifier):
    file = io.BytesIO(b"name,number\n")
    file.name = "earlier.xlsx"
    response = client.post(reverse("certify_import"), {"file": file})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert Certificate.objects.count() == 0


def test_the_imported_certificate_is_verified_as_an_imported_record(client, gd_certifier):
    upload(client, xlsx(row(status="有效", valid_until=D(2099, 1, 1))))
    client.logout()

    page = client.get(reverse("certificate_verify", args=["GD-2018-0001"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-origin="imported"' in html
    assert (
        "SHA-256" not in html
        and reverse("api_certificate_credential", args=["GD-2018-0001"]) not in html
    )
    assert 'data-status="valid"' in html

    data = client.get(reverse("api_certificate", args=["GD-2018-0001"])).json()
    assert data["origin"] == "imported"
    assert data["status"] == "valid"
    assert data["holder"] == "李*"
    assert data["imported"]["on"] == timezone.localdate().isoformat()
    assert "GD" in data["imported"]["by"]
    assert data["links"]["credential"] is None
    credential = client.get(reverse("api_certificate_credential", args=["GD-2018-0001"]))
    assert credential.status_code == 404


def test_an_expired_or_revoked_import_says_so(client, gd_certifier):
    upload(
        client,
        xlsx(
            row(),
            row(number="GD-2018-0002", status="撤销", revoked_on=D(2019, 3, 1)),
        ),
    )
    expired = client.get(reverse("api_certificate", args=["GD-2018-0001"])).json()
    revoked = client.get(reverse("api_certificate", args=["GD-2018-0002"])).json()
    assert expired["status"] == "expired"
    assert revoked["status"] == "revoked" and revoked["revoked_at"].startswith("2019-03-01")


def test_a_holder_claims_by_a_confirmed_email_and_sees_it_in_my_certificates(client, gd_certifier):
    upload(client, xlsx(row(status="有效", valid_until=D(2099, 1, 1))))
    holder = UserFactory(email="lisi@example.com")
    client.force_login(holder)

    listed = client.get(reverse("my_claims"))
    record = ImportedHolder.objects.get()
    assert f'data-record="{record.pk}"' in listed.content.decode()
    response = client.post(reverse("my_claims"), {"action": "claim", "record": record.pk})

    assert response.status_code == 302
    mine = client.get(reverse("my_certificates")).content.decode()
    assert 'data-number="GD-2018-0001"' in mine and 'data-origin="imported"' in mine
    assert Certificate.objects.get().holder == holder
    assert AuditEntry.objects.filter(action="certificate.claimed").count() == 1


def test_claiming_someone_elses_record_is_refused(client, gd_certifier):
    upload(client, xlsx(row()))
    record = ImportedHolder.objects.get()
    # Typed the same address, never confirmed it.
    stranger = UserFactory(email="someone@example.org")
    EmailAddress.objects.create(user=stranger, email="lisi@example.com", verified=False)
    client.force_login(stranger)

    assert f'data-record="{record.pk}"' not in client.get(reverse("my_claims")).content.decode()
    client.post(reverse("my_claims"), {"action": "claim", "record": record.pk})

    assert Certificate.objects.get().holder is None
    record.refresh_from_db()
    assert record.claimed_by is None


def test_a_claim_by_review_is_decided_by_a_certifier_of_the_body_only(client, gd_certifier, gd):
    upload(client, xlsx(row()))
    holder = UserFactory(email="new-address@example.org")
    claim = claim_request_create(user=holder, number="GD-2018-0001", note="我换了邮箱")
    other = certifier(certifying_body("BJ", key=False, images=False))

    client.force_login(other)
    client.post(reverse("certify_claims"), {"claim": claim.pk, "action": "approve"})
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.PENDING

    client.force_login(gd_certifier)
    queue = client.get(reverse("certify_claims")).content.decode()
    assert "我换了邮箱" in queue
    client.post(reverse("certify_claims"), {"claim": claim.pk, "action": "approve"})
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.APPROVED
    client.force_login(holder)
    assert 'data-number="GD-2018-0001"' in client.get(reverse("my_certificates")).content.decode()


def test_a_certifier_cannot_approve_their_own_claim(client, gd_certifier, gd):
    upload(client, xlsx(row()))
    claim = claim_request_create(user=gd_certifier, number="GD-2018-0001")
    client.post(reverse("certify_claims"), {"claim": claim.pk, "action": "approve"})
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.PENDING
    assert Certificate.objects.get().holder is None


def test_imported_certificates_count_toward_goals_once_per_person(client, gd_certifier):
    upload(
        client,
        xlsx(
            row(),  # 李四, junior, 2018
            row(
                number="GD-2019-0002",
                level="中级技术经纪人",
                issued_on=D(2019, 5, 1),
                valid_until=D(2022, 4, 30),
            ),  # 李四 again, by the same e-mail
            row(
                number="GD-2019-0003",
                name="王五",
                email="",
                phone="13900139000",
                province="北京",
                issued_on=D(2019, 3, 1),
                valid_until=D(2022, 2, 28),
            ),
        ),
    )
    goal = Goal.objects.create(
        name="2020 目标",
        source="测试",
        target=10,
        measure=Goal.Measure.EVER,
        start_date=D(2017, 1, 1),
        deadline=D(2020, 12, 31),
    )
    goal.levels.set(
        CertificationLevel.objects.filter(code__in=["junior_broker", "intermediate_broker"])
    )

    progress = goal_progress(goal, today=D(2021, 1, 1))
    assert progress.people == 2
    assert {p.day: p.people for p in progress.series}[D(2018, 12, 31)] == 1

    beijing = Goal.objects.create(
        name="北京",
        source="测试",
        target=1,
        measure=Goal.Measure.EVER,
        province="11",
        start_date=D(2017, 1, 1),
        deadline=D(2020, 12, 31),
    )
    beijing.levels.set(goal.levels.all())
    assert goal_progress(beijing, today=D(2021, 1, 1)).people == 1

    # Claimed by an account that also has a portal certificate: still one person.
    holder = UserFactory(email="lisi@example.com")
    client.force_login(holder)
    client.post(
        reverse("my_claims"),
        {"action": "claim", "record": ImportedHolder.objects.get(email="lisi@example.com").pk},
    )
    assert goal_progress(goal, today=D(2021, 1, 1)).people == 2


def test_a_number_in_the_portals_own_format_is_never_handed_out_again(client, gd_certifier):
    junior = level("junior_broker")
    number = f"GD-{junior.number_code}-2019-000005"

    upload(client, xlsx(row(number=number)))

    sequence = NumberSequence.objects.get(body__code="GD", level=junior, year=2019)
    assert sequence.last == 5


def test_the_dashboard_figures_count_imported_people_in_their_province(client, gd_certifier):
    from certification.reporting.dashboard import certification_figures

    upload(client, xlsx(row(), row(number="GD-2019-0002", name="王五", email="w@example.com")))

    months = certification_figures().months
    june = [m for m in months if m.month == D(2018, 6, 1)]
    assert sum(m.people for m in june) == 2
    assert {m.province for m in june} == {"44"}


def test_a_certifier_opens_an_imported_record_and_it_can_be_revoked(client, gd_certifier):
    upload(client, xlsx(row(status="有效", valid_until=D(2099, 1, 1))))
    url = reverse("certify_certificate", args=["GD-2018-0001"])

    page = client.get(url)
    assert page.status_code == 200 and 'data-origin="imported"' in page.content.decode()
    revoke = {"action": "revoke", "code": "issued_in_error", "reason": "原记录有误"}
    question = client.post(url, revoke)  # the unclaimed record has no account to name
    assert question.status_code == 200 and "data-confirm" in question.content.decode()
    assert Certificate.objects.get().status != Certificate.Status.REVOKED
    client.post(url, {**revoke, "confirmed": "yes"})

    data = client.get(reverse("api_certificate", args=["GD-2018-0001"])).json()
    assert data["status"] == "revoked" and data["revocation_code"] == "issued_in_error"


def test_a_hand_made_claim_post_with_garbage_changes_nothing(client, gd_certifier):
    upload(client, xlsx(row()))
    client.force_login(UserFactory())
    for record in ("", "abc", "-1", "99999999999999999999"):
        response = client.post(reverse("my_claims"), {"action": "claim", "record": record})
        assert response.status_code == 302
    response = client.post(reverse("my_claims"), {"action": "request", "number": "NOPE-1"})
    assert response.status_code == 400
    assert Certificate.objects.get().holder is None
    assert not ClaimRequest.objects.exists()


def test_the_authorities_report_counts_imported_certificates_in_their_province(
    client, gd_certifier
):
    from certification.reporting.reports import certificates_issued_groups

    upload(client, xlsx(row()))

    groups = certificates_issued_groups(date_from=D(2018, 1, 1), date_to=D(2018, 12, 31))
    assert [(g.province, g.first_issues) for g in groups] == [("44", 1)]
