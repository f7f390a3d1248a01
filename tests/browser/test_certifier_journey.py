"""The certifier's journey in a real browser (issue 15): check the preview, confirm, issue,
correct a misprinted name, and issue a whole class after seeing who is left out and why;
the class's PDFs come as one ZIP. Screenshots at 1366 and 390 px."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from certification.models import Certificate
from courses.models import Attempt, Enrolment
from portal.accounts.demo import totp_current_code
from tests import factories
from tests.certification.factories import (
    certifier,
    certifying_body,
    qualify,
    submitted_application,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    if "/accounts/2fa/authenticate" in page.url:
        page.fill("#id_code", totp_current_code(user))
        page.locator("main button[type=submit]:not([form])").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def both_widths(page, screenshot, name):
    """A screenshot at 1366 px and one at 390 px, where nothing may overflow sideways."""
    page.set_viewport_size(WIDE)
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert overflow <= 0, f"{name}: {overflow}px of horizontal overflow at 390 px: {wide}"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(WIDE)


def test_preview_confirm_issue_correct_and_issue_a_class(live_server, browser, screenshot):
    base = factories.training_base(code="GZ-A", slug="gz-a", title="广州技术转移培训基地")
    body = certifying_body("GZ", training_base=base)
    reviewer = certifier(body, email="certifier@example.org", real_name="刘审核")
    applicant = factories.UserFactory(email="applicant@example.org", real_name="欧阳明")
    application = submitted_application(applicant, body)
    klass = factories.course(base, slug="class-2026-1")
    members = []
    for name in ("陈一", "陈二", "陈三"):
        person = factories.UserFactory(real_name=name)
        qualify(person)
        Enrolment.objects.create(user=person, course=klass, status=Enrolment.Status.COMPLETED)
        members.append(person)
    Attempt.objects.filter(user=members[2]).update(passed=False)  # 陈三 has no exam pass

    desk = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    desk.set_default_timeout(20_000)
    sign_in(desk, live_server.url, reviewer)

    # The queue, usable on a phone.
    desk.goto(live_server.url + "/certify/")
    both_widths(desk, screenshot, "certifier-queue")

    # Check before signing: the preview of the certificate is in the page.
    desk.goto(live_server.url + f"/certify/applications/{application.pk}/")
    frame = desk.locator("iframe.preview-frame")
    expect(frame).to_be_visible()
    preview = desk.request.get(live_server.url + frame.get_attribute("src"))
    assert preview.ok and preview.body().startswith(b"%PDF")
    assert preview.headers["content-disposition"].startswith("inline")
    both_widths(desk, screenshot, "certifier-review")

    # Approve: a confirmation names the person, the level and the number first.
    desk.locator("form:has(input[value=approve]) button").click()
    confirm = desk.locator("[data-confirm]")
    expect(confirm).to_contain_text("欧阳明")
    expect(confirm).to_contain_text(application.level.name)
    expect(confirm.locator("[data-confirm-facts]")).to_contain_text(
        re.compile(r"GZ-J-\d{4}-000001")
    )
    assert not Certificate.objects.exists()
    both_widths(desk, screenshot, "certifier-confirm-issue")
    desk.locator("[data-confirm-button]").click()
    desk.wait_for_load_state()
    certificate = Certificate.objects.get()
    assert certificate.status == "valid"

    # Correct the printed name without revoking.
    desk.goto(live_server.url + f"/certify/certificates/{certificate.number}/")
    form = desk.locator("[data-correct-form]")
    form.locator("input[name=correct-printed_name]").fill("欧阳铭")
    form.locator("textarea[name=correct-reason]").fill("申请时姓名录入错误")
    form.locator("input[name=correct-confirmed]").check()
    both_widths(desk, screenshot, "certifier-correct")
    form.locator("button:not([formaction])").click()
    desk.wait_for_url(re.compile(re.escape(f"{certificate.number}-V2/")))
    corrected = Certificate.objects.get(corrects=certificate)
    assert corrected.printed_name == "欧阳铭" and corrected.status == "valid"
    certificate.refresh_from_db()
    assert certificate.status == "superseded" and certificate.superseded_by == corrected
    desk.goto(live_server.url + f"/verify/{certificate.number}/")
    expect(desk.locator(".verify-status")).to_contain_text(corrected.number)
    screenshot(desk, "certifier-verify-superseded-1366")

    # Issue the class: before the start, 陈三 is shown left out, with the reason.
    desk.goto(live_server.url + "/certify/bulk/")
    row = desk.locator(f"[data-base-class='{klass.pk}']")
    expect(row).to_contain_text("广州技术转移培训基地")
    row.get_by_role("link").click()
    left_out = desk.locator(f"[data-left-out] [data-candidate='{members[2].pk}']")
    expect(left_out).to_contain_text("陈三")
    expect(desk.locator("[data-issuing] tbody tr")).to_have_count(2)
    both_widths(desk, screenshot, "certifier-bulk-precheck")
    desk.locator("[data-start]").click()
    desk.wait_for_url(re.compile(r"/certify/bulk/\d+/$"))
    expect(desk.locator("[data-issued] tbody tr")).to_have_count(2)
    both_widths(desk, screenshot, "certifier-bulk-done")

    with desk.expect_download() as download:
        desk.locator("[data-download=zip]").click()
    archive = zipfile.ZipFile(download.value.path())
    issued = Certificate.objects.filter(holder__in=members[:2])
    assert sorted(archive.namelist()) == sorted(f"{c.number}.pdf" for c in issued)
    desk.context.close()
