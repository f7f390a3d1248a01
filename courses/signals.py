"""What courses tells the layers above it. Receivers must be thin and call their own api.

exam_passed: user_id, exam_id, attempt_id, level, passed_at
course_completed: user_id, course_id, level, completed_at
figures_changed: what (sent after commit by ``figures_changed_notify``)
"""

from django.dispatch import Signal

exam_passed = Signal()
course_completed = Signal()

# Sent after commit whenever the figures the management dashboard counts have changed
# (enrolments, credited hours, final exam results): what.
figures_changed = Signal()


def figures_changed_notify(what: str) -> None:
    """Tell the layers above, once the current transaction commits, that ``what`` changed."""
    from django.db import transaction

    transaction.on_commit(lambda: figures_changed.send(sender="courses", what=what))
