"""Exam standards belong to the certifying body: only an exam whose paper meets the standard of
the body counts toward its level, and nobody sits a level's exam before holding its hours."""

import pytest
from django.test import TestCase
from django.utils import translation

from certification.applications.checklist import checklist
from certification.applications.services import application_create
from certification.errors import CertificationError
from certification.issuing.services import application_approve
from certification.levels.snippets import ExamStandardViewSet
from certification.models import Application, CertificationLevel, ExamStandard
from courses import api as courses_api
from courses import signals as course_signals
from tests.certification.factories import (
    certifier,
    certifying_body,
    exam_standard,
    level,
    qualify,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return certifying_body("GD")


def _applied(person, body, **qualify_kwargs):
    """A person who passed an exam, with an application awaiting a decision (put there directly,
    so the rule is tested where the certifier approves)."""
    qualify(person, **qualify_kwargs)
    application = application_create(applicant=person, level=level("junior_broker"), body=body)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.SUBMITTED)
    return application


def _exam_row(person, application=None):
    result = checklist(user_id=person.pk, level=level("junior_broker"), application=application)
    return next(item for item in result.items if item.key == "exam")


def test_an_exam_below_the_bodys_standard_does_not_count_and_approval_is_refused(body):
    person = UserFactory()
    application = _applied(person, body, questions_per_module=1, exam_fields={"pass_mark": 1})
    with translation.override("en"):
        row = _exam_row(person, application)
    assert not row.met
    assert "does not count" in row.actual
    assert "at least 5 questions (this exam has 1)" in row.actual
    assert "pass mark at least 60% (this exam: 1%)" in row.actual
    with pytest.raises(CertificationError, match="Exam of the level|考试"):
        application_approve(application_id=application.pk, actor=certifier(body))
    assert not hasattr(Application.objects.get(pk=application.pk), "certificate")


def test_an_exam_meeting_the_bodys_standard_counts_and_is_approved(body):
    person = UserFactory()
    application = _applied(person, body)
    row = _exam_row(person, application)
    assert row.met
    with TestCase.captureOnCommitCallbacks(execute=False):
        certificate = application_approve(application_id=application.pk, actor=certifier(body))
    assert certificate.level.code == "junior_broker"


def test_a_time_limit_longer_than_the_standard_allows_does_not_count(body):
    person = UserFactory()
    application = _applied(person, body, exam_fields={"time_limit_minutes": 300})
    with translation.override("en"):
        row = _exam_row(person, application)
    assert not row.met
    assert "time limit at most 120 minutes (this exam: 300)" in row.actual


def test_the_standard_is_the_application_bodys_own():
    strict = certifying_body("GD")
    lenient = certifying_body("SH")
    exam_standard(
        lenient,
        questions_general=1,
        questions_policy=1,
        questions_practice=1,
        questions_enhancement=1,
    )
    person = UserFactory()
    qualify(person, questions_per_module=1)
    for body, counts in ((strict, False), (lenient, True)):
        application = application_create(applicant=person, level=level("junior_broker"), body=body)
        assert _exam_row(person, application).met is counts
        application.delete()


def test_without_a_standard_no_exam_counts_and_the_checklist_says_so():
    body = certifying_body("GD", exam_standards=False)
    person = UserFactory()
    application = _applied(person, body)
    with translation.override("en"):
        row = _exam_row(person, application)
    assert not row.met
    assert "has not set an exam standard" in row.actual
    assert body.name in row.actual
    # Before applying, an exam counts when it meets an awarding body's standard.
    with translation.override("en"):
        assert "No certifying body has set an exam standard" in _exam_row(person).actual
    exam_standard(body)
    assert _exam_row(person).met


def test_exam_passes_carry_their_paper_in_two_queries_for_many_people(
    body, django_assert_num_queries
):
    people = [UserFactory() for _ in range(3)]
    for n, person in enumerate(people, start=1):
        qualify(person, questions_per_module=n, exam_fields={"pass_mark": 70 + n})
    with django_assert_num_queries(2):
        passes = courses_api.exams_passed_for(
            user_ids=[p.pk for p in people], level="junior_broker"
        )
    for n, person in enumerate(people, start=1):
        (only,) = passes[person.pk]
        assert only.questions_by_module == {
            "general": n,
            "policy": n,
            "practice": n,
            "enhancement": n,
        }
        assert only.pass_mark == 70 + n
        assert only.time_limit_minutes == 30


# The signals courses asks through ----------------------------------------------------------


def test_the_exam_standards_signal_answers_with_active_bodies_standards(body):
    certifying_body("SH", is_active=False)
    (standard,) = course_signals.standards_for(level="junior_broker")
    assert (standard.body_id, standard.level) == (body.pk, "junior_broker")
    assert standard.min_questions == {
        "general": 5,
        "policy": 5,
        "practice": 5,
        "enhancement": 5,
    }
    assert (standard.min_pass_mark, standard.max_time_limit_minutes) == (60, 120)
    assert course_signals.standards_for(level="senior_manager") == []


