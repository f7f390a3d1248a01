"""The Wagtail admin as a base's people reach it: only their own base's questions, exams,
images and documents, in choosers, site history and its export, bulk actions and the admin API;
no server errors on History, Usage or a chooser's "create"; CSV cells never formulas."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import ModelLogEntry

from cms.models import TrainingBaseWorkspace
from cms.services import training_base_editor_add, training_base_faculty_add
from courses.models import Exam, Question
from tests import factories

pytestmark = pytest.mark.django_db

SECRET_STEM = "别基地的草稿保密题"
SECRET_EXAM = "别基地的内部考试"


def _question(base, stem, status="active"):
    return Question.objects.create(
        base=base,
        type="true_false",
        stem=stem,
        category="general",
        level="junior_broker",
        options=[],
        correct=["T"],
        status=status,
    )


@pytest.fixture
def world():
    own, other = factories.training_base("GD-S", "44"), factories.training_base("SC-S", "51")
    mine = _question(own, "本基地的试题")
    theirs = _question(other, SECRET_STEM, status="draft")
    my_exam = factories.exam(own, title="本基地考试")
    their_exam = factories.exam(other, title=SECRET_EXAM)
    for instance in (mine, theirs, my_exam, their_exam):
        ModelLogEntry.objects.log_action(instance, "wagtail.edit")
    return own, other, mine, theirs, my_exam, their_exam


@pytest.fixture
def person(client, world):
    """A teacher and editor of the first base, signed in."""
    own = world[0]
    user = factories.UserFactory(roles=["Faculty", "Base editor"])
    training_base_faculty_add(base=own, user=user)
    training_base_editor_add(base=own, user=user)
    client.force_login(user)
    return user


def test_the_question_chooser_lists_only_one_s_own_base_drafts_included(client, world, person):
    _own, _other, mine, theirs, *_ = world
    for name in ("choose", "choose_results"):
        page = client.get(reverse(f"wagtailsnippetchoosers_courses_question:{name}"))
        assert page.status_code == 200
        text = (
            page.json()["html"]
            if page["Content-Type"].startswith("application/json")
            else page.content.decode()
        )
        assert "本基地的试题" in text
        assert SECRET_STEM not in text
    chosen = client.get(
        reverse("wagtailsnippetchoosers_courses_question:chosen", args=(theirs.pk,))
    )
    assert chosen.status_code in (302, 403)
    assert SECRET_STEM not in chosen.content.decode("unicode_escape", errors="replace")


def test_site_history_and_its_export_show_only_one_s_own_base(client, world, person):
    page = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert "本基地考试" in page
    assert SECRET_STEM[:8] not in page and SECRET_EXAM not in page
    export = client.get(reverse("wagtailadmin_reports:site_history"), {"export": "csv"})
    text = b"".join(export.streaming_content).decode()
    assert "本基地考试" in text
    assert SECRET_STEM[:8] not in text and SECRET_EXAM not in text


def test_a_formula_in_a_question_exports_from_site_history_as_text(client, world, person):
    own = world[0]
    formula = _question(own, '=HYPERLINK("http://x")')
    ModelLogEntry.objects.log_action(formula, "wagtail.edit")
    export = client.get(reverse("wagtailadmin_reports:site_history"), {"export": "csv"})
    text = b"".join(export.streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text


@pytest.fixture
def media(world):
    own, other = (TrainingBaseWorkspace.objects.get(base=base).collection for base in world[:2])
    made = {}
    for collection, tag in ((own, "本基地"), (other, "别基地")):
        made[tag, "image"] = Image.objects.create(
            title=f"{tag}图片",
            collection=collection,
            file=SimpleUploadedFile("p.png", factories.png_bytes(), content_type="image/png"),
        )
        made[tag, "document"] = Document.objects.create(
            title=f"{tag}讲义",
            collection=collection,
            file=SimpleUploadedFile("d.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
        )
    return made


def test_bulk_actions_do_not_name_another_base_s_images_or_documents(client, person, media):
    for app, model, kind in (
        ("wagtailimages", "image", "image"),
        ("wagtaildocs", "document", "document"),
    ):
        address = reverse("wagtail_bulk_action", args=(app, model, "delete"))
        ids = [media["本基地", kind].pk, media["别基地", kind].pk]
        page = client.get(address, {"id": ids})
        assert page.status_code == 200
        text = page.content.decode()
        assert f"本基地{'图片' if kind == 'image' else '讲义'}" in text
        assert "别基地" not in text


def test_the_admin_api_lists_only_one_s_own_images_and_documents(client, person, media):
    for endpoint, kind in (("images", "图片"), ("documents", "讲义")):
        answer = client.get(f"/admin/api/main/{endpoint}/")
        assert answer.status_code == 200
        titles = {item["title"] for item in answer.json()["items"]}
        assert titles == {f"本基地{kind}"}
        foreign = media["别基地", "image" if endpoint == "images" else "document"]
        assert client.get(f"/admin/api/main/{endpoint}/{foreign.pk}/").status_code == 404


def test_history_and_usage_of_a_question_and_an_exam_answer(client, world, person):
    _own, _other, mine, _theirs, my_exam, their_exam = world
    for model, instance in (("question", mine), ("exam", my_exam)):
        for view in ("history", "usage"):
            page = client.get(
                reverse(f"wagtailsnippets_courses_{model}:{view}", args=(instance.pk,))
            )
            assert page.status_code == 200
    foreign = client.get(reverse("wagtailsnippets_courses_exam:history", args=(their_exam.pk,)))
    assert foreign.status_code in (302, 403)


def test_the_chooser_create_form_checks_its_data_and_creates_at_one_s_own_base(
    client, world, person
):
    own, other, *_ = world
    create = reverse("wagtailsnippetchoosers_courses_question:create")
    before = Question.objects.count()
    bad = client.post(create, {"base": other.pk, "type": "true_false", "stem": ""})
    assert bad.status_code == 200
    assert bad.json()["step"] == "reshow_creation_form"
    assert "error" in bad.json()["htmlFragment"]
    assert Question.objects.count() == before

    good = client.post(
        create,
        {
            "base": own.pk,
            "type": "true_false",
            "stem": "在选择器里新建的判断题",
            "answer_true_false": "T",
            "category": "general",
            "level": "junior_broker",
            "difficulty": 2,
            "points": "1",
            "status": "draft",
        },
    )
    assert good.status_code == 200
    assert good.json()["step"] == "chosen"
    assert Question.objects.count() == before + 1
    assert Question.objects.get(stem="在选择器里新建的判断题").base_id == own.pk


def test_a_chooser_without_a_creation_form_answers_not_found_not_a_server_error(client, person):
    from wagtail.snippets.models import get_snippet_models

    others = [m for m in get_snippet_models() if m not in (Question, Exam)]
    assert others, "a snippet chooser without a creation form to try"
    model = others[0]
    address = reverse(
        f"wagtailsnippetchoosers_{model._meta.app_label}_{model._meta.model_name}:create"
    )
    assert client.post(address, {}).status_code in (403, 404)


def test_the_exam_chooser_lists_only_one_s_own_base_and_offers_its_form(client, world, person):
    page = client.get(reverse("wagtailsnippetchoosers_courses_exam:choose"))
    assert page.status_code == 200
    html = page.json()["html"]
    assert "本基地考试" in html
    assert SECRET_EXAM not in html
