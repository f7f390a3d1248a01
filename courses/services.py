"""Writes to learning records: enrolment, credits, attendance, exam attempts and grades."""

import datetime
import random
import secrets
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import signals
from .models import (
    Attempt,
    AttemptQuestion,
    AttendanceMark,
    CoursePage,
    Delivery,
    Enrolment,
    Exam,
    GradeChange,
    LessonCredit,
    LessonPage,
)
from .models.exams import OBJECTIVE_TYPES, QuestionType
from .selectors import course_outline, credited_lesson_ids, question_pool, seats_taken


class LearningError(Exception):
    """A request the rules refuse; the message is for the person who made it."""


# -- enrolment -------------------------------------------------------------------------------


@transaction.atomic
def enrolment_create(
    *, user, course: CoursePage, source: str = Enrolment.Source.SELF, now=None
) -> Enrolment:
    """Enrol ``user`` in ``course`` if the window is open and a seat is free.

    The course row is locked, so concurrent enrolments at the last seat cannot overbook.
    Enrolling twice returns the existing place; a withdrawn person takes a seat again.
    """
    now = now or timezone.now()
    course = CoursePage.objects.select_for_update().get(pk=course.pk)
    existing = Enrolment.objects.filter(user=user, course=course).first()
    if existing and existing.holds_a_seat:
        return existing
    if source == Enrolment.Source.SELF and not course.enrolment_is_open(now):
        raise LearningError(_("Enrolment for this course is closed."))
    taken = seats_taken(course=course)
    if course.capacity is not None and taken >= course.capacity:
        raise LearningError(_("This course is full."))
    if existing:
        existing.status = Enrolment.Status.ACTIVE
        existing.withdrawn_at = None
        existing.source = source
        existing.save(update_fields=["status", "withdrawn_at", "source"])
        signals.figures_changed_notify("enrolment")
        return existing
    signals.figures_changed_notify("enrolment")
    return Enrolment.objects.create(user=user, course=course, source=source)


