"""A person opens the portal, switches language, signs up, verifies the e-mail and signs in."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Browser-test-2026"


def test_visitor_signs_up_verifies_and_signs_in(live_server, page, mailoutbox, screenshot):
    page.goto(live_server.url + "/")
    # Chinese first, even though this browser prefers English.
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    expect(page.get_by_role("link", name="注册").first).to_be_visible()
    screenshot(page, "home-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Email").fill("browser.trainee@example.org")
    page.get_by_label("Real name").fill("王小明")
    page.get_by_label("Province").select_option(label="Zhejiang")
    page.get_by_label("Organisation").fill("某科技有限公司")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_privacy_consent").check()
    screenshot(page, "signup-filled")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert "Verify Your Email Address" in page.content() or "verification" in page.content().lower()

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    page.get_by_label("Email").fill("browser.trainee@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(live_server.url + "/me/")
    expect(page.get_by_role("link", name="王小明")).to_be_visible()
    screenshot(page, "signed-in")
