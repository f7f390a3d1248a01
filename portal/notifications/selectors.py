"""Reading a person's notifications."""

from .models import Notification, NotificationSettings


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(*, user):
    return Notification.objects.filter(user=user)


def notification_settings_of(*, user) -> NotificationSettings:
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)
