"""Telling people things: the notification in the site, and the e-mail if they want it.

The e-mail is written in the person's language (their notification settings; Chinese unless
they chose English), names the site, puts every link on a line of its own, and goes out
through the accounts app's mail queue once the current transaction commits."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.mail import mail_queue

from .models import Kind, Notification, NotificationSettings
from .wording import wording


def absolute(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def site_name() -> str:
    return _("Technology Transfer Talent Training Portal")


def language_of(user) -> str:
    chosen = (
        NotificationSettings.objects.filter(user=user).values_list("language", flat=True).first()
    )
    return chosen or settings.LANGUAGE_CODE


def wants_email(user, kind: str) -> bool:
    off = NotificationSettings.objects.filter(user=user).values_list("emails_off", flat=True)
    return kind not in (off.first() or [])


def notification_send(
    *, user_id: int, kind: str, key: str, params: dict, path: str = ""
) -> Notification | None:
    """Record the notification and, if the person wants this kind of e-mail, queue it.
    Telling the same ``key`` twice does nothing the second time. None for a gone account."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, key=key[:100], params=params, path=path[:500]
            )
    except IntegrityError:  # told already (a task run twice, a signal sent again)
        return None
    if user.email and wants_email(user, kind):
        mail_queue(**notification_mail(notification, user))
    return notification


def notification_mail(notification: Notification, user) -> dict:
    """The e-mail of a notification, as ``mail_queue``'s arguments, in the person's language."""
    with translation.override(language_of(user)):
        said = wording(notification.kind, notification.params)
        context = {
            "name": user.real_name or user.email,
            "title": said.title,
            "lines": said.lines,
            "link_label": said.link_label,
            "link": absolute(notification.path),
            "site_name": site_name(),
            "site_url": absolute("/"),
            "settings_url": absolute(reverse("notification_settings")),
            "language": translation.get_language(),
        }
        return {
            "to": user.email,
            "subject": f"{said.title} · {context['site_name']}",
            "body_text": render_to_string("portal/notifications/email.txt", context).strip() + "\n",
            "body_html": render_to_string("portal/notifications/email.html", context),
        }


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the person's own notifications read (all unread ones when ``ids`` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notification_settings_save(*, user, language: str, emails_off: list[str]) -> None:
    valid = {code for code, _name in settings.LANGUAGES}
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "language": language if language in valid else "",
            "emails_off": sorted(set(emails_off) & set(Kind.values)),
        },
    )


def language_remember(*, user, language: str) -> None:
    """Keep the language a person signed up in, unless they already chose one."""
    valid = {code for code, _name in settings.LANGUAGES}
    if language not in valid:
        return
    settings_row, _created = NotificationSettings.objects.get_or_create(user=user)
    if not settings_row.language:
        settings_row.language = language
        settings_row.save(update_fields=["language"])


def class_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Tell everyone holding a seat about each in-person session starting tomorrow (local
    time); once per person and session, however often this runs. Returns how many were new."""
    from courses import api as courses_api

    now = timezone.localtime(now or timezone.now())
    tomorrow = now.date() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    told = 0
    for session in courses_api.sessions_starting(starts_from=start, starts_before=end):
        params = {
            "lesson": session.lesson_title,
            "course": session.course_title,
            "starts": session.starts.isoformat(),
            "place": session.location,
        }
        key = f"class:{session.lesson_id}:{session.starts.isoformat()}"
        for user_id in session.user_ids:
            sent = notification_send(
                user_id=user_id,
                kind=Kind.CLASS_TOMORROW,
                key=key,
                params=params,
                path=session.lesson_url,
            )
            told += sent is not None
    return told
