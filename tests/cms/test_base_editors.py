"""Each training base's editors work on their own base and nothing else."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.models import (
    NewsIndexPage,
    NewsPage,
    TextbookIndexPage,
    TextbookPage,
    TrainingBaseWorkspace,
)
from cms.services import training_base_editor_add
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bases():
    return factories.training_base("GD-A", "44"), factories.training_base("SC-B", "51")


@pytest.fixture
def editor(client, bases):
    user = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=bases[0], user=user)
    client.force_login(user)
    return user


def news_form(title, slug="a-news-item"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": "2026-10-01",
            "summary": "",
            "body": streamfield([]),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


def test_publishing_a_base_creates_its_workspace_once(bases):
    base = bases[0]
    workspace = TrainingBaseWorkspace.objects.get(base=base)
    base.summary = "更新后的简介"
    base.save_revision().publish()
    base.save_revision().publish()
    assert TrainingBaseWorkspace.objects.filter(base=base).count() == 1
    assert Group.objects.filter(name__startswith=f"基地 {base.pk} 编辑").count() == 1
    assert TrainingBaseWorkspace.objects.get(base=base).collection == workspace.collection


def test_editor_publishes_news_under_their_own_base(client, bases, editor):
    own_news = NewsIndexPage.objects.child_of(bases[0]).get()
    url = reverse("wagtailadmin_pages:add", args=("cms", "newspage", own_news.pk))
    response = client.post(url, news_form("我们基地的新闻"))
    assert response.status_code == 302
    page = NewsPage.objects.get(title="我们基地的新闻")
    assert page.live
    assert page.get_parent().pk == own_news.pk


def base_form(base, **changes):
    data = {
        "title": base.title,
        "slug": base.slug,
        "short_code": base.short_code,
        "province": base.province,
        "city": base.city,
        "accreditation": base.accreditation,
        "description": streamfield([]),
        "comments": inline_formset([]),
        "action-publish": "publish",
        **changes,
    }
    return nested_form_data(data)


def test_editor_cannot_add_or_edit_pages_of_another_base(client, bases, editor):
    other_news = NewsIndexPage.objects.child_of(bases[1]).get()
    url = reverse("wagtailadmin_pages:add", args=("cms", "newspage", other_news.pk))
    response = client.post(url, news_form("越权新闻"))
    assert response.status_code in (302, 403)
    assert not NewsPage.objects.filter(title="越权新闻").exists()

    own_base, other_base = bases
    edit_other = reverse("wagtailadmin_pages:edit", args=(other_base.pk,))
    assert client.get(edit_other).status_code in (302, 403)
    client.post(edit_other, base_form(other_base, title="被篡改"))
    other_base.refresh_from_db()
    assert other_base.title != "被篡改"

    # The same well-formed edit on their own base goes through, so the refusal above is
    # about permission, not about the form.
    client.post(
        reverse("wagtailadmin_pages:edit", args=(own_base.pk,)), base_form(own_base, title="改名")
    )
    own_base.refresh_from_db()
    assert own_base.title == "改名"


def test_editor_cannot_change_the_base_code_or_accreditation(client, bases, editor):
    base = bases[0]
    form = client.get(reverse("wagtailadmin_pages:edit", args=(base.pk,))).context["form"]
    assert "short_code" not in form.fields and "accreditation" not in form.fields
    client.post(
        reverse("wagtailadmin_pages:edit", args=(base.pk,)),
        base_form(base, short_code="HACK", accreditation="national_2015", city="深圳"),
    )
    base.refresh_from_db()
    assert (base.short_code, base.accreditation, base.city) == ("GD-A", "national_2020", "深圳")


def test_editor_cannot_delete_their_own_base(client, bases, editor):
    response = client.post(reverse("wagtailadmin_pages:delete", args=(bases[0].pk,)))
    assert response.status_code in (302, 403)
    bases[0].refresh_from_db()
    assert bases[0].live


def test_editor_adds_a_textbook_with_its_levels_and_modules(client, bases, editor):
    index = TextbookIndexPage.objects.child_of(bases[0]).get()
    url = reverse("wagtailadmin_pages:add", args=("cms", "textbookpage", index.pk))
    data = nested_form_data(
        {
            "title": "政策法规读本",
            "slug": "policy-reader",
            "authors": "某作者",
            "publisher": "某出版社",
            "year": "2026",
            "isbn": "978-7-5023-0002-9",
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    # Multiple choices go as repeated keys, as a browser sends checkboxes.
    data.update({"levels": ["junior_broker", "senior_manager"], "modules": ["policy"]})
    assert client.post(url, data).status_code == 302
    book = TextbookPage.objects.get(slug="policy-reader")
    assert book.levels == ["junior_broker", "senior_manager"]
    assert book.modules == ["policy"]
    assert book.get_latest_revision_as_object().levels == ["junior_broker", "senior_manager"]


def test_a_wrong_isbn_is_refused_with_a_message(client, bases, editor):
    index = TextbookIndexPage.objects.child_of(bases[0]).get()
    url = reverse("wagtailadmin_pages:add", args=("cms", "textbookpage", index.pk))
    data = nested_form_data(
        {
            "title": "错书号",
            "slug": "bad-isbn",
            "authors": "某作者",
            "publisher": "某出版社",
            "year": "2026",
            "isbn": "978-7-5023-0002-1",
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )
    data.update({"levels": ["junior_broker"], "modules": ["policy"]})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "isbn" in response.context["form"].errors
    assert not TextbookPage.objects.filter(slug="bad-isbn").exists()


def test_editor_documents_stay_in_their_collection_and_others_are_out_of_reach(
    client, bases, editor
):
    own, other = (TrainingBaseWorkspace.objects.get(base=b).collection for b in bases)
    private = Document.objects.create(
        title="另一基地的内部讲义",
        collection=other,
        file=SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf"),
    )

    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "本基地讲义",
            "collection": own.pk,
            "file": SimpleUploadedFile(
                "mine.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    mine = Document.objects.get(title="本基地讲义")
    assert mine.collection == own

    listing = client.get(reverse("wagtaildocs:index")).content.decode()
    assert "本基地讲义" in listing
    assert "另一基地的内部讲义" not in listing
    chooser = client.get(reverse("wagtaildocs_chooser:choose")).json()["html"]
    assert "本基地讲义" in chooser
    assert "另一基地的内部讲义" not in chooser

    edit_private = reverse("wagtaildocs:edit", args=(private.pk,))
    assert client.get(edit_private).status_code in (302, 403)
    client.post(edit_private, {"title": "被改名", "collection": own.pk})
    private.refresh_from_db()
    assert private.title == "另一基地的内部讲义"
    # The same edit on their own document is accepted.
    client.post(
        reverse("wagtaildocs:edit", args=(mine.pk,)), {"title": "改名讲义", "collection": own.pk}
    )
    mine.refresh_from_db()
    assert mine.title == "改名讲义"


def test_editor_cannot_attach_another_base_s_picture_by_its_id(client, bases, editor):
    from wagtail.images.models import Image

    from tests.factories import png_bytes

    other = TrainingBaseWorkspace.objects.get(base=bases[1]).collection
    picture = Image.objects.create(
        title="别人的图片",
        collection=other,
        file=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
    )
    assert picture.pk not in {
        i.pk for i in client.get(reverse("wagtailimages_chooser:choose")).context["results"]
    }
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(bases[0].pk,)),
        base_form(bases[0], logo=picture.pk),
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    bases[0].refresh_from_db()
    assert bases[0].logo_id is None


def test_trainee_cannot_open_the_admin(client):
    client.force_login(factories.UserFactory(roles=["Trainee"]))
    response = client.get(reverse("wagtailadmin_home"), follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def _draft_news(base, title):
    news_index = NewsIndexPage.objects.child_of(base).get()
    page = NewsPage(title=title, slug=f"draft-{base.pk}", date="2026-10-01", live=False)
    news_index.add_child(instance=page)
    return page


def test_the_page_chooser_shows_other_bases_only_as_the_public_site_does(client, bases, editor):
    theirs = _draft_news(bases[1], "另一基地尚未发布的新闻")
    ours = _draft_news(bases[0], "本基地尚未发布的新闻")
    their_index = NewsIndexPage.objects.child_of(bases[1]).get()
    our_index = NewsIndexPage.objects.child_of(bases[0]).get()

    browse = client.get(reverse("wagtailadmin_choose_page_child", args=(their_index.pk,)))
    assert theirs.title not in browse.json()["html"]
    browse = client.get(reverse("wagtailadmin_choose_page_child", args=(our_index.pk,)))
    assert ours.title in browse.json()["html"]
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "尚未发布"})
    assert ours.title in search.content.decode()
    assert theirs.title not in search.content.decode()
    # Another base's published pages stay choosable: linking to them is what the chooser is for.
    browse = client.get(reverse("wagtailadmin_choose_page_child", args=(bases[1].pk,)))
    assert str(their_index.title) in browse.json()["html"]