@transaction.atomic
def enrolments_create_bulk(
    *, course: CoursePage, users, source: str = Enrolment.Source.BULK
) -> int:
    """Give each of ``users`` a seat in ``course`` at once, or none if the seats run short.

    The base's bulk path: no enrolment window, one lock and a handful of queries for a whole
    class. People already holding a seat keep it. Returns how many seats were taken.
    """
    course = CoursePage.objects.select_for_update().get(pk=course.pk)
    by_user = {user.pk: user for user in users}
    existing = {e.user_id: e for e in Enrolment.objects.filter(course=course, user_id__in=by_user)}
    needing = [pk for pk in by_user if pk not in existing or not existing[pk].holds_a_seat]
    taken = seats_taken(course=course)
    if course.capacity is not None and taken + len(needing) > course.capacity:
        raise LearningError(_("This course is full."))
    returning = [existing[pk].pk for pk in needing if pk in existing]
    Enrolment.objects.filter(pk__in=returning).update(
        status=Enrolment.Status.ACTIVE, withdrawn_at=None, source=source
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(user_id=pk, course=course, source=source)
            for pk in needing
            if pk not in existing
        ],
        batch_size=500,
    )
    if needing:
        signals.figures_changed_notify("enrolment")
    return len(needing)


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, now=None) -> Enrolment:
    """Give up a place. Credits already earned stay on record."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.COMPLETED:
        raise LearningError(_("A completed course cannot be withdrawn from."))
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = now or timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    signals.figures_changed_notify("enrolment")
    return enrolment


# -- credits and completion ------------------------------------------------------------------


def _credit(*, enrolment: Enrolment, lesson: LessonPage, method: str, by=None) -> LessonCredit:
    module = lesson.get_parent().specific
    credit, _created = LessonCredit.objects.get_or_create(
        enrolment=enrolment,
        lesson=lesson,
        defaults={
            "hours": lesson.hours,
            "category": module.category,
            "method": method,
            "credited_by": by,
        },
    )
    if _created:
        signals.figures_changed_notify("hours")
    return credit


def _complete_if_done(enrolment: Enrolment, now=None) -> bool:
    if enrolment.status != Enrolment.Status.ACTIVE:
        return False
    outline = course_outline(course=enrolment.course)
    if not outline.required_lesson_ids or not outline.required_lesson_ids <= credited_lesson_ids(
        enrolment=enrolment
    ):
        return False
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = now or timezone.now()
    enrolment.save(update_fields=["status", "completed_at"])
    course = enrolment.course
    transaction.on_commit(
        lambda: signals.course_completed.send(
            sender=Enrolment,
            user_id=enrolment.user_id,
            course_id=course.pk,
            level=course.level,
            completed_at=enrolment.completed_at,
        )
    )
    return True


@transaction.atomic
def lesson_complete(*, user, lesson: LessonPage, now=None) -> LessonCredit:
    """A trainee marks an online lesson done; its hours are credited once."""
    if lesson.delivery != Delivery.ONLINE:
        raise LearningError(_("In-person lessons are credited from the attendance sheet."))
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    if enrolment is None or not enrolment.holds_a_seat:
        raise LearningError(_("Enrol in the course first."))
    credit = _credit(enrolment=enrolment, lesson=lesson, method=LessonCredit.Method.ONLINE)
    _complete_if_done(enrolment, now)
    return credit


@transaction.atomic
def attendance_mark(*, lesson: LessonPage, present_ids: set[int], by, now=None) -> int:
    """Record the attendance sheet of an in-person session.

    Every active enrolment of the course is marked present (if its id is in ``present_ids``)
    or absent; the present are credited the lesson's hours. Returns how many were present.
    """
    if lesson.delivery != Delivery.IN_PERSON:
        raise LearningError(_("Only in-person lessons have an attendance sheet."))
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolments = list(
        Enrolment.objects.select_for_update()
        .filter(course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
    )
    unknown = set(present_ids) - {e.pk for e in enrolments}
    if unknown:
        raise LearningError(_("The sheet names people who are not enrolled in this course."))
    for enrolment in enrolments:
        present = enrolment.pk in present_ids
        AttendanceMark.objects.update_or_create(
            lesson=lesson, enrolment=enrolment, defaults={"present": present, "marked_by": by}
        )
        if present:
            _credit(
                enrolment=enrolment, lesson=lesson, method=LessonCredit.Method.ATTENDANCE, by=by
            )
            _complete_if_done(enrolment, now)
        elif enrolment.status == Enrolment.Status.ACTIVE:
            LessonCredit.objects.filter(
                enrolment=enrolment, lesson=lesson, method=LessonCredit.Method.ATTENDANCE
            ).delete()
    return len(present_ids)


# -- exams -----------------------------------------------------------------------------------


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "PORTAL_EXAM_GRACE_SECONDS", 30))


def exam_refusal(*, user, exam: Exam, now=None) -> str | None:
    """Why ``user`` may not start ``exam`` now, or None if they may."""
    now = now or timezone.now()
    if not exam.is_published:
        return _("This exam is not open.")
    if now < exam.opens_at:
        return _("This exam has not opened yet.")
    if now >= exam.closes_at:
        return _("This exam has closed.")
    if exam.eligibility == Exam.Eligibility.COURSE_ENROLLED:
        if not Enrolment.objects.filter(user=user, course_id=exam.course_id).exclude(
            status=Enrolment.Status.WITHDRAWN
        ):
            return _("This exam is for the trainees of its course.")
    elif not Enrolment.objects.filter(
        user=user, course__level=exam.level, status=Enrolment.Status.COMPLETED
    ).exists():
        return _("Complete a course of this level before sitting its exam.")
    # What the layers above ask of a person before an exam of this level (hours held, ...).
    return signals.entry_refusal(user_id=user.pk, level=exam.level)


def _opaque_options(options: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """The options of one paper question, each under a fresh random token.

    Returns the options as stored on the paper (``key`` the token, ``bank_key`` the bank's
    own key, kept on the server only) and the mapping from bank key to token. Tokens come
    from ``secrets``, not from the draw's seed, so nothing about them can be predicted.
    """
    tokens = {}
    stored = []
    for option in options:
        token = secrets.token_urlsafe(9)
        while token in tokens.values():  # pragma: no cover - 72 random bits
            token = secrets.token_urlsafe(9)
        tokens[option["key"]] = token
        stored.append({"key": token, "text": option.get("text", ""), "bank_key": option["key"]})
    return stored, tokens


def _seen_question_ids(*, user, exam: Exam) -> set[int]:
    """The bank questions this person has been shown in earlier attempts of ``exam``."""
    if user is None:
        return set()
    return set(
        AttemptQuestion.objects.filter(attempt__user=user, attempt__exam=exam)
        .exclude(question_id=None)
        .values_list("question_id", flat=True)
    )


def _draw_paper(exam: Exam, rng: random.Random, *, user=None) -> list[AttemptQuestion]:
    """One paper by the blueprint. Each row draws first from the questions the person has not
    been shown in an earlier attempt, and tops up from the seen ones only if it must; no
    question comes twice on one paper while the pool has others."""
    seen = _seen_question_ids(user=user, exam=exam)
    on_paper = set()
    paper = []
    for row in exam.blueprint:
        pool = list(
            question_pool(
                exam=exam,
                qtype=row["type"],
                category=row["category"],
                difficulty=row.get("difficulty"),
            ).order_by("pk")
        )
        if len(pool) < row["count"]:
            raise LearningError(_("This exam cannot be sat right now: its question bank is short."))
        drawn = []
        tiers = (
            [q for q in pool if q.pk not in seen and q.pk not in on_paper],
            [q for q in pool if q.pk in seen and q.pk not in on_paper],
            [q for q in pool if q.pk in on_paper],
        )
        for tier in tiers:
            wanted = row["count"] - len(drawn)
            if wanted <= 0:
                break
            drawn += rng.sample(tier, min(wanted, len(tier)))
        on_paper.update(q.pk for q in drawn)
        for question in drawn:
            options = list(question.options)
            if exam.shuffle_options and question.type in (
                QuestionType.SINGLE,
                QuestionType.MULTIPLE,
            ):
                rng.shuffle(options)
            correct = list(question.correct)
            if question.type in OBJECTIVE_TYPES:
                options, tokens = _opaque_options(options)
                correct = sorted(tokens[key] for key in correct if key in tokens)
            paper.append(
                AttemptQuestion(
                    question=question,
                    type=question.type,
                    stem=question.stem,
                    options=options,
                    correct=correct,
                    reference_answer=question.reference_answer,
                    explanation=question.explanation,
                    category=question.category,
                    points=question.points,
                )
            )
    return paper


def _attempt_in_progress(user, exam):
    return Attempt.objects.filter(user=user, exam=exam, status=Attempt.Status.IN_PROGRESS).first()


def attempt_start(*, user, exam: Exam, now=None, seed=None) -> Attempt:
    """Start an attempt, or return the one already in progress (a second tab, a reload).

    Each attempt draws its own paper. The attempt limit holds under concurrency: attempt
    numbers are unique per person and exam, and only one attempt may be in progress.
    """
    now = now or timezone.now()
    current = _attempt_in_progress(user, exam)
    if current:
        return current
    with transaction.atomic():
        # One start at a time per person: the check, the count and the insert below must see
        # each other, or a second tab could count an attempt the first has just committed.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        current = _attempt_in_progress(user, exam)
        if current:
            return current
        refusal = exam_refusal(user=user, exam=exam, now=now)
        if refusal:
            raise LearningError(refusal)
        used = Attempt.objects.filter(user=user, exam=exam).count()
        if used >= exam.max_attempts:
            raise LearningError(_("You have used all the attempts this exam allows."))
        paper = _draw_paper(exam, random.Random(seed), user=user)  # noqa: S311 - fairness
        deadline = min(now + datetime.timedelta(minutes=exam.time_limit_minutes), exam.closes_at)
        attempt = Attempt.objects.create(
            exam=exam, user=user, number=used + 1, deadline=deadline, max_score=0
        )
        for position, question in enumerate(paper, start=1):
            question.attempt = attempt
            question.position = position
        AttemptQuestion.objects.bulk_create(paper)
        attempt.max_score = sum((q.points for q in paper), Decimal("0"))
        attempt.save(update_fields=["max_score"])
    return attempt


def _clean_answer(question: AttemptQuestion, value):
    """The stored form of an answer, or LearningError if it does not fit the question."""
    if value in (None, "", []):
        return None
    keys = {option["key"] for option in question.options}
    if question.type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        value = value[0] if isinstance(value, list) and len(value) == 1 else value
        if not isinstance(value, str) or value not in keys:
            raise LearningError(_("An answer names an option that is not in its question."))
        return [value]
    if question.type == QuestionType.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        if not values or any(not isinstance(v, str) or v not in keys for v in values):
            raise LearningError(_("An answer names an option that is not in its question."))
        return sorted(set(values))
    if not isinstance(value, str):
        raise LearningError(_("A written answer must be text."))
    # Browsers send line breaks as CRLF but count them as one character against the box's
    # limit; count them the same way here. A NUL (pasted from some editors) cannot be stored.
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if len(value) > 20_000:
        raise LearningError(_("A written answer may be at most 20,000 characters."))
    return value


def _in_time(attempt: Attempt, now) -> bool:
    return now <= attempt.deadline + grace()


@transaction.atomic
def attempt_save_answers(*, attempt: Attempt, answers: dict, now=None) -> int:
    """Store answers by question position; all or nothing. Returns how many were saved."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise LearningError(_("This attempt has been submitted; answers can no longer change."))
    if not _in_time(attempt, now):
        raise LearningError(_("Time is up: answers after the deadline are not accepted."))
    by_position = {q.position: q for q in attempt.questions.all()}
    cleaned = {}
    for raw_position, value in answers.items():
        try:
            position = int(raw_position)
        except (TypeError, ValueError):
            position = None
        if position not in by_position:
            raise LearningError(_("The answers name a question that is not in this paper."))
        cleaned[position] = _clean_answer(by_position[position], value)
    changed = []
    for position, value in cleaned.items():
        question = by_position[position]
        if question.answer != value:
            question.answer = value
            question.answered_at = now
            changed.append(question)
    AttemptQuestion.objects.bulk_update(changed, ["answer", "answered_at"])
    return len(cleaned)


