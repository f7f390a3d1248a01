"""Which page may live where, and that every page type renders and is editable."""

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import (
    FacultyIndexPage,
    FacultyMemberPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    TextbookIndexPage,
    TextbookPage,
    TrainingBaseIndexPage,
    TrainingBasePage,
)
from cms.services import training_base_editor_add
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from tests import factories


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_sits_under_the_root_and_holds_the_sections(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage, {TrainingBaseIndexPage, NewsIndexPage, StandardPage}
        )

    def test_bases_live_only_in_the_base_index(self):
        self.assertAllowedParentPageTypes(TrainingBasePage, {TrainingBaseIndexPage})
        self.assertAllowedSubpageTypes(TrainingBaseIndexPage, {TrainingBasePage})

    def test_a_base_holds_its_textbooks_faculty_and_news(self):
        # The course index comes from the courses app, which plugs itself in.
        self.assertAllowedSubpageTypes(
            TrainingBasePage, {TextbookIndexPage, FacultyIndexPage, NewsIndexPage, CourseIndexPage}
        )
        self.assertAllowedParentPageTypes(TextbookPage, {TextbookIndexPage})
        self.assertAllowedParentPageTypes(FacultyMemberPage, {FacultyIndexPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage, TrainingBasePage})

    def test_courses_hold_modules_which_hold_lessons(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {TrainingBasePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_leaves_have_no_children(self):
        for leaf in (TextbookPage, FacultyMemberPage, NewsPage):
            self.assertAllowedSubpageTypes(leaf, set())

    def test_a_textbook_cannot_be_created_directly_under_a_base(self):
        self.assertCanNotCreateAt(TrainingBasePage, TextbookPage)
        self.assertCanNotCreateAt(HomePage, TrainingBasePage)
        self.assertCanCreateAt(TextbookIndexPage, TextbookPage)


class PageRenderingTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.base = factories.training_base("GD-T", province="44")
        cls.book = factories.textbook(cls.base, title="技术合同实务")
        cls.member = factories.faculty_member(cls.base, name="林老师")
        cls.news = factories.news_item(NewsIndexPage.objects.child_of(cls.base).get())
        cls.editor = factories.UserFactory(roles=["Base editor"])
        training_base_editor_add(base=cls.base, user=cls.editor)

    def test_every_page_type_renders(self):
        pages = [
            HomePage.objects.get(),
            factories.base_index(),
            self.base,
            TextbookIndexPage.objects.get(),
            self.book,
            FacultyIndexPage.objects.get(),
            self.member,
            self.news,
        ]
        for page in pages:
            self.assertPageIsRenderable(page)

    def test_every_page_type_is_editable_in_the_admin(self):
        common = {"comments": inline_formset([])}
        cases = [
            (
                self.base,
                {
                    "title": self.base.title,
                    "slug": self.base.slug,
                    "short_code": "GD-T",
                    "province": "44",
                    "city": "广州",
                    "accreditation": "provincial",
                    "description": streamfield([("paragraph", rich_text("<p>简介</p>"))]),
                },
            ),
            (
                self.book,
                {
                    "title": "技术合同实务（第二版）",
                    "slug": self.book.slug,
                    "authors": "某作者",
                    "publisher": "某出版社",
                    "year": "2026",
                    "isbn": "978-7-5023-0001-2",
                },
            ),
            (
                self.member,
                {
                    "title": "林老师",
                    "slug": self.member.slug,
                    "organisation": "某大学",
                    "specialties": "技术评估, 科技金融",
                    "biography": rich_text("<p>简历</p>"),
                },
            ),
            (
                self.news,
                {
                    "title": "新闻",
                    "slug": self.news.slug,
                    "date": "2026-01-01",
                    "body": streamfield([]),
                },
            ),
        ]
        choices = {
            self.book.pk: {
                "levels": ["junior_broker", "intermediate_broker"],
                "modules": ["practice"],
            },
            self.member.pk: {"levels": ["junior_broker"], "modules": ["general"]},
        }
        for page, data in cases:
            post_data = nested_form_data({**data, **common})
            post_data.update(choices.get(page.pk, {}))
            self.assertPageIsEditable(page, post_data=post_data, user=self.editor)


@pytest.mark.django_db
def test_the_base_profile_page_shows_its_sections_and_contacts(client):
    base = factories.training_base("SH-X", province="31", title="上海测试基地")
    base.contact_email = "office@example.org"
    base.save_revision().publish()
    content = client.get(base.url).content.decode()
    assert "上海测试基地" in content
    assert "office@example.org" in content
    assert 'href="/bases/sh-x/textbooks/"' in content
    assert 'href="/bases/sh-x/faculty/"' in content
