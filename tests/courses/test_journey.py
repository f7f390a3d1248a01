"""A trainee's way through the portal without dead ends: sign-up from a course back to it,
"continue learning", lesson next/previous, ticks and hours on the outline, what to do after an
exam, and where each role lands after signing in."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from courses.models import Attempt, LessonPage
from courses.services import attempt_start, attempt_submit, enrolment_create
from portal.accounts.models import User
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "from.a.course@example.org",
    "real_name": "陈 静",
    "province": "44",
    "organisation": "某大学",
    "phone": "138-0000-0001",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "privacy_consent": "on",
}


@pytest.fixture
def base():
    return factories.training_base("GD-A", "44")


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# -- sign-up from a course comes back to it --------------------------------------------------


def test_sign_up_from_a_course_returns_to_it_after_e_mail_confirmation(
    client, base, django_capture_on_commit_callbacks
):
    course = factories.course(base, title="初级技术经纪人培训班")
    page = client.get(course.url).content.decode()
    signup_link = f"{reverse('account_signup')}?next={course.url.replace('/', '%2F')}"
    assert signup_link in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {**SIGNUP, "next": course.url})
    assert response.status_code == 302
    link = confirmation_link(mail.outbox[-1])
    assert "next=" in link

    # The confirmation page carries the course on, and confirming leads back to it.
    confirm_page = client.get(link).content.decode()
    assert f'name="next" value="{course.url}"' in confirm_page
    response = client.post(link.split("?")[0], {"next": course.url})
    assert response.status_code == 302
    assert response["Location"] == course.url
    assert User.objects.get(email=SIGNUP["email"]).emailaddress_set.get().verified

    # Signing in from the course page's link lands on the course too.
    response = client.post(
        f"{reverse('account_login')}?next={course.url}",
        {"login": SIGNUP["email"], "password": PASSWORD, "next": course.url},
    )
    assert response["Location"] == course.url


def test_confirmation_in_another_browser_still_leads_back_to_the_course(
    client, base, django_capture_on_commit_callbacks
):
    """The mail's link alone carries the course: a phone's mail app has no session of ours."""
    from django.test import Client

    course = factories.course(base)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**SIGNUP, "next": course.url})
    link = confirmation_link(mail.outbox[-1])
    elsewhere = Client()
    page = elsewhere.get(link).content.decode()
    # The confirmation form's own field (the language switch has a "next" of its own).
    form = page.split('action="' + link.split("?")[0] + '"')[1].split("</form>")[0]
    match = re.search(r'name="next" value="([^"]+)"', form)
    assert match and match.group(1) == course.url
    response = elsewhere.post(link.split("?")[0], {"next": match.group(1)})
    assert response["Location"] == course.url


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_sign_up_never_sends_anyone_to_another_site(
    client, base, target, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), {**SIGNUP, "next": target})
    link = confirmation_link(mail.outbox[-1])
    assert "evil" not in link and "javascript" not in link
    # A hand-made link or form with the foreign address is not followed either.
    response = client.post(link.split("?")[0], {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert not response["Location"].startswith(("//", "javascript"))


# -- landing after sign-in by role -----------------------------------------------------------


def landing(client, user) -> str:
    from portal.accounts.demo import totp_current_code
    from portal.accounts.middleware import user_has_totp, user_needs_mfa

    if user_needs_mfa(user) and not user_has_totp(user):
        factories.with_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if response.get("Location") == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_current_code(user)})
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    "roles, url_name",
    [
        (["Trainee"], "my_learning"),
        (["Faculty"], "courses:grading"),
        (["Certifier"], "certify_queue"),
        (["Administrator"], "dashboard_national"),
        (["Trainee", "Certifier"], "certify_queue"),
    ],
)
def test_each_role_lands_on_its_own_desk_after_signing_in(client, roles, url_name):
    user = factories.UserFactory(roles=roles)
    assert landing(client, user) == reverse(url_name)


def test_an_explicit_next_wins_over_the_roles_desk(client, base):
    course = factories.course(base)
    user = factories.UserFactory(roles=["Trainee"])
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "next": course.url},
    )
    assert response["Location"] == course.url


# -- my learning: the empty start and "continue learning" ------------------------------------


def test_an_empty_my_learning_points_to_the_catalogue(client):
    client.force_login(factories.UserFactory(roles=["Trainee"]))
    content = client.get(reverse("my_learning")).content.decode()
    assert f'href="{reverse("course_catalogue")}"' in content
    assert re.search(r"浏览课程目录|Browse the course catalogue", content)
    assert not re.search(r"继续学习|Continue learning", content)


def test_continue_learning_names_the_last_lesson_touched_then_the_one_after_it(client, base):
    course = factories.course(
        base,
        lessons=[("general", "1", "online"), ("general", "1", "online"), ("policy", "1", "online")],
    )
    other = factories.course(base, title="另一门课")
    first, second, third = LessonPage.objects.descendant_of(course).order_by("path")
    user = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=user, course=course)
    enrolment_create(user=user, course=other)
    client.force_login(user)

    # Nothing studied yet: start at the first lesson of each course.
    content = client.get(reverse("my_learning")).content.decode()
    assert re.search(r"(开始：|Start: )第1课", content)

    # Studied part of the second lesson: continue there.
    factories.study(user, second, seconds=120)
    content = client.get(reverse("my_learning")).content.decode()
    section = content.split('id="continue"')[1].split("</section>")[0]
    assert re.search(rf'href="{re.escape(second.url)}"[^>]*>(继续：|Continue: )第2课', section)
    # The course worked on most recently comes first.
    assert section.index(second.url) < section.index("另一门课")

    # The second lesson done: go on with the third.
    factories.credit_lesson(user, second)
    content = client.get(reverse("my_learning")).content.decode()
    section = content.split('id="continue"')[1].split("</section>")[0]
    assert f'href="{third.url}"' in section
    assert f'href="{second.url}"' not in section


def test_continue_learning_shows_nobody_elses_courses(client, base):
    course = factories.course(base, title="别人的课")
    someone = factories.UserFactory()
    enrolment_create(user=someone, course=course)
    factories.study(someone, LessonPage.objects.descendant_of(course).first(), seconds=60)
    client.force_login(factories.UserFactory(roles=["Trainee"]))
    content = client.get(reverse("my_learning")).content.decode()
    assert "别人的课" not in content
    assert course.url not in content


# -- lessons and the outline -----------------------------------------------------------------


def test_lessons_link_to_the_previous_and_next_across_modules(client, base):
    course = factories.course(base, lessons=[("general", "1", "online"), ("policy", "1", "online")])
    first, second = LessonPage.objects.descendant_of(course).order_by("path")
    first_page = client.get(first.url).content.decode()
    assert re.search(rf'href="{re.escape(second.url)}" rel="next"', first_page)
    assert 'rel="prev"' not in first_page
    second_page = client.get(second.url).content.decode()
    assert re.search(rf'href="{re.escape(first.url)}" rel="prev"', second_page)
    assert 'rel="next"' not in second_page
    assert f'href="{course.url}"' in second_page


def test_the_outline_ticks_done_lessons_and_counts_hours_for_the_enrolled(client, base):
    course = factories.course(
        base, lessons=[("general", "1.5", "online"), ("policy", "2", "online")]
    )
    first, _ = LessonPage.objects.descendant_of(course).order_by("path")
    user = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=user, course=course)
    factories.credit_lesson(user, first)
    client.force_login(user)
    content = client.get(course.url).content.decode()
    assert content.count('class="lesson-done"') == 1
    assert re.search(r"已完成 1.5 / 3.5 学时|You have done 1.5 of 3.5 hours", content)
    assert re.search(r"1.5 / 1.5|1.5 of 1.5 hours done", content)
    assert re.search(r"0.0 / 2.0|0.0 of 2.0 hours done", content)

    # A visitor sees the outline without anyone's ticks.
    client.logout()
    content = client.get(course.url).content.decode()
    assert 'class="lesson-done"' not in content


# -- after an exam ---------------------------------------------------------------------------


def sat(user, exam, *, passed):
    attempt = attempt_start(user=user, exam=exam)
    attempt_submit(attempt=attempt, answers={})
    Attempt.objects.filter(pk=attempt.pk).update(passed=passed, status=Attempt.Status.FINAL)
    return attempt


def test_after_a_failed_exam_with_attempts_left_the_result_offers_a_retake(client, base):
    course = factories.course(base)
    factories.questions(base)
    exam = factories.exam(base, course)
    user = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=user, course=course)
    attempt = sat(user, exam, passed=False)
    client.force_login(user)
    content = client.get(reverse("courses:attempt_result", args=[attempt.pk])).content.decode()
    assert f'href="{reverse("courses:exam", args=[exam.pk])}"' in content
    assert re.search(r"重考|Retake the exam", content)
    assert f'href="{reverse("application_new")}' not in content
    assert f'href="{course.url}"' in content

    # The last attempt used: no retake offered.
    last = sat(user, exam, passed=False)
    content = client.get(reverse("courses:attempt_result", args=[last.pk])).content.decode()
    assert not re.search(r"重考|Retake the exam", content)


def test_after_a_passed_exam_the_result_points_to_certification_and_the_next_level(client, base):
    course = factories.course(base)
    factories.course(base, title="中级班", level="intermediate_broker")
    factories.questions(base)
    exam = factories.exam(base, course)
    user = factories.UserFactory(roles=["Trainee"])
    enrolment_create(user=user, course=course)
    attempt = sat(user, exam, passed=True)
    client.force_login(user)
    content = client.get(reverse("courses:attempt_result", args=[attempt.pk])).content.decode()
    # The application form is opened for the exam's level, named by its code.
    assert f'href="{reverse("application_new")}?course_level=junior_broker"' in content
    assert f'href="{reverse("course_catalogue")}?level=intermediate_broker"' in content
    assert not re.search(r"重考|Retake the exam", content)


def test_courses_still_does_not_import_certification():
    import pathlib

    for path in pathlib.Path("courses").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(from|import) certification", text, re.M), path
