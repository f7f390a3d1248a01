"""A trainee takes a course and an exam in a real browser; a teacher grades the written answer."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cms.services import training_base_faculty_add
from courses.models import LessonPage
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The trainee sits the exam after one lesson: no certification level's hours rule applies.
    pytest.mark.usefixtures("no_entry_rules"),
]

PASSWORD = factories.PASSWORD


def sign_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    if "/accounts/2fa/authenticate" in page.url:  # staff sign in with their second factor
        from portal.accounts.demo import totp_current_code
        from portal.accounts.models import User

        page.fill("#id_code", totp_current_code(User.objects.get(email=email)))
        page.locator("main button[type=submit]:not([form])").click()
    # Each role lands on its own page after signing in (a trainee on /me/, faculty on the
    # grading queue): wait until the sign-in pages are left behind.
    page.wait_for_url(re.compile(r"^(?!.*/accounts/).*$"))


def test_trainee_studies_sits_the_exam_and_a_teacher_grades_it(live_server, page, screenshot):
    base = factories.training_base("GD-E", "44")
    today = timezone.localdate()
    course = factories.course(
        base,
        lessons=[("general", "1.5", "online")],
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=30),
    )
    factories.questions(base)
    exam = factories.exam(
        base,
        course,
        blueprint=[
            {"type": "single", "category": "general", "count": 2},
            {"type": "short", "category": "practice", "count": 1},
        ],
        allow_review=True,
    )
    trainee = factories.UserFactory(email="learner@example.org", real_name="陈同学")
    teacher = factories.with_totp(
        factories.UserFactory(email="teacher@example.org", real_name="林老师", roles=["Faculty"])
    )
    training_base_faculty_add(base=base, user=teacher)

    sign_in(page, live_server.url, trainee.email)
    page.goto(live_server.url + course.url)
    page.get_by_role("button", name="报名").click()
    expect(page.get_by_text("报名成功")).to_be_visible()
    # Earlier today the trainee spent the lesson's time on it (tracked by its heartbeats).
    lesson = LessonPage.objects.descendant_of(course).get()
    factories.study(trainee, lesson, at=timezone.now() - datetime.timedelta(hours=1))
    page.get_by_role("link", name="第1课").click()
    page.get_by_role("button", name="标记本课时已完成").click()
    expect(page.get_by_text("已认定 1.5 学时").first).to_be_visible()

    page.goto(live_server.url + f"/learn/exams/{exam.pk}/")
    page.get_by_role("button", name="开始考试").click()
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))
    # The options' values are this attempt's opaque tokens, not the bank's keys.
    radios = page.locator("input[type=radio]")
    values = {radios.nth(i).get_attribute("value") for i in range(radios.count())}
    assert len(values) == radios.count() and not values & {"A", "B", "C", "D", "T", "F"}
    first = page.locator("fieldset.question").nth(0)
    first.locator("input[type=radio]").nth(1).check()
    written = "先核实权属，再评估价值。"

    def saves_the_written_answer(response) -> bool:
        body = response.request.post_data_buffer or b""
        return "/save/" in response.url and written.encode() in body

    # Wait for the autosave that carries the written answer: on a slow machine the radio's
    # own save (400 ms after the click) can land first and already say "saved".
    with page.expect_response(saves_the_written_answer, timeout=15_000) as saved:
        page.locator("textarea").fill(written)
    assert saved.value.ok
    # A locator assertion, not wait_for_function: the site's Content-Security-Policy forbids
    # the eval that a JavaScript predicate string needs.
    expect(page.locator("#save-status")).to_contain_text("已保存", timeout=10_000)
    screenshot(page, "exam-in-progress")

    page.reload()  # a reload mid-exam loses nothing
    assert page.locator("fieldset.question").nth(0).locator("input[type=radio]").nth(1).is_checked()
    assert page.locator("textarea").input_value() == written

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(r"/result/$"))
    expect(page.get_by_text("主观题正在由教师阅卷")).to_be_visible()
    screenshot(page, "exam-awaiting-grading")

    page.context.clear_cookies()
    sign_in(page, live_server.url, teacher.email)
    page.goto(live_server.url + "/learn/grading/")
    page.get_by_role("link", name="评分").click()
    page.get_by_label("得分").fill("4")
    page.get_by_label("评语").fill("要点清楚。")
    page.get_by_role("button", name="保存评分").click()
    expect(page.get_by_text("评分已保存")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server.url, trainee.email)
    page.get_by_role("link", name=exam.title).click()
    expect(page.locator(".result")).to_be_visible()
    expect(page.get_by_text("要点清楚。")).to_be_visible()
    screenshot(page, "exam-result")
