"""Reports for the authorities under /oversight/reports/: the three XLSX reports checked against
the data made here, progress, background building that survives errors and second runs, bad
input, and who may see, download or delete a job."""

import contextlib
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.applications.services import application_approve_first
from certification.issuing.services import application_approve
from certification.models import Application, Certificate, CertificationLevel
from courses.api import base_year_figures
from courses.models import Attempt, Enrolment, LessonCredit, LessonPage
from portal.accounts.storage import private_storage
from portal.reports import builders, services
from portal.reports.models import ReportJob
from tests.certification.factories import (
    certifier,
    certifying_body,
    identity_on_record,
    issued_certificate,
    level,
)
from tests.factories import (
    UserFactory,
    course,
    exam,
    password_only_login,
    sign_in,
    training_base,
    with_totp,
)

pytestmark = pytest.mark.django_db

URL = "/oversight/reports/"
YEAR_2025 = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Sign-in is rate limited per address; these tests sign in many times a minute."""
    cache.clear()


@pytest.fixture
def client(client):
    """Pages in English, so the assertions read the English headers and messages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def chief():
    return with_totp(UserFactory(roles=["Administrator"], real_name="主管甲"))


@pytest.fixture
def signed_in(client, chief):
    sign_in(client, chief)
    return client


def content(response) -> str:
    return response.content.decode()


class _CommitAtOnce:
    """``transaction`` as the services module sees it, where a block's on-commit work runs as
    soon as the block ends: what happens outside a test's never-committed transaction."""

    def __init__(self):
        self.pending = []

    def on_commit(self, func, using=None, robust=False):
        self.pending.append(func)

    @contextlib.contextmanager
    def atomic(self, *args, **kwargs):
        with transaction.atomic(*args, **kwargs):
            yield
        while self.pending:
            self.pending.pop(0)()


