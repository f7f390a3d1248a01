"""Plain data that courses/api.py hands to other apps."""

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ExamPass:
    exam_id: int
    exam_title: str
    level: str
    attempt_id: int
    passed_at: datetime.datetime
    percent: Decimal


@dataclass(frozen=True)
class CourseCompletion:
    course_id: int
    course_title: str
    level: str
    base_id: int | None
    completed_at: datetime.datetime
