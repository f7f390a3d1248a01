"""The national faculty pool at /faculty/: teachers of every base, searched by specialty and
province, paginated, with qualifications and a teaching record that names no trainee."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.services import training_base_editor_add, training_base_faculty_add
from courses import teaching
from courses.models import LessonPage
from courses.services import enrolment_create
from tests import factories
from tests.certification.records import certificate_record

pytestmark = pytest.mark.django_db

POOL = "/faculty/"


@pytest.fixture
def bases():
    return factories.training_base("GD-A", "44"), factories.training_base("SC-B", "51")


def names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/faculty/\d+/">([^<]+)</a></h3>', html)


def test_the_pool_lists_every_base_and_is_chinese_first(client, bases):
    factories.faculty_member(bases[0], name="王老师", specialties=("知识产权",))
    factories.faculty_member(bases[1], name="李老师", specialties=("技术评估",))
    html = client.get(POOL).content.decode()
    assert "全国师资库" in html
    assert sorted(names(html)) == sorted(["王老师", "李老师"])
    assert "GD-A 培训基地" in html and "SC-B 培训基地" in html
    assert "广东" in html and "四川" in html


def test_search_by_specialty_province_and_name(client, bases):
    factories.faculty_member(bases[0], name="王老师", specialties=("知识产权",))
    factories.faculty_member(bases[1], name="李老师", specialties=("技术评估",))
    elsewhere = factories.faculty_member(bases[0], name="赵老师", specialties=("技术评估",))
    elsewhere.province = "11"  # works in Beijing, teaches for a Guangdong base
    elsewhere.save_revision().publish()

    assert sorted(names(client.get(POOL + "?specialty=技术评估").content.decode())) == [
        "李老师",
        "赵老师",
    ]
    # Province: their own where they give one, else their base's.
    assert names(client.get(POOL + "?province=44").content.decode()) == ["王老师"]
    assert names(client.get(POOL + "?province=11").content.decode()) == ["赵老师"]
    assert names(client.get(POOL + "?province=51&specialty=技术评估").content.decode()) == [
        "李老师"
    ]
    assert names(client.get(POOL + "?q=王").content.decode()) == ["王老师"]
    # Nonsense filters are ignored or match nobody, never an error.
    assert client.get(POOL + "?province=99&page=abc").status_code == 200
    assert names(client.get(POOL + "?specialty=" + "x" * 500).content.decode()) == []


def test_the_pool_is_paginated(client, bases):
    for n in range(14):
        factories.faculty_member(bases[n % 2], name=f"教师{n:02d}")
    first = client.get(POOL).content.decode()
    second = client.get(POOL + "?page=2").content.decode()
    assert len(names(first)) == 12 and len(names(second)) == 2
    assert not set(names(first)) & set(names(second))
    assert "第 1 页，共 2 页" in first and "14 位教师" in first


def test_a_draft_page_is_not_in_the_pool(client, bases):
    member = factories.faculty_member(bases[0], name="草稿老师")
    member.unpublish()
    assert names(client.get(POOL).content.decode()) == []
    assert client.get(reverse("faculty_pool_detail", args=(member.pk,))).status_code == 404
    assert client.get("/faculty/999999/").status_code == 404


@pytest.fixture
def taught(bases):
    """A teacher of base B linked to their account, invited to teach base A's class of three
    trainees, with one of its sessions."""
    page = factories.faculty_member(bases[1], name="林老师")
    page.professional_title = "研究员"
    page.certificates = "专利代理师\n高级工程师"
    page.save_revision().publish()
    teacher = factories.UserFactory(roles=["Faculty"], email="lin@example.org")
    training_base_faculty_add(base=bases[1], user=teacher)
    editor_b = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=bases[1], user=editor_b)
    editor_a = factories.UserFactory(roles=["Base editor"])
    training_base_editor_add(base=bases[0], user=editor_a)
    link = teaching.faculty_link_request(page=page, email=teacher.email, by=editor_b)
    teaching.faculty_link_answer(link_id=link.pk, user=teacher, accept=True)
    today = dt.date.today()
    course = factories.course(
        bases[0],
        lessons=[("practice", "3", "in_person")],
        start_date=today,
        end_date=today + dt.timedelta(days=20),
    )
    invitation = teaching.teaching_invitation_send(course=course, faculty_page=page, by=editor_a)
    teaching.teaching_invitation_answer(invitation_id=invitation.pk, user=teacher, accept=True)
    session = LessonPage.objects.descendant_of(course).get()
    session.teacher = page
    session.save_revision().publish()
    for name in ("张三丰", "李四海", "王五岳"):
        trainee = factories.UserFactory(roles=["Trainee"], real_name=name)
        enrolment_create(user=trainee, course=course)
    return {"page": page, "teacher": teacher, "course": course, "editor_a": editor_a}


def test_the_teaching_record_shows_figures_and_no_trainee(client, taught):
    page = taught["page"]
    listing = client.get(POOL).content.decode()
    detail = client.get(reverse("faculty_pool_detail", args=(page.pk,))).content.decode()
    assert "班级：1 · 授课：1 课" in listing
    assert "授课记录" in detail and "研究员" in detail
    assert "专利代理师" in detail and "高级工程师" in detail
    assert taught["course"].title in detail and "受邀教师" in detail
    assert "学员：3" in detail
    # A class of three: its pass rate is not shown.
    assert "不显示（参考人数少于五人）" in detail
    for html in (listing, detail):
        for name in ("张三丰", "李四海", "王五岳"):
            assert name not in html
        assert "lin@example.org" not in html


def test_portal_certificates_are_shown_only_when_the_teacher_chooses(client, taught):
    teacher, page = taught["teacher"], taught["page"]
    certificate = certificate_record(
        teacher, "intermediate_broker", issued_on=timezone.localdate(), valid_until=None
    )
    url = reverse("faculty_pool_detail", args=(page.pk,))
    assert certificate.number not in client.get(url).content.decode()
    client.force_login(teacher)
    client.post(reverse("courses:certificates_show"), {"show": "yes"})
    client.logout()
    assert certificate.number in client.get(url).content.decode()


def test_base_actions_are_offered_to_editors_only(client, bases, taught):
    page = taught["page"]
    url = reverse("faculty_pool_detail", args=(page.pk,))
    invite = reverse("courses:teaching_invite", args=(page.pk,))
    assert invite not in client.get(url).content.decode()
    client.force_login(taught["teacher"])
    assert invite not in client.get(url).content.decode()
    client.force_login(taught["editor_a"])
    html = client.get(url).content.decode()
    assert invite in html
    # Editor of base A: may invite, may not link base B's page.
    assert reverse("courses:faculty_link", args=(page.pk,)) not in html


def test_the_pool_fits_a_phone(client, bases):
    """No fixed widths in the pool's markup: the cards and the search form wrap at 390 px."""
    factories.faculty_member(bases[0], name="王老师")
    html = client.get(POOL).content.decode()
    assert 'name="viewport"' in html
    assert "<table" not in html
    assert not re.search(r'style="[^"]*width:\s*\d{3,}px', html)


def _rate(page, course, times, score=4):
    """Anonymous ratings as the course feedback form stores them."""
    from courses.models import CourseFeedback, TeacherFeedback

    for _ in range(times):
        answer = CourseFeedback.objects.create(
            course=course, content=4, organisation=4, usefulness=4, comment=""
        )
        TeacherFeedback.objects.create(
            response=answer,
            teacher=page,
            clarity=score,
            expertise=score,
            responsiveness=score,
            comment="张三丰觉得讲得好",
        )


def test_ratings_are_shown_from_five_responses_and_never_their_comments(client, taught):
    page, course = taught["page"], taught["course"]
    url = reverse("faculty_pool_detail", args=(page.pk,))
    _rate(page, course, 3)
    html = client.get(url).content.decode()
    assert "学员评价" in html
    assert "不显示：评价该教师的学员少于 5 人。" in html
    assert "4.0 / 5" not in html
    _rate(page, course, 2)
    html = client.get(url).content.decode()
    assert "不显示：评价该教师的学员少于" not in html
    assert "讲解清晰" in html
    assert html.count("4.0 / 5") == 4  # overall and the three scales
    assert "张三丰" not in html
