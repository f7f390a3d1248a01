"""What courses tells the layers above it, and what it asks them. Receivers must be thin and
call their own api.

Told (after the fact):

exam_passed: user_id, exam_id, attempt_id, level, passed_at
enrolled: user_id, course_id, course_title, course_url — a person took a seat in a class (on
    their own, invited or in bulk); sent after commit.
attempt_graded: user_id, attempt_id, exam_title, passed, score, max_score — an attempt's
    result became final (every answer scored); sent after commit.
course_completed: user_id, course_id, level, completed_at
answers_awaiting: base_id, attempt_id, user_id, exam_title, answers — an attempt was handed in
    with ``answers`` written answers that faculty of ``base_id`` must grade (``user_id`` is
    the trainee's, who never grades them); sent after commit.
figures_changed: what (sent after commit by ``figures_changed_notify``)
recorded: actor, entries — a change to a learning record that belongs in the hash-chained
    audit log (hours credited or withdrawn, attendance marked or corrected, a check-in, a
    grade given or changed). ``entries`` is a list of ``(action, obj, data)`` with ``obj`` a
    saved model instance and ``data`` a JSON-able dict holding at least ``reason`` where a
    person gave one. Sent inside the transaction making the change (``record``), so the
    entry and the change commit or fail together.

Asked (the layer above answers; ``courses`` works unchanged if nobody does):

exam_standards: level -> list[courses.data.ExamStandard]
    The exam standards the certifying bodies set for exams of this course level. An exam
    "counts" for a body only if its paper meets that body's standard.
exam_entry_refusal: user_id, level -> str | None
    Why this person may not yet sit an exam of this course level (for example: the level's
    training hours are not held), in the person's language; None when nothing stands in
    the way.
"""

from django.dispatch import Signal

exam_passed = Signal()
course_completed = Signal()
enrolled = Signal()
attempt_graded = Signal()
answers_awaiting = Signal()

# Sent after commit whenever the figures the management dashboard counts have changed
# (enrolments, credited hours, final exam results): what.
figures_changed = Signal()

recorded = Signal()
exam_standards = Signal()
exam_entry_refusal = Signal()


def figures_changed_notify(what: str) -> None:
    """Tell the layers above, once the current transaction commits, that ``what`` changed."""
    from django.db import transaction

    transaction.on_commit(lambda: figures_changed.send(sender="courses", what=what))


def answers_awaiting_notify(*, attempt, answers: int) -> None:
    """Tell the layers above, once the current transaction commits, that ``attempt`` waits
    for ``answers`` written answers to be graded (see ``answers_awaiting``)."""
    from django.db import transaction

    payload = {
        "base_id": attempt.exam.base_id,
        "attempt_id": attempt.pk,
        "user_id": attempt.user_id,
        "exam_title": attempt.exam.title,
        "answers": answers,
    }
    transaction.on_commit(lambda: answers_awaiting.send(sender="courses", **payload))


def record(*, actor, entries: list[tuple[str, object, dict | None]]) -> None:
    """Put ``entries`` in the audit log, in the current transaction (see ``recorded``)."""
    if entries:
        recorded.send(sender="courses", actor=actor, entries=entries)


def standards_for(*, level: str) -> list:
    """Every certifying body's exam standard for exams of ``level`` (see ``exam_standards``)."""
    found = []
    for _receiver, answer in exam_standards.send(sender="courses", level=level):
        found.extend(answer or [])
    return found


def entry_refusal(*, user_id: int, level: str) -> str | None:
    """The first reason a layer above gives for refusing an exam of ``level``, or None."""
    for _receiver, answer in exam_entry_refusal.send(
        sender="courses", user_id=user_id, level=level
    ):
        if answer:
            return answer
    return None
