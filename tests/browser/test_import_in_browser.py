"""A certifier imports earlier certificates in a real browser: a file with mistakes comes back
as a row-by-row report and nothing is written; the corrected file imports; the holder claims
the record and sees it in "My certificates". Screenshots at 1366 and 390 px wide."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from certification.models import Certificate
from tests import factories
from tests.browser.test_question_bank_in_browser import sign_in
from tests.certification.factories import certifier, certifying_body
from tests.certification.imports.test_imports import row, xlsx

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_certifier_imports_and_the_holder_claims(live_server, browser, screenshot, tmp_path):
    body = certifying_body("GD", key=False, images=False)
    desk = certifier(body, email="certifier@example.org")
    holder = factories.UserFactory(email="lisi@example.com")
    bad = tmp_path / "earlier-bad.xlsx"
    bad.write_bytes(xlsx(row(), row(number="GD-2018-0002", issued_on="去年夏天")))
    good = tmp_path / "earlier.xlsx"
    good.write_bytes(
        xlsx(row(status="有效", valid_until=datetime.date(2099, 1, 1)), row(number="GD-2018-0002"))
    )

    # One session for the certifier: a second-factor code is accepted once only.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, desk)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/certify/imports/")
        page.set_input_files("#id_file", str(bad))
        page.locator("main button[type=submit]").click()
        expect(page.locator(".import-report")).to_contain_text("去年夏天")
        expect(page.locator('tr[data-row="3"]')).to_be_visible()
        assert not Certificate.objects.exists()
        screenshot(page, f"import-report-{width}")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/certify/imports/")
    page.set_input_files("#id_file", str(good))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/certify/imports/\d+/$"))
    expect(page.get_by_text("GD-2018-0002")).to_be_visible()
    screenshot(page, "import-batch-1366")
    context.close()

    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.goto(live_server.url + "/verify/GD-2018-0001/")
        expect(page.locator('[data-origin="imported"]')).to_be_visible()
        screenshot(page, f"import-verify-{width}")
        context.close()

    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, holder)
    page.goto(live_server.url + "/me/certificates/claim/")
    screenshot(page, "import-claim-390")
    page.locator("[data-record] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/certificates/$"))
    expect(page.locator('[data-number="GD-2018-0001"] [data-origin="imported"]')).to_be_visible()
    screenshot(page, "import-claimed-390")
    context.close()
    assert Certificate.objects.filter(holder=holder).count() == 2
