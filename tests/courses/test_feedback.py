"""Course feedback (评教): who may rate, what is refused, and the anonymous figures."""

import dataclasses
import datetime

import pytest
from django.utils import translation

from courses import api as courses_api
from courses.models import CourseFeedback, Enrolment, FeedbackGiven, TeacherFeedback
from courses.services_feedback import FeedbackRefused, course_feedback_submit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The services' messages in English, so the assertions read them."""
    with translation.override("en"):
        yield


GOOD = {"content": "5", "organisation": "4", "usefulness": "3"}
TEACHER = {"clarity": "4", "expertise": "5", "responsiveness": "3"}


def _class(base=None, *, size=5, status=Enrolment.Status.COMPLETED, teachers=("林老师", "王老师")):
    base = base or factories.training_base("GD-F", "44")
    course = factories.course(base, slug=f"fb-{Enrolment.objects.count()}-{size}")
    members = [factories.faculty_member(base, name=name) for name in teachers]
    course.faculty.set(members)
    course.save()
    people = [factories.UserFactory(real_name=f"学员{n}") for n in range(size)]
    for person in people:
        Enrolment.objects.create(user=person, course=course, status=status)
    return base, course, members, people


def _answer(person, course, members, *, ratings=GOOD, comment="", teacher=TEACHER):
    course_feedback_submit(
        user=person,
        course=course,
        ratings=ratings,
        comment=comment,
        teacher_ratings={m.pk: teacher for m in members},
    )


def _nothing_written():
    return (
        FeedbackGiven.objects.count() == 0
        and CourseFeedback.objects.count() == 0
        and TeacherFeedback.objects.count() == 0
    )


def test_a_trainee_who_completed_rates_the_course_and_each_teacher_anonymously():
    _base, course, members, people = _class(size=1)
    _answer(people[0], course, members, comment="案例很实用")
    assert FeedbackGiven.objects.filter(user=people[0], course=course).count() == 1
    answer = CourseFeedback.objects.get()
    assert (answer.content, answer.organisation, answer.usefulness) == (5, 4, 3)
    assert answer.comment == "案例很实用"
    assert sorted(answer.teachers.values_list("teacher_id", flat=True)) == sorted(
        m.pk for m in members
    )
    # The answer carries nothing that names the person or when they answered.
    names = {f.name for f in CourseFeedback._meta.concrete_fields}
    assert names == {"id", "course", "content", "organisation", "usefulness", "comment"}
    teacher_names = {f.name for f in TeacherFeedback._meta.concrete_fields}
    assert "user" not in teacher_names and not any(n.endswith("_at") for n in teacher_names)


def test_a_seat_in_a_class_that_has_ended_is_enough_to_rate():
    _base, course, members, people = _class(size=1, status=Enrolment.Status.ACTIVE)
    course.end_date = datetime.date.today() - datetime.timedelta(days=1)
    course.save()
    _answer(people[0], course, members)
    assert CourseFeedback.objects.count() == 1


@pytest.mark.parametrize(
    "case, message",
    [
        ("stranger", "Only trainees who took this course can rate it."),
        ("withdrawn", "Only trainees who took this course can rate it."),
        ("unfinished", "once you have completed it or its class has ended"),
    ],
)
def test_only_trainees_who_finished_may_rate(case, message):
    _base, course, members, people = _class(size=1, status=Enrolment.Status.ACTIVE)
    course.end_date = datetime.date.today() + datetime.timedelta(days=3)
    course.save()
    person = people[0]
    if case == "stranger":
        person = factories.UserFactory()
    elif case == "withdrawn":
        Enrolment.objects.filter(user=person).update(status=Enrolment.Status.WITHDRAWN)
    with pytest.raises(FeedbackRefused, match=message):
        _answer(person, course, members)
    assert _nothing_written()


def test_rating_twice_is_refused_and_the_first_answer_stands():
    _base, course, members, people = _class(size=1)
    _answer(people[0], course, members)
    with pytest.raises(FeedbackRefused, match="already rated"):
        _answer(people[0], course, members, ratings={**GOOD, "content": "1"})
    assert CourseFeedback.objects.get().content == 5
    assert FeedbackGiven.objects.count() == 1 and TeacherFeedback.objects.count() == 2


@pytest.mark.parametrize("value", ["0", "6", "-1", "4.5", "abc", "", None, "５"])
def test_a_rating_outside_one_to_five_is_refused(value):
    _base, course, members, people = _class(size=1)
    with pytest.raises(FeedbackRefused, match="rating from 1 to 5"):
        _answer(people[0], course, members, ratings={**GOOD, "usefulness": value})
    with pytest.raises(FeedbackRefused, match="rating from 1 to 5"):
        _answer(people[0], course, members, teacher={**TEACHER, "clarity": value})
    assert _nothing_written()


def test_a_teacher_of_another_course_or_a_teacher_left_out_is_refused():
    base, course, members, people = _class(size=1)
    outsider = factories.faculty_member(base, name="外聘老师")
    with pytest.raises(FeedbackRefused, match="only the teachers of this course"):
        course_feedback_submit(
            user=people[0],
            course=course,
            ratings=GOOD,
            teacher_ratings={**{m.pk: TEACHER for m in members}, outsider.pk: TEACHER},
        )
    with pytest.raises(FeedbackRefused, match="Rate every teacher"):
        course_feedback_submit(
            user=people[0], course=course, ratings=GOOD, teacher_ratings={members[0].pk: TEACHER}
        )
    with pytest.raises(FeedbackRefused, match="at most 1000 characters"):
        _answer(people[0], course, members, comment="长" * 1001)
    assert _nothing_written()


