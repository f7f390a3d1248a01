"""Site search in Chinese on SQLite (FTS5): words inside a run of Chinese characters are found,
results come grouped by kind with the words marked and everything else escaped, drafts and
restricted pages stay out, and the registry part keeps the registry's own limits.

The 40-odd realistic queries on the demo content are in test_search_queries.py; PostgreSQL is
tested in tests/services/test_search.py."""

import re

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from certification.registry.services import registry_join
from cms.models import NewsIndexPage
from cms.search_text import index_text, query_terms, query_text
from portal.search import highlight_pattern, highlighted
from tests import factories
from tests.certification.records import certificate_record, holder_record

SEARCH = "/search/"


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def group_titles(response) -> dict[str, list[str]]:
    return {
        group.kind: [hit.page.title for hit in group.hits] for group in response.context["groups"]
    }


# -- the cutting itself (no database) -------------------------------------------------------


def test_indexed_chinese_is_cut_into_characters_and_overlapping_pairs():
    assert index_text("初级培训班") == "初 级 培 训 班 初级 级培 培训 训班"
    # Latin words and numbers are left for the engines' own tokenisers.
    assert index_text("GD-J-2026 初级") == "GD-J-2026 初 级 初级"
    # Chinese punctuation is not glued to the word beside it; full-width letters become ASCII.
    assert index_text("华南，ＧＤ") == "华 南 华南 ,GD"


def test_a_query_is_cut_into_pairs_and_a_lone_character_kept():
    assert query_text("技术经纪人") == "技术 术经 经纪 纪人"
    assert query_text("粤") == "粤"
    assert query_text("华南 Junior") == "华南 Junior"
    # Quotes left alone once the Chinese is cut out would be words no engine can match.
    assert query_text('"高级提升"') == "高级 级提 提升"
    assert query_terms('"华南" 初级Junior') == ["华南", "初级", "Junior"]


def test_highlighting_escapes_the_text_and_marks_only_the_words():
    pattern = highlight_pattern("初级")
    assert (
        highlighted("<b>初级</b>&培训", pattern) == "&lt;b&gt;<mark>初级</mark>&lt;/b&gt;&amp;培训"
    )
    # Words found side by side are one mark, so the title still reads as typed.
    assert highlighted("高级提升", highlight_pattern("高级 提升")) == "<mark>高级提升</mark>"
    # A query made of markup is matched as text, never interpreted.
    marked = highlighted("<i>初级</i>", highlight_pattern("<i>初级"))
    assert "<i>" not in marked and "<mark>初级</mark>" in marked


# -- the site search ------------------------------------------------------------------------


@pytest.fixture
def site(db):
    base = factories.training_base("GD-HN", "44", title="华南技术转移人才培训基地")
    factories.course(base, title="初级技术经纪人培训班")
    factories.course(base, title="高级技术经理人培训班", level="senior_manager")
    factories.textbook(base, "技术经纪人实务教程", authors="林海、周晓彤")
    factories.faculty_member(base, "周晓彤", specialties=("技术合同",))
    news_index = NewsIndexPage.objects.child_of(base).get()
    factories.news_item(news_index, "2026年第3期初级技术经纪人培训班开班")
    return base


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "kind", "title"),
    [
        ("初级", "course", "初级技术经纪人培训班"),
        ("培训", "base", "华南技术转移人才培训基地"),
        ("华南", "base", "华南技术转移人才培训基地"),
        ("技术经纪人", "textbook", "技术经纪人实务教程"),
        ("晓彤", "faculty", "周晓彤"),
        ("技术合同", "faculty", "周晓彤"),
        ("开班", "news", "2026年第3期初级技术经纪人培训班开班"),
        ("第1课", "lesson", "第1课"),
    ],
)
def test_a_word_inside_chinese_text_finds_the_page(client, site, query, kind, title):
    response = client.get(SEARCH, {"q": query})
    assert title in group_titles(response).get(kind, [])


@pytest.mark.django_db
def test_a_run_the_text_does_not_hold_finds_nothing(client, site):
    # 中级 is in no page: the senior and junior courses are not found for it.
    response = client.get(SEARCH, {"q": "中级"})
    assert group_titles(response) == {}
    assert "未找到匹配内容" in response.content.decode()
    # Each pair of a longer word is required: 经理人 is not found in a junior course.
    assert "初级技术经纪人培训班" not in group_titles(client.get(SEARCH, {"q": "经理人"})).get(
        "course", []
    )


