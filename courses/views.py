"""Trainee and staff pages for courses and exams. Thin: the rules live in services.py."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.converters import record_id

from . import selectors, services
from .models import Attempt, AttendanceMark, CoursePage, Delivery, Enrolment, Exam, LessonPage
from .models.exams import OBJECTIVE_TYPES, QuestionType
from .permissions import guest_course_ids, require_teacher_of, staff_base_ids
from .services import LearningError
from .templatetags.courses_tags import option_letter

ANSWER_FIELD = re.compile(r"^q(\d+)$")


def _base_id(page) -> int | None:
    base = page.training_base
    return base.pk if base else None


# -- enrolment and lessons -------------------------------------------------------------------


@login_required
@require_POST
def enrol(request, course_id):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        services.enrolment_create(user=request.user, course=course)
    except LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You are enrolled. Welcome to the course!"))
    return redirect(course.url)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, course_id):
    """Leave a class: a page saying what leaving means, then the act, only once confirmed (a
    post without ``confirm`` shows the page again and changes nothing)."""
    course = get_object_or_404(CoursePage, pk=course_id)
    enrolment = get_object_or_404(Enrolment, user=request.user, course=course)
    if enrolment.status != Enrolment.Status.ACTIVE:
        messages.info(request, _("You hold no active place in this course to withdraw from."))
        return redirect(course.url)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "courses/withdraw_confirm.html",
            {
                "course": course,
                "enrolment": enrolment,
                "credited": enrolment.credits.count(),
                "closes": course.enrolment_closes,
            },
        )
    try:
        services.enrolment_withdraw(enrolment=enrolment)
    except LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You have withdrawn from the course; your seat is free."))
    return redirect(course.url)


@login_required
@require_POST
def lesson_done(request, lesson_id):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    try:
        services.lesson_complete(user=request.user, lesson=lesson)
    except LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Lesson completed: %(hours)s hours credited.") % {"hours": lesson.hours}
        )
    return redirect(lesson.url)


@login_required
def attendance(request, lesson_id):
    lesson = get_object_or_404(LessonPage, pk=lesson_id, delivery=Delivery.IN_PERSON)
    course = CoursePage.objects.ancestor_of(lesson).first()
    require_teacher_of(request.user, _base_id(lesson), course.pk if course else None)
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("user")
        .order_by("user__real_name")
    )
    posted = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:1000]
        try:
            posted = {int(value) for value in request.POST.getlist("present")}
            services.attendance_mark(
                lesson=lesson, present_ids=posted, by=request.user, reason=reason
            )
        except (ValueError, LearningError) as error:
            message = (
                str(error) if isinstance(error, LearningError) else _("The sheet was malformed.")
            )
            messages.error(request, message)
        else:
            messages.success(request, _("Attendance saved: %(n)d present.") % {"n": len(posted)})
            return redirect("courses:attendance", lesson_id=lesson.pk)
    marks = {m.enrolment_id: m for m in AttendanceMark.objects.filter(lesson=lesson)}
    for enrolment in enrolments:
        enrolment.mark = marks.get(enrolment.pk)
        enrolment.is_self = enrolment.user_id == request.user.pk
        stored = bool(enrolment.mark and enrolment.mark.present)
        enrolment.ticked = (
            enrolment.pk in posted if posted is not None and not enrolment.is_self else stored
        )
    return render(
        request,
        "courses/attendance.html",
        {
            "lesson": lesson,
            "course": course,
            "enrolments": enrolments,
            "started": lesson.session_starts is not None
            and timezone.now() >= lesson.session_starts,
            "has_marks": bool(marks),
            "reason": reason,
        },
    )


# -- exams -----------------------------------------------------------------------------------


@login_required
def exam_detail(request, exam_id):
    exam = get_object_or_404(Exam, pk=exam_id, is_published=True)
    attempts = selectors.attempts_of(user_id=request.user.pk, exam=exam)
    allowed = staff_base_ids(request.user)
    is_staff = allowed is None or exam.base_id in allowed
    return render(
        request,
        "courses/exam_detail.html",
        {
            "exam": exam,
            "attempts": attempts,
            "refusal": services.exam_refusal(user=request.user, exam=exam),
            "attempts_left": max(0, exam.max_attempts - attempts.count()),
            "question_count": sum(row.get("count", 0) for row in exam.blueprint),
            # For the base's staff: the certifying bodies whose standard this exam misses.
            "standard_warnings": selectors.exam_standard_warnings(exam=exam) if is_staff else [],
        },
    )


@login_required
@require_POST
def exam_start(request, exam_id):
    exam = get_object_or_404(Exam, pk=exam_id, is_published=True)
    try:
        attempt = services.attempt_start(user=request.user, exam=exam)
    except LearningError as error:
        messages.error(request, str(error))
        return redirect("courses:exam", exam_id=exam.pk)
    return redirect("courses:attempt", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id) -> Attempt:
    attempt = get_object_or_404(Attempt.objects.select_related("exam"), pk=attempt_id)
    if attempt.user_id != request.user.pk:
        raise Http404
    return attempt


def _answers_from(post, attempt: Attempt) -> dict:
    """Answers keyed by position, read from a posted form; LearningError if it is forged."""
    types = dict(attempt.questions.values_list("position", "type"))
    answers = {}
    for name in post:
        match = ANSWER_FIELD.match(name)
        if not match:
            continue
        position = int(match.group(1))
        if position not in types:
            raise LearningError(_("The answers name a question that is not in this paper."))
        values = post.getlist(name)
        if types[position] == QuestionType.MULTIPLE:
            answers[position] = values
        elif types[position] in OBJECTIVE_TYPES:
            answers[position] = values[-1] if values else None
        else:
            answers[position] = values[-1] if values else ""
    return answers


@login_required
def attempt_take(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if (
        attempt.status == Attempt.Status.IN_PROGRESS
        and timezone.now() > attempt.deadline + services.grace()
    ):
        services.attempt_submit(attempt=attempt)
        attempt.refresh_from_db()
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("courses:attempt_result", attempt_id=attempt.pk)
    return _take_page(request, attempt)


def _choices(question) -> list[dict]:
    """The options of a paper question as the page shows them: the attempt's opaque token as
    the value, a letter by displayed position, the text, and whether it is ticked. Nothing
    else of the stored option (such as the bank's own key) reaches the page."""
    if question.type not in OBJECTIVE_TYPES:
        return []
    chosen = question.answer if isinstance(question.answer, list) else []
    return [
        {
            "value": option["key"],
            "letter": option_letter(index),
            "text": option.get("text", ""),
            "checked": option["key"] in chosen,
        }
        for index, option in enumerate(question.options or [])
    ]


def _take_page(request, attempt: Attempt, posted: dict | None = None):
    """The exam paper with the saved answers, or, after a refused save or hand-in, with the
    answers just posted, so that nothing typed is lost."""
    questions = list(
        attempt.questions.only(
            "attempt_id", "position", "type", "stem", "options", "answer", "category", "points"
        )
    )
    for question in questions:
        if posted and question.position in posted:
            value = posted[question.position]
            if question.type in OBJECTIVE_TYPES and not isinstance(value, list):
                value = [value] if value else None
            question.answer = value
        question.choices = _choices(question)
    remaining = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return render(
        request,
        "courses/attempt_take.html",
        {"attempt": attempt, "exam": attempt.exam, "questions": questions, "remaining": remaining},
    )


@login_required
@require_POST
def attempt_save(request, attempt_id):
    """Autosave: store the answers posted so far. Answers JSON for the page's script."""
    attempt = _own_attempt(request, attempt_id)
    answers = None
    try:
        answers = _answers_from(request.POST, attempt)
        saved = services.attempt_save_answers(attempt=attempt, answers=answers)
    except LearningError as error:
        if request.headers.get("x-requested-with") == "fetch":
            return JsonResponse({"error": str(error)}, status=409)
        messages.error(request, str(error))
        return _refused(request, attempt, answers)
    if request.headers.get("x-requested-with") == "fetch":
        return JsonResponse({"saved": saved, "at": timezone.localtime().strftime("%H:%M:%S")})
    messages.success(request, _("Your answers are saved."))
    return redirect("courses:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def attempt_hand_in(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    answers = None
    try:
        answers = _answers_from(request.POST, attempt)
        services.attempt_submit(attempt=attempt, answers=answers)
    except LearningError as error:
        messages.error(request, str(error))
        return _refused(request, attempt, answers)
    return redirect("courses:attempt_result", attempt_id=attempt.pk)


def _refused(request, attempt: Attempt, answers: dict | None):
    """After a refused save or hand-in: the paper again, with what was posted still on it."""
    attempt.refresh_from_db()
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("courses:attempt_result", attempt_id=attempt.pk)
    return _take_page(request, attempt, posted=answers)


@login_required
def attempt_result(request, attempt_id):
    attempt = _own_attempt(request, attempt_id)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("courses:attempt", attempt_id=attempt.pk)
    # With review allowed, a final attempt shows the person's own answers; the correct
    # options, reference answers and explanations only once they can no longer sit the exam.
    show_review = attempt.exam.allow_review and attempt.status == Attempt.Status.FINAL
    show_key = show_review and selectors.review_open(user_id=attempt.user_id, exam=attempt.exam)
    if show_key:
        services.attempt_key_shown(attempt=attempt)
    return render(
        request,
        "courses/attempt_result.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "breakdown": selectors.category_breakdown(attempt=attempt),
            "questions": _review(attempt, show_key) if show_review else [],
            "show_review": show_review,
            "show_key": show_key,
            "after": selectors.after_exam(attempt=attempt),
        },
    )


def _review(attempt: Attempt, show_key: bool) -> list[dict]:
    """The result page's review, built here so that only what may be shown reaches the
    template: without ``show_key`` no correct option, reference answer, explanation or
    objective question's score (which would tell whether the answer was right)."""
    rows = []
    for q in attempt.questions.all():
        objective = q.type in OBJECTIVE_TYPES
        chosen = q.answer if objective and isinstance(q.answer, list) else []
        rows.append(
            {
                "position": q.position,
                "stem": q.stem,
                "objective": objective,
                "options": [
                    {
                        "letter": "" if q.type == QuestionType.TRUE_FALSE else option_letter(i),
                        "text": option.get("text", ""),
                        "chosen": option["key"] in chosen,
                        "correct": show_key and option["key"] in q.correct,
                    }
                    for i, option in enumerate(q.options or [])
                ]
                if objective
                else [],
                "answer": "" if objective else q.answer,
                "reference_answer": q.reference_answer if show_key else "",
                "explanation": q.explanation if show_key else "",
                "score": q.score if show_key or not objective else None,
                "points": q.points,
                "comment": q.comment,
            }
        )
    return rows


# -- grading ---------------------------------------------------------------------------------


@login_required
def grading_queue(request):
    allowed = staff_base_ids(request.user, role="faculty")
    guest = guest_course_ids(request.user)
    if allowed is not None and not allowed and not guest:
        raise PermissionDenied
    queue = list(
        selectors.grading_queue(base_ids=allowed, grader_id=request.user.pk, course_ids=guest)
    )
    return render(
        request,
        "courses/grading_queue.html",
        {"attempts": queue, "answers_total": sum(a.answers_waiting for a in queue)},
    )


@login_required
def grading_attempt(request, attempt_id):
    attempt = get_object_or_404(Attempt.objects.select_related("exam", "user"), pk=attempt_id)
    require_teacher_of(request.user, attempt.exam.base_id, attempt.exam.course_id, role="faculty")
    if attempt.user_id == request.user.pk:
        messages.error(
            request,
            _("Nobody grades their own attempt: another faculty member of the base will grade it."),
        )
        return redirect("courses:grading")
    open_questions = attempt.questions.exclude(type__in=OBJECTIVE_TYPES)
    posted = None
    if request.method == "POST":
        question_id = record_id(request.POST.get("question"))
        question = open_questions.filter(pk=question_id).first() if question_id else None
        if question is None:
            messages.error(request, _("That question is not among this attempt's written answers."))
            return redirect("courses:grading_attempt", attempt_id=attempt.pk)
        posted = {
            "question": question.pk,
            "score": request.POST.get("score", "").strip(),
            "comment": request.POST.get("comment", "").strip(),
            "reason": request.POST.get("reason", "").strip(),
        }
        was_final = attempt.status == Attempt.Status.FINAL
        try:
            services.answer_grade(
                question=question,
                score=Decimal(posted["score"]),
                by=request.user,
                comment=posted["comment"],
                reason=posted["reason"],
            )
        except (InvalidOperation, LearningError) as error:
            text = (
                str(error)
                if isinstance(error, LearningError)
                else _("Enter the score as a number.")
            )
            messages.error(request, text)
        else:
            messages.success(request, _("Grade saved."))
            return _grading_next(request, attempt, after=question, was_final=was_final)
    questions = list(open_questions.order_by("position").prefetch_related("grade_changes"))
    focus_id = posted["question"] if posted else record_id(request.GET.get("focus") or "")
    if not any(q.pk == focus_id for q in questions):
        waiting = [q for q in questions if q.score is None]
        focus_id = (waiting or questions or [None])[0]
        focus_id = focus_id.pk if focus_id is not None else None
    for number, q in enumerate(questions, start=1):
        q.number, q.focused = number, q.pk == focus_id
    for q in questions:
        # What each grading form shows: the stored grade, or, for a refused save, what the
        # grader had typed, so no comment is lost.
        if posted and posted["question"] == q.pk:
            q.form_score, q.form_comment, q.form_reason = (
                posted["score"],
                posted["comment"],
                posted["reason"],
            )
        else:
            q.form_score, q.form_comment, q.form_reason = q.score, q.comment, ""
    return render(
        request,
        "courses/grading_attempt.html",
        {
            "attempt": attempt,
            "questions": questions,
            "waiting": sum(q.score is None for q in questions),
            "next_attempt": _next_in_queue(request.user, exclude=attempt.pk),
        },
    )


def _next_in_queue(user, *, exclude: int):
    allowed = staff_base_ids(user, role="faculty")
    queue = selectors.grading_queue(
        base_ids=allowed, grader_id=user.pk, course_ids=guest_course_ids(user)
    )
    return queue.exclude(pk=exclude).first()


def _grading_next(request, attempt: Attempt, *, after, was_final: bool):
    """Where a grader goes once a grade is saved: the next answer of this attempt still
    waiting, else the first answer of the next attempt in the queue, else the queue. A grade
    changed on a final result stays on its page."""
    if was_final:
        url = reverse("courses:grading_attempt", args=[attempt.pk])
        return redirect(f"{url}?focus={after.pk}")
    waiting = list(
        attempt.questions.exclude(type__in=OBJECTIVE_TYPES)
        .filter(score__isnull=True)
        .order_by("position")
        .values_list("pk", "position")
    )
    # ``?focus=`` and no ``#fragment``: scrolling to a fragment moves the focus to the answer's
    # section, away from the score field the page has just focused for typing.
    following = [pk for pk, position in waiting if position > after.position]
    target = (following or [pk for pk, _position in waiting] or [None])[0]
    if target is not None:
        url = reverse("courses:grading_attempt", args=[attempt.pk])
        return redirect(f"{url}?focus={target}")
    upcoming = _next_in_queue(request.user, exclude=attempt.pk)
    if upcoming is None:
        messages.info(request, _("Every written answer in your queue is graded."))
        return redirect("courses:grading")
    messages.info(
        request,
        _("All answers of this attempt are graded; here is the next one in the queue."),
    )
    return redirect("courses:grading_attempt", attempt_id=upcoming.pk)
