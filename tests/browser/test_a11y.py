"""axe-core, from npm (tests/browser/axe, `make node-deps`), run inside every public and
trainee page on a phone: no serious or critical violation. Without the package the test is
skipped loudly, and fails under CI=true."""

import json
import re
from pathlib import Path

import pytest

from tests.browser import phone_world
from tests.browser.phone_world import DESKTOP, PHONE, sign_in
from tests.requirements import missing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_entry_rules"),
]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '')),
  }));
}"""


@pytest.fixture
def axe_source() -> Path:
    if not AXE.is_file():
        missing(f"axe-core is not installed at {AXE} (run `make node-deps`)")
    return AXE


def _violations(page, axe_path: Path) -> list[dict]:
    page.add_script_tag(path=str(axe_path))
    found = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


def _context(browser, viewport):
    # The portal's Content-Security-Policy admits no inline script; axe is the test's own.
    return browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)


def test_axe_finds_no_serious_violation_on_public_and_trainee_pages_on_a_phone(
    live_server, browser, axe_source, screenshot
):
    world = phone_world.build()
    context = _context(browser, PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = {}

    def check(url):
        response = page.goto(live_server.url + url)
        assert response.ok, (url, response.status)
        if found := _violations(page, axe_source):
            problems[url] = found

    for url in world["public"]:
        check(url)
    sign_in(page, live_server.url, world["trainee"])
    for url in world["trainee_pages"]:
        check(url)
    # The phone menu, open.
    page.goto(live_server.url + "/me/")
    page.locator("[data-menu-toggle]").click()
    if found := _violations(page, axe_source):
        problems["/me/ (menu open)"] = found
    # The exam paper itself.
    page.goto(live_server.url + f"/learn/exams/{world['exam'].pk}/")
    page.locator("form[action$='/start/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))
    if found := _violations(page, axe_source):
        problems[page.url] = found
    context.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_axe_finds_no_serious_violation_on_wide_screens(live_server, browser, axe_source):
    world = phone_world.build()
    context = _context(browser, DESKTOP)
    page = context.new_page()
    problems = {}
    for url in ("/", "/certification/", "/registry/", f"/verify/{world['certificate'].number}/"):
        page.goto(live_server.url + url)
        if found := _violations(page, axe_source):
            problems[url] = found
    context.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_axe_check_itself_reports_a_serious_violation(live_server, browser, axe_source):
    """The harness can fail: a page of the portal given an unlabelled button is caught."""
    phone_world.build()
    context = _context(browser, PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/certification/")
    assert not _violations(page, axe_source)
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    found = _violations(page, axe_source)
    assert "button-name" in {violation["id"] for violation in found}
    context.close()
