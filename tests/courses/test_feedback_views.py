"""Course feedback pages: the trainee's form from "my learning", hand-made posts refused, and the
anonymous results for the base's staff (nothing at all for a class of three)."""

import datetime

import pytest
from django.urls import reverse

from cms.services import training_base_editor_add
from courses.models import CourseFeedback, Enrolment, FeedbackGiven, TeacherFeedback
from courses.services_feedback import course_feedback_submit
from tests import factories

pytestmark = pytest.mark.django_db


def _class(code="GD-V", size=1, status=Enrolment.Status.COMPLETED):
    base = factories.training_base(code, "44")
    course = factories.course(base, slug=f"fbv-{code.lower()}")
    teacher = factories.faculty_member(base, name="林老师")
    course.faculty.set([teacher])
    course.save()
    people = [
        factories.UserFactory(real_name=f"学员{code}{n}", roles=["Trainee"]) for n in range(size)
    ]
    for person in people:
        Enrolment.objects.create(user=person, course=course, status=status)
    return base, course, teacher, people


def _post(teacher, **changes):
    data = {
        "course-content": "5",
        "course-organisation": "4",
        "course-usefulness": "4",
        "comment": "",
        f"teacher-{teacher.pk}-clarity": "5",
        f"teacher-{teacher.pk}-expertise": "5",
        f"teacher-{teacher.pk}-responsiveness": "4",
    }
    data.update(changes)
    return data


def _nothing_written():
    return not (
        FeedbackGiven.objects.exists()
        or CourseFeedback.objects.exists()
        or TeacherFeedback.objects.exists()
    )


def test_my_learning_offers_the_form_after_completion_and_thanks_after_rating(client):
    _base, course, teacher, (person,) = _class()
    client.force_login(person)
    url = reverse("courses:feedback", args=(course.pk,))
    home = client.get(reverse("my_learning")).content.decode()
    assert f'href="{url}"' in home and "评价课程" in home

    form = client.get(url).content.decode()
    assert "林老师" in form and "讲解清晰" in form and "匿名" in form
    response = client.post(url, _post(teacher, comment="案例丰富"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_learning")
    home = response.content.decode()
    assert "您对课程的评价已匿名记录" in home
    assert f'href="{url}"' not in home and "您已评价本课程" in home
    assert CourseFeedback.objects.get().comment == "案例丰富"


def test_an_unfinished_course_offers_no_form(client):
    _base, course, teacher, (person,) = _class(status=Enrolment.Status.ACTIVE)
    course.end_date = datetime.date.today() + datetime.timedelta(days=5)
    course.save()
    client.force_login(person)
    url = reverse("courses:feedback", args=(course.pk,))
    assert url not in client.get(reverse("my_learning")).content.decode()
    page = client.get(url).content.decode()
    assert "完成课程或本期培训班结束" in page and 'name="course-content"' not in page
    response = client.post(url, _post(teacher))
    assert response.status_code == 400 and "完成课程或本期培训班结束" in response.content.decode()
    assert _nothing_written()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"course-content": "9"}, "打 1 到 5 分"),
        ({"course-usefulness": "0"}, "打 1 到 5 分"),
        ({"course-organisation": ""}, "打 1 到 5 分"),
        ({"comment": "长" * 1001}, "最多 1000 个字"),
    ],
)
def test_hand_made_posts_with_bad_values_are_refused(client, change, message):
    _base, course, teacher, (person,) = _class()
    client.force_login(person)
    response = client.post(reverse("courses:feedback", args=(course.pk,)), _post(teacher, **change))
    assert response.status_code == 400 and message in response.content.decode()
    assert _nothing_written()


