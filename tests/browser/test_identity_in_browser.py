"""Real-name identity in a real browser, at 1366 px: a trainee records their ID and confirms
their phone, applies; the certifier sees the document beside the name and the photo, confirms
the identity check and approves; an employer matches the name and the ID number on /verify/."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from certification.models import CertificationLevel
from portal.accounts import sms
from tests import factories
from tests.browser.test_certification_in_browser import sign_in, sign_out
from tests.certification.factories import certifier, certifying_body, qualify

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDE = {"width": 1366, "height": 900}
ID_NUMBER = "11010519491231002X"  # the example of GB 11643-1999 itself
PHONE = "13800138000"


def test_record_id_apply_check_identity_approve_and_match_on_verify(
    live_server, browser, screenshot, tmp_path, settings
):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    # Intermediate and senior levels require the check by default; the junior level, whose
    # requirements a test can meet in a few rows, is made to require it here.
    CertificationLevel.objects.filter(code="junior_broker").update(requires_identity_check=True)
    body = certifying_body("GD")
    reviewer = certifier(body, email="reviewer@example.org", real_name="刘审核")
    trainee = factories.UserFactory(email="holder@example.org", real_name="欧阳明")
    trainee.photo.save(
        "me.png", ContentFile(factories.png_bytes((90, 120), (210, 180, 150))), save=True
    )
    qualify(trainee)
    document = tmp_path / "sfz.png"
    document.write_bytes(factories.png_bytes((640, 400), (40, 110, 190)))

    page = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    page.set_default_timeout(20_000)

    # The trainee records their ID number and a picture of the document.
    sign_in(page, live_server.url, trainee)
    page.goto(live_server.url + "/accounts/identity/")
    page.select_option("select[name=document_kind]", "resident_id")
    page.fill("input[name=number]", ID_NUMBER)
    page.set_input_files("input[name=document_image]", str(document))
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("form.stacked-form button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("1101**********002X").first).to_be_visible()
    assert ID_NUMBER not in page.content()
    screenshot(page, "identity-recorded")

    # ... and confirms their phone with the code the SMS brought.
    page.goto(live_server.url + "/accounts/phone/")
    page.fill("input[name=phone]", PHONE)
    page.locator("form.stacked-form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/accounts/phone/confirm/"))
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)
    page.fill("input[name=code]", code)
    page.locator("form.stacked-form button[type=submit]").first.click()
    page.wait_for_load_state()
    trainee.refresh_from_db()
    assert trainee.phone_is_confirmed
    screenshot(page, "identity-phone-confirmed")

    # The trainee applies.
    page.goto(live_server.url + "/me/applications/new/")
    page.select_option("#id_level", "junior_broker")
    page.wait_for_url(re.compile(r"level=junior_broker"))
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/applications/\d+/$"))
    page.locator(
        "button[name=action][value=submit], form:has(input[name=action][value=submit]) button"
    ).first.click()
    expect(page.locator("[data-status=submitted]").first).to_be_visible()
    sign_out(page)

    # The certifier sees the document beside the name to print and the photo.
    desk = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    desk.set_default_timeout(20_000)
    sign_in(desk, live_server.url, reviewer)
    desk.goto(live_server.url + "/certify/")
    desk.get_by_role("link", name="欧阳明").first.click()
    desk.wait_for_url(re.compile(r"/certify/applications/\d+/$"))
    section = desk.locator("[data-identity-check]")
    expect(section.locator("[data-printed-name]")).to_contain_text("欧阳明")
    expect(section.locator("[data-identity-masked]")).to_have_text("1101**********002X")
    for image in ("[data-identity-document]", "[data-applicant-photo]"):
        expect(section.locator(image)).to_be_visible()
        loaded = section.locator(image).evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, f"{image} did not load"
    assert ID_NUMBER not in desk.content()
    screenshot(desk, "identity-certifier-sees-document")

    # Approving without ticking the check is stopped (the browser asks for the box first).
    approve = desk.locator("form:has(input[value=approve])")
    approve.locator("button").click()
    assert trainee.certificates.count() == 0
    approve.locator("input[name=identity_checked]").check()
    approve.locator("button").click()
    desk.wait_for_load_state()
    if desk.locator("[data-confirm-button]").count():  # issuing asks to confirm first
        desk.locator("[data-confirm-button]").click()
        desk.wait_for_load_state()
    expect(desk.locator("[data-identity-checked]")).to_contain_text("刘审核")
    screenshot(desk, "identity-approved")
    certificate = trainee.certificates.get()
    desk.context.close()

    # An employer types the number on /verify/ and matches the name, then the ID number.
    employer = browser.new_context(viewport=WIDE, locale="zh-CN").new_page()
    employer.set_default_timeout(20_000)
    employer.goto(live_server.url + "/verify/")
    screenshot(employer, "identity-verify-page")
    check = employer.locator("[data-holder-check] form")
    check.locator("input[name=number]").fill(certificate.number)
    check.locator("input[name=name]").fill("欧阳明")
    check.locator("button[type=submit]").click()
    employer.wait_for_load_state()
    expect(employer.locator("[data-answer=match]")).to_be_visible()
    screenshot(employer, "identity-verify-name-matches")

    check = employer.locator("[data-holder-check] form")
    check.locator("input[name=number]").fill(certificate.number)
    check.locator("input[name=name]").fill("")
    check.locator("input[name=id_number]").fill(ID_NUMBER)
    check.locator("button[type=submit]").click()
    employer.wait_for_load_state()
    expect(employer.locator("[data-answer=match]")).to_be_visible()
    assert ID_NUMBER not in employer.content()
    screenshot(employer, "identity-verify-id-matches")

    check = employer.locator("[data-holder-check] form")
    check.locator("input[name=number]").fill(certificate.number)
    check.locator("input[name=name]").fill("欧阳")
    check.locator("button[type=submit]").click()
    employer.wait_for_load_state()
    expect(employer.locator("[data-answer=no_match]")).to_be_visible()
    assert "欧阳明" not in employer.locator("main").inner_text()
    screenshot(employer, "identity-verify-does-not-match")

    # The typed number leads to the certificate's own page, which has the same check.
    lookup = employer.locator("form[method=get][action='/verify/']")
    lookup.locator("input[name=number]").fill(certificate.number)
    lookup.locator("button[type=submit]").click()
    employer.wait_for_url(re.compile(rf"/verify/{re.escape(certificate.number)}/$"))
    expect(employer.locator("[data-holder-check]")).to_be_visible()
    employer.context.close()
