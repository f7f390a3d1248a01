"""A visitor finds a course in the catalogue, signs up from it, confirms the e-mail and is
back at the course, at a desktop's width and at a phone's (issue 14, items 2 and 3)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Browser-journey-2026"


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)], ids=["1366", "390"])
def test_catalogue_filter_course_sign_up_and_back_at_the_course(
    live_server, browser, mailoutbox, screenshot, width, height
):
    today = timezone.localdate()
    guangdong = factories.training_base("GD-J", "44", title="华南技术转移培训基地")
    beijing = factories.training_base("BJ-J", "11", title="北京技术转移培训基地")
    course = factories.course(
        guangdong,
        title="初级技术经纪人培训班（广州）",
        capacity=40,
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=50),
    )
    factories.course(
        beijing,
        title="中级技术经纪人培训班（北京）",
        level="intermediate_broker",
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=50),
    )
    factories.course(
        guangdong,
        title="高级技术经理人面授专题班",
        level="senior_manager",
        lessons=[("practice", "3", "in_person")],
        start_date=today,
        end_date=today + datetime.timedelta(days=10),
    )
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    shot = f"journey-{width}"
    try:
        page.goto(live_server.url + "/")
        toggle = page.locator("[data-menu-toggle]")
        if toggle.count() and toggle.first.is_visible():
            toggle.first.click()
        page.locator(".main-nav").get_by_role("link", name="课程", exact=True).click()
        page.wait_for_url(re.compile(r"/courses/$"))
        expect(page.get_by_role("heading", name="课程目录", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="中级技术经纪人培训班（北京）")).to_be_visible()
        screenshot(page, f"{shot}-1-catalogue")

        # Filter: junior level, Guangdong, enrolment open.
        page.select_option("#f-level", "junior_broker")
        page.select_option("#f-province", "44")
        page.locator("input[name=open]").check()
        page.locator("form.filter-bar button[type=submit]").click()
        page.wait_for_url(re.compile(r"level=junior_broker"))
        expect(page.get_by_role("link", name="中级技术经纪人培训班（北京）")).to_have_count(0)
        card = page.locator(".course-card", has_text="初级技术经纪人培训班（广州）")
        expect(card).to_contain_text("报名中")
        expect(card).to_contain_text("剩余 40 个名额")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        screenshot(page, f"{shot}-2-filtered")
        assert overflow <= 0, f"the catalogue is {overflow}px wider than the screen"

        card.get_by_role("link", name="初级技术经纪人培训班（广州）").click()
        page.wait_for_url(live_server.url + course.url)
        screenshot(page, f"{shot}-3-course")
        page.get_by_role("link", name="注册后报名").click()
        page.wait_for_url(re.compile(r"/accounts/signup/\?next="))

        email = f"journey.{width}@example.org"
        page.fill("#id_email", email)
        page.fill("#id_real_name", "陈静")
        page.select_option("#id_province", "44")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.locator("#id_privacy_consent").check()
        screenshot(page, f"{shot}-4-signup")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

        assert len(mailoutbox) == 1
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[0].body).group(0)
        assert "next=" in link
        page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
        screenshot(page, f"{shot}-5-confirm")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(live_server.url + course.url)
        expect(page.get_by_role("heading", name=course.title, level=1)).to_be_visible()
        screenshot(page, f"{shot}-6-back-at-the-course")

        # Signed in from the course, the trainee is at the course again and enrols.
        page.get_by_role("link", name="登录后报名").click()
        page.fill("#id_login", email)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(live_server.url + course.url)
        page.get_by_role("button", name="报名", exact=True).click()
        page.wait_for_url(live_server.url + course.url)
        expect(page.locator("body")).to_contain_text("已完成 0.0 / 3.5 学时")
        screenshot(page, f"{shot}-7-enrolled")

        page.goto(live_server.url + "/me/")
        expect(page.get_by_role("heading", name="继续学习")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile(r"开始：第1课"))).to_be_visible()
        screenshot(page, f"{shot}-8-my-learning")

        # The class calendar shows this month's in-person session and fits the screen.
        page.goto(live_server.url + "/courses/calendar/")
        expect(page.get_by_role("heading", name="开班日历", level=1)).to_be_visible()
        expect(page.locator("main")).to_contain_text("高级技术经理人面授专题班")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        screenshot(page, f"{shot}-9-calendar")
        assert overflow <= 0, f"the calendar is {overflow}px wider than the screen"
    finally:
        context.close()
