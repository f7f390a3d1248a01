"""Time on online lessons (the page's heartbeat) and check-in at in-person sessions."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.ratelimit import allow, retry_after

from . import beats, services, tracking
from .models import AttendanceMark, CoursePage, Delivery, Enrolment, LessonPage
from .permissions import require_staff_of
from .qr import qr_svg

# Wrong codes a person may try per address in CHECK_IN_PERIOD seconds.
CHECK_IN_GUESSES = 10
CHECK_IN_PERIOD = 300


@require_POST
def lesson_beat(request, lesson_id):
    """A lesson page open and in front says so. JSON in: ``{"played": [[s, e], ...],
    "start": bool, "stop": bool}``; out: the progress towards the credit and a fresh token.
    The server counts the time; nothing the browser says about time is believed.

    Who is beating comes from the page's signed token (header ``X-Beat-Token``, made for this
    person and lesson when the page was shown), so a beat loads no session and no user; without
    a valid token, from the signed-in session. A beat with a valid token is usually answered
    before it gets here, by ``courses.middleware.LessonBeatMiddleware``."""
    token = request.headers.get("X-Beat-Token", "")
    user_id = tracking.beat_token_user(token, lesson_id)
    if user_id is None:
        if not request.user.is_authenticated:
            return JsonResponse({"error": _("Sign in to have your time counted.")}, status=403)
        user_id, token = request.user.pk, None
    return beat_answer(user_id=user_id, lesson_id=lesson_id, body=request.body, token=token)


def beat_answer(*, user_id: int, lesson_id: int, body: bytes, token=None) -> JsonResponse:
    """Count one beat of ``user_id`` on ``lesson_id`` and answer the page (``token``: the
    page's, if it was found valid for them)."""
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"error": _("The heartbeat was malformed.")}, status=400)
    try:
        activity, facts = services.activity_beat(
            user=services.Beating(user_id),
            lesson_id=lesson_id,
            played=payload.get("played"),
            start=payload.get("start") is True,
            stop=payload.get("stop") is True,
        )
    except services.BeatRefused as refused:
        return JsonResponse({"error": str(refused)}, status=refused.status)
    except beats.Unavailable:
        # The page shows the message and stops beating until it is next in front.
        return JsonResponse(
            {"error": _("Time cannot be counted at the moment; it will be again shortly.")},
            status=503,
        )
    progress = tracking.progress_of(
        required_seconds=facts.required_seconds,
        video_seconds=facts.video_seconds,
        activity=activity,
    )
    renewed = tracking.beat_token_renewed(token, user_id, lesson_id)
    return JsonResponse({**progress.as_json(), "token": renewed})


def _session_facts(lesson: LessonPage) -> dict:
    opens, closes = services.check_in_window(lesson)
    return {"lesson": lesson, "opens": opens, "closes": closes}


@login_required
def check_in(request, lesson_id):
    """The trainee's check-in: the code from the session's screen, scanned or typed."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id, delivery=Delivery.IN_PERSON)
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()[:12]
    if request.method == "POST":
        if not allow(
            request,
            scope=f"check-in:{request.user.pk}:{lesson.pk}",
            limit=CHECK_IN_GUESSES,
            period=CHECK_IN_PERIOD,
            per_client=False,  # new addresses buy no more guesses
        ):
            messages.error(
                request,
                _("Too many codes tried; wait %(s)d seconds and type the code shown now.")
                % {"s": retry_after(CHECK_IN_PERIOD)},
            )
        else:
            try:
                services.attendance_check_in(user=request.user, lesson=lesson, code=code)
            except services.LearningError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("You are checked in: %(hours)s hours credited.") % {"hours": lesson.hours},
                )
                return redirect(lesson.url or reverse("my_learning"))
    mark = None
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = Enrolment.objects.filter(user=request.user, course=course).first()
    if enrolment is not None:
        mark = AttendanceMark.objects.filter(lesson=lesson, enrolment=enrolment).first()
    return render(
        request,
        "courses/check_in.html",
        {
            **_session_facts(lesson),
            "course": course,
            "enrolment": enrolment,
            "mark": mark,
            "code": code,
            "now": timezone.now(),
        },
    )


@login_required
def check_in_screen(request, lesson_id):
    """For the room's screen: the session's QR code and six-digit code, new every 30 s."""
    lesson = get_object_or_404(LessonPage, pk=lesson_id, delivery=Delivery.IN_PERSON)
    base = lesson.training_base
    require_staff_of(request.user, base.pk if base else None)
    now = timezone.now()
    code = tracking.check_in_code(lesson.pk, tracking.code_step(now))
    path = reverse("courses:check_in", args=(lesson.pk,))
    url = f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?code={code}"
    context = {
        **_session_facts(lesson),
        "code": code,
        "url": url,
        "qr": qr_svg(url, label=_("Check-in code %(code)s") % {"code": code}),
        "refresh": tracking.seconds_left_in_step(now),
        "present": AttendanceMark.objects.filter(lesson=lesson, present=True).count(),
    }
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "code": code,
                "svg": str(context["qr"]),
                "refresh": context["refresh"],
                "present": context["present"],
            }
        )
    return render(request, "courses/check_in_screen.html", context)