def prepare(client, **data):
    """Ask for a report through the page; the task runs eagerly once the job is committed, as
    in the embedded default (``CELERY_TASK_ALWAYS_EAGER``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "transaction", _CommitAtOnce())
        return client.post(URL, data, follow=True)


def workbook(client, job):
    response = client.get(reverse("report_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


# -- certificates made quickly ----------------------------------------------------------------


def certificate(holder, body, level_code="junior_broker", on=datetime.date(2025, 3, 1), **kw):
    """A certificate approved through the real service (number, status bit, snapshot, numbering
    body), without its PDF; then dated and given a status as the test needs."""
    status = kw.pop("status", Certificate.Status.VALID)
    application = Application.objects.create(
        applicant=holder,
        level=level(level_code),
        body=body,
        printed_name=holder.real_name,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        renews=kw.pop("renews", None),
    )
    checked = application.level.requires_identity_check
    if checked:  # the certifier checks the identity document on record
        identity_on_record(holder)
    if application.level.approvers_required > 1:  # one approves, another confirms
        application_approve_first(
            application_id=application.pk,
            actor=UserFactory(is_superuser=True),
            recheck=False,
            identity_checked=checked,
        )
    made = application_approve(
        application_id=application.pk,
        actor=UserFactory(is_superuser=True),
        enqueue=False,
        recheck=False,
        identity_checked=checked,
    )
    Application.objects.filter(pk=application.pk).update(status=Application.Status.ISSUED)
    Certificate.objects.filter(pk=made.pk).update(status=status, issued_on=on, **kw)
    made.refresh_from_db()
    return made


@pytest.fixture
def national():
    return certifying_body(
        "CN", kind="national", name="国家技术转移人才评价中心", levels=(), images=False
    )


@pytest.fixture
def guangdong():
    return certifying_body("GD", kind="provincial", name="广东省评价中心", images=False)


@pytest.fixture
def shanghai():
    return certifying_body("SH", kind="provincial", name="上海市评价中心", images=False)


# -- 1. certificates issued, by body, level and province ---------------------------------------


def test_certificates_report_counts_each_body_level_and_province_with_renewals_apart(
    signed_in, chief, national, guangdong, shanghai
):
    cantonese = [UserFactory(province="44") for _ in range(3)]
    first = certificate(cantonese[0], guangdong)
    certificate(cantonese[1], guangdong, status=Certificate.Status.REVOKED)  # still issued
    certificate(cantonese[0], guangdong, on=datetime.date(2025, 9, 1), renews=first)
    certificate(UserFactory(province="11"), guangdong, on=datetime.date(2025, 12, 31))
    certificate(cantonese[2], guangdong, "intermediate_broker")  # numbered by CN, issued by GD
    certificate(UserFactory(province="31"), shanghai, on=datetime.date(2025, 1, 1))
    # Not counted: before the period, after it, and one still being issued.
    certificate(UserFactory(province="44"), guangdong, on=datetime.date(2024, 12, 31))
    certificate(UserFactory(province="44"), guangdong, on=datetime.date(2026, 1, 1))
    certificate(UserFactory(province="44"), shanghai, status=Certificate.Status.PENDING)

    response = prepare(signed_in, kind="certificates", **YEAR_2025)
    assert response.status_code == 200
    assert "Your report is ready to download." in content(response)
    job = ReportJob.objects.get()
    assert job.user == chief and job.kind == "certificates" and job.language == "en"
    assert job.status == ReportJob.Status.DONE and job.finished_at is not None
    assert job.file.name.startswith("reports/") and job.file.name.endswith(".xlsx")
    assert job.progress_total == 4 and job.progress_done == 4
    assert reverse("report_download", args=[job.pk]) in content(response)

    book = workbook(signed_in, job)
    sheet = book.worksheets[0]
    rows = rows_of(sheet)
    assert rows[0] == (
        "Certifying body",
        "Body code",
        "Level",
        "Holder's province",
        "First issues",
        "Renewals",
        "Total",
    )
    junior, intermediate = level("junior_broker").name, level("intermediate_broker").name
    assert rows[1:] == [
        ("广东省评价中心", "GD", junior, "Beijing", 1, 0, 1),
        ("广东省评价中心", "GD", junior, "Guangdong", 2, 1, 3),
        ("广东省评价中心", "GD", intermediate, "Guangdong", 1, 0, 1),
        ("上海市评价中心", "SH", junior, "Shanghai", 1, 0, 1),
        ("Total", None, None, None, 5, 1, 6),
    ]
    totals = rows_of(book["Totals"])
    assert ("广东省评价中心 (GD)", 4, 1, 5) in totals
    assert (junior, 4, 1, 5) in totals and (intermediate, 1, 0, 1) in totals
    notes = [row[0] for row in rows_of(book["About this report"])]
    assert "Period: 2025-01-01 to 2025-12-31, both days included" in notes
    assert any("renewals are certificates re-issued" in (note or "") for note in notes)


def test_certificates_report_for_one_body_keeps_only_what_it_issued(
    signed_in, national, guangdong, shanghai
):
    certificate(UserFactory(province="44"), guangdong)
    certificate(UserFactory(province="44"), guangdong, "senior_manager")
    certificate(UserFactory(province="31"), shanghai)

    prepare(signed_in, kind="certificates", body=shanghai.pk, **YEAR_2025)
    job = ReportJob.objects.get()
    assert job.parameters["body"] == shanghai.pk
    rows = rows_of(workbook(signed_in, job).worksheets[0])
    assert [row[1] for row in rows[1:]] == ["SH", None]
    assert rows[-1][-1] == 1
    assert "上海市评价中心" in content(signed_in.get(URL))  # the list names the body


def test_text_in_the_sheet_stays_text_even_when_it_looks_like_a_formula(signed_in, national):
    body = certifying_body("EV", kind="provincial", name='=HYPERLINK("http://x","y")', images=False)
    certificate(UserFactory(province="44"), body)
    prepare(signed_in, kind="certificates", **YEAR_2025)
    cell = workbook(signed_in, ReportJob.objects.get()).worksheets[0]["A2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


# -- 2. the filing report --------------------------------------------------------------------


def test_filing_report_lists_filed_levels_issued_in_the_period(
    signed_in, national, guangdong, shanghai
):
    awaiting = certificate(
        UserFactory(real_name="郑一", province="44"), guangdong, "intermediate_broker"
    )
    filed = certificate(
        UserFactory(real_name="冯二", province="31"),
        shanghai,
        "senior_manager",
        on=datetime.date(2025, 6, 1),
        filing_status=Certificate.Filing.FILED,
        filing_reference="备案〔2025〕7号",
        filed_at=timezone.now(),
    )
    certificate(UserFactory(), guangdong)  # junior: not filed centrally
    certificate(UserFactory(), guangdong, "intermediate_broker", on=datetime.date(2024, 5, 1))
    certificate(UserFactory(), guangdong, "intermediate_broker", status=Certificate.Status.PENDING)
    assert awaiting.numbering_body == national and awaiting.number.startswith("CN-")

    prepare(signed_in, kind="filing", **YEAR_2025)
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.DONE and job.progress_done == job.progress_total == 2
    rows = rows_of(workbook(signed_in, job).worksheets[0])
    assert rows[0][0] == "Certificate number" and rows[0][-1] == "Holder's province"
    assert len(rows[0]) == len(rows[1]) == 11
    by_number = {row[0]: row for row in rows[1:]}
    assert list(by_number) == [awaiting.number, filed.number]  # in issue order
    assert by_number[awaiting.number][1] == "郑一"
    assert by_number[awaiting.number][3] == "广东省评价中心"
    assert by_number[awaiting.number][4] == "国家技术转移人才评价中心"
    assert by_number[awaiting.number][7] == "awaiting filing"
    assert by_number[filed.number][7] == "filed" and by_number[filed.number][9] == "备案〔2025〕7号"
    assert by_number[filed.number][10] == "Shanghai"

    # One body: what it issued, or numbered (the national body numbers both).
    prepare(signed_in, kind="filing", body=shanghai.pk, **YEAR_2025)
    job = ReportJob.objects.latest("pk")
    assert [row[0] for row in rows_of(workbook(signed_in, job).worksheets[0])[1:]] == [filed.number]
    prepare(signed_in, kind="filing", body=national.pk, **YEAR_2025)
    job = ReportJob.objects.latest("pk")
    assert len(rows_of(workbook(signed_in, job).worksheets[0])) == 3


def test_filing_report_rows_are_the_filing_desks_rows(signed_in, chief, national, guangdong):
    """One row builder for both exports: the desk's sheet (in Chinese) and the report agree."""
    person = UserFactory(real_name="卫三", province="44")
    CertificationLevel.objects.filter(code="junior_broker").update(central_filing=True)
    made = issued_certificate(person, guangdong, certifier(guangdong))  # the whole real path
    assert made.status == Certificate.Status.VALID
    year = {"date_from": f"{made.issued_on.year}-01-01", "date_to": f"{made.issued_on.year}-12-31"}
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    prepare(signed_in, kind="filing", **year)
    report = rows_of(workbook(signed_in, ReportJob.objects.get()).worksheets[0])
    desk = signed_in.get(reverse("certify_filing_export") + "?filing=all")
    desk_rows = rows_of(load_workbook(io.BytesIO(b"".join(desk.streaming_content))).active)
    assert desk_rows[0][0] == "证书编号"
    assert report[1:] == desk_rows[1:] and report[1][0] == made.number
    assert report[1][10] == "广东"  # labels in the requester's language