def _objective_score(question: AttemptQuestion) -> Decimal:
    if question.answer and sorted(question.answer) == sorted(question.correct):
        return question.points
    return Decimal("0")


@transaction.atomic
def attempt_submit(*, attempt: Attempt, answers: dict | None = None, now=None) -> Attempt:
    """Hand in an attempt and grade what can be graded at once.

    Answers sent with a late submission are ignored; what was saved in time is graded.
    Submitting twice changes nothing.
    """
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
    )
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return attempt
    if answers and _in_time(attempt, now):
        attempt_save_answers(attempt=attempt, answers=answers, now=now)
    questions = list(
        attempt.questions.only("pk", "attempt_id", "type", "answer", "correct", "points", "score")
    )
    by_score = defaultdict(list)
    for question in questions:
        if question.type in OBJECTIVE_TYPES:
            question.score = _objective_score(question)
        elif not question.answer:
            question.score = Decimal("0")  # nothing written: nothing to grade
        if question.score is not None:
            by_score[question.score].append(question.pk)
    # Scores take few distinct values, so one UPDATE per value beats a row-by-row CASE.
    for score, ids in by_score.items():
        AttemptQuestion.objects.filter(pk__in=ids).update(score=score)
    attempt.submitted_at = min(now, attempt.deadline + grace())
    attempt.status = Attempt.Status.AWAITING_GRADING
    _finalise_if_graded(attempt, questions, now, also=("submitted_at", "status"))
    return attempt