@pytest.mark.django_db
def test_results_come_grouped_by_kind_with_counts_and_the_base_named(client, site):
    response = client.get(SEARCH, {"q": "技术经纪人"})
    groups = response.context["groups"]
    assert [group.kind for group in groups] == ["course", "textbook", "news"]
    course_group = groups[0]
    assert course_group.count == 1
    assert course_group.hits[0].base == "华南技术转移人才培训基地"
    text = visible_text(response.content.decode())
    assert re.search(r"(课程|Courses) 1", text)
    assert re.search(r"(教材|Textbooks) 1", text)
    # The word is marked in titles and extracts.
    html = response.content.decode()
    assert "初级<mark>技术经纪人</mark>培训班" in html
    assert "<mark>技术经纪人</mark>实务教程" in html


@pytest.mark.django_db
def test_markup_in_a_page_title_or_the_query_is_shown_as_text(client, site):
    base = factories.training_base("GD-X", "44", title="<script>alert(1)</script>初级基地")
    assert base.pk
    response = client.get(SEARCH, {"q": "初级 <script>"})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;script&gt;" in html


@pytest.mark.django_db
def test_one_kind_is_shown_page_by_page(client, site):
    for n in range(12):
        factories.faculty_member(site, f"讲师{n:02d}号")
    first = client.get(SEARCH, {"q": "讲师", "kind": "faculty"})
    assert first.context["groups"][0].count == 12
    assert len(first.context["groups"][0].hits) == 10
    second = client.get(SEARCH, {"q": "讲师", "kind": "faculty", "page": 2})
    assert len(second.context["groups"][0].hits) == 2
    # The grouped view shows the first five and a link to all twelve.
    grouped = client.get(SEARCH, {"q": "讲师"})
    assert len(grouped.context["groups"][0].hits) == 5
    assert "kind=faculty" in grouped.content.decode()
    # An unknown kind is the grouped view, not an error.
    assert client.get(SEARCH, {"q": "讲师", "kind": "<x>"}).status_code == 200


@pytest.mark.django_db
def test_drafts_and_restricted_pages_are_not_found(client, site):
    news_index = NewsIndexPage.objects.child_of(site).get()
    private = factories.news_item(news_index, "内部通知初级考务安排")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    published = factories.news_item(news_index, "公开新闻")
    published.title = "草稿标题保密词"
    published.save_revision()  # a draft, never published

    assert "内部通知初级考务安排" not in str(group_titles(client.get(SEARCH, {"q": "考务"})))
    assert group_titles(client.get(SEARCH, {"q": "保密词"})) == {}
    assert "公开新闻" in group_titles(client.get(SEARCH, {"q": "公开"}))["news"]


# -- the registry part ----------------------------------------------------------------------


@pytest.fixture
def listed(db):
    holder = holder_record("44", real_name="张伟")
    certificate_record(holder, issued_on=timezone.localdate())
    registry_join(user=holder, organisation="华南技术转移中心", specialties="新材料, 专利运营")
    hidden = holder_record("44", real_name="张秘")
    certificate_record(hidden, issued_on=timezone.localdate())  # not listed
    return holder


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["张伟", "张", "新材料", "广东", "Guangdong", "初级", "Junior"])
def test_listed_people_are_found_by_name_specialty_province_and_level(client, listed, query):
    response = client.get(SEARCH, {"q": query})
    registry = response.context["registry"]
    assert [re.sub(r"</?mark>", "", entry.name) for entry in registry["entries"]] == ["张伟"]
    assert "张秘" not in response.content.decode()


def registry_section(html: str) -> str:
    match = re.search(r"<section[^>]*search-group-registry.*?</section>", html, re.S)
    return match.group(0) if match else ""


@pytest.mark.django_db
def test_a_person_who_leaves_the_registry_is_no_longer_found(client, listed):
    from certification.registry.services import registry_leave

    assert "张伟" in registry_section(client.get(SEARCH, {"q": "张伟"}).content.decode())
    registry_leave(user=listed)
    response = client.get(SEARCH, {"q": "张伟"})
    assert response.context["registry"]["count"] == 0
    assert registry_section(response.content.decode()) == ""
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_registry_part_keeps_the_registrys_rate_limit(client, listed, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 2
    client.get("/registry/")  # the registry's own page and the search count together
    assert "张伟" in registry_section(client.get(SEARCH, {"q": "张伟"}).content.decode())
    response = client.get(SEARCH, {"q": "张伟"})
    assert response.status_code == 200
    assert response.context["registry"]["refused"]
    section = registry_section(response.content.decode())
    assert "张伟" not in section
    assert re.search(r"请稍等|Please wait", section)
    # Pages are still searched.
    assert response.context["registry"]["entries"] == []


@pytest.mark.django_db
def test_the_wagtail_admin_page_search_finds_chinese_words_too(client, site):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/pages/search/", {"q": "晓彤"})
    assert response.status_code == 200
    assert "周晓彤" in response.content.decode()
