"""A class's certificates told to their holders in one go (issue 16, item 9: issuing speed):
``certificates_issued`` once per chunk, and ``notification_send_many`` making the same records
and e-mails as one ``notification_send`` per person, in a few statements whatever the number."""

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from certification import signals
from portal.notifications.models import Kind, Notification
from portal.notifications.services import notification_send, notification_settings_save
from tests import factories

pytestmark = pytest.mark.django_db


def tell(certificates):
    with TestCase.captureOnCommitCallbacks(execute=True):
        signals.after_commit(signals.certificates_issued, certificates=certificates)


def issued(user, n):
    return {
        "user_id": user.pk,
        "certificate_id": 9000 + n,
        "number": f"GD-J-2026-{n:06d}",
        "level_name": "初级技术经纪人",
    }


def test_each_holder_gets_the_notification_and_the_mail_in_their_language():
    people = [factories.UserFactory() for _ in range(3)]
    notification_settings_save(user=people[1], language="en", emails_off=[])
    tell([issued(person, n) for n, person in enumerate(people, start=1)])
    for n, person in enumerate(people, start=1):
        [notification] = Notification.objects.filter(user=person)
        assert notification.kind == Kind.CERTIFICATE_ISSUED
        assert notification.params["number"] == f"GD-J-2026-{n:06d}"
        assert notification.path.endswith(f"/verify/GD-J-2026-{n:06d}/")
        [message] = [m for m in mail.outbox if m.to == [person.email]]
        assert f"GD-J-2026-{n:06d}" in message.body
    chinese = next(m for m in mail.outbox if m.to == [people[0].email])
    english = next(m for m in mail.outbox if m.to == [people[1].email])
    assert "技术转移人才培训平台" in chinese.subject
    assert "Technology Transfer Talent Training Portal" in english.subject


def test_a_holder_who_turned_the_mails_off_gets_the_notification_only():
    quiet, keen = factories.UserFactory(), factories.UserFactory()
    notification_settings_save(user=quiet, language="zh-hans", emails_off=[Kind.CERTIFICATE_ISSUED])
    tell([issued(quiet, 1), issued(keen, 2)])
    assert Notification.objects.filter(user=quiet).count() == 1
    assert [m.to for m in mail.outbox] == [[keen.email]]


def test_a_certificate_told_already_is_not_told_twice():
    person, other = factories.UserFactory(), factories.UserFactory()
    notification_send(
        user_id=person.pk,
        kind=Kind.CERTIFICATE_ISSUED,
        key="issued:9001",
        params={"number": "GD-J-2026-000001", "level": "初级技术经纪人"},
    )
    mail.outbox.clear()
    tell([issued(person, 1), issued(other, 2)])
    tell([issued(person, 1), issued(other, 2)])  # a chunk delivered twice
    assert Notification.objects.filter(user=person).count() == 1
    assert Notification.objects.filter(user=other).count() == 1
    assert [m.to for m in mail.outbox] == [[other.email]]


def test_an_inactive_account_is_skipped():
    gone, here = factories.UserFactory(is_active=False), factories.UserFactory()
    tell([issued(gone, 1), issued(here, 2)])
    assert not Notification.objects.filter(user=gone).exists()
    assert Notification.objects.filter(user=here).count() == 1


def test_the_statements_do_not_grow_with_the_number_of_holders(monkeypatch):
    from portal.accounts import mail as mail_queue

    # Queued, not sent: the sending is the workers' later work (one task for the whole lot).
    monkeypatch.setattr(mail_queue, "_enqueue", lambda task, mail_id: None)

    def statements(count):
        people = [factories.UserFactory() for _ in range(count)]
        start = 100 * count
        with CaptureQueriesContext(connection) as queries:
            tell([issued(person, start + n) for n, person in enumerate(people)])
        return len(queries)

    assert statements(2) == statements(20)
