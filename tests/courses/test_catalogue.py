"""The course catalogue across bases, the class calendar, and a trainee's sessions as .ics."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import ical
from courses.models import CoursePage, Enrolment, LessonPage
from courses.services import enrolment_create
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_bases():
    guangdong = factories.training_base("GD-A", "44", title="华南技术转移培训基地")
    beijing = factories.training_base("BJ-A", "11", title="北京技术转移培训基地")
    return guangdong, beijing


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', response.content.decode())


def test_catalogue_lists_courses_of_every_base_with_status_seats_and_dates(client, two_bases):
    guangdong, beijing = two_bases
    factories.course(guangdong, title="初级班（广州）", capacity=30)
    factories.course(beijing, title="中级班（北京）", level="intermediate_broker")
    response = client.get(reverse("course_catalogue"))
    assert response.status_code == 200
    assert sorted(titles(response)) == ["中级班（北京）", "初级班（广州）"]
    content = response.content.decode()
    assert re.search(r"报名中|Enrolment open", content)
    assert re.search(r"剩余 30 个名额|30 seats left", content)
    assert re.search(r"不限名额|No seat limit", content)
    assert "2026-09-01 – 2026-09-30" in content
    assert "华南技术转移培训基地" in content and "北京技术转移培训基地" in content


def test_catalogue_filters_by_level_province_base_delivery_and_open(client, two_bases):
    guangdong, beijing = two_bases
    now = timezone.now()
    factories.course(guangdong, title="广州初级线上", delivery="online")
    factories.course(
        guangdong, title="广州中级面授", level="intermediate_broker", delivery="in_person"
    )
    factories.course(beijing, title="北京初级混合", delivery="blended")
    closed = factories.course(beijing, title="北京初级已截止")
    CoursePage.objects.filter(pk=closed.pk).update(
        enrolment_opens=now - datetime.timedelta(days=10),
        enrolment_closes=now - datetime.timedelta(days=1),
    )
    url = reverse("course_catalogue")
    assert sorted(titles(client.get(url, {"level": "intermediate_broker"}))) == ["广州中级面授"]
    assert sorted(titles(client.get(url, {"province": "11"}))) == ["北京初级已截止", "北京初级混合"]
    assert sorted(titles(client.get(url, {"base": str(guangdong.pk)}))) == [
        "广州中级面授",
        "广州初级线上",
    ]
    assert titles(client.get(url, {"delivery": "in_person"})) == ["广州中级面授"]
    assert "北京初级已截止" not in titles(client.get(url, {"open": "1"}))
    assert len(titles(client.get(url, {"open": "1"}))) == 3
    # Together: Beijing, junior, open.
    assert titles(client.get(url, {"province": "11", "level": "junior_broker", "open": "1"})) == [
        "北京初级混合"
    ]


def test_catalogue_ignores_nonsense_filters_instead_of_failing(client, two_bases):
    factories.course(two_bases[0], title="广州初级线上")
    for query in (
        {"level": "nope"},
        {"province": "<script>"},
        {"base": "1 OR 1=1"},
        {"base": "99999999999999999999999"},
        {"delivery": "x"},
        {"open": "yes"},
    ):
        response = client.get(reverse("course_catalogue"), query)
        assert response.status_code == 200
        assert titles(response) == ["广州初级线上"], query
    assert (
        "<script>"
        not in client.get(reverse("course_catalogue"), {"province": "<script>"}).content.decode()
    )


def test_a_full_class_says_so_and_leaves_the_open_filter(client, two_bases):
    course = factories.course(two_bases[0], title="满员班", capacity=1)
    enrolment_create(user=factories.UserFactory(), course=course)
    response = client.get(reverse("course_catalogue"))
    assert re.search(r"已满|Full", response.content.decode())
    assert re.search(r"剩余 0 个名额|0 seats left", response.content.decode())
    assert titles(client.get(reverse("course_catalogue"), {"open": "1"})) == []


def test_unpublished_courses_stay_out_of_the_catalogue(client, two_bases):
    course = factories.course(two_bases[0], title="草稿课程")
    course.unpublish()
    assert "草稿课程" not in titles(client.get(reverse("course_catalogue")))


def test_catalogue_is_linked_from_the_site_header(client):
    response = client.get(reverse("privacy"))
    assert f'href="{reverse("course_catalogue")}"' in response.content.decode()


def test_course_status_covers_every_stage():
    from courses.selectors import course_status

    now = timezone.now()
    today = timezone.localdate(now)

    def page(opens, closes, start, end):
        return CoursePage(
            enrolment_opens=now + datetime.timedelta(days=opens),
            enrolment_closes=now + datetime.timedelta(days=closes),
            start_date=today + datetime.timedelta(days=start),
            end_date=today + datetime.timedelta(days=end),
        )

    assert course_status(course=page(-1, 5, 10, 20), seats_left=3, now=now) == "open"
    assert course_status(course=page(-1, 5, 10, 20), seats_left=0, now=now) == "full"
    assert course_status(course=page(2, 5, 10, 20), seats_left=None, now=now) == "upcoming"
    assert course_status(course=page(-9, -1, 10, 20), seats_left=None, now=now) == "closed"
    assert course_status(course=page(-9, -1, -2, 20), seats_left=None, now=now) == "running"
    assert course_status(course=page(-9, -5, -4, -1), seats_left=None, now=now) == "finished"


# -- the class calendar ----------------------------------------------------------------------


def in_person_course(base, title, starts, **fields):
    course = factories.course(base, title=title, lessons=[("practice", "3", "in_person")], **fields)
    lesson = LessonPage.objects.descendant_of(course).get()
    lesson.session_starts = starts
    lesson.session_ends = starts + datetime.timedelta(hours=3)
    lesson.location = "报告厅 A, 3楼; 东门进"
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk)


def test_class_calendar_shows_the_months_sessions_on_their_days(client, two_bases):
    zone = timezone.get_current_timezone()
    course, lesson = in_person_course(
        two_bases[0], "面授班", datetime.datetime(2026, 10, 14, 9, 0, tzinfo=zone)
    )
    in_person_course(two_bases[1], "下月班", datetime.datetime(2026, 11, 2, 9, 0, tzinfo=zone))
    response = client.get(reverse("class_calendar"), {"month": "2026-10"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "2026-10" in content
    assert "09:00 第1课" in content
    assert course.title in content and "下月班" not in content
    days = [day for week in response.context["weeks"] for day in week if day["sessions"]]
    assert [day["date"] for day in days] == [datetime.date(2026, 10, 14)]
    assert 'href="?month=2026-11"' in content and 'href="?month=2026-09"' in content
    # A nonsense month is this month, not an error.
    assert client.get(reverse("class_calendar"), {"month": "2026-13"}).status_code == 200
    assert client.get(reverse("class_calendar"), {"month": "x"}).status_code == 200


# -- .ics ------------------------------------------------------------------------------------


def test_ics_needs_a_signed_in_person(client):
    response = client.get(reverse("my_sessions_ics"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_ics_holds_only_the_persons_own_in_person_sessions(client, two_bases):
    zone = timezone.get_current_timezone()
    mine, my_lesson = in_person_course(
        two_bases[0], "面授班, 第一期; 广州", datetime.datetime(2026, 10, 14, 9, 0, tzinfo=zone)
    )
    other, _ = in_person_course(
        two_bases[1], "别人的班", datetime.datetime(2026, 10, 15, 9, 0, tzinfo=zone)
    )
    left, _ = in_person_course(
        two_bases[1], "已退出的班", datetime.datetime(2026, 10, 16, 9, 0, tzinfo=zone)
    )
    user = factories.UserFactory()
    enrolment_create(user=user, course=mine)
    Enrolment.objects.create(user=user, course=left, status=Enrolment.Status.WITHDRAWN)
    enrolment_create(user=factories.UserFactory(), course=other)
    client.force_login(user)

    response = client.get(reverse("my_sessions_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    text = raw.decode("utf-8")
    # CRLF everywhere, no bare LF.
    assert raw.count(b"\n") == raw.count(b"\r\n")
    # Every physical line at most 75 octets.
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 1
    assert "别人的班" not in unfolded and "已退出的班" not in unfolded
    assert "SUMMARY:面授班\\, 第一期\\; 广州: 第1课" in unfolded
    assert "LOCATION:华南技术转移培训基地\\, 报告厅 A\\, 3楼\\; 东门进" in unfolded
    assert f"UID:session-{my_lesson.pk}@" in unfolded
    assert re.search(r"^DTSTAMP:\d{8}T\d{6}Z\r$", unfolded, re.M)
    assert "DTSTART;TZID=Asia/Shanghai:20261014T090000" in unfolded
    assert "DTEND;TZID=Asia/Shanghai:20261014T120000" in unfolded
    assert "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai" in unfolded
    assert unfolded.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert unfolded.endswith("END:VCALENDAR\r\n")


def test_ical_folds_at_75_octets_without_splitting_a_chinese_character():
    line = "SUMMARY:" + "技术经纪人" * 20
    folded = ical.fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert len(parts) > 1
    assert all(len(part) <= 75 for part in parts)
    assert all(part.startswith(b" ") for part in parts[1:])
    for part in parts:
        part.decode("utf-8")  # each physical line is whole UTF-8
    assert folded.replace("\r\n ", "") == line


def test_ical_escapes_text_values():
    assert ical.escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert ical.fold("short") == "short"
