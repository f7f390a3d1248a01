"""The Wagtail admin as a base's editor meets it: in Chinese, with their base's desk first."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page, Task, Workflow

from cms.models import NewsIndexPage, TextbookIndexPage
from cms.services import training_base_editor_add
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bases():
    return (
        factories.training_base("GD-A", "44", title="华南甲基地"),
        factories.training_base("SC-B", "51", title="西部乙基地"),
    )


@pytest.fixture
def editor(client, bases):
    user = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=bases[0], user=user)
    client.force_login(user)
    return user


def _text(response):
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_dashboard_counts_pages_in_chinese(client, editor):
    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = _text(response)
    assert re.search(r"\d+ 个页面", text)
    assert 'placeholder="搜索所有页面…"' in response.content.decode()
    assert "Pages" not in text and "Search all pages" not in response.content.decode()


def test_the_desk_offers_new_pages_under_the_editors_own_base(client, editor, bases):
    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    news = NewsIndexPage.objects.child_of(bases[0]).get()
    books = TextbookIndexPage.objects.child_of(bases[0]).get()
    assert "我的基地：华南甲基地" in html
    assert f'href="/admin/pages/add/cms/newspage/{news.pk}/"' in html
    assert f'href="/admin/pages/add/cms/textbookpage/{books.pk}/"' in html
    assert "新建新闻" in html and "新建教材" in html
    assert "西部乙基地" not in html
    # News first: the action editors use most.
    assert html.index('data-quick-action="newspage"') < html.index(
        'data-quick-action="textbookpage"'
    )


def test_someone_who_edits_no_base_gets_no_desk(client, bases):
    admin = factories.UserFactory(roles=["Administrator"])
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert "搜索所有页面" in response.content.decode()
    assert "data-base-desk" not in response.content.decode()


def test_publish_is_the_footers_button_for_an_editor_who_may_publish(client, editor, bases):
    news = NewsIndexPage.objects.child_of(bases[0]).get()
    response = client.get(
        reverse("wagtailadmin_pages:add", args=("cms", "newspage", news.pk)),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    footer = response.content.decode().split("<footer", 1)[1]
    first_button = re.search(r"<button[^>]*name=\"(action-[a-z-]+)\"", footer)
    assert first_button.group(1) == "action-publish"
    assert "提交审核" in footer
    assert "Moderators" not in footer


def test_wagtails_default_workflow_task_and_root_have_chinese_names():
    assert Workflow.objects.filter(name="审核").exists()
    assert Task.objects.filter(name="管理员审核").exists()
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert Page.objects.get(depth=1).title == "根目录"


def test_a_bases_groups_are_named_in_chinese(bases):
    names = set(Group.objects.values_list("name", flat=True))
    assert f"基地 {bases[0].pk} 编辑（GD-A）" in names
    assert f"基地 {bases[0].pk} 师资（GD-A）" in names


def test_the_sites_listing_names_its_columns_in_chinese(client):
    admin = factories.UserFactory(is_superuser=True)
    client.force_login(admin)
    text = _text(client.get(reverse("wagtailsites:index"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "端口号" in text and "站点名称" in text and "根页面" in text
    assert "Port" not in text and "Site name" not in text and "Root page" not in text
