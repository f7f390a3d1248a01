"""Notifications by SMS, where the person chose it (issue 19, item 4): only kinds they ticked,
only to a phone a code confirmed, never offered or saved without one."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts import sms
from portal.notifications.models import Kind, NotificationSettings
from portal.notifications.services import notification_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _texts(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _confirmed(user, phone="13800138000"):
    user.phone = phone
    user.phone_confirmed_number = phone
    user.phone_confirmed_at = timezone.now()
    user.save()
    return user


def _tell(user, key="c1"):
    with transaction.atomic():
        return notification_send(
            user_id=user.pk,
            kind=Kind.CERTIFICATE_ISSUED,
            key=key,
            params={"level": "初级技术经纪人", "number": "GD-J-2026-000001"},
            path="/me/certificates/",
        )


def _choose(client, user, texts):
    client.force_login(user)
    return client.post(
        reverse("notification_settings"),
        {"emails": list(Kind.values), "language": "zh-hans", "texts": texts},
    )


def test_a_chosen_kind_goes_by_text_to_the_confirmed_phone(client):
    user = _confirmed(UserFactory())
    _choose(client, user, [Kind.CERTIFICATE_ISSUED])
    notification = _tell(user)
    assert [message.to for message in sms.outbox] == ["13800138000"]
    text = sms.outbox[0].text
    assert text.startswith("【") and "证书" in text
    assert reverse("notification_open", args=[notification.pk]) in text


def test_kinds_not_ticked_send_no_text(client):
    user = _confirmed(UserFactory())
    _choose(client, user, [Kind.EXAM_GRADED])
    _tell(user)
    assert sms.outbox == []


def test_no_confirmed_phone_means_no_choice_offered_and_none_saved(client):
    user = UserFactory(phone="13800138000")  # typed, never confirmed
    client.force_login(user)
    page = client.get(reverse("notification_settings")).content.decode()
    assert 'name="texts"' not in page and "data-texts-need-phone" in page
    _choose(client, user, [Kind.CERTIFICATE_ISSUED])  # a hand-made post
    assert NotificationSettings.objects.get(user=user).texts_on == []
    _tell(user)
    assert sms.outbox == []


def test_changing_the_phone_stops_the_texts(client):
    user = _confirmed(UserFactory())
    _choose(client, user, [Kind.CERTIFICATE_ISSUED])
    user.phone = "13900139000"
    user.save()
    _tell(user)
    assert sms.outbox == []
