"""Course feedback on a 390 px phone, in Chinese: a trainee who finished finds 评价课程 on "my
learning", rates the course and its two teachers, and the base's editor sees the anonymous
results. Screenshots in test-artifacts/feedback-*.png."""

import pytest
from playwright.sync_api import expect

from cms.services import training_base_editor_add
from courses.models import Enrolment
from courses.services_feedback import course_feedback_submit
from portal.accounts.demo import totp_current_code
from tests import factories
from tests.browser.phone_world import PHONE, overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main button[type=submit]").first.click()
    if "/accounts/2fa/authenticate" in page.url:
        page.fill("#id_code", totp_current_code(user))
        page.locator("main button[type=submit]:not([form])").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_a_trainee_rates_on_a_phone_and_the_base_sees_only_figures(
    live_server, browser, screenshot
):
    base = factories.training_base("GD-B", "44", title="华南技术转移人才培训基地（很长的名称）")
    course = factories.course(base, title="初级技术经纪人培训班（2026年春季，已结课）")
    teachers = [
        factories.faculty_member(base, name="欧阳长名字老师"),
        factories.faculty_member(base, name="林老师"),
    ]
    course.faculty.set(teachers)
    course.save()
    trainee = factories.UserFactory(roles=["Trainee"], real_name="张三丰")
    others = [factories.UserFactory(real_name=f"同学{n}") for n in range(4)]
    for person in (trainee, *others):
        Enrolment.objects.create(user=person, course=course, status=Enrolment.Status.COMPLETED)
    for person in others:
        course_feedback_submit(
            user=person,
            course=course,
            ratings={"content": 4, "organisation": 4, "usefulness": 4},
            teacher_ratings={
                t.pk: {"clarity": 4, "expertise": 4, "responsiveness": 4} for t in teachers
            },
        )
    editor = factories.with_totp(factories.UserFactory(roles=["Base editor"]))
    training_base_editor_add(base=base, user=editor)

    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    too_wide = {}
    _sign_in(page, live_server.url, trainee)
    page.goto(live_server.url + "/me/")
    page.get_by_role("link", name="评价课程").click()
    expect(page.get_by_role("heading", name="评价课程")).to_be_visible()
    if found := overflow(page):
        too_wide["form"] = found
    screenshot(page, "feedback-form-phone")
    for name in ("course-content", "course-organisation", "course-usefulness"):
        page.locator(f'input[name="{name}"][value="5"]').check()
    for teacher in teachers:
        for scale in ("clarity", "expertise", "responsiveness"):
            page.locator(f'input[name="teacher-{teacher.pk}-{scale}"][value="5"]').check()
    page.fill("#comment", "案例很实用。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("您对课程的评价已匿名记录")).to_be_visible()
    expect(page.get_by_text("您已评价本课程，谢谢。")).to_be_visible()
    context.close()

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, live_server.url, editor)
    page.goto(live_server.url + f"/learn/courses/{course.pk}/feedback/results/")
    expect(page.get_by_text("5 份评价").first).to_be_visible()
    expect(page.get_by_text("案例很实用。")).to_be_visible()
    content = page.content()
    assert "张三丰" not in content and trainee.email not in content
    if found := overflow(page):
        too_wide["results"] = found
    screenshot(page, "feedback-results-phone")
    context.close()
    assert not too_wide, too_wide
