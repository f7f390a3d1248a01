"""The question bank and exams in the Wagtail admin: each base sees and edits only its own."""

import pytest
from django.urls import reverse

from cms.services import training_base_editor_add, training_base_faculty_add
from courses.models import Question
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_banks():
    own, other = factories.training_base("GD-Q", "44"), factories.training_base("SC-Q", "51")
    factories.questions(own, per_kind=1)
    Question.objects.create(
        base=other,
        type="true_false",
        stem="另一基地的保密试题",
        category="general",
        level="junior_broker",
        options=[],
        correct=["T"],
        status="active",
    )
    return own, other


def test_teacher_lists_and_edits_only_their_own_bases_questions(client, two_banks):
    own, other = two_banks
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=own, user=teacher)
    client.force_login(teacher)

    listing = client.get(reverse("wagtailsnippets_courses_question:list")).content.decode()
    assert "公共知识 单选 0"[:6] in listing or "general 单选 0" in listing
    assert "另一基地的保密试题" not in listing

    foreign = Question.objects.get(base=other)
    response = client.get(reverse("wagtailsnippets_courses_question:edit", args=(foreign.pk,)))
    assert response.status_code in (302, 403)
    client.post(
        reverse("wagtailsnippets_courses_question:edit", args=(foreign.pk,)),
        {
            "base": other.pk,
            "type": "true_false",
            "stem": "被篡改",
            "category": "general",
            "level": "junior_broker",
            "answer_true_false": "F",
            "difficulty": 2,
            "points": "1",
            "status": "active",
        },
    )
    foreign.refresh_from_db()
    assert foreign.stem == "另一基地的保密试题"


def test_a_question_saved_in_the_admin_is_checked_for_its_type(client, two_banks):
    own, _ = two_banks
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=own, user=teacher)
    client.force_login(teacher)
    response = client.post(
        reverse("wagtailsnippets_courses_question:add"),
        {
            "base": own.pk,
            "type": "single",
            "stem": "只有一个正确选项的单选题",
            "option_a": "甲",
            "option_b": "乙",
            "answer_keys": ["A", "B"],
            "category": "policy",
            "level": "junior_broker",
            "difficulty": 2,
            "points": "1",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "answer_keys" in response.context["form"].errors
    assert not Question.objects.filter(stem="只有一个正确选项的单选题").exists()


def test_an_editor_cannot_create_an_exam_for_another_base(client, two_banks):
    own, other = two_banks
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=own, user=editor)
    client.force_login(editor)
    form = client.get(reverse("wagtailsnippets_courses_exam:add")).context["form"]
    assert list(form.fields["base"].queryset) == [own]


def _question_form(base, **fields) -> dict:
    form = {
        "base": base.pk,
        "stem": "科技成果转化的主要方式有哪些",
        "category": "policy",
        "level": "junior_broker",
        "difficulty": 2,
        "points": "1",
        "status": "active",
    }
    return {**form, **fields}


@pytest.fixture
def teacher_client(client, two_banks):
    own, _ = two_banks
    teacher = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=own, user=teacher)
    client.force_login(teacher)
    return client


def test_a_teacher_writes_options_and_ticks_the_answers_without_any_json(teacher_client, two_banks):
    own, _ = two_banks
    add = reverse("wagtailsnippets_courses_question:add")
    page = teacher_client.get(add).content.decode()
    assert 'name="option_a"' in page and 'name="answer_keys"' in page
    assert 'name="options"' not in page and 'name="correct"' not in page

    response = teacher_client.post(
        add,
        _question_form(
            own,
            type="multiple",
            option_a="转让",
            option_b="许可",
            option_c="作价投资",
            answer_keys=["A", "C"],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    question = Question.objects.get(stem="科技成果转化的主要方式有哪些")
    assert question.options == [
        {"key": "A", "text": "转让"},
        {"key": "B", "text": "许可"},
        {"key": "C", "text": "作价投资"},
    ]
    assert question.correct == ["A", "C"]

    # Opened again, the form shows what was written and ticked.
    edit = teacher_client.get(reverse("wagtailsnippets_courses_question:edit", args=(question.pk,)))
    form = edit.context["form"]
    assert [form["option_a"].value(), form["option_c"].value()] == ["转让", "作价投资"]
    assert form["answer_keys"].value() == ["A", "C"]


def test_a_true_or_false_question_is_answered_with_a_choice(teacher_client, two_banks):
    own, _ = two_banks
    response = teacher_client.post(
        reverse("wagtailsnippets_courses_question:add"),
        _question_form(own, type="true_false", answer_true_false="F"),
    )
    assert response.status_code == 302, response.context["form"].errors
    question = Question.objects.get(stem="科技成果转化的主要方式有哪些")
    assert question.correct == ["F"]
    assert [o["key"] for o in question.options] == ["T", "F"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"type": "single", "option_a": "甲", "option_c": "丙", "answer_keys": ["A"]},
            "option_b",
            "（B 为空）",
        ),
        (
            {"type": "single", "option_a": "甲", "option_b": "乙"},
            "answer_keys",
            None,
        ),
        (
            {"type": "multiple", "option_a": "甲", "option_b": "乙", "answer_keys": ["A", "D"]},
            "answer_keys",
            None,
        ),
        ({"type": "single", "option_a": "只有一个选项", "answer_keys": ["A"]}, "option_a", None),
        ({"type": "true_false"}, "answer_true_false", None),
    ],
)
def test_a_question_that_does_not_fit_its_type_is_refused_on_the_field_to_fix(
    teacher_client, two_banks, fields, field, message
):
    own, _ = two_banks
    response = teacher_client.post(
        reverse("wagtailsnippets_courses_question:add"), _question_form(own, **fields)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in " ".join(errors[field])
    assert not Question.objects.filter(stem="科技成果转化的主要方式有哪些").exists()
