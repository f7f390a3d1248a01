"""A trainee's time on an online lesson is counted from the open page's heartbeats."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import LessonActivity, LessonCredit, LessonPage
from courses.services import enrolment_create
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    # Each role lands on its own page after signing in (a trainee on /me/, faculty on the
    # grading queue): wait until the sign-in pages are left behind.
    page.wait_for_url(re.compile(r"^(?!.*/accounts/).*$"))


def test_the_open_lesson_page_beats_and_shows_progress(live_server, page, settings, screenshot):
    settings.PORTAL_LESSON_HEARTBEAT_SECONDS = 1  # a beat a second instead of every 30 s
    today = timezone.localdate()
    base = factories.training_base("GD-L", "44")
    course = factories.course(
        base,
        lessons=[("general", "1", "online")],
        start_date=today - datetime.timedelta(days=2),
        end_date=today + datetime.timedelta(days=30),
    )
    lesson = LessonPage.objects.descendant_of(course).get()
    lesson.min_active_share = Decimal("0.05")  # 3 of the lesson's 60 minutes
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    trainee = factories.UserFactory(email="reader@example.org", real_name="周同学")
    enrolment_create(user=trainee, course=course)
    # Earlier today: 2.5 minutes on the page; half a minute to go.
    factories.study(trainee, lesson, seconds=150, at=timezone.now() - datetime.timedelta(hours=1))

    sign_in(page, live_server.url, trainee.email)
    with page.expect_response(lambda r: "/beat/" in r.url) as first:
        page.goto(live_server.url + lesson.url)
    assert first.value.ok
    box = page.locator("[data-lesson-progress]")
    expect(box.locator("[data-progress-text]")).to_contain_text("2")
    expect(box.locator("[data-progress-text]")).to_contain_text("3")
    assert int(box.locator("[data-progress-bar]").get_attribute("value")) < 100
    done = page.locator("[data-done]")
    expect(done).to_be_disabled()

    # The page keeps beating while it is open and in front; the server counts the seconds.
    expect(box.locator("[data-progress-text]")).to_contain_text(
        re.compile(r"3\D+3"), timeout=60_000
    )
    expect(done).to_be_enabled()
    activity = LessonActivity.objects.get(user=trainee, lesson=lesson)
    assert activity.active_seconds >= 180
    assert activity.last_beat_at > timezone.now() - datetime.timedelta(seconds=10)
    expect(box.locator("[data-progress-bar]")).to_have_attribute("value", "100")
    screenshot(page, "lesson-progress")

    done.click()
    expect(page.locator(".lesson-status")).to_contain_text("1.0")
    credit = LessonCredit.objects.get(enrolment__user=trainee, lesson=lesson)
    assert credit.method == "online" and credit.active_seconds >= 180
