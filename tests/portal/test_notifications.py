"""Notifications (issue 14, item 5): each event is listed under /me/notifications/ and, if the
person wants it, sent by e-mail through the mail queue, in their language (Chinese unless they
chose English), naming the site, with every link on a line of its own. The tests read the
mails as they leave (django.core.mail.outbox, the queue running eagerly)."""

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from certification.applications.services import (
    application_create,
    application_decline,
    review_start,
)
from certification.issuing.models import Certificate
from certification.lifecycle.services import certificates_expire_and_remind
from courses import signals as courses_signals
from courses.models import LessonPage
from courses.services import attempt_start, attempt_submit, enrolment_create
from portal.notifications.models import Kind, Notification
from portal.notifications.services import (
    class_reminders_send,
    notification_settings_save,
)
from tests import factories
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    level,
    submitted_application,
)
from tests.courses.test_exam_integrity import SAME_PAPER, only_receivers

pytestmark = pytest.mark.django_db

SITE_ZH = "技术转移人才培训平台"
SITE_EN = "Technology Transfer Talent Training Portal"


def run(fn, *args, **kwargs):
    """Run ``fn`` as a request would: the on-commit work (signals, the mail queue) runs too."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn(*args, **kwargs)


def english(user):
    notification_settings_save(user=user, language="en", emails_off=[])


def only_mail_to(user):
    sent = [m for m in mail.outbox if m.to == [user.email]]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    return sent[0]


def html_of(message) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def link_lines(body: str) -> list[str]:
    """Every line holding an address must be the address alone."""
    lines = [line for line in body.splitlines() if "http" in line]
    for line in lines:
        assert re.fullmatch(r"https?://[!-~]+", line.strip()), line
    return lines


@pytest.fixture
def base():
    return factories.training_base("GD-N", "44")


@pytest.fixture
def course(base):
    return factories.course(base, title="华南初级技术经纪人培训班")


# -- enrolment ---------------------------------------------------------------------------------


def test_enrolment_mail_in_chinese_names_the_site_and_puts_the_link_alone(course):
    person = factories.UserFactory(real_name="李明")
    run(enrolment_create, user=person, course=course)
    message = only_mail_to(person)
    assert "华南初级技术经纪人培训班" in message.subject and SITE_ZH in message.subject
    assert message.body.startswith("尊敬的李明：")
    assert SITE_ZH in message.body and "确认" in message.body
    assert any(line.endswith(course.url) for line in link_lines(message.body))
    assert f'href="{django_settings.PORTAL_BASE_URL}{course.url}"' in html_of(message)
    assert Notification.objects.get(user=person).kind == Kind.ENROLLED


def test_enrolment_mail_in_english_for_who_chose_it(course):
    person = factories.UserFactory(real_name="Li Ming")
    english(person)
    run(enrolment_create, user=person, course=course)
    message = only_mail_to(person)
    assert message.subject.startswith("You are enrolled in 华南初级技术经纪人培训班")
    assert "Dear Li Ming," in message.body and SITE_EN in message.body
    assert "您" not in message.body
    link_lines(message.body)


def test_enrolling_twice_tells_once(course):
    person = factories.UserFactory()
    run(enrolment_create, user=person, course=course)
    run(enrolment_create, user=person, course=course)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=person).count() == 1


def test_who_turned_an_email_off_gets_the_notification_but_no_mail(course):
    person = factories.UserFactory()
    notification_settings_save(user=person, language="", emails_off=[Kind.ENROLLED])
    run(enrolment_create, user=person, course=course)
    assert mail.outbox == []
    assert Notification.objects.filter(user=person, kind=Kind.ENROLLED).exists()


# -- a class tomorrow -------------------------------------------------------------------------


def test_a_class_tomorrow_is_told_once_per_person_and_session(base):
    page = factories.course(base, lessons=[("general", "2", "in_person")], slug="in-person")
    lesson = LessonPage.objects.descendant_of(page).get()
    now = timezone.localtime()
    tomorrow_9 = timezone.make_aware(
        datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(9))
    )
    lesson.session_starts, lesson.location = tomorrow_9, "广州市天河区报告厅"
    lesson.save_revision().publish()
    people = [factories.UserFactory(real_name=name) for name in ("张三", "李四")]
    for person in people:
        run(enrolment_create, user=person, course=page)
    mail.outbox.clear()
    assert run(class_reminders_send, now=now) == 2
    assert run(class_reminders_send, now=now) == 0  # beat runs again: nobody told twice
    assert len(mail.outbox) == 2
    message = only_mail_to(people[0])
    assert "明天上课" in message.subject or "第1课" in message.subject
    assert "广州市天河区报告厅" in message.body
    link_lines(message.body)


# -- exam graded -------------------------------------------------------------------------------


def test_an_exam_result_is_told_when_final(base, course):
    person = factories.UserFactory(real_name="王五")
    factories.questions(base)
    paper = factories.exam(base, course, blueprint=SAME_PAPER)
    run(enrolment_create, user=person, course=course)
    mail.outbox.clear()
    with only_receivers(courses_signals.exam_entry_refusal):
        attempt = attempt_start(user=person, exam=paper)
    run(attempt_submit, attempt=attempt, answers={})
    message = only_mail_to(person)
    assert paper.title in message.subject
    assert "0" in message.body and "未通过" in message.body
    assert any(
        line.endswith(reverse("courses:attempt_result", args=[attempt.pk]))
        for line in link_lines(message.body)
    )


# -- applications and certificates --------------------------------------------------------


def test_a_returned_application_is_told_with_the_reason_in_chinese():
    body = certifying_body("GD")
    person = factories.UserFactory(real_name="赵六")
    application = submitted_application(person, body)
    reviewer = certifier(body)
    run(review_start, application_id=application.pk, actor=reviewer)
    mail.outbox.clear()
    run(
        application_decline,
        application_id=application.pk,
        actor=reviewer,
        reason="请补充工作证明",
        final=False,
    )
    message = only_mail_to(person)
    assert "请补充工作证明" in message.body and SITE_ZH in message.body
    assert any(
        line.endswith(reverse("application_detail", args=[application.pk]))
        for line in link_lines(message.body)
    )


def test_a_rejection_is_told_in_english_to_who_chose_it():
    body = certifying_body("GD")
    person = factories.UserFactory()
    english(person)
    application = submitted_application(person, body)
    reviewer = certifier(body)
    mail.outbox.clear()
    run(
        application_decline,
        application_id=application.pk,
        actor=reviewer,
        reason="经历不符",
        final=True,
    )
    message = only_mail_to(person)
    assert message.subject.startswith("Application not approved")
    assert "Reason: 经历不符" in message.body


def test_the_certificate_mail_puts_the_verify_link_on_its_own_line():
    body = certifying_body("GD")
    person = factories.UserFactory(real_name="孙七")
    certificate = issued_certificate(person, body, certifier(body))
    sent = [m for m in mail.outbox if m.to == [person.email] and certificate.number in m.subject]
    assert len(sent) == 1
    lines = link_lines(sent[0].body)
    verify = django_settings.PORTAL_BASE_URL + reverse(
        "certificate_verify", args=[certificate.number]
    )
    assert verify in [line.strip() for line in lines]
    assert f'href="{verify}"' in html_of(sent[0])


def test_expiry_reminders_are_told_once_in_the_holders_language():
    body = certifying_body("GD")
    person = factories.UserFactory()
    english(person)
    certificate = issued_certificate(person, body, certifier(body))
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=today + datetime.timedelta(days=50)
    )
    mail.outbox.clear()
    run(certificates_expire_and_remind, today=today)
    run(certificates_expire_and_remind, today=today)
    message = only_mail_to(person)
    assert "expires in 50 days" in message.body
    link_lines(message.body)


def test_a_mail_the_certification_app_sends_itself_has_its_link_alone():
    """Mails certification still writes itself (here: you can now apply) keep links alone."""
    from certification.mail import message

    person = factories.UserFactory(real_name="周八")
    built = message(person, "主题", ["请在“我的证书”中申请：http://127.0.0.1:8000/apply/核验"])
    assert "http://127.0.0.1:8000/apply/\n核验" in built["body_text"]
    assert SITE_ZH in built["body_text"]


# -- the list, the count, marking read, and whose they are ---------------------------------


def test_the_header_counts_unread_and_the_list_marks_read(client, course):
    person = factories.UserFactory()
    run(enrolment_create, user=person, course=course)
    client.force_login(person)
    page = client.get(reverse("notifications")).content.decode()
    assert re.search(r"data-unread>\s*1\s*<", page)
    assert "华南初级技术经纪人培训班" in page
    notification = Notification.objects.get(user=person)
    response = client.post(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == course.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "data-unread" not in client.get(reverse("notifications")).content.decode()


def test_the_list_speaks_the_readers_language(client, course):
    person = factories.UserFactory()
    run(enrolment_create, user=person, course=course)
    client.force_login(person)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "You are enrolled in" in client.get(reverse("notifications")).content.decode()


def test_nobody_opens_or_marks_someone_elses_notification(client, course):
    owner = factories.UserFactory()
    run(enrolment_create, user=owner, course=course)
    theirs = Notification.objects.get(user=owner)
    client.force_login(factories.UserFactory())
    assert client.post(reverse("notification_open", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications_read"), {"id": [str(theirs.pk)]})
    client.post(reverse("notifications_read"), {"all": "1"})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("notifications")).content.decode()
    assert "华南初级技术经纪人培训班" not in page


def test_visitors_are_sent_to_sign_in(client):
    for name in ("notifications", "notification_settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("notification_open", args=[1]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_preferences_page_turns_an_email_off_and_sets_the_language(client, course):
    person = factories.UserFactory()
    client.force_login(person)
    wanted = [kind for kind in Kind.values if kind != Kind.ENROLLED]
    response = client.post(reverse("notification_settings"), {"emails": wanted, "language": "en"})
    assert response.status_code == 302
    run(enrolment_create, user=person, course=course)
    assert mail.outbox == []
    form = client.get(reverse("notification_settings")).content.decode()
    assert 'value="en" selected' in form


def test_a_hand_made_preferences_post_with_unknown_values_is_refused(client):
    person = factories.UserFactory()
    client.force_login(person)
    response = client.post(
        reverse("notification_settings"), {"emails": ["nonsense"], "language": "xx"}
    )
    assert response.status_code == 200
    assert not hasattr(person, "notification_settings") or not person.notification_settings.pk


def test_an_unused_application_draft_needs_no_mail():
    """Creating a draft tells nobody (it is the applicant's own until sent)."""
    body = certifying_body("GD")
    person = factories.UserFactory()
    run(application_create, applicant=person, level=level("junior_broker"), body=body)
    assert mail.outbox == []
