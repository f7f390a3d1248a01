"""Finding things: bases by province, textbooks by level and module, faculty by specialty,
and search across the site."""

import pytest

from cms.models import TextbookPage
from cms.selectors import bases_by_province, faculty_filtered, textbooks_filtered
from cms.taxonomy import ModuleCategory
from cms.taxonomy import SeededLevels as Level
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    gd = factories.training_base("GD-A", "44", title="广东基地")
    sc = factories.training_base("SC-B", "51", title="四川基地")
    factories.textbook(
        gd, "初级政策", levels=[Level.JUNIOR_BROKER], modules=[ModuleCategory.POLICY]
    )
    factories.textbook(
        gd,
        "中高级实务",
        levels=[Level.INTERMEDIATE_BROKER, Level.SENIOR_MANAGER],
        modules=[ModuleCategory.PRACTICE, ModuleCategory.ENHANCEMENT],
    )
    factories.textbook(
        sc, "高级提升", levels=[Level.SENIOR_MANAGER], modules=[ModuleCategory.ENHANCEMENT]
    )
    factories.faculty_member(gd, "甲老师", specialties=["技术评估"])
    factories.faculty_member(sc, "乙老师", specialties=["科技金融", "技术评估"])
    factories.faculty_member(sc, "丙老师", specialties=["科技法律"])
    return gd, sc


def titles(pages):
    return sorted(p.title for p in pages)


def test_textbooks_filter_by_level_and_module_across_bases(catalogue):
    root = factories.base_index()
    assert titles(textbooks_filtered(root=root, level=Level.SENIOR_MANAGER)) == [
        "中高级实务",
        "高级提升",
    ]
    assert titles(textbooks_filtered(root=root, module=ModuleCategory.POLICY)) == ["初级政策"]
    assert titles(
        textbooks_filtered(root=root, level=Level.SENIOR_MANAGER, module=ModuleCategory.PRACTICE)
    ) == ["中高级实务"]
    # Within one base only its own books.
    assert titles(textbooks_filtered(root=catalogue[1], level=Level.SENIOR_MANAGER)) == ["高级提升"]


def test_a_level_code_is_matched_whole_not_as_a_substring(catalogue):
    assert TextbookPage.objects.get(title="中高级实务").levels == [
        Level.INTERMEDIATE_BROKER,
        Level.SENIOR_MANAGER,
    ]
    root = factories.base_index()
    assert titles(textbooks_filtered(root=root, level="broker")) == []


def test_textbook_catalogue_page_filters_from_the_query_string(client, catalogue):
    response = client.get("/bases/textbooks/?level=junior_broker")
    content = response.content.decode()
    assert response.status_code == 200
    assert "初级政策" in content
    assert "高级提升" not in content
    assert (
        client.get("/bases/gd-a/textbooks/?module=enhancement").content.decode().count("中高级实务")
        >= 1
    )


def test_faculty_filter_by_specialty(client, catalogue):
    root = factories.base_index()
    assert titles(faculty_filtered(root=root, specialty="技术评估")) == ["乙老师", "甲老师"]
    content = client.get("/bases/faculty/?specialty=科技法律").content.decode()
    assert "丙老师" in content and "甲老师" not in content


def test_bases_are_grouped_by_province_and_filterable(client, catalogue):
    grouped = bases_by_province()
    assert [b.title for b in grouped["广东"]] == ["广东基地"]
    assert [b.title for b in grouped["四川"]] == ["四川基地"]
    content = client.get("/bases/?province=51").content.decode()
    assert "四川基地" in content and "广东基地" not in content


def test_site_search_finds_textbooks_and_faculty(client, catalogue):
    content = client.get("/search/?q=高级提升").content.decode()
    assert "高级提升" in content
    assert client.get("/search/?q=").status_code == 200
    content = client.get("/search/?q=zzzz-nothing").content.decode()
    assert "未找到匹配内容" in content


def test_home_page_shows_latest_news_and_bases(client, catalogue):
    from cms.models import NewsIndexPage

    factories.news_item(NewsIndexPage.objects.child_of(catalogue[0]).get(), title="基地开班")
    content = client.get("/").content.decode()
    assert "基地开班" in content
    assert "广东基地" in content and "四川基地" in content
