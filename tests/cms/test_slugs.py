"""Pages get readable ASCII addresses: a Chinese title or slug becomes pinyin."""

import pytest
from django.urls import reverse

from cms.models import NewsIndexPage, NewsPage
from cms.services import training_base_editor_add
from cms.slugs import slug_from_text, slug_needs_pinyin
from tests import factories
from tests.cms.test_base_editors import news_form


def test_chinese_becomes_toneless_pinyin_with_digits_and_latin_kept():
    assert slug_from_text("基地动态") == "ji-di-dong-tai"
    assert slug_from_text("2026年第3期 ABC班") == "2026-nian-di-3-qi-abc-ban"
    assert slug_from_text("银行") == "yin-hang"


def test_a_percent_encoded_slug_is_read_as_the_text_it_encodes():
    assert slug_needs_pinyin("%E5%9F%BA%E5%9C%B0")
    assert slug_from_text("%E5%9F%BA%E5%9C%B0") == "ji-di"
    assert not slug_needs_pinyin("ji-di")


def test_a_long_title_is_cut_at_a_word_boundary():
    slug = slug_from_text("技术转移" * 40)
    assert len(slug) <= 80
    assert not slug.endswith("-")
    assert slug.split("-")[-1] in {"ji", "shu", "zhuan", "yi"}


@pytest.fixture
def news_index(client):
    base = factories.training_base("GD-A", "44")
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    return NewsIndexPage.objects.child_of(base).get()


def _add(client, index, title, slug):
    url = reverse("wagtailadmin_pages:add", args=("cms", "newspage", index.pk))
    return client.post(url, news_form(title, slug=slug))


@pytest.mark.django_db
def test_a_news_item_added_in_the_admin_with_a_chinese_slug_gets_pinyin(client, news_index):
    response = _add(client, news_index, "基地动态", "基地动态")
    assert response.status_code == 302
    page = NewsPage.objects.child_of(news_index).get(title="基地动态")
    assert page.slug == "ji-di-dong-tai"
    assert page.url.endswith("/ji-di-dong-tai/")


@pytest.mark.django_db
def test_a_second_page_with_the_same_title_gets_a_numbered_slug(client, news_index):
    assert _add(client, news_index, "开班通知", "开班通知").status_code == 302
    assert _add(client, news_index, "开班通知", "开班通知").status_code == 302
    slugs = sorted(NewsPage.objects.child_of(news_index).values_list("slug", flat=True))
    assert slugs == ["kai-ban-tong-zhi", "kai-ban-tong-zhi-2"]


@pytest.mark.django_db
def test_an_ascii_slug_the_editor_typed_is_kept(client, news_index):
    assert _add(client, news_index, "开班通知", "class-opens").status_code == 302
    assert NewsPage.objects.get(title="开班通知").slug == "class-opens"


@pytest.mark.django_db
def test_an_existing_page_keeps_its_chinese_slug_when_edited(client, news_index):
    page = factories.news_item(news_index, title="旧新闻")
    NewsPage.objects.filter(pk=page.pk).update(slug="旧新闻")
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.post(url, news_form("旧新闻（更新）", slug="旧新闻"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.slug == "旧新闻"
    assert page.title == "旧新闻（更新）"
