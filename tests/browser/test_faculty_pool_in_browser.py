"""The national faculty pool on a 390 px phone: the search form, the cards, the pages and a
teacher's record fit the screen, in Chinese. Screenshots in test-artifacts/faculty-pool-*.png."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.phone_world import PHONE, overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_pool_and_a_record_fit_a_phone(live_server, browser, screenshot):
    base = factories.training_base(
        "GD-A", "44", title="华南技术转移人才培训基地（演示用的很长的名称）"
    )
    other = factories.training_base("SC-B", "51")
    for n in range(13):
        factories.faculty_member(
            base if n % 2 else other,
            name=f"教师{n:02d}",
            specialties=("知识产权运营与技术评估", "科技金融"),
        )
    member = factories.faculty_member(base, name="欧阳长名字老师", specialties=("技术合同",))
    member.professional_title = "研究员、博士生导师、国家技术转移专业人员能力等级培训讲师"
    member.certificates = (
        "高级技术经理人\n专利代理师\nhttps://example.org/a-very-long-unbroken-link"
    )
    member.save_revision().publish()

    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    too_wide = {}
    for url, name in (
        ("/faculty/", "faculty-pool-phone"),
        ("/faculty/?page=2", "faculty-pool-phone-page-2"),
        ("/faculty/?specialty=科技金融&province=44", "faculty-pool-phone-filtered"),
        (f"/faculty/{member.pk}/", "faculty-pool-phone-record"),
    ):
        response = page.goto(live_server.url + url)
        assert response.ok, url
        if found := overflow(page):
            too_wide[url] = found
        screenshot(page, name)
    page.goto(live_server.url + "/faculty/")
    expect(page.get_by_role("heading", name="全国师资库")).to_be_visible()
    page.fill("#pool-q", "欧阳")
    page.locator("form.faculty-search button[type=submit]").click()
    expect(page.get_by_role("link", name="欧阳长名字老师")).to_be_visible()
    expect(page.locator(".person-card")).to_have_count(1)
    context.close()
    assert not too_wide, too_wide
