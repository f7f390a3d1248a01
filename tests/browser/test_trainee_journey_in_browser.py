"""The whole trainee journey in one go, at a desktop's width and at a phone's (issue 14): search
for "初级" from the home page, reach the course, sign up from it and come back, enrol, study every
lesson, sit and pass the exam, apply from the result page with everything typed kept, hear that
the certificate was issued (on the site and by e-mail), download it, and verify it by its typed
number and by uploading the downloaded file. Only the certifier's decision is taken through the
service: their own journey is tested on its own."""

import datetime
import re

import pytest
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import expect

from certification.applications.models import Application
from certification.issuing.models import Certificate
from certification.issuing.services import application_approve
from courses.models import Attempt, LessonPage
from tests import factories
from tests.certification.factories import certifier, certifying_body, level

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Trainee-journey-2026"
NOTE = "在高校技术转移中心协助完成三项专利许可谈判。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COURSE_TITLE = "初级技术经纪人培训班（广州）"


def _fits(page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"


def _world():
    body = certifying_body("GD")
    reviewer = certifier(body, email="reviewer@example.org", real_name="刘审核")
    rules = level("junior_broker")
    base = factories.training_base("GD-T", "44", title="华南技术转移培训基地")
    today = timezone.localdate()
    lessons = [
        (category, str(max(hours, 1)), "online")
        for category, hours in rules.hours_required().items()
    ]
    course = factories.course(
        base,
        title=COURSE_TITLE,
        lessons=lessons,
        capacity=40,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=40),
    )
    factories.questions(base, per_kind=5)
    exam = factories.exam(
        base,
        course,
        blueprint=[
            {"type": "single", "category": category, "count": 5}
            for category in ("general", "policy", "practice", "enhancement")
        ],
    )
    return body, reviewer, course, exam


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)], ids=["1366", "390"])
def test_from_search_to_a_verified_certificate(
    live_server, browser, mailoutbox, screenshot, tmp_path, width, height
):
    body, reviewer, course, exam = _world()
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    shot = f"trainee-journey-{width}"
    step = iter(range(1, 100))

    def snap(name):
        screenshot(page, f"{shot}-{next(step):02d}-{name}")
        _fits(page, name)

    try:
        # Search from the home page for a two-character word.
        page.goto(live_server.url + "/")
        toggle = page.locator("[data-menu-toggle]")
        if toggle.count() and toggle.first.is_visible():
            toggle.first.click()
        page.locator(".main-nav").get_by_role("link", name="搜索", exact=True).click()
        page.locator("form.search-form input[name=q]").fill("初级")
        page.locator("form.search-form input[name=q]").press("Enter")
        page.wait_for_url(re.compile(r"/search/\?"))
        snap("search")
        page.get_by_role("link", name=COURSE_TITLE).first.click()
        page.wait_for_url(live_server.url + course.url)
        snap("course")

        # Sign up from the course, confirm the address, and be back at the course.
        page.get_by_role("link", name="注册后报名").click()
        email = f"trainee.{width}@example.org"
        page.fill("#id_email", email)
        page.fill("#id_real_name", "陈静")
        page.select_option("#id_province", "44")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.locator("#id_privacy_consent").check()
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[-1].body)[0]
        page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(live_server.url + course.url)
        page.get_by_role("link", name="登录后报名").click()
        page.fill("#id_login", email)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(live_server.url + course.url)
        page.get_by_role("button", name="报名", exact=True).click()
        page.wait_for_url(live_server.url + course.url)
        snap("enrolled")
        assert any("报名" in message.subject for message in mailoutbox), "no enrolment e-mail"

        # Study every lesson: the time on each was spent earlier today (its heartbeats).
        trainee = factories.UserFactory._meta.model.objects.get(email=email)
        for lesson in LessonPage.objects.descendant_of(course).order_by("path"):
            factories.study(trainee, lesson, at=timezone.now() - datetime.timedelta(hours=2))
            page.goto(live_server.url + lesson.url)
            page.get_by_role("button", name="标记本课时已完成").click()
            expect(page.get_by_text(re.compile(r"已认定 [\d.]+ 学时")).first).to_be_visible()
        snap("lessons-done")

        # Sit the exam and answer every question right.
        page.goto(live_server.url + f"/learn/exams/{exam.pk}/")
        page.get_by_role("button", name="开始考试").click()
        page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))
        attempt = Attempt.objects.get(user=trainee, exam=exam)
        for question in attempt.questions.order_by("position"):
            page.locator(f"input[type=radio][value='{question.correct[0]}']").check()
        snap("exam")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="交卷").click()
        page.wait_for_url(re.compile(r"/result/$"))
        expect(page.locator("body")).to_contain_text("通过")
        snap("exam-passed")

        # Apply from the result page; everything typed arrives in one press.
        page.get_by_role("link", name="申请认证").click()
        page.wait_for_url(re.compile(r"/me/applications/new/"))
        page.locator("form.stacked-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/me/applications/\d+/$"))
        page.fill("#id_experience_years", "2")
        page.fill("#id_experience_note", NOTE)
        evidence = tmp_path / "培训结业证明.pdf"
        evidence.write_bytes(PDF)
        page.select_option("#id_kind", index=1)
        page.set_input_files("#id_file", str(evidence))
        page.locator("button[name=action][value=submit]").click()
        expect(page.locator("[data-status=submitted]")).to_be_visible()
        snap("applied")
        application = Application.objects.get(applicant=trainee)
        assert application.experience_note == NOTE
        assert application.evidence.count() == 1

        # The certifying body decides (their own journey is tested elsewhere).
        with TestCase.captureOnCommitCallbacks(execute=True):
            application_approve(application_id=application.pk, actor=reviewer)
        certificate = Certificate.objects.get(holder=trainee)
        assert certificate.status == Certificate.Status.VALID

        # Told on the site and by e-mail, with the verification link on a line of its own.
        page.goto(live_server.url + "/me/")
        badge = page.locator("[data-unread-count]")
        if badge.count():
            expect(badge.first).not_to_have_text("0")
        page.goto(live_server.url + "/me/notifications/")
        expect(page.locator("main")).to_contain_text(certificate.level_name)
        snap("notified")
        issued = [m for m in mailoutbox if certificate.number in m.body]
        assert issued, "no certificate e-mail"
        assert any(
            line.strip().endswith(f"/verify/{certificate.number}/")
            for line in issued[-1].body.splitlines()
        )

        # Download the certificate.
        page.goto(live_server.url + "/me/certificates/")
        snap("my-certificates")
        with page.expect_download() as download:
            page.get_by_role("link", name="下载PDF").first.click()
        saved = tmp_path / "certificate.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF-")
        page.context.clear_cookies()

        # Anyone verifies it: by the typed number, then by uploading the file.
        page.goto(live_server.url + "/verify/")
        page.locator("form[action$='/verify/'] input[name=number]").fill(certificate.number)
        page.locator("form[action$='/verify/'] button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/verify/{certificate.number}/$"))
        expect(page.locator("[data-status=valid]")).to_be_visible()
        snap("verified-by-number")
        page.goto(live_server.url + "/verify/file/")
        page.set_input_files("input[type=file][name=file]", str(saved))
        page.locator("form[action$='/verify/file/'] button[type=submit]").click()
        expect(page.locator("[data-outcome=found][data-status=valid]")).to_be_visible()
        expect(page.locator("main")).to_contain_text(certificate.number)
        snap("verified-by-file")
    finally:
        context.close()
