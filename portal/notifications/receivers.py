"""Thin receivers: each turns another app's signal into ``notification_send``. The signals
arrive after the change has committed, so nothing here may fail the request that made it: a
failure is logged (the change itself stands)."""

import functools
import logging

from allauth.account.signals import user_signed_up
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from certification import signals as certification_signals
from courses import signals as courses_signals

from .models import Kind
from .services import (
    language_remember,
    notification_gather,
    notification_send,
    notification_send_many,
)

logger = logging.getLogger(__name__)


def safely(receiver_function):
    @functools.wraps(receiver_function)
    def wrapper(*args, **kwargs):
        try:
            return receiver_function(*args, **kwargs)
        except Exception:
            logger.exception("Could not record a notification (%s)", receiver_function.__name__)
            return None

    return wrapper


@receiver(courses_signals.enrolled, dispatch_uid="notifications.enrolled")
@safely
def on_enrolled(sender, user_id, course_id, course_title, course_url, **kwargs):
    notification_send(
        user_id=user_id,
        kind=Kind.ENROLLED,
        key=f"enrolled:{course_id}",
        params={"course": course_title},
        path=course_url,
    )


@receiver(courses_signals.attempt_graded, dispatch_uid="notifications.attempt_graded")
@safely
def on_attempt_graded(sender, user_id, attempt_id, exam_title, passed, score, max_score, **kw):
    notification_send(
        user_id=user_id,
        kind=Kind.EXAM_GRADED,
        key=f"graded:{attempt_id}",
        params={
            "exam": exam_title,
            "passed": bool(passed),
            "score": f"{score:g}",
            "max_score": f"{max_score:g}",
        },
        path=reverse("courses:attempt_result", args=[attempt_id]),
    )


@receiver(courses_signals.answers_awaiting, dispatch_uid="notifications.answers_awaiting")
@safely
def on_answers_awaiting(sender, base_id, attempt_id, user_id, exam_title, answers, **kwargs):
    from courses import api as courses_api

    for faculty_id in courses_api.faculty_user_ids(base_id=base_id) - {user_id}:
        notification_gather(
            user_id=faculty_id,
            kind=Kind.ANSWERS_TO_GRADE,
            batch=f"grading:{base_id}",
            params={"answers": answers, "attempts": 1, "exam": exam_title},
            counts=("answers", "attempts"),
            path=reverse("courses:grading"),
        )


@receiver(certification_signals.application_decided, dispatch_uid="notifications.decided")
@safely
def on_application_decided(sender, user_id, application_id, outcome, level_name, reason, **kw):
    notification_send(
        user_id=user_id,
        kind=Kind.APPLICATION_DECIDED,
        # Returned, resubmitted and returned again: each decision is news (a signal sent twice
        # in the same second is one).
        key=f"decided:{application_id}:{outcome}:{timezone.now():%Y%m%d%H%M%S}",
        params={"outcome": outcome, "level": level_name, "reason": reason},
        path=reverse("application_detail", args=[application_id]),
    )


@receiver(certification_signals.certificate_issued, dispatch_uid="notifications.issued")
@safely
def on_certificate_issued(sender, user_id, certificate_id, number, level_name, **kwargs):
    notification_send(
        user_id=user_id,
        kind=Kind.CERTIFICATE_ISSUED,
        key=f"issued:{certificate_id}",
        params={"number": number, "level": level_name},
        path=reverse("certificate_verify", args=[number]),
    )


@receiver(certification_signals.certificates_issued, dispatch_uid="notifications.issued_many")
@safely
def on_certificates_issued(sender, certificates, **kwargs):
    notification_send_many(
        kind=Kind.CERTIFICATE_ISSUED,
        items=[
            {
                "user_id": issued["user_id"],
                "key": f"issued:{issued['certificate_id']}",
                "params": {"number": issued["number"], "level": issued["level_name"]},
                "path": reverse("certificate_verify", args=[issued["number"]]),
            }
            for issued in certificates
        ],
    )


@receiver(certification_signals.certificate_expiring, dispatch_uid="notifications.expiring")
@safely
def on_certificate_expiring(
    sender, user_id, certificate_id, number, level_name, valid_until, days, **kwargs
):
    notification_send(
        user_id=user_id,
        kind=Kind.CERTIFICATE_EXPIRING,
        key=f"expiring:{certificate_id}:{'7' if days <= 7 else '60'}",
        params={
            "number": number,
            "level": level_name,
            "valid_until": valid_until.isoformat(),
            "days": days,
        },
        path=reverse("my_certificates"),
    )


@receiver(user_signed_up, dispatch_uid="notifications.signed_up")
@safely
def on_signed_up(sender, request, user, **kwargs):
    language_remember(user=user, language=getattr(request, "LANGUAGE_CODE", ""))