# -- 3. training delivered per base ----------------------------------------------------------


def _class(base, start, slug):
    page = course(base, slug=slug)
    type(page).objects.filter(pk=page.pk).update(start_date=start, end_date=start)
    return page


def _enrol(page, user=None, status=Enrolment.Status.ACTIVE, credit=True):
    enrolment = Enrolment.objects.create(user=user or UserFactory(), course=page, status=status)
    if credit:
        for lesson in LessonPage.objects.descendant_of(page).specific():
            LessonCredit.objects.create(
                enrolment=enrolment,
                lesson=lesson,
                hours=lesson.hours,
                category=lesson.get_parent().specific.category,
                method=LessonCredit.Method.ONLINE,
            )
    return enrolment


def _attempt(paper, passed, when):
    return Attempt.objects.create(
        exam=paper,
        user=UserFactory(),
        number=1,
        status=Attempt.Status.FINAL,
        deadline=when,
        submitted_at=when,
        finalised_at=when,
        score=Decimal("80") if passed else Decimal("40"),
        max_score=Decimal("100"),
        passed=passed,
    )


def _at(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def test_training_report_gives_each_base_its_classes_trainees_hours_and_passes(signed_in):
    alpha = training_base("GD-A", province="44", title="甲基地")
    beta = training_base("SH-B", province="31", title="乙基地")
    idle = training_base("BJ-C", province="11", title="丙基地")
    spring = _class(alpha, datetime.date(2025, 3, 1), "a-spring")
    autumn = _class(alpha, datetime.date(2025, 9, 1), "a-autumn")
    both = UserFactory()
    _enrol(spring, both)  # 3.5 hours
    _enrol(autumn, both)  # 3.5 hours; the same person counts once at the base
    _enrol(spring, credit=False)
    _enrol(autumn, status=Enrolment.Status.WITHDRAWN, credit=False)
    _enrol(_class(alpha, datetime.date(2024, 9, 1), "a-old"))  # last year's class
    _enrol(_class(beta, datetime.date(2025, 5, 1), "b-may"), both)  # 3.5 hours
    paper_a, paper_b = exam(alpha), exam(beta)
    _attempt(paper_a, True, _at(2025, 4))
    _attempt(paper_a, True, _at(2025, 6))
    _attempt(paper_a, False, _at(2025, 7))
    _attempt(paper_a, True, _at(2024, 7))  # last year
    _attempt(paper_b, False, _at(2025, 8))

    prepare(signed_in, kind="training", year="2025")
    job = ReportJob.objects.get()
    assert job.parameters["date_from"] == "2025-01-01" and job.parameters["date_to"] == "2025-12-31"
    assert job.progress_done == job.progress_total == 3
    rows = rows_of(workbook(signed_in, job).worksheets[0])
    assert rows[0] == (
        "Training base",
        "Base code",
        "Province",
        "Classes",
        "Trainees",
        "Hours credited",
        "Final exam attempts",
        "Passes",
        "Pass rate (%)",
    )
    by_code = {row[1]: row for row in rows[1:-1]}
    assert by_code["GD-A"] == ("甲基地", "GD-A", "Guangdong", 2, 2, 7.0, 3, 2, 66.7)
    assert by_code["SH-B"] == ("乙基地", "SH-B", "Shanghai", 1, 1, 3.5, 1, 0, 0.0)
    assert by_code["BJ-C"] == ("丙基地", "BJ-C", "Beijing", 0, 0, 0.0, 0, 0, None)
    assert rows[-1] == ("Total", None, None, 3, 2, 10.5, 4, 2, 50.0)  # "both" counted once

    # A calendar year agrees with the figures the annual evaluation shows.
    for base, row in ((alpha, by_code["GD-A"]), (beta, by_code["SH-B"]), (idle, by_code["BJ-C"])):
        figures = base_year_figures(base_id=base.pk, year=2025)
        assert (figures.classes, figures.trainees, float(figures.hours)) == row[3:6]
        assert (figures.exam_attempts, figures.exam_passes) == row[6:8]


def test_training_report_over_a_period_counts_only_that_period(signed_in):
    base = training_base("GD-A")
    _enrol(_class(base, datetime.date(2025, 3, 31), "march"))
    _enrol(_class(base, datetime.date(2025, 4, 1), "april"))
    _attempt(exam(base), True, timezone.make_aware(datetime.datetime(2025, 3, 31, 23, 30)))
    prepare(signed_in, kind="training", date_from="2025-01-01", date_to="2025-03-31")
    rows = rows_of(workbook(signed_in, ReportJob.objects.get()).worksheets[0])
    assert rows[1][3:8] == (1, 1, 3.5, 1, 1)


# -- progress, second runs, failures -----------------------------------------------------------


def test_progress_is_written_every_chunk_and_reaches_the_total(signed_in, monkeypatch):
    for n in range(5):
        training_base(f"B{n}", slug=f"b{n}")
    monkeypatch.setattr(services, "CHUNK", 2)
    seen = []
    original = services._Progress.write

    def write(self):
        original(self)
        job = ReportJob.objects.get(pk=self.job_id)
        seen.append((job.status, job.progress_done, job.progress_total))

    monkeypatch.setattr(services._Progress, "write", write)
    prepare(signed_in, kind="training", year="2025")
    assert seen == [("running", 0, 5), ("running", 2, 5), ("running", 4, 5), ("running", 5, 5)]
    job = ReportJob.objects.get()
    assert (job.status, job.progress_done, job.progress_total, job.percent) == ("done", 5, 5, 100)


def test_the_task_is_queued_on_commit_and_the_status_endpoint_follows_it(signed_in, chief):
    training_base("GD-A")
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        signed_in.post(URL, {"kind": "training", "year": "2025"})
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED and len(callbacks) == 1
    status_url = reverse("report_status", args=[job.pk])
    waiting = signed_in.get(status_url)
    assert waiting["Cache-Control"] == "no-store"
    assert waiting.json() == {
        "id": job.pk,
        "status": "queued",
        "status_label": "waiting",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
        "error": "",
        "download_url": None,
    }
    page = content(signed_in.get(URL))
    assert f'data-status-url="{status_url}"' in page and "<progress" in page
    assert "fetch(" in page  # the poll is only there while a job is unfinished

    callbacks[0]()
    done = signed_in.get(status_url).json()
    assert done["status"] == "done" and done["finished"] and done["percent"] == 100
    assert done["done"] == done["total"] == 1
    assert done["download_url"] == reverse("report_download", args=[job.pk])
    assert "fetch(" not in content(signed_in.get(URL))


def test_a_broker_out_of_reach_leaves_the_job_waiting_for_the_sweep(signed_in, monkeypatch):
    from portal.reports import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.report_job_build_task, "delay", down)
    response = prepare(signed_in, kind="training", year="2025")
    assert response.status_code == 200
    assert "Your report is being prepared." in content(response)
    assert ReportJob.objects.get().status == ReportJob.Status.QUEUED


