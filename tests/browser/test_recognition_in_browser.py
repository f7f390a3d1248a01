"""The selection round on a 390 px phone (issue 18, item 5): the public round pages, the
announcement with an objection lodged from the phone, the published list and an award's
verification page, and the reviewer's and administrator's pages, none wider than the screen.
Screenshots in test-artifacts/recognition-*.png."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from certification.models import Award, Objection
from certification.recognition import services
from tests.browser.phone_world import PHONE, overflow, slug
from tests.certification.recognition.helpers import (
    a_round,
    admin,
    certified,
    move_to,
    nominate_self,
    reviewer,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("no_entry_rules"),
]


def _scored_round(boss, panel, names):
    selection = a_round(boss, awards=2)
    nominations = [nominate_self(selection, certified(real_name=name)) for name in names]
    services.reviewer_assign(round_id=selection.pk, actor=boss, user=panel)
    move_to(selection, "review")
    criteria = list(selection.criteria.all())
    for points, nomination in zip((9, 7, 5), nominations, strict=False):
        services.review_submit(
            nomination_id=nomination.pk,
            actor=panel,
            conflict=False,
            no_conflict_declared=True,
            scores={criteria[0].pk: points, criteria[1].pk: 4},
        )
    move_to(selection, "announce")
    services.round_announce(round_id=selection.pk, actor=boss)
    return selection


def _signed_in(browser, base_url, user):
    """A phone whose session is a full sign-in of ``user`` (second factor included)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def test_the_round_pages_fit_a_phone_and_take_an_objection(live_server, browser, screenshot):
    boss, panel = admin(), reviewer()
    announced = _scored_round(boss, panel, ["欧阳志远", "司马晓雯", "诸葛海峰"])
    published = _scored_round(boss, panel, ["慕容雅琴", "上官俊杰"])
    move_to(published, "after")
    services.round_publish(round_id=published.pk, actor=boss)
    award = Award.objects.filter(round=published, status="awarded").first()

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    too_wide = {}

    def visit(page, url, prefix):
        response = page.goto(live_server.url + url)
        assert response.ok, (url, response.status)
        if found := overflow(page):
            too_wide[url] = found
        screenshot(page, f"recognition-{prefix}-{slug(url)}")

    for url in (
        reverse("recognition_rounds"),
        reverse("recognition_round", args=[published.pk]),
        reverse("award_verify", args=[award.pk]),
        reverse("recognition_round", args=[announced.pk]),
    ):
        visit(page, url, "public")
    expect(page.get_by_text("拟获奖名单（公示）")).to_be_visible()
    first = page.locator("li[data-award]").first
    first.locator("summary").click()
    first.locator("textarea[name=reason]").fill("其所报项目的合同金额与登记记录不一致，请核实。")
    first.locator("input[name=contact_email]").fill("citizen@example.org")
    if found := overflow(page):
        too_wide["objection form"] = found
    screenshot(page, "recognition-public-objection-form")
    first.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("您的异议已提交，管理员将予以答复。")).to_be_visible()
    assert Objection.objects.get().contact_email == "citizen@example.org"
    context.close()

    staff = _signed_in(browser, live_server.url, panel)
    visit(staff, reverse("recognition_review"), "reviewer")
    staff.context.close()
    desk = _signed_in(browser, live_server.url, boss)
    visit(desk, reverse("recognition_manage_round", args=[announced.pk]), "admin")
    visit(desk, reverse("recognition_manage"), "admin")
    # An award found later to rest on false evidence is revoked from the phone, with a reason
    # and a ticked confirmation (both required); then its public page says so.
    visit(desk, reverse("recognition_manage_round", args=[published.pk]), "admin")
    item = desk.locator(f"li[data-award='{award.pk}']")
    item.locator("summary").click()
    item.locator("textarea[name=reason]").fill("获奖材料中的项目合同经核实不存在。")
    if found := overflow(desk):
        too_wide["revoke form"] = found
    screenshot(desk, "recognition-admin-revoke-form")
    expect(item.locator("input[name=confirm]")).to_have_attribute("required", "")
    item.locator("input[name=confirm]").check()
    item.get_by_role("button", name="撤销奖项").click()
    expect(desk.get_by_text("奖项已撤销，并已通知获奖人。")).to_be_visible()
    desk.context.close()
    assert Award.objects.get(pk=award.pk).status == Award.Status.REVOKED
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    visit(page, reverse("award_verify", args=[award.pk]), "revoked")
    expect(page.locator("[data-award-status=revoked]")).to_be_visible()
    context.close()
    assert not too_wide, too_wide
