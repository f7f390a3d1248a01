"""A class's roster: progress, scores and pass rate, for the base's staff only, and as XLSX."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cms.services import training_base_editor_add
from courses.services import attempt_start, attempt_submit, enrolment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def classroom():
    base = factories.training_base("GD-R", "44")
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(
        base, course, blueprint=[{"type": "single", "category": "general", "count": 2}]
    )
    people = [factories.UserFactory(real_name=name) for name in ("甲学员", "乙学员", "丙学员")]
    for person in people:
        enrolment_create(user=person, course=course)
    for person, right in ((people[0], True), (people[1], False)):
        attempt = attempt_start(user=person, exam=exam)
        answers = {
            q.position: q.correct[0]
            if right
            else next(o["key"] for o in q.options if o["key"] not in q.correct)
            for q in attempt.questions.all()
        }
        attempt_submit(attempt=attempt, answers=answers)
    return base, course


def test_editor_sees_the_roster_and_pass_rate(client, classroom):
    base, course = classroom
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    content = client.get(reverse("courses:roster", args=(course.pk,))).content.decode()
    for name in ("甲学员", "乙学员", "丙学员"):
        assert name in content
    assert "50.0%" in content  # one of the two who sat the exam passed

    response = client.get(reverse("courses:roster", args=(course.pk,)) + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert sorted(row[0] for row in rows) == ["丙学员", "乙学员", "甲学员"]
    # Name, e-mail, phone, organisation, status, hours, of, attempts, best score: no province.
    best = {row[0]: row[8] for row in rows}
    assert best["甲学员"] == 2.0 and best["乙学员"] == 0.0 and best["丙学员"] is None


def test_other_bases_and_trainees_cannot_see_the_roster(client, classroom):
    base, course = classroom
    outsider = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=factories.training_base("SC-O", "51"), user=outsider)
    for user in (outsider, factories.UserFactory(roles=["Trainee"])):
        client.force_login(user)
        assert client.get(reverse("courses:roster", args=(course.pk,))).status_code == 403
        assert (
            client.get(reverse("courses:roster", args=(course.pk,)) + "?format=xlsx").status_code
            == 403
        )