def test_a_teacher_not_in_the_course_or_a_course_not_taken_is_refused(client):
    base, course, teacher, (person,) = _class()
    outsider = factories.faculty_member(base, name="外校老师")
    client.force_login(person)
    url = reverse("courses:feedback", args=(course.pk,))
    data = _post(teacher, **{f"teacher-{outsider.pk}-clarity": "1"})
    response = client.post(url, data)
    assert response.status_code == 400 and "只能评价本课程的授课教师" in response.content.decode()
    missing = {k: v for k, v in _post(teacher).items() if not k.startswith("teacher-")}
    response = client.post(url, missing)
    assert response.status_code == 400 and "请评价本课程的每一位教师" in response.content.decode()

    _b, other, other_teacher, _p = _class("GD-W")
    response = client.post(reverse("courses:feedback", args=(other.pk,)), _post(other_teacher))
    assert response.status_code == 400
    assert "只有参加了本课程的学员才能评价" in response.content.decode()
    assert _nothing_written()


def test_a_second_answer_is_refused(client):
    _base, course, teacher, (person,) = _class()
    client.force_login(person)
    url = reverse("courses:feedback", args=(course.pk,))
    client.post(url, _post(teacher))
    response = client.post(url, _post(teacher, **{"course-content": "1"}))
    assert response.status_code == 400 and "您已评价过本课程" in response.content.decode()
    assert CourseFeedback.objects.get().content == 5


def _rate_all(course, teacher, people):
    for n, person in enumerate(people):
        course_feedback_submit(
            user=person,
            course=course,
            ratings={"content": "5", "organisation": "4", "usefulness": "3"},
            comment=f"第{n}条意见",
            teacher_ratings={teacher.pk: {"clarity": 4, "expertise": 5, "responsiveness": 3}},
        )


def test_the_base_sees_averages_and_comments_without_names(client):
    base, course, teacher, people = _class(size=5)
    _rate_all(course, teacher, people)
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    response = client.get(reverse("courses:feedback_results", args=(course.pk,)))
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 份评价" in page and ">4.0<" in page  # overall (5+4+3)/3
    assert "第0条意见" in page and "第4条意见" in page and "林老师" in page
    for person in people:
        assert person.real_name not in page and person.email not in page
        assert f"/{person.pk}/" not in page
    overview = client.get(reverse("courses:feedback_overview")).content.decode()
    assert course.title in overview and "4.0 (5 份评价)" in overview


def test_a_class_of_three_shows_no_figures(client):
    base, course, teacher, people = _class(size=3)
    _rate_all(course, teacher, people)
    editor = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=base, user=editor)
    client.force_login(editor)
    page = client.get(reverse("courses:feedback_results", args=(course.pk,))).content.decode()
    assert page.count("评价人数太少，不予显示") == 2  # the course and its teacher
    assert "第0条意见" not in page and ">4.0<" not in page and "3 份评价" not in page
    assert 'data-figure="overall"' not in page
    overview = client.get(reverse("courses:feedback_overview")).content.decode()
    assert "评价人数太少，不予显示" in overview and "4.0 (" not in overview


def test_the_bases_faculty_see_the_results_too(client):
    from cms.services import training_base_faculty_add

    base, course, teacher, people = _class(size=5)
    _rate_all(course, teacher, people)
    faculty = factories.UserFactory(roles=["Faculty"])
    training_base_faculty_add(base=base, user=faculty)
    client.force_login(faculty)
    page = client.get(reverse("courses:feedback_results", args=(course.pk,))).content.decode()
    assert "5 份评价" in page and not any(p.real_name in page for p in people)


def test_results_are_for_the_courses_own_base_only(client):
    _base, course, teacher, people = _class(size=5)
    _rate_all(course, teacher, people)
    other_base = factories.training_base("GD-X", "44")
    stranger = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=other_base, user=stranger)
    url = reverse("courses:feedback_results", args=(course.pk,))
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    assert course.title not in client.get(reverse("courses:feedback_overview")).content.decode()
    client.force_login(people[0])  # a trainee of the course
    assert client.get(url).status_code == 403
    assert client.get(reverse("courses:feedback_overview")).status_code == 403
