"""The one application form in a real browser (issue 14, item 4): the trainee types every
detail, attaches evidence and presses 提交申请 once; the certifier's review screen shows it
all. A refused file keeps what was typed."""

import re

import pytest
from playwright.sync_api import expect

from certification.applications.models import Application
from tests import factories
from tests.browser.test_certification_in_browser import sign_in, sign_out
from tests.certification.factories import certifier, certifying_body, qualify

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTE = "在华南技术转移中心做了三年技术经纪，促成十二项专利许可。"


def test_type_attach_submit_once_and_the_certifier_sees_it_all(
    live_server, page, browser, screenshot, tmp_path
):
    body = certifying_body("GD")
    reviewer = certifier(body, email="reviewer@example.org", real_name="刘审核")
    trainee = factories.UserFactory(email="applicant@example.org", real_name="欧阳明")
    qualify(trainee)
    evidence = tmp_path / "劳动合同.pdf"
    evidence.write_bytes(PDF)
    disguised = tmp_path / "scan.pdf"
    disguised.write_bytes(b"<html><script>alert(1)</script></html>")

    sign_in(page, live_server.url, trainee)
    page.goto(live_server.url + "/me/applications/new/?level=junior_broker")
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/applications/\d+/$"))
    application_url = page.url

    # First try: everything typed, but the file is a web page dressed as a PDF.
    page.fill("#id_experience_years", "3.5")
    page.fill("#id_experience_note", NOTE)
    page.select_option("#id_kind", "work")
    page.set_input_files("#id_file", str(disguised))
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".form-errors, .field-error")).not_to_have_count(0)
    expect(page.locator("#id_experience_note")).to_have_value(NOTE)
    expect(page.locator("#id_experience_years")).to_have_value("3.5")
    screenshot(page, "apply-refused-file-keeps-typing")
    assert Application.objects.get(applicant=trainee).status == "draft"

    # Second try: the real file; one press of 提交申请 (Submit application) sends it all.
    page.select_option("#id_kind", "work")
    page.set_input_files("#id_file", str(evidence))
    page.locator("button[name=action][value=submit]").click()
    expect(page.locator("[data-status=submitted]")).to_be_visible()
    expect(page.get_by_text("劳动合同.pdf")).to_be_visible()
    screenshot(page, "apply-submitted")
    assert page.url == application_url
    sign_out(page)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, live_server.url, reviewer)
    desk.goto(live_server.url + "/certify/")
    desk.get_by_role("link", name="欧阳明").first.click()
    desk.wait_for_url(re.compile(r"/certify/applications/\d+/$"))
    expect(desk.get_by_text(NOTE)).to_be_visible()
    expect(desk.locator("dd", has_text=re.compile(r"^\s*3\.5\s*$"))).to_have_count(1)
    expect(desk.get_by_role("link", name="劳动合同.pdf")).to_be_visible()
    screenshot(desk, "apply-certifier-sees-it-all")
    desk.context.close()
