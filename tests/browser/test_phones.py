"""Every public and trainee page on a 390 px phone: nothing wider than the screen, a menu
button in the header, tables as cards, a slim exam bar, question text inside its card, and
buttons that do different things looking different. Screenshots in test-artifacts/phone-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import phone_world
from tests.browser.phone_world import DESKTOP, PHONE, overflow, sign_in, slug

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_entry_rules"),
]


def _phone(browser, language="zh-CN"):
    context = browser.new_context(
        viewport=PHONE, locale=language, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def test_every_public_and_trainee_page_fits_a_phone(live_server, browser, screenshot):
    world = phone_world.build()
    page = _phone(browser)
    too_wide = {}

    def visit(url, prefix):
        response = page.goto(live_server.url + url)
        assert response.ok, (url, response.status)
        found = overflow(page)
        if found:
            too_wide[url] = found
        screenshot(page, f"{prefix}-{slug(url)}")

    for url in world["public"]:
        visit(url, "phone-public")
    sign_in(page, live_server.url, world["trainee"])
    for url in world["trainee_pages"]:
        visit(url, "phone-trainee")
    # The exam itself: started from its page, the questions on the screen.
    page.goto(live_server.url + f"/learn/exams/{world['exam'].pk}/")
    page.locator("form[action$='/start/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))
    if found := overflow(page):
        too_wide[page.url] = found
    screenshot(page, "phone-trainee-exam-attempt")
    page.context.close()
    assert not too_wide, too_wide


def test_the_header_menu_button_opens_and_closes_by_keyboard(live_server, browser, screenshot):
    world = phone_world.build()
    page = _phone(browser)
    sign_in(page, live_server.url, world["trainee"])
    page.goto(live_server.url + "/certification/")
    header = page.locator(".site-header")
    button = page.get_by_role("button", name=re.compile("菜单|Menu"))
    nav = page.locator(".main-nav")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    # Closed, the header is one slim row, not most of the screen (it was about 350 px).
    assert header.bounding_box()["height"] < 80
    screenshot(page, "phone-menu-closed")

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name=re.compile("认证|Certification"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("我的证书|My certificates"))).to_be_visible()
    screenshot(page, "phone-menu-open")
    # The links are reachable from the button with the keyboard, in order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.site-menu') !== null")
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")

    # On a wide screen there is no button and the menu is simply there.
    page.set_viewport_size(DESKTOP)
    expect(button).to_be_hidden()
    expect(nav).to_be_visible()
    page.context.close()


def test_without_script_the_phone_menu_stays_open(live_server, browser):
    phone_world.build()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/certification/")
    expect(page.locator(".main-nav")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_be_hidden()
    assert overflow(page) is None
    context.close()


def test_tables_become_labelled_cards_on_a_phone(live_server, browser, screenshot):
    world = phone_world.build()
    page = _phone(browser)
    sign_in(page, live_server.url, world["trainee"])
    page.goto(live_server.url + "/me/certificates/")
    table = page.locator("main table").first
    expect(table).to_be_visible()
    cell = table.locator("tbody td").first
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"
    heading = table.locator("thead th").first.text_content().strip()
    assert cell.get_attribute("data-label") == heading
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert heading in label
    assert table.bounding_box()["width"] <= PHONE["width"]
    screenshot(page, "phone-table-cards")
    page.set_viewport_size(DESKTOP)
    assert cell.evaluate("el => getComputedStyle(el).display") == "table-cell"
    page.context.close()


def test_exam_bar_is_slim_and_question_text_stays_in_its_card(live_server, browser, screenshot):
    world = phone_world.build()
    page = _phone(browser)
    sign_in(page, live_server.url, world["trainee"])
    page.goto(live_server.url + f"/learn/exams/{world['exam'].pk}/")
    page.locator("form[action$='/start/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))
    bar = page.locator(".exam-bar").bounding_box()
    assert bar["height"] <= 0.1 * PHONE["height"], bar  # it took a quarter of the screen
    expect(page.locator("#timer")).to_be_visible()
    for question in page.locator("fieldset.question").all():
        card = question.bounding_box()
        title = question.locator("legend").bounding_box()
        assert title["y"] >= card["y"] and title["x"] >= card["x"], (title, card)
        assert title["x"] + title["width"] <= card["x"] + card["width"] + 0.5, (title, card)
    screenshot(page, "phone-exam-bar")
    page.context.close()


def test_two_factor_cancel_does_not_look_like_the_submit_button(live_server, browser, screenshot):
    world = phone_world.build()
    page = _phone(browser)
    sign_in(page, live_server.url, world["reviewer"])
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    submit = page.locator("main button[type=submit]:not([form])")
    cancel = page.locator("main button[form=logout-from-stage]")
    style = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    assert submit.evaluate(style) != cancel.evaluate(style)
    screenshot(page, "phone-two-factor")
    page.context.close()


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_english_walk_shows_no_chinese_level_track_or_status_name(
    live_server, browser, screenshot
):
    """In English, names of levels, tracks and statuses are English (people's and places'
    names, and the content editors wrote in Chinese, may stay Chinese)."""
    from certification.levels.models import CertificationLevel, Track

    world = phone_world.build()
    chinese_names = [level.name for level in CertificationLevel.objects.all()] + [
        name for track in Track.objects.all() for name in track.name.split(" / ")
    ]
    page = _phone(browser, language="en-US")
    mixed = {}

    def walk(url):
        page.goto(live_server.url + url)
        assert page.locator("html").get_attribute("lang") == "en", url
        # A level or track shown as such (a tag, a link, a cell, an option, a heading), not
        # the words inside a course's or a news item's Chinese title.
        found = page.evaluate(
            """names => [...document.querySelectorAll('body *, option')]
                .filter(el => el.children.length === 0 || el.tagName === 'A')
                .map(el => el.textContent.trim())
                .filter(text => names.some(name => text === name || text.startsWith(name + ' ')
                                                   || text.endsWith(' ' + name)))""",
            chinese_names,
        )
        # Status badges and module tags are words the portal owns: all in English.
        tags = page.locator(
            "main .tag[data-status], main .tag[class*='status'], main .tag-module"
        ).all_inner_texts()
        found += [tag for tag in tags if CHINESE.search(tag)]
        if found:
            mixed[url] = found

    # The visitor switches to English from the phone menu (the browser's language does not
    # change the portal's: it is Chinese first).
    page.goto(live_server.url + "/")
    page.locator("[data-menu-toggle]").click()
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state()
    for url in world["public"]:
        walk(url)
    sign_in(page, live_server.url, world["trainee"])
    for url in world["trainee_pages"]:
        walk(url)
    screenshot(page, "phone-english-last-page")
    page.goto(live_server.url + "/certification/")
    screenshot(page, "phone-english-certification")
    page.context.close()
    assert not mixed, mixed
