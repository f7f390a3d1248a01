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


def _exam_form(base, **fields) -> dict:
    form = {
        "base": base.pk,
        "title": "初级技术经纪人结业考试",
        "level": "junior_broker",
        "eligibility": "completed",
        "opens_at": "2026-12-01 09:00",
        "closes_at": "2026-12-08 17:00",
        "time_limit_minutes": 60,
        "pass_mark": 60,
        "max_attempts": 2,
        "shuffle_options": "on",
        "is_published": "on",
    }
    return {**form, **fields}


@pytest.fixture
def editor_client(client, two_banks):
    own, _ = two_banks
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=own, user=editor)
    client.force_login(editor)
    return client


def test_an_exam_blueprint_is_written_as_counts_per_type_and_module(editor_client, two_banks):
    from courses.models import Exam

    own, _ = two_banks
    add = reverse("wagtailsnippets_courses_exam:add")
    page = editor_client.get(add).content.decode()
    assert 'name="draw_single__general"' in page and 'name="blueprint"' not in page

    response = editor_client.post(
        add, _exam_form(own, draw_single__general="1", draw_true_false__policy="1")
    )
    assert response.status_code == 302, response.context["form"].errors
    exam = Exam.objects.get(base=own)
    assert exam.blueprint == [
        {"type": "single", "category": "general", "count": 1},
        {"type": "true_false", "category": "policy", "count": 1},
    ]

    # Opened again: the counts are in their cells, each with what the bank holds for it.
    edit = editor_client.get(reverse("wagtailsnippets_courses_exam:edit", args=(exam.pk,)))
    assert edit.context["form"]["draw_single__general"].value() == 1
    assert "题库中有 1 道" in edit.content.decode()


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"draw_single__general": "3"}, "单选题共 1 道，组卷规则要求 3 道"),
        ({}, "至少"),
    ],
)
def test_a_blueprint_the_bank_cannot_fill_is_refused_with_the_reason(
    editor_client, two_banks, cells, message
):
    from courses.models import Exam

    own, _ = two_banks
    response = editor_client.post(
        reverse("wagtailsnippets_courses_exam:add"), _exam_form(own, **cells)
    )
    assert response.status_code == 200
    shown = " ".join(response.context["form"].blueprint_errors)
    assert message in shown, shown
    assert message in response.content.decode()
    assert not Exam.objects.exists()


def test_a_cell_left_unchanged_keeps_its_stored_rows_and_their_difficulty(editor_client, two_banks):
    own, _ = two_banks
    exam = factories.exam(
        own,
        blueprint=[
            {"type": "single", "category": "general", "count": 1, "difficulty": 2},
            {"type": "multiple", "category": "policy", "count": 1},
        ],
    )
    response = editor_client.post(
        reverse("wagtailsnippets_courses_exam:edit", args=(exam.pk,)),
        _exam_form(own, title=exam.title, draw_single__general="1", draw_true_false__practice="1"),
    )
    assert response.status_code == 302, response.context["form"].errors
    exam.refresh_from_db()
    assert exam.blueprint == [
        {"type": "single", "category": "general", "count": 1, "difficulty": 2},
        {"type": "true_false", "category": "practice", "count": 1},
    ]


def test_an_exam_date_out_of_any_sensible_range_or_another_bases_course_is_refused(
    editor_client, two_banks
):
    from courses.models import Exam

    own, other = two_banks
    add = reverse("wagtailsnippets_courses_exam:add")
    cells = {"draw_single__general": "1"}
    for field in ("opens_at", "closes_at"):
        response = editor_client.post(add, _exam_form(own, **{field: "0001-01-01 00:00"}, **cells))
        assert response.status_code == 200
        assert field in response.context["form"].errors

    foreign_course = factories.course(other, slug="foreign")
    response = editor_client.post(
        add, _exam_form(own, course=foreign_course.pk, eligibility="enrolled", **cells)
    )
    assert response.status_code == 200
    assert "course" in response.context["form"].errors
    assert not Exam.objects.exists()
