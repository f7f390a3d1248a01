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

from portal.accounts.mail import mail_queue, mail_queue_many

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
    if wants_text(user, kind):
        from .tasks import notification_text_task

        transaction.on_commit(lambda: notification_text_task.delay(notification.pk))
    return notification


def notification_send_many(*, kind: str, items: list[dict]) -> list[Notification]:
    """``notification_send`` for many people at once (a class's certificates issued together):
    the same records, e-mails and texts, in a few statements instead of six per person. Each
    item has ``user_id``, ``key``, ``params`` and ``path``; a key told already is skipped."""
    people = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in={item["user_id"] for item in items}, is_active=True
        )
    }
    wanted = {}
    for item in items:
        if item["user_id"] in people:
            wanted.setdefault((item["user_id"], item["key"][:100]), item)
    told = set(
        Notification.objects.filter(
            user_id__in=people, key__in={key for _user, key in wanted}
        ).values_list("user_id", "key")
    )
    fresh = [
        Notification(
            user=people[user_id],
            kind=kind,
            key=key,
            params=item["params"],
            path=item.get("path", "")[:500],
        )
        for (user_id, key), item in wanted.items()
        if (user_id, key) not in told
    ]
    if not fresh:
        return []
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(fresh)
    except IntegrityError:  # told meanwhile by another worker: one at a time, as usual
        sent = [notification_send(kind=kind, **item) for item in wanted.values()]
        return [notification for notification in sent if notification is not None]
    choices = {
        row["user_id"]: row
        for row in NotificationSettings.objects.filter(user_id__in=people).values(
            "user_id", "language", "emails_off", "texts_on"
        )
    }
    mails, texts = [], []
    for notification in fresh:
        user, chosen = notification.user, choices.get(notification.user_id) or {}
        if user.email and kind not in (chosen.get("emails_off") or []):
            language = chosen.get("language") or settings.LANGUAGE_CODE
            mails.append(notification_mail(notification, user, language=language))
        if kind in (chosen.get("texts_on") or []) and user.phone_is_confirmed:
            texts.append(notification.pk)
    if mails:
        mail_queue_many(mails)
    if texts:
        from .tasks import notification_text_task

        for pk in texts:
            transaction.on_commit(lambda pk=pk: notification_text_task.delay(pk))
    return fresh


def notification_gather(
    *, user_id: int, kind: str, batch: str, params: dict, counts: tuple[str, ...], path: str = ""
) -> Notification | None:
    """Tell a person about one more of a kind of thing that comes in numbers (written answers
    to grade): while an unread notification of the same ``batch`` is there, its ``counts``
    grow and nothing new is sent; otherwise a new one is sent as ``notification_send`` does.
    A burst of hand-ins is one notification and one e-mail, not one per answer."""
    with transaction.atomic():
        waiting = (
            Notification.objects.select_for_update()
            .filter(user_id=user_id, kind=kind, key__startswith=f"{batch}:", read_at__isnull=True)
            .order_by("-pk")
            .first()
        )
        if waiting is not None:
            merged = dict(waiting.params)
            for name in counts:
                merged[name] = int(merged.get(name) or 0) + int(params.get(name) or 0)
            waiting.params = merged
            waiting.save(update_fields=["params"])
            return waiting
    key = f"{batch}:{timezone.now():%Y%m%d%H%M%S%f}"
    return notification_send(user_id=user_id, kind=kind, key=key, params=params, path=path)


def wants_text(user, kind: str) -> bool:
    """Whether this kind also goes by SMS: chosen by the person, to a confirmed phone only."""
    chosen = NotificationSettings.objects.filter(user=user).values_list("texts_on", flat=True)
    return kind in (chosen.first() or []) and user.phone_is_confirmed


def notification_text(notification: Notification, user) -> str:
    """The SMS of a notification: the site's name in brackets, as Chinese texts begin, the
    title and the link, in the person's language."""
    with translation.override(language_of(user)):
        said = wording(notification.kind, notification.params)
        link = absolute(reverse("notification_open", args=[notification.pk]))
        return f"【{site_name()}】{said.title} {link}"


def notification_text_send(*, notification_id: int) -> bool:
    """Send the SMS of a notification if it is still wanted and the phone still confirmed.
    Returns whether one was sent. A failing provider raises, so the task is retried."""
    from portal.accounts.sms import sms_send

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.is_active:
        return False
    user = notification.user
    if not wants_text(user, notification.kind):
        return False
    sms_send(user.phone, notification_text(notification, user))
    return True


def notification_mail(notification: Notification, user, *, language: str = "") -> dict:
    """The e-mail of a notification, as ``mail_queue``'s arguments, in the person's language
    (``language`` when the caller has read it already)."""
    with translation.override(language or language_of(user)):
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


def notification_settings_save(
    *, user, language: str, emails_off: list[str], texts_on: list[str] | None = None
) -> None:
    """Save the person's choices; text messages only with a confirmed phone (``None`` keeps
    what was chosen before)."""
    valid = {code for code, _name in settings.LANGUAGES}
    defaults = {
        "language": language if language in valid else "",
        "emails_off": sorted(set(emails_off) & set(Kind.values)),
    }
    if texts_on is not None:
        defaults["texts_on"] = (
            sorted(set(texts_on) & set(Kind.values)) if user.phone_is_confirmed else []
        )
    NotificationSettings.objects.update_or_create(user=user, defaults=defaults)


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