def test_exam_entry_is_refused_without_the_hours_and_names_what_is_short():
    person = UserFactory()
    with translation.override("en"):
        refusal = course_signals.entry_refusal(user_id=person.pk, level="junior_broker")
    assert refusal is not None
    assert "Policies and regulations: 0 of 4 hours" in refusal
    assert "General knowledge: 0 of 4 hours" in refusal
    assert "Capability enhancement" not in refusal  # the junior level asks for none
    qualify(person)
    assert course_signals.entry_refusal(user_id=person.pk, level="junior_broker") is None


@pytest.mark.parametrize(
    "change", [{"exam_before_hours": True}, {"exam_required": False}], ids=["before", "no-exam"]
)
def test_exam_entry_is_allowed_before_the_hours_where_the_level_says_so_or_has_no_exam(change):
    person = UserFactory()
    assert course_signals.entry_refusal(user_id=person.pk, level="junior_broker")
    CertificationLevel.objects.filter(code="junior_broker").update(**change)
    assert course_signals.entry_refusal(user_id=person.pk, level="junior_broker") is None


# The admin form ----------------------------------------------------------------------------


def _form(data, instance=None):
    form_class = ExamStandardViewSet().get_edit_handler().get_form_class()
    return form_class(data=data, instance=instance or ExamStandard())


def _data(body, level_code="junior_broker", **changes):
    data = {
        "body": body.pk,
        "level": level(level_code).pk,
        "questions_general": 5,
        "questions_policy": 5,
        "questions_practice": 5,
        "questions_enhancement": 0,
        "min_pass_mark": 60,
        "max_time_limit_minutes": 120,
        "change_reason": "setting the standard",
    }
    data.update(changes)
    return data


def test_the_admin_form_refuses_a_pass_mark_or_time_limit_out_of_range():
    body = certifying_body("GD", exam_standards=False)
    with translation.override("en"):
        form = _form(_data(body, min_pass_mark=0, max_time_limit_minutes=0))
        assert not form.is_valid()
        assert "The pass mark must be at least 1%." in form.errors["min_pass_mark"]
        assert (
            "The time limit must be at least one minute." in form.errors["max_time_limit_minutes"]
        )
        form = _form(_data(body, min_pass_mark=101))
        assert not form.is_valid()
        assert "The pass mark cannot be above 100%." in form.errors["min_pass_mark"]


def test_the_admin_form_refuses_a_level_the_body_does_not_award_or_without_an_exam():
    body = certifying_body("GD", exam_standards=False)
    with translation.override("en"):
        form = _form(_data(body, "senior_manager"))
        assert not form.is_valid()
        assert "does not award" in form.errors["level"][0]
    body.levels.add(level("contract_registrar"))
    with translation.override("en"):
        form = _form(_data(body, "contract_registrar"))
        assert not form.is_valid()
        assert "has no exam" in form.errors["level"][0]
    form = _form(_data(body))
    assert form.is_valid(), form.errors


def test_administrators_set_standards_in_the_admin_and_base_editors_may_not(client):
    from django.conf import settings
    from django.urls import reverse

    from tests.factories import sign_in, with_totp

    body = certifying_body("GD", exam_standards=False)
    add = reverse("wagtailsnippets_certification_examstandard:add")
    editor = with_totp(UserFactory(roles=["Base editor"]))
    sign_in(client, editor)
    assert client.get(add).status_code in (302, 403)
    client.logout()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_in(client, with_totp(UserFactory(roles=["Administrator"])))
    refused = client.post(add, _data(body, min_pass_mark=0))
    assert refused.status_code == 200
    assert "The pass mark must be at least 1%." in refused.content.decode()
    assert not ExamStandard.objects.exists()
    assert client.post(add, _data(body)).status_code == 302
    standard = ExamStandard.objects.get(body=body)
    assert (standard.min_pass_mark, standard.values_are_defaults) == (60, False)


def test_a_pass_after_more_attempts_than_the_standard_allows_does_not_count(body):
    """Every result shows a score, so a pass on the tenth try at a small bank shows little."""
    from courses.models import Attempt

    ExamStandard.objects.filter(body=body).update(max_attempts=2)
    person = UserFactory()
    application = _applied(person, body)
    assert _exam_row(person, application).met  # the first attempt passed
    Attempt.objects.filter(user=person).update(number=3)
    with translation.override("en"):
        row = _exam_row(person, application)
    assert not row.met
    assert "at most 2 attempts (this exam: 3)" in row.actual