def test_a_class_of_three_shows_no_figures_at_all():
    _base, course, members, people = _class(size=3)
    for person in people:
        _answer(person, course, members, comment="很好")
    summary = courses_api.course_feedback_summary(course.pk)
    for figures in (summary.figures, *(t.figures for t in summary.teachers)):
        assert figures.enough is False
        assert figures.responses is None and figures.overall is None
        assert figures.averages == {} and figures.comments == ()
    assert courses_api.base_feedback_figures(base_id=_base.pk, year=2026).responses is None


def test_five_answers_give_averages_and_nameless_comments():
    base, course, members, people = _class(size=5)
    for n, person in enumerate(people):
        ratings = {"content": str(1 + n), "organisation": "4", "usefulness": "5"}
        _answer(person, course, members, ratings=ratings, comment=f"意见{n}" if n < 2 else "")
    summary = courses_api.course_feedback_summary(course.pk)
    figures = summary.figures
    assert figures.enough and figures.responses == 5
    assert {k: str(v) for k, v in figures.averages.items()} == {
        "content": "3.0",
        "organisation": "4.0",
        "usefulness": "5.0",
    }
    assert str(figures.overall) == "4.0"
    assert figures.comments == ("意见0", "意见1")
    assert [t.name for t in summary.teachers] == ["林老师", "王老师"]
    assert str(summary.teachers[0].figures.averages["expertise"]) == "5.0"
    # Nothing in the summary names a trainee.
    text = repr(dataclasses.asdict(summary))
    assert not any(p.real_name in text or p.email in text for p in people)
    year = courses_api.base_feedback_figures(base_id=base.pk, year=2026)
    assert year.responses == 5 and str(year.overall) == "4.0"
    assert courses_api.base_feedback_figures(base_id=base.pk, year=2025).enough is False


def test_a_teachers_figures_add_up_their_courses():
    base, course, members, people = _class(size=3, teachers=("林老师",))
    for person in people:
        _answer(person, course, members)
    _b, second, _m, others = _class(base, size=2, teachers=())
    second.faculty.set(members)
    second.save()
    teacher = members[0]
    alone = courses_api.course_feedback_summary(course.pk).teachers[0]
    assert alone.figures.enough is False
    for person in others:
        _answer(person, second, members, teacher={**TEACHER, "clarity": "2"})
    summary = courses_api.faculty_page_feedback_summary([teacher.pk])
    assert summary.courses == 2 and summary.figures.responses == 5
    assert str(summary.figures.averages["clarity"]) == "3.2"  # (4*3 + 2*2) / 5
    # Nobody linked to an account has no teaching record to rate.
    nobody = courses_api.teacher_feedback_summary(factories.UserFactory().pk)
    assert nobody.teacher_ids == () and nobody.figures.enough is False


def test_an_unknown_course_has_no_summary():
    assert courses_api.course_feedback_summary(987654) is None


def test_the_audit_log_says_who_answered_never_what():
    from certification.audit.models import AuditEntry

    _base, course, members, people = _class(size=1)
    _answer(people[0], course, members, comment="私下的意见")
    entry = AuditEntry.objects.get(action="course.feedback_given")
    assert entry.actor_id == people[0].pk and entry.data == {"course": course.pk}


def test_a_persons_data_says_which_courses_they_rated_but_not_what_they_said():
    _base, course, members, people = _class(size=1)
    _answer(people[0], course, members, comment="私下的意见")
    data = courses_api.personal_data_of(user_id=people[0].pk)
    assert [r["course"] for r in data["courses_rated"]] == [course.title]
    assert "私下的意见" not in repr(data)


def test_a_lessons_teacher_is_rated_and_counts_for_their_linked_account():
    from courses.models import FacultyAccountLink, LessonPage

    base, course, members, people = _class(size=5, teachers=())
    guest = factories.faculty_member(base, name="客座老师")
    lesson = LessonPage.objects.descendant_of(course).first()
    lesson.teacher = guest
    lesson.save()
    with pytest.raises(FeedbackRefused, match="Rate every teacher"):
        _answer(people[0], course, [])
    for person in people:
        _answer(person, course, [guest])
    account = factories.UserFactory()
    FacultyAccountLink.objects.create(page=guest, user=account, status="accepted")
    summary = courses_api.teacher_feedback_summary(account.pk)
    assert summary.teacher_ids == (guest.pk,) and summary.figures.responses == 5
    assert str(summary.figures.overall) == "4.0"


def test_a_small_class_cannot_be_read_as_the_difference_of_two_figures():
    """A teacher's class of 3 beside a class of 5: the class of 5 is shown on its own, so a
    total over both would give the class of 3 by difference. The total leaves it out."""
    base, small, members, few = _class(size=3, teachers=("林老师",))
    for person in few:
        _answer(person, small, members, teacher={**TEACHER, "clarity": "1"}, comment="小班意见")
    _b, large, _m, many = _class(base, size=5, teachers=())
    large.faculty.set(members)
    large.save()
    for person in many:
        _answer(person, large, members, comment="大班意见")
    teacher = courses_api.faculty_page_feedback_summary([members[0].pk])
    assert teacher.figures.responses == 5
    assert str(teacher.figures.averages["clarity"]) == "4.0"  # the class of 5 alone
    year = courses_api.base_feedback_figures(base_id=base.pk, year=2026)
    assert year.responses == 5 and "小班意见" not in year.comments
    assert courses_api.course_feedback_summary(small.pk).figures.enough is False
