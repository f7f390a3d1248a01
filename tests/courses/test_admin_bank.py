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
            "correct": '["F"]',
            "options": "[]",
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
            "options": '[{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}]',
            "correct": '["A", "B"]',
            "category": "policy",
            "level": "junior_broker",
            "difficulty": 2,
            "points": "1",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "correct" in response.context["form"].errors
    assert not Question.objects.filter(stem="只有一个正确选项的单选题").exists()


def test_an_editor_cannot_create_an_exam_for_another_base(client, two_banks):
    own, other = two_banks
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=own, user=editor)
    client.force_login(editor)
    form = client.get(reverse("wagtailsnippets_courses_exam:add")).context["form"]
    assert list(form.fields["base"].queryset) == [own]
