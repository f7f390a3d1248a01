"""What courses tells the layers above it. Receivers must be thin and call their own api.

exam_passed: user_id, exam_id, attempt_id, level, passed_at
course_completed: user_id, course_id, level, completed_at
"""

from django.dispatch import Signal

exam_passed = Signal()
course_completed = Signal()
