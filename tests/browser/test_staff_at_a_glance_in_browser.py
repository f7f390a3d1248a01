"""Staff at home in their pages (issue 15): faculty see the answers waiting in the menu and grade
three of them by keyboard alone; the administrator sees each goal's count against its target
on a progress bar. Desktop (1366 px) and phone (390 px), screenshots in test-artifacts/."""

import pytest
from django.test import TestCase

from cms.services import training_base_faculty_add
from courses.services import attempt_start, attempt_submit, enrolment_create
from tests import factories
from tests.browser.test_certification_in_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _hand_in(exam, name):
    trainee = factories.UserFactory(roles=["Trainee"], real_name=name)
    enrolment_create(user=trainee, course=exam.course)
    attempt = attempt_start(user=trainee, exam=exam)
    answers = {q.position: f"{name}的作答" for q in attempt.questions.filter(type="short")}
    with TestCase.captureOnCommitCallbacks(execute=True):
        attempt_submit(attempt=attempt, answers=answers)
    return attempt


def test_faculty_see_the_count_and_grade_three_answers_by_keyboard(
    live_server, page, screenshot, no_entry_rules
):
    base = factories.training_base("GD-A", "44")
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(
        base, course, blueprint=[{"type": "short", "category": "practice", "count": 2}]
    )
    teacher = factories.with_totp(
        factories.UserFactory(roles=["Faculty"], email="teacher@example.org")
    )
    training_base_faculty_add(base=base, user=teacher)
    first, second = _hand_in(exam, "张三"), _hand_in(exam, "李四")

    page.set_default_timeout(60_000)  # a machine busy with other suites answers slowly
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, teacher)
    # Faculty land on their queue; the menu counts the four answers waiting.
    assert "/learn/grading/" in page.url
    link = page.locator("[data-grading-link]")
    assert link.locator("[data-answers-waiting]").inner_text() == "4"
    assert "4 份书面作答等待评分" in page.locator("[data-queue-summary]").inner_text()
    assert _fits(page)
    screenshot(page, "grading-queue-desktop")

    page.locator("[data-queue-summary] a").click()
    page.wait_for_load_state()
    # The score field of the first answer has the focus, and says what it is for.
    focused = page.evaluate("document.activeElement.id")
    label = page.locator(f"label[for={focused}]").inner_text()
    assert label == "第 1 题的得分（0 至 5 分）"
    # J goes to the next answer, K back, from the score field itself.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") != focused
    assert page.evaluate("document.activeElement.matches('[data-score]')")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == focused
    screenshot(page, "grading-attempt-desktop")

    # Three answers graded with the keyboard alone: type, Enter, and the next one is ready.
    for score in ("4", "3", "5"):
        page.keyboard.type(score)
        where = page.evaluate("[location.href, document.activeElement.id]")
        try:
            with page.expect_response(lambda r: r.request.method == "POST", timeout=60_000):
                page.keyboard.press("Enter")
        except Exception:
            screenshot(page, "grading-enter-failed")
            raise AssertionError(f"Enter sent nothing from {where}, score {score}") from None
        page.wait_for_load_state()
        page.wait_for_selector("[data-score][autofocus]", timeout=60_000)
    first.refresh_from_db()
    assert first.status == "final" and first.score == 7
    graded = second.questions.filter(score__isnull=False)
    assert [q.score for q in graded] == [5]
    # On the second trainee's paper now, its remaining answer focused; the menu says one left.
    assert "李四" in page.locator("h1").inner_text()
    assert page.evaluate("document.activeElement.matches('[data-score]')")
    assert page.locator("[data-answers-waiting]").inner_text() == "1"

    page.set_viewport_size(PHONE)
    page.reload()
    assert _fits(page)
    screenshot(page, "grading-attempt-phone")
    page.goto(live_server.url + "/learn/grading/")
    assert _fits(page)
    screenshot(page, "grading-queue-phone")


def test_administrator_sees_each_goal_against_its_target(live_server, page, screenshot):
    chief = factories.with_totp(
        factories.UserFactory(roles=["Administrator"], email="chief@example.org")
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, chief)
    page.goto(live_server.url + "/oversight/dashboard/")
    cards = page.locator("[data-goal]")
    assert cards.count() == 2  # the two seeded goals
    card = cards.first
    assert "现有" in card.locator("[data-goal-now]").inner_text()
    bar = card.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuemin") == "0"
    assert bar.get_attribute("aria-valuenow") == "0"
    assert bar.get_attribute("aria-valuemax") in ("10000", "30000")
    assert bar.get_attribute("aria-labelledby")
    assert card.locator("[data-goal-verdict]").inner_text()
    # How the projected date is worked out is said on the page.
    assert "预测方法" in card.locator(".goal-method").inner_text()
    assert _fits(page)
    screenshot(page, "dashboard-goals-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    assert _fits(page)
    box = page.locator("[data-goal]").first.bounding_box()
    assert box["width"] <= PHONE["width"]
    screenshot(page, "dashboard-goals-phone")

    # The administrator's other desks fit a phone too: no sideways scrolling.
    factories.training_base("GD-A", "44", title="广东甲基地", slug="gd-a")
    for path, name in (
        ("/oversight/evaluations/", "evaluations-phone"),
        ("/oversight/reports/", "reports-phone"),
    ):
        page.goto(live_server.url + path)
        assert _fits(page), path
        screenshot(page, name)
