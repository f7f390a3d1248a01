"""Practice, filing and evaluation in a real browser (issue 17, items 3-4): an intermediate
holder records a project, the counterpart's contact confirms it through the e-mailed link, the
holder submits their filing, a national officer takes it for review, files it and runs the
yearly evaluation, and both see the grade. Screenshots at 1366 and 390 px."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import (
    Certificate,
    ContinuingEducation,
    PracticeRecord,
    TalentEvaluation,
    TalentFiling,
)
from portal.accounts.demo import totp_current_code
from portal.accounts.models import OutgoingMail
from tests import factories
from tests.certification.factories import certifier, certifying_body
from tests.certification.records import certificate_record, record_body

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
    assert overflow <= 0, f"{name}: {overflow}px of horizontal overflow at 390 px"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(WIDE)


def test_an_intermediate_holder_is_filed_and_evaluated(live_server, browser, screenshot):
    year = timezone.localdate().year - 1
    holder = factories.UserFactory(
        email="holder@example.org", real_name="陈中级", organisation="华南技术转移中心"
    )
    certificate = certificate_record(
        holder,
        "intermediate_broker",
        issued_on=datetime.date(year - 1, 6, 1),
        filing_status=Certificate.Filing.PENDING,
    )
    ContinuingEducation.objects.create(
        holder=holder,
        body=record_body(),
        title="技术合同登记实务研修",
        provider="省技术市场协会",
        completed_on=datetime.date(year, 5, 1),
        hours=Decimal("20"),
        status=ContinuingEducation.Status.APPROVED,
    )
    officer = certifier(
        certifying_body("CN", kind="national", images=False, key=False),
        email="officer@example.org",
        real_name="国家备案员",
    )

    # The holder records a project; the contact at the counterpart is e-mailed a link.
    me = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    me.set_default_timeout(20_000)
    sign_in(me, live_server.url, holder)
    me.goto(live_server.url + "/me/practice/")
    me.fill("#id_title", "高校新材料专利许可")
    me.select_option("#id_kind", "transaction")
    me.fill("#id_role", "技术经纪人")
    me.fill("#id_counterparties", "华南大学；广州某材料公司")
    me.fill("#id_contract_number", f"{year}440100001234")
    me.fill("#id_amount", "350000")
    me.fill("#id_started_on", f"{year}-03-01")
    me.fill("#id_ended_on", f"{year}-10-01")
    me.fill("#id_outcome", "签订专利实施许可合同并完成登记")
    me.fill("#id_contact_name", "王经理")
    me.fill("#id_contact_organisation", "广州某材料公司")
    me.fill("#id_contact_email", "wang@example.com")
    me.locator("main form.stacked-form button[type=submit]").click()
    expect(me.locator("[data-status=pending]")).to_be_visible()
    both_widths(me, screenshot, "practice-records")

    # The contact opens the link, signed in as nobody, and confirms.
    mail = OutgoingMail.objects.get(to="wang@example.com")
    link = re.search(r"https?://\S+/practice/confirm/\S+/", mail.body_text).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    contact = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    contact.goto(live_server.url + path)
    expect(contact.locator("main")).to_contain_text("高校新材料专利许可")
    expect(contact.locator("main")).to_contain_text("350,000.00")
    both_widths(contact, screenshot, "practice-confirm")
    contact.locator("button[value=confirm]").click()
    expect(contact.locator("[data-done=confirmed]")).to_be_visible()
    # The holder's own session cannot use the link.
    me.goto(live_server.url + path)
    expect(me.locator("[data-refusal]")).to_be_visible()
    assert PracticeRecord.objects.get().status == PracticeRecord.Status.CONFIRMED

    # The holder submits their filing.
    me.goto(live_server.url + "/me/filing/")
    me.fill("#id_statement", "近两年促成高校专利许可项目，已由合作方确认。")
    me.locator("main form.stacked-form button[type=submit]").click()
    expect(me.locator("[data-filing-status=submitted]")).to_be_visible()

    # A national officer takes it for review, files it, and evaluates the year.
    desk = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    desk.set_default_timeout(20_000)
    sign_in(desk, live_server.url, officer)
    desk.goto(live_server.url + "/certify/filing/talent/")
    row = desk.locator("tr[data-filing]")
    expect(row).to_contain_text("陈中级")
    expect(row.locator("[data-confirmed-projects='1']")).to_be_visible()
    row.locator("button[value=start]").click()
    desk.locator("tr[data-filing] input[name=reference]").fill("国科备〔2026〕17号")
    both_widths(desk, screenshot, "talent-filing-review")
    desk.locator("tr[data-filing] form:has(input[value=file]) button").click()
    expect(desk.locator(".message-success")).to_be_visible()
    filing = TalentFiling.objects.get()
    assert filing.status == TalentFiling.Status.FILED
    certificate.refresh_from_db()
    assert certificate.filing_status == Certificate.Filing.FILED

    desk.fill("#id_year", str(year))
    desk.locator("button[value=evaluate]").click()
    graded = desk.locator(f"tr[data-evaluation='{year}']")
    expect(graded).to_contain_text("陈中级")
    # 1 project: 15 · ¥350,000: 15 · 20 h: 20 · certificate in force: 10 → 60 → pass (合格)
    expect(graded).to_contain_text("60.0")
    expect(graded.locator("[data-grade=pass]")).to_be_visible()
    desk.locator("[data-rule] summary").click()
    both_widths(desk, screenshot, "talent-evaluation")
    assert TalentEvaluation.objects.get().grade == "pass"

    # The holder sees the same grade, with the rule it follows.
    me.goto(live_server.url + "/me/filing/")
    expect(me.locator("[data-filing-status=filed]")).to_be_visible()
    expect(me.locator(f"tr[data-evaluation='{year}'] [data-grade=pass]")).to_be_visible()
    expect(me.locator("[data-rule]")).to_be_visible()
    both_widths(me, screenshot, "my-filing")