def _finalise_if_graded(attempt: Attempt, questions, now, also=()) -> None:
    """Make the result final once every answer has a score; saves ``also`` in the same write."""
    if any(q.score is None for q in questions):
        if also:
            attempt.save(update_fields=list(also))
        return
    attempt.score = sum((q.score for q in questions), Decimal("0"))
    threshold = attempt.max_score * attempt.exam.pass_mark / 100
    attempt.passed = attempt.max_score > 0 and attempt.score >= threshold
    newly_final = attempt.status != Attempt.Status.FINAL
    attempt.status = Attempt.Status.FINAL
    attempt.finalised_at = attempt.finalised_at or now
    attempt.save(update_fields=["score", "passed", "status", "finalised_at", *also])
    if newly_final:
        signals.figures_changed_notify("attempt")
    if attempt.passed and newly_final:
        exam = attempt.exam
        transaction.on_commit(
            lambda: signals.exam_passed.send(
                sender=Attempt,
                user_id=attempt.user_id,
                exam_id=exam.pk,
                attempt_id=attempt.pk,
                level=exam.level,
                passed_at=attempt.finalised_at,
            )
        )


def attempts_submit_overdue(*, now=None) -> int:
    """Submit the attempts whose time ran out without a submission. Returns how many."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(
        status=Attempt.Status.IN_PROGRESS, deadline__lt=now - grace()
    ).values_list("pk", flat=True)
    count = 0
    for attempt_id in list(overdue[:1000]):
        attempt_submit(attempt=Attempt(pk=attempt_id), now=now)
        count += 1
    return count


@transaction.atomic
def answer_grade(
    *, question: AttemptQuestion, score: Decimal, by, comment: str = "", reason: str = "", now=None
) -> AttemptQuestion:
    """Grade an open answer, or change a grade. A change to a final result needs a reason.

    Every grade given or changed is recorded with who, when and why.
    """
    now = now or timezone.now()
    question = (
        AttemptQuestion.objects.select_for_update()
        .select_related("attempt__exam")
        .get(pk=question.pk)
    )
    attempt = Attempt.objects.select_for_update().get(pk=question.attempt_id)
    if by is not None and by.pk == attempt.user_id:
        raise LearningError(
            _("Nobody grades their own attempt: another faculty member of the base will grade it.")
        )
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise LearningError(_("The attempt has not been submitted yet."))
    if not isinstance(score, Decimal) or score < 0 or score > question.points:
        raise LearningError(
            _("The score must be between 0 and %(points)s.") % {"points": question.points}
        )
    if (score * 2) != (score * 2).to_integral_value():
        raise LearningError(_("Scores go in half-point steps."))
    if attempt.status == Attempt.Status.FINAL and not reason.strip():
        raise LearningError(_("Changing a final result needs a reason, for the record."))
    old_score = question.score
    GradeChange.objects.create(
        attempt_question=question,
        old_score=old_score,
        new_score=score,
        comment=comment,
        reason=reason,
        changed_by=by,
    )
    signals.record(
        actor=by,
        entries=[
            (
                "grade.given" if old_score is None else "grade.changed",
                question,
                {
                    "attempt": attempt.pk,
                    "old": "" if old_score is None else str(old_score),
                    "new": str(score),
                    "reason": reason,
                },
            )
        ],
    )
    question.score = score
    question.comment = comment
    question.graded_by = by
    question.graded_at = now
    question.save(update_fields=["score", "comment", "graded_by", "graded_at"])
    attempt.exam = question.attempt.exam
    _finalise_if_graded(attempt, list(attempt.questions.only("pk", "attempt_id", "score")), now)
    return question