def test_building_twice_builds_once_and_a_dead_run_is_taken_over(signed_in, chief):
    training_base("GD-A")
    prepare(signed_in, kind="training", year="2025")
    job = ReportJob.objects.get()
    name = job.file.name
    assert services.report_job_build(job_id=job.pk) == "done"  # a second delivery
    job.refresh_from_db()
    assert job.file.name == name and job.attempts == 1
    assert private_storage().listdir("reports")[1] == [name.split("/")[-1]]

    # A run that is still moving is left alone; one that stopped moving is taken over.
    ReportJob.objects.filter(pk=job.pk).update(status="running", updated_at=timezone.now())
    assert services.report_job_build(job_id=job.pk) == "running"
    stale = timezone.now() - services.STALE_AFTER - datetime.timedelta(minutes=1)
    ReportJob.objects.filter(pk=job.pk).update(status="running", updated_at=stale)
    assert services.report_job_build(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2


def test_a_failing_build_marks_the_job_failed_with_its_error(signed_in, monkeypatch, national):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(builders, "certificates_issued_by_group", broken)
    response = prepare(signed_in, kind="certificates", **YEAR_2025)
    assert response.status_code == 200  # the eager task's error does not break the request
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED and job.finished_at is not None
    assert "the database went away" in job.error and not job.file
    page = content(response)
    assert "Your report could not be prepared" in page and "the database went away" in page
    assert reverse("report_download", args=[job.pk]) not in page
    assert signed_in.get(reverse("report_download", args=[job.pk])).status_code == 404
    status = signed_in.get(reverse("report_status", args=[job.pk])).json()
    assert status["status"] == "failed" and "the database went away" in status["error"]


def test_an_error_halfway_through_the_rows_fails_the_job_and_cleans_up(signed_in, monkeypatch):
    from openpyxl.worksheet import _writer

    def rows_then_trouble(**kwargs):
        yield ["CN-Z-2025-000001"] + [None] * 10
        raise OSError("disk full")

    monkeypatch.setattr(builders, "filing_report_count", lambda **kwargs: 2)
    monkeypatch.setattr(builders, "filing_report_rows", rows_then_trouble)
    temporary = set(_writer.ALL_TEMP_FILES)
    prepare(signed_in, kind="filing", **YEAR_2025)
    job = ReportJob.objects.get()
    assert job.status == "failed" and "disk full" in job.error and not job.file
    assert set(_writer.ALL_TEMP_FILES) == temporary  # the half-written sheet's file is gone
    assert not private_storage().exists("reports") or private_storage().listdir("reports")[1] == []


def test_a_job_deleted_while_building_stops_and_leaves_no_file(chief, monkeypatch):
    training_base("GD-A")
    training_base("SH-B")
    job = ReportJob.objects.create(
        user=chief, kind="training", parameters={"date_from": "2025-01-01", "date_to": "2025-12-31"}
    )
    monkeypatch.setattr(services, "CHUNK", 1)
    original = builders.TrainingDelivered.write

    def write(self, book, tick):
        ReportJob.objects.filter(pk=self.job.pk).delete()
        original(self, book, tick)

    monkeypatch.setattr(builders.TrainingDelivered, "write", write)
    assert services.report_job_build(job_id=job.pk) == "overtaken"
    assert not private_storage().exists("reports") or private_storage().listdir("reports")[1] == []


def test_bad_parameters_kept_on_a_job_fail_it_readably(chief):
    job = ReportJob.objects.create(
        user=chief, kind="training", parameters={"date_from": "x"}, language="en"
    )
    assert services.report_job_build(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "parameters are incomplete or invalid" in job.error


# -- the sweep -------------------------------------------------------------------------------


def test_the_sweep_restarts_stopped_jobs_fails_hopeless_ones_and_deletes_old_reports(chief):
    training_base("GD-A")
    now = timezone.now()
    long_ago = now - services.STALE_AFTER - datetime.timedelta(minutes=5)
    english = {"user": chief, "kind": "training", "parameters": YEAR_2025, "language": "en"}
    stopped = ReportJob.objects.create(**english, status="running", attempts=1)
    hopeless = ReportJob.objects.create(**english, status="running", attempts=3)
    forgotten = ReportJob.objects.create(**english)
    old = ReportJob.objects.create(user=chief, kind="training", parameters=YEAR_2025, status="done")
    old.file.save("old.xlsx", ContentFile(b"x"), save=True)
    recent = ReportJob.objects.create(
        user=chief, kind="training", parameters=YEAR_2025, status="done"
    )
    ReportJob.objects.filter(pk__in=[stopped.pk, hopeless.pk]).update(updated_at=long_ago)
    ReportJob.objects.filter(pk=forgotten.pk).update(created_at=now - datetime.timedelta(days=2))
    ReportJob.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=8))

    counts = services.report_jobs_sweep()
    assert counts == {"queued_again": 1, "failed": 2, "deleted": 1}
    stopped.refresh_from_db()
    hopeless.refresh_from_db()
    forgotten.refresh_from_db()
    assert stopped.status == "done" and stopped.attempts == 2  # built again (eager)
    assert hopeless.status == "failed" and "stopped several times" in hopeless.error
    assert forgotten.status == "failed" and "never started" in forgotten.error
    assert not ReportJob.objects.filter(pk=old.pk).exists()
    assert not private_storage().exists(old.file.name)
    assert ReportJob.objects.filter(pk=recent.pk).exists()


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date_from": "2025-12-31", "date_to": "2025-01-01"}, "The period ends before it starts."),
        ({"date_from": "1983-12-31", "date_to": "1990-01-01"}, "1 January 1984 at the earliest"),
        ({"date_from": "1990-01-01", "date_to": "2010-01-01"}, "at most 20 years"),
        ({"date_from": "2025-13-45", "date_to": "2025-12-31"}, "Enter a valid date."),
        ({"date_from": "2025-01-01"}, "Give the last day of the period, or a year."),
        ({"year": "2025", **YEAR_2025}, "either a whole year or the two dates"),
        ({"year": "1900"}, "Give a year from 1984 to"),
        ({"year": "abc"}, "Enter a whole number."),
        ({"date_from": "2025-01-01", "date_to": "2999-01-01"}, "at the latest"),
        ({"body": "999999", **YEAR_2025}, "Select a valid choice."),
        ({"kind": "salaries", **YEAR_2025}, "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_and_prepares_nothing(signed_in, national, data, message):
    response = prepare(signed_in, **{"kind": "certificates", **data})
    assert response.status_code == 200
    page = content(response)
    assert message in page
    assert "No report was prepared. Correct the marked fields." in page
    assert not ReportJob.objects.exists()


def test_twenty_years_exactly_is_accepted(signed_in):
    prepare(signed_in, kind="training", date_from="2000-01-01", date_to="2019-12-31")
    assert ReportJob.objects.get().status == "done"


def test_bad_input_is_explained_in_chinese_by_default(signed_in):
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = content(prepare(signed_in, kind="salaries", **YEAR_2025))
    assert "选择一个有效的选项" in page
    page = content(
        prepare(signed_in, kind="training", date_from="2025-02-30", date_to="2025-03-01")
    )
    assert "输入一个有效的日期" in page
    assert not ReportJob.objects.exists()


# -- who may do what -------------------------------------------------------------------------


def _job_urls(job):
    return [
        reverse("report_status", args=[job.pk]),
        reverse("report_download", args=[job.pk]),
    ]


@pytest.fixture
def done_job(chief):
    job = ReportJob.objects.create(
        user=chief, kind="training", parameters=YEAR_2025, status="done", progress_total=1
    )
    job.file.save("reports/t.xlsx", ContentFile(b"PK-not-really"), save=True)
    return job


def test_visitors_are_sent_to_sign_in_and_trainees_and_certifiers_are_refused(client, done_job):
    for url in [URL, *_job_urls(done_job)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    trainee, desk = UserFactory(roles=["Trainee"]), certifier(certifying_body("GD", images=False))
    for person in (trainee, desk):
        client.logout()
        sign_in(client, person)
        for url in [URL, *_job_urls(done_job)]:
            assert client.get(url).status_code == 403
        assert client.post(URL, {"kind": "training", "year": "2025"}).status_code == 403
    assert ReportJob.objects.count() == 1


def test_another_administrator_never_sees_someone_elses_job(client, done_job):
    other = with_totp(UserFactory(roles=["Administrator"]))
    sign_in(client, other)
    assert reverse("report_download", args=[done_job.pk]) not in content(client.get(URL))
    for url in _job_urls(done_job):
        assert client.get(url).status_code == 404
    assert client.post(reverse("report_delete", args=[done_job.pk])).status_code == 404
    assert ReportJob.objects.filter(pk=done_job.pk).exists()


def test_a_superuser_may_download_anyones_job(client, done_job):
    boss = with_totp(UserFactory(is_superuser=True))
    sign_in(client, boss)
    response = client.get(reverse("report_download", args=[done_job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-not-really"
    assert (
        'filename="training-delivered-2025-01-01-2025-12-31.xlsx"'
        in (response["Content-Disposition"])
    )


def test_the_owner_deletes_a_job_and_its_file(signed_in, done_job):
    name = done_job.file.name
    assert private_storage().exists(name)
    response = signed_in.post(reverse("report_delete", args=[done_job.pk]), follow=True)
    assert "The report is deleted." in content(response)
    assert not ReportJob.objects.filter(pk=done_job.pk).exists()
    assert not private_storage().exists(name)


def test_reports_need_the_second_factor(client, chief):
    password_only_login(client, chief)  # no two-factor step in this session
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    password_only_login(client, UserFactory(roles=["Administrator"]))  # no authenticator set up
    assert client.get(URL)["Location"] == reverse("mfa_activate_totp")


def test_the_permission_alone_lets_someone_in_with_a_second_factor(client):
    from django.contrib.auth.models import Permission

    analyst = UserFactory()
    analyst.user_permissions.add(Permission.objects.get(codename="prepare_reports"))
    client.force_login(analyst)
    assert client.get(URL)["Location"] == reverse("mfa_activate_totp")
    with_totp(analyst)
    client.force_login(analyst)
    assert client.get(URL)["Location"].startswith(reverse("account_login"))
    sign_in(client, analyst)
    response = client.get(URL)
    assert response.status_code == 200 and "Prepare a report" in content(response)


def test_administrators_hold_the_permission_from_the_migration():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Administrator")
    assert group.permissions.filter(codename="prepare_reports").exists()
    assert UserFactory(roles=["Administrator"]).has_perm("portal.prepare_reports")
    assert not UserFactory(roles=["Certifier"]).has_perm("portal.prepare_reports")


def test_the_list_shows_only_the_persons_own_jobs(signed_in, chief, done_job):
    other = ReportJob.objects.create(
        user=UserFactory(roles=["Administrator"]), kind="filing", parameters=YEAR_2025
    )
    page = content(signed_in.get(URL))
    assert f'data-job="{done_job.pk}"' in page
    assert f'data-job="{other.pk}"' not in page
