"""The national and base dashboards: the figures they show, their filters and bad filters, the
chart downloads, who may see them, how they follow changes, and a query count that does not
grow with the data."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.issuing.services import application_approve
from certification.models import Application, Certificate
from cms import api as cms_api
from courses.models import Attempt, Enrolment
from portal.dashboard import services
from portal.dashboard.models import MonthFigures, Snapshot
from tests.certification.factories import certifier, certifying_body, submitted_application
from tests.factories import UserFactory, sign_in, training_base, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def chief():
    return with_totp(UserFactory(roles=["Administrator"], real_name="主管乙"))


@pytest.fixture
def admin_client(client, chief):
    sign_in(client, chief)
    return client


def issue(user, body, actor, *, base, level_code="junior_broker", issued_on=None):
    """A real issue through the services, then dated ``issued_on`` as if issued back then."""
    application = submitted_application(user, body, level_code, base=base)
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate = application_approve(application_id=application.pk, actor=actor)
    if issued_on:
        Certificate.objects.filter(pk=certificate.pk).update(
            issued_on=issued_on, valid_until=issued_on.replace(year=issued_on.year + 3)
        )
    certificate.refresh_from_db()
    return certificate


@pytest.fixture
def world():
    """Two bases in two provinces; three people certified (one of them in 2019, now expired),
    one application waiting, and a failed exam attempt."""
    guangdong = training_base("GD-A", province="44", title="广东甲基地", slug="gd-a")
    beijing = training_base("BJ-A", province="11", title="北京甲基地", slug="bj-a")
    gd_body = certifying_body("GD", training_base=guangdong)
    bj_body = certifying_body("BJ", training_base=beijing)
    gd_certifier, bj_certifier = certifier(gd_body), certifier(bj_body)
    today = timezone.localdate()
    people = {
        "a": UserFactory(province="44", real_name="甲"),
        "b": UserFactory(province="44", real_name="乙"),
        "c": UserFactory(province="11", real_name="丙"),
        "d": UserFactory(province="11", real_name="丁"),
    }
    issue(people["a"], gd_body, gd_certifier, base=guangdong)
    issue(people["b"], gd_body, gd_certifier, base=guangdong, issued_on=datetime.date(2019, 5, 10))
    issue(people["c"], bj_body, bj_certifier, base=beijing)
    submitted_application(people["d"], bj_body, base=beijing)
    # A failed attempt of "c" at the Beijing base's exam, this month.
    passed = Attempt.objects.filter(user=people["c"]).get()
    Attempt.objects.create(
        exam=passed.exam,
        user=people["c"],
        number=2,
        status=Attempt.Status.FINAL,
        deadline=timezone.now(),
        submitted_at=timezone.now(),
        finalised_at=timezone.now(),
        score=Decimal("20"),
        max_score=Decimal("100"),
        passed=False,
    )
    services.dashboard_refresh(today=today)
    return {"gd": guangdong, "bj": beijing, "people": people, "bodies": (gd_body, bj_body)}


def figure(response, key) -> str:
    for item in response.context["board"].figures:
        if item.key == key:
            return item.value
    raise AssertionError(key)


def chart_rows(response, key):
    return response.context["board"].chart(key).rows


def test_national_dashboard_shows_the_figures(admin_client, world):
    response = admin_client.get(reverse("dashboard_national"))
    assert response.status_code == 200
    assert figure(response, "people") == "3"
    assert figure(response, "certificates") == "3"
    # The 2019 certificate ran out after three years.
    assert figure(response, "valid") == "2"
    assert figure(response, "enrolled") == "4"
    assert figure(response, "waiting") == "1"
    # Four passes (one per qualified person) and one failure.
    assert figure(response, "pass_rate") == "80.0%"
    hours = sum(
        (credit.hours for e in Enrolment.objects.all() for credit in e.credits.all()),
        Decimal("0"),
    )
    assert figure(response, "hours") == f"{hours:,.1f}"
    provinces = {row[0]: row for row in chart_rows(response, "provinces")}
    assert provinces["Guangdong"][1] == 2 and provinces["Beijing"][1] == 1
    assert provinces["Guangdong"][3] == 1  # valid today
    bases = {row[0]: row for row in chart_rows(response, "bases")}
    assert bases["广东甲基地"][1] == 2 and bases["北京甲基地"][1] == 1
    assert bases["北京甲基地"][9] == 1  # the waiting application
    # The seeded goals each have a chart with the target line.
    goals = [chart for chart in response.context["board"].charts if chart.key.startswith("goal-")]
    assert len(goals) == 2
    assert "10,000" in goals[0].svg or "30,000" in goals[0].svg
    content = response.content.decode()
    assert "<svg" in content and "Save as PNG" in content


def test_filters_narrow_every_figure(admin_client, world):
    url = reverse("dashboard_national")
    response = admin_client.get(url, {"province": "11"})
    assert figure(response, "people") == "1"
    assert figure(response, "waiting") == "1"
    response = admin_client.get(url, {"base": world["gd"].pk})
    assert figure(response, "people") == "2"
    assert figure(response, "waiting") == "0"
    response = admin_client.get(url, {"level": "intermediate_broker"})
    assert figure(response, "people") == "0"
    # A period from 2020 leaves out the 2019 certificate, but the cumulative line starts from it.
    response = admin_client.get(url, {"start": "2020-01"})
    assert figure(response, "people") == "2"
    cumulative = chart_rows(response, "cumulative")
    assert cumulative[0][0] == "2020-01" and cumulative[0][-1] == 1
    assert cumulative[-1][-1] == 3
    response = admin_client.get(url, {"start": "2019-01", "end": "2019-12"})
    assert figure(response, "people") == "1"


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2025-06", "end": "2024-01"}, "The period starts after it ends"),
        ({"start": "1900-01"}, "The figures begin in 1984"),
        ({"start": "1990-01", "end": "2025-01"}, "at most 30 years"),
        ({"end": "9999-12"}, "Choose months up to"),
        ({"start": "2025-13"}, "Enter a month as YYYY-MM"),
        ({"start": "last year"}, "Enter a month as YYYY-MM"),
        ({"province": "99"}, "Select a valid choice"),
        ({"base": "abc"}, "Select a valid choice"),
        ({"base": "999999"}, "Select a valid choice"),
        ({"level": "'; drop table"}, "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_clear_message(admin_client, world, query, message):
    before = list(MonthFigures.objects.values_list("pk", flat=True))
    response = admin_client.get(reverse("dashboard_national"), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "board" not in response.context
    download = admin_client.get(reverse("dashboard_chart", args=["provinces", "csv"]), query)
    assert download.status_code == 400
    assert message in download.content.decode()
    assert list(MonthFigures.objects.values_list("pk", flat=True)) == before


def test_every_chart_downloads_as_csv_xlsx_and_svg(admin_client, world):
    response = admin_client.get(reverse("dashboard_national"), {"province": "44"})
    board = response.context["board"]
    assert {c.key for c in board.charts} >= {"cumulative", "provinces", "bases", "levels"}
    for chart in board.charts:
        url = reverse("dashboard_chart", args=[chart.key, "csv"])
        body = admin_client.get(url, {"province": "44"}).content
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0] == [title for title, _ in chart.headers]
        assert len(rows) == len(chart.rows) + 1

        xlsx = admin_client.get(
            reverse("dashboard_chart", args=[chart.key, "xlsx"]), {"province": "44"}
        )
        assert xlsx["Content-Disposition"].endswith(f'{chart.key}.xlsx"')
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == rows[0]
        assert [str(v) if v is not None else "" for v in values[1][:2]] == rows[1][:2]

        svg = admin_client.get(
            reverse("dashboard_chart", args=[chart.key, "svg"]), {"province": "44"}
        )
        assert svg["Content-Type"].startswith("image/svg+xml")
        root = ET.fromstring(svg.content)  # noqa: S314  (our own server's SVG)
        assert root.find("{http://www.w3.org/2000/svg}title").text == chart.title
    provinces = {r[0]: r for r in board.chart("provinces").rows}
    assert list(provinces) == ["Guangdong"]
    assert admin_client.get(reverse("dashboard_chart", args=["nonsense", "csv"])).status_code == 404


def test_a_base_name_that_looks_like_a_formula_stays_text(admin_client, world):
    world["gd"].title = '=HYPERLINK("http://evil")'
    world["gd"].save_revision().publish()
    services.dashboard_refresh()
    body = admin_client.get(reverse("dashboard_chart", args=["bases", "csv"])).content
    assert "'=HYPERLINK" in body.decode("utf-8-sig")


def test_who_may_see_the_dashboards(client, world):
    national = reverse("dashboard_national")
    gd = reverse("dashboard_base", args=[world["gd"].pk])
    response = client.get(national)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    trainee = world["people"]["a"]
    sign_in(client, trainee)
    assert client.get(national).status_code == 403
    assert client.get(gd).status_code == 403
    assert client.get(reverse("dashboard_chart", args=["bases", "csv"])).status_code == 403
    client.logout()

    editor = UserFactory(roles=["Base editor"])
    cms_api.training_base_editor_add(page_id=world["bj"].pk, user=editor)
    sign_in(client, editor)
    assert client.get(national).status_code == 403
    assert client.get(gd).status_code == 403
    assert (
        client.get(
            reverse("dashboard_base_chart", args=[world["gd"].pk, "classes", "csv"])
        ).status_code
        == 403
    )
    landing = client.get(reverse("dashboard_bases"))
    assert landing.status_code == 302 and landing["Location"] == reverse(
        "dashboard_base", args=[world["bj"].pk]
    )
    own = client.get(landing["Location"])
    assert own.status_code == 200
    assert figure(own, "people") == "1"
    assert figure(own, "waiting") == "1"
    assert own.context["board"].chart("bases") is None
    assert not own.context["board"].goals


def test_base_dashboard_has_per_class_reports(admin_client, world):
    response = admin_client.get(reverse("dashboard_base", args=[world["gd"].pk]))
    assert response.status_code == 200
    classes = response.context["board"].chart("classes")
    assert len(classes.rows) == 2  # each qualified person trained in a class of their own
    assert all(row[5] == 1 and row[6] == 1 for row in classes.rows)  # enrolled, completed
    assert all(row[12] == 100.0 for row in classes.rows)  # pass rate
    sheet = load_workbook(
        io.BytesIO(
            admin_client.get(
                reverse("dashboard_base_chart", args=[world["gd"].pk, "classes", "xlsx"])
            ).content
        )
    ).active
    assert sheet.max_row == 3
    assert admin_client.get(reverse("dashboard_base", args=[999999])).status_code == 404


def test_changes_reach_the_dashboard(admin_client, world):
    url = reverse("dashboard_national")
    assert figure(admin_client.get(url), "waiting") == "1"
    application = Application.objects.get(applicant=world["people"]["d"])
    bj_body = world["bodies"][1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        application_approve(application_id=application.pk, actor=bj_body.certifiers.first())
    assert services.dashboard_is_dirty()
    response = admin_client.get(url)
    assert figure(response, "waiting") == "0"
    assert figure(response, "people") == "4"
    assert not services.dashboard_is_dirty()


def test_the_first_visit_computes_the_figures(admin_client, world):
    Snapshot.objects.all().delete()
    MonthFigures.objects.all().delete()
    response = admin_client.get(reverse("dashboard_national"))
    assert figure(response, "people") == "3"


def _national_queries(client) -> int:
    services.dashboard_refresh()
    client.get(reverse("dashboard_national"))  # the session's own first-visit writes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard_national"), {"start": "2015-01"})
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(admin_client, world):
    small = _national_queries(admin_client)
    # Many more people, months, provinces and bases.
    for n, province in enumerate(["31", "32", "33", "37", "42", "51"]):
        base = training_base(f"X{n}", province=province, title=f"基地{n}", slug=f"x-{n}")
        body = certifying_body(f"X{n}", training_base=base)
        actor = certifier(body)
        for m in range(2):
            issue(
                UserFactory(province=province),
                body,
                actor,
                base=base,
                issued_on=datetime.date(2016 + n, 1 + m * 5, 3),
            )
    services.dashboard_refresh()
    assert Certificate.objects.count() == 15
    assert _national_queries(admin_client) == small
    assert small <= 25
