"""The national and base dashboards in a real browser, on a desktop and on a phone: the charts
fit the screen, the filters work, and a chart saves as a PNG image. Screenshots of both
dashboards at both sizes go to test-artifacts/."""

import datetime
import io
import re

import pytest
from django.test import TestCase
from PIL import Image

from certification.issuing.services import application_approve
from certification.models import Certificate
from cms import api as cms_api
from tests import factories
from tests.browser.test_certification_in_browser import sign_in
from tests.certification.factories import certifier, certifying_body, submitted_application

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _issue(user, body, actor, base, issued_on):
    application = submitted_application(user, body, base=base)
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate = application_approve(application_id=application.pk, actor=actor)
    Certificate.objects.filter(pk=certificate.pk).update(issued_on=issued_on)


def _fits(page) -> bool:
    """Nothing wider than the window: no sideways scrolling of the page itself."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _charts_fit(page):
    """Every chart's box fits the window, and its lettering is drawn at a readable size (at
    least 0.7 of the chart's own 13 px: narrower screens scroll the chart inside its box)."""
    width = page.evaluate("window.innerWidth")
    charts = page.locator(".chart-image").all()
    assert charts, "no chart drawn"
    for chart in charts:
        box = chart.bounding_box()
        assert 0 < box["width"] <= width
        svg = chart.locator("svg")
        scale = svg.bounding_box()["width"] / svg.evaluate("s => s.viewBox.baseVal.width")
        assert scale >= 0.7


def test_dashboards_on_desktop_and_phone(live_server, page, screenshot, tmp_path):
    guangdong = factories.training_base("GD-A", province="44", title="广东甲基地", slug="gd-a")
    beijing = factories.training_base("BJ-A", province="11", title="北京甲基地", slug="bj-a")
    gd_body = certifying_body("GD", training_base=guangdong)
    bj_body = certifying_body("BJ", training_base=beijing)
    gd_actor, bj_actor = certifier(gd_body), certifier(bj_body)
    for n, year in enumerate((2018, 2020, 2023, 2025)):
        person = factories.UserFactory(province="44" if n % 2 else "11")
        body, actor, base = (
            (gd_body, gd_actor, guangdong) if n % 2 else (bj_body, bj_actor, beijing)
        )
        _issue(person, body, actor, base, datetime.date(year, 3 + n, 10))
    chief = factories.with_totp(
        factories.UserFactory(roles=["Administrator"], email="chief@example.org")
    )
    editor = factories.with_totp(
        factories.UserFactory(roles=["Base editor"], email="editor@example.org")
    )
    cms_api.training_base_editor_add(page_id=guangdong.pk, user=editor)

    # The administrator's national dashboard on a desktop.
    sign_in(page, live_server.url, chief)
    page.goto(live_server.url + "/oversight/dashboard/?start=2017-01")
    assert page.locator("[data-figure=people] .figure-value").inner_text() == "4"
    assert page.locator("figure.chart[data-chart^=goal-]").count() == 2
    _charts_fit(page)
    assert _fits(page)
    screenshot(page, "dashboard-national-desktop")

    # A chart saved as an image: a real PNG, drawn at twice the chart's size.
    with page.expect_download() as download:
        page.locator("#chart-provinces [data-save-png]").click()
    saved = tmp_path / "provinces.png"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "provinces.png"
    image = Image.open(io.BytesIO(saved.read_bytes()))
    assert image.format == "PNG" and image.width == 1440
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 2, "the PNG is blank"

    # Filtering by province, through the form.
    page.select_option("#id_province", "44")
    page.locator(".dashboard-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"province=44"))
    assert page.locator("[data-figure=people] .figure-value").inner_text() == "2"
    # An inverted period is refused with a message, in the page.
    page.fill("#id_start", "2025-06")
    page.fill("#id_end", "2020-01")
    page.locator(".dashboard-filters button[type=submit]").click()
    page.wait_for_load_state()
    # Chinese first: the message is in Chinese.
    assert "起始月份晚于结束月份" in page.locator(".form-errors").inner_text()

    # The same dashboard on a phone.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/oversight/dashboard/?start=2017-01")
    _charts_fit(page)
    assert _fits(page)
    screenshot(page, "dashboard-national-phone")
    # On a phone the header's links sit behind the menu button.
    page.locator("[data-menu-toggle]").click()
    page.locator("form[action$='/accounts/logout/'] button").click()

    # The base editor's dashboard: their base only, with the per-class report.
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, editor)
    page.goto(live_server.url + "/oversight/dashboard/base/")
    page.wait_for_url(re.compile(rf"/oversight/dashboard/base/{guangdong.pk}/"))
    assert page.locator("[data-figure=people] .figure-value").inner_text() == "2"
    assert page.locator("#chart-classes table tbody tr").count() == 2
    _charts_fit(page)
    assert _fits(page)
    screenshot(page, "dashboard-base-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    _charts_fit(page)
    assert _fits(page)
    screenshot(page, "dashboard-base-phone")
