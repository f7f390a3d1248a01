"""A base editor in the Wagtail admin, in Chinese: from the dashboard's quick action to a
published news item with a freshly uploaded picture in at most six actions, and no English
left on the admin pages walked (dashboard, page explorer, page editor, image chooser, the
review workflow's wording). Screenshots at 1366 and 390 px go to test-artifacts/.

What counts as one action: a click, typing one field's value, or choosing one file."""

import re

import pytest
from PIL import Image

from cms import api as cms_api
from cms.models import NewsIndexPage, NewsPage
from tests import factories
from tests.browser.test_certification_in_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_ACTIONS = 6

# Latin words that are names, not untranslated interface: the product, file formats, units.
ALLOWED_WORDS = {"wagtail", "gif", "jpg", "jpeg", "png", "webp", "mb", "kb", "url", "api"}


class Actions:
    """Drives the page and counts what the editor does."""

    def __init__(self, page):
        self.page = page
        self.count = 0
        self.log = []

    def click(self, locator, what):
        locator.click()
        self._done(what)

    def type(self, locator, text, what):
        locator.fill(text)
        self._done(what)

    def choose_file(self, locator, path, what):
        locator.set_input_files(str(path))
        self._done(what)

    def _done(self, what):
        self.count += 1
        self.log.append(what)


def english_leftovers(page, data=()):
    """Words of three or more Latin letters the editor can read or hear (text, tooltips, labels
    read out by screen readers), once names and data of the test's own making are removed."""
    text = page.evaluate(
        """() => {
            const hidden = (el) => !el.offsetParent && getComputedStyle(el).position !== 'fixed';
            const parts = [document.body.innerText];
            for (const el of document.querySelectorAll('[aria-label],[title],[placeholder]')) {
                if (hidden(el)) continue;
                for (const name of ['aria-label', 'title', 'placeholder']) {
                    if (el.getAttribute(name)) parts.push(el.getAttribute(name));
                }
            }
            return parts.join('\\n');
        }"""
    )
    for value in data:
        text = text.replace(value, " ")
    words = re.findall(r"[A-Za-z][A-Za-z'’]{2,}", text)
    return sorted({word for word in words if word.lower() not in ALLOWED_WORDS})


def _picture(path):
    Image.new("RGB", (640, 360), (30, 120, 200)).save(path, "PNG")
    return path


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_news_item_with_picture_in_six_actions_and_admin_in_chinese(
    live_server, browser, screenshot, tmp_path
):
    base = factories.training_base("GD-E", "44", title="华南示范培训基地", slug="gd-e")
    factories.news_item(NewsIndexPage.objects.child_of(base).get(), title="上期培训班结业")
    editor = factories.with_totp(
        factories.UserFactory(roles=["Base editor"], email="editor@example.org")
    )
    cms_api.training_base_editor_add(page_id=base.pk, user=editor)
    data = [editor.email, "gd-e", "news-1", "kaiban-photo"]
    picture = _picture(tmp_path / "kaiban-photo.png")

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server.url, editor)

    # The dashboard: the editor's base, its quick actions, its pages.
    page.goto(live_server.url + "/admin/")
    desk = page.locator("[data-base-desk]")
    assert "华南示范培训基地" in desk.locator("h2").inner_text()
    assert desk.locator("[data-quick-action=newspage]").inner_text().strip() == "新建新闻"
    assert desk.locator("[data-quick-action=textbookpage]").is_visible()
    assert "上期培训班结业" in desk.inner_text()
    assert english_leftovers(page, data) == []
    screenshot(page, "editor-admin-dashboard-1366")

    # The page explorer of the base.
    page.goto(live_server.url + f"/admin/pages/{base.pk}/")
    page.wait_for_load_state("networkidle")
    assert "华南示范培训基地" in page.locator("h1").inner_text()
    assert english_leftovers(page, data) == []
    screenshot(page, "editor-admin-explorer-1366")

    # Publishing a news item with a new picture, counted.
    page.goto(live_server.url + "/admin/")
    act = Actions(page)
    act.click(page.locator("[data-quick-action=newspage]"), "quick action: new news item")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_date").input_value()  # today, not one more field to fill
    act.type(page.locator("#id_title"), "2026年第4期培训班开班", "title")
    act.click(page.locator("#id_image-chooser .chooser__choose-button"), "choose a picture")
    modal = page.locator(".modal-dialog")
    modal.locator("#tab-label-upload").wait_for()
    assert english_leftovers(page, data) == []
    screenshot(page, "editor-admin-image-chooser-1366")
    act.click(modal.locator("#tab-label-upload"), "the chooser's upload tab")
    act.choose_file(modal.locator("input[type=file]"), picture, "the picture file")
    page.locator("#id_image-chooser:not(.blank)").wait_for()  # uploaded and chosen, no more clicks
    assert english_leftovers(page, data) == []
    screenshot(page, "editor-admin-edit-1366")
    publish = page.locator("footer button[name=action-publish]")
    assert publish.inner_text().strip() == "发布"
    act.click(publish, "publish")
    page.wait_for_load_state("networkidle")

    assert act.count <= MAX_ACTIONS, act.log
    item = NewsPage.objects.get(title="2026年第4期培训班开班")  # one page, not a second draft
    assert item.live
    assert item.image is not None
    assert item.slug == "2026-nian-di-4-qi-pei-xun-ban-kai-ban"
    assert item.image.collection == base.workspace.collection
    assert "已创建并发布" in page.locator(".messages").inner_text()

    # The review workflow reads in Chinese where the editor meets it: the editor's drop-down.
    page.goto(live_server.url + f"/admin/pages/{item.pk}/edit/")
    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    footer = page.locator("footer").inner_text()
    assert "提交审核" in footer
    assert "Moderators" not in footer
    assert english_leftovers(page, [*data, item.slug]) == []
    screenshot(page, "editor-admin-workflow-1366")

    # On a phone: the dashboard and the editor fit the screen.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/admin/")
    assert page.locator("[data-quick-action=newspage]").is_visible()
    assert _fits(page)
    screenshot(page, "editor-admin-dashboard-390")
    page.goto(live_server.url + f"/admin/pages/{item.pk}/edit/")
    assert _fits(page)
    screenshot(page, "editor-admin-edit-390")
    context.close()


def test_another_bases_editor_sees_no_quick_action_for_this_base(live_server, browser):
    mine = factories.training_base("GD-E", "44", title="华南示范培训基地", slug="gd-e")
    theirs = factories.training_base("SC-E", "51", title="西部示范培训基地", slug="sc-e")
    editor = factories.with_totp(
        factories.UserFactory(roles=["Base editor"], email="editor@example.org")
    )
    cms_api.training_base_editor_add(page_id=mine.pk, user=editor)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, editor)
    page.goto(live_server.url + "/admin/")
    desks = page.locator("[data-base-desk]")
    assert desks.count() == 1
    assert "西部示范培训基地" not in desks.inner_text()
    own_news = NewsIndexPage.objects.child_of(mine).get()
    href = desks.locator("[data-quick-action=newspage]").get_attribute("href")
    assert href.endswith(f"/{own_news.pk}/")
    assert theirs.pk not in {int(n) for n in re.findall(r"/(\d+)/$", href)}
    context.close()
