"""The certification journey in a real browser: apply, approve with two-factor sign-in,
download, verify in public, revoke, see it revoked."""

import re

import pytest
from playwright.sync_api import expect

from portal.accounts.demo import totp_current_code
from tests import factories
from tests.certification.factories import certifier, certifying_body, qualify

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    if "/accounts/2fa/authenticate" in page.url:
        page.fill("#id_code", totp_current_code(user))
        page.locator("main button[type=submit]:not([form])").click()
    page.wait_for_load_state()


def sign_out(page):
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def test_apply_approve_download_verify_and_revoke(live_server, page, browser, screenshot, tmp_path):
    body = certifying_body("GD")
    reviewer = certifier(body, email="reviewer@example.org", real_name="刘审核")
    trainee = factories.UserFactory(email="holder@example.org", real_name="欧阳明")
    qualify(trainee)

    # The trainee applies and sees every requirement met.
    sign_in(page, live_server.url, trainee)
    page.goto(live_server.url + "/me/applications/new/")
    page.select_option("#id_level", "junior_broker")
    page.wait_for_url(re.compile(r"level=junior_broker"))
    assert page.locator(".checklist .check-missing").count() == 0
    assert page.locator(".checklist .check-met").count() >= 4
    page.locator("form.stacked-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/applications/\d+/$"))
    screenshot(page, "certification-application")
    page.locator("button[name=action][value=submit]").click()  # the one application form
    expect(page.locator("[data-status=submitted]")).to_be_visible()
    sign_out(page)

    # The certifier signs in with a two-factor code, in a browser of their own, and approves.
    # (A code is accepted once, so the certifier stays signed in for the revocation later.)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, live_server.url, reviewer)
    desk.goto(live_server.url + "/certify/")
    desk.get_by_role("link", name="欧阳明").first.click()
    desk.wait_for_url(re.compile(r"/certify/applications/\d+/$"))
    desk.locator("form:has(input[value=approve]) button").click()
    desk.locator("[data-confirm-button]").click()  # the confirmation names person and number
    desk.wait_for_load_state()
    screenshot(desk, "certification-approved")
    certificate = trainee.certificates.get()
    assert certificate.status == "valid"

    # The holder downloads the stored PDF, byte for byte.
    sign_in(page, live_server.url, trainee)
    page.goto(live_server.url + "/me/certificates/")
    screenshot(page, "certification-my-certificates")
    with page.expect_download() as download_info:
        page.locator(f"a[href$='/{certificate.number}/certificate.pdf']").click()
    saved = tmp_path / "certificate.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == certificate.pdf.read()
    share = page.locator(".share input").input_value()
    sign_out(page)
    assert share.endswith(f"/verify/{certificate.number}/")

    # Anyone following the share link (what the QR code encodes) sees it valid.
    page.goto(share.replace("http://127.0.0.1:8000", live_server.url))
    expect(page.locator(".verify-status[data-status=valid]")).to_be_visible()
    expect(page.get_by_text("欧*明")).to_be_visible()
    screenshot(page, "certification-verify-valid")

    # The certifier revokes it; the public page says so at once.
    desk.goto(live_server.url + f"/certify/certificates/{certificate.number}/")
    revoke = desk.locator("form:has(input[value=revoke])")
    revoke.locator("select[name=code]").select_option("misconduct")
    revoke.locator("textarea[name=reason]").fill("培训记录不实")
    revoke.locator("button").click()
    desk.locator("[data-confirm-button]").click()
    desk.wait_for_load_state()
    desk.context.close()
    page.goto(live_server.url + f"/verify/{certificate.number}/")
    expect(page.locator(".verify-status[data-status=revoked]")).to_be_visible()
    # The public reads the reason chosen from the list; the certifier's note stays internal.
    expect(page.get_by_text("经查存在违规或弄虚作假")).to_be_visible()
    expect(page.get_by_text("培训记录不实")).to_have_count(0)
    screenshot(page, "certification-verify-revoked")
