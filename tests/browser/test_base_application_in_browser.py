"""An institution becomes a training base in a real browser: its contact applies with sample
files, an administrator approves it, the invitation e-mail's link takes the new first editor
into the admin at their own base, they send the year's self-assessment with evidence, and
the base's public page states its accreditation. Each page is also looked at 390 px wide
and must not scroll sideways. Screenshots go to test-artifacts/base-application-*.png."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image

from cms.models import TrainingBasePage
from portal.accounts.roles import Role
from portal.oversight.models import BaseApplication, SelfAssessment
from tests import factories
from tests.browser.phone_world import overflow
from tests.browser.test_certification_in_browser import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _look_on_a_phone(page, screenshot, name):
    """The same page 390 px wide: nothing sticks out; then back to the desktop width."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    assert overflow(page) is None, (name, overflow(page))
    screenshot(page, f"base-application-{name}-390")
    page.set_viewport_size(DESKTOP)


def test_an_institution_becomes_a_base_with_its_first_editor(
    live_server, browser, screenshot, tmp_path
):
    factories.base_index()
    applicant = factories.UserFactory(email="contact@hnjz.example.org", real_name="陈申报")
    chief = factories.with_totp(
        factories.UserFactory(roles=[Role.ADMINISTRATOR], email="chief@example.org")
    )
    syllabus = tmp_path / "培训大纲.pdf"
    syllabus.write_bytes(PDF)
    classroom = tmp_path / "classroom.png"
    Image.new("RGB", (400, 300), (40, 120, 90)).save(classroom, "PNG")

    # The institution's contact applies.
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server.url, applicant)
    page.goto(live_server.url + "/base-applications/new/")
    page.fill("#id_institution", "华南技术转移学院")
    page.fill("#id_short_code", "GD-HNJZ")
    page.select_option("#id_province", "44")
    page.fill("#id_city", "广州")
    page.select_option("#id_accreditation", "provincial")
    page.check("input[name=levels][value=junior_broker]")
    page.fill("#id_profile", "学院自2018年起举办技术转移培训，累计培训学员1200人。")
    page.fill("#id_facilities", "多媒体教室4间，线上学习平台1套。")
    page.fill("#id_faculty", "王教授，教授，技术评估\n李老师，高级工程师，知识产权")
    page.fill("#id_contact_phone", "020-12345678")
    page.set_input_files("#id_files", [str(syllabus), str(classroom)])
    screenshot(page, "base-application-form")
    _look_on_a_phone(page, screenshot, "form")
    page.locator("form.application-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/base-applications/\d+/$"))
    assert page.locator("[data-status=submitted]").count() == 1
    application = BaseApplication.objects.get()
    assert application.files.count() == 2
    screenshot(page, "base-application-submitted")
    sign_out(page)

    # An administrator, with a second factor, approves it.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    desk.set_default_timeout(20_000)
    sign_in(desk, live_server.url, chief)
    desk.goto(live_server.url + "/oversight/base-applications/")
    desk.locator(f"[data-application='{application.pk}'] a").click()
    desk.wait_for_url(re.compile(rf"/oversight/base-applications/{application.pk}/$"))
    _look_on_a_phone(desk, screenshot, "review")
    desk.check("input[name=decision][value=approve]")
    desk.fill("#id_comment", "材料齐全，同意认定。")
    screenshot(desk, "base-application-review")
    desk.locator("form.review-form button[type=submit]").click()
    desk.wait_for_load_state()
    assert desk.locator("[data-status=approved]").count() == 1
    base = TrainingBasePage.objects.get(short_code="GD-HNJZ")

    # The invitation, read back: its link leads into the admin at the new base.
    invitation = next(m for m in mail.outbox if m.to == ["contact@hnjz.example.org"])
    links = re.findall(r"https?://\S+", invitation.body)
    admin_link = next(link for link in links if "/admin/pages/" in link)
    assert urlparse(admin_link).path == f"/admin/pages/{base.pk}/"

    # The first editor signs in (with the authenticator they set up) and sees their base.
    factories.with_totp(applicant)
    sign_in(page, live_server.url, applicant)
    page.goto(live_server.url + urlparse(admin_link).path)
    page.wait_for_load_state()
    assert "华南技术转移学院" in page.locator("main, #main, body").first.inner_text()
    assert page.locator("text=教材").count() >= 1  # the base's own sections
    screenshot(page, "base-application-editor-admin")
    page.set_viewport_size(PHONE)
    screenshot(page, "base-application-editor-admin-390")
    page.set_viewport_size(DESKTOP)

    # Their base's evaluation page, and the base's public page with its accreditation.
    page.goto(live_server.url + "/my-base/")
    page.wait_for_url(re.compile(rf"/my-base/{base.pk}/$"))
    assert page.locator("[data-accreditation=in-force]").count() == 1
    screenshot(page, "base-application-my-base")
    _look_on_a_phone(page, screenshot, "my-base")

    # They send this year's self-assessment with a piece of evidence.
    this_year = timezone.localdate().year
    page.locator(f"[data-year='{this_year}'] a.button").click()
    page.wait_for_url(re.compile(rf"/my-base/{base.pk}/{this_year}/self-assessment/$"))
    _look_on_a_phone(page, screenshot, "self-assessment")
    page.fill("#id_summary", "获批后首年开班两期，教学秩序良好。")
    page.fill("#id_results", "首期初级班学员32人，考试通过率81%。")
    page.set_input_files("#id_files", [str(syllabus)])
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/my-base/{base.pk}/$"))
    sent = page.locator(f"[data-year='{this_year}'] [data-self-assessment=sent]")
    assert sent.count() == 1
    assert SelfAssessment.objects.get(base=base, year=this_year).files.count() == 1
    page.goto(live_server.url + base.url)
    assert page.locator("[data-fact=accreditation]").count() == 1
    screenshot(page, "base-application-public")
    _look_on_a_phone(page, screenshot, "public")
