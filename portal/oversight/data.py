"""Plain data for the evaluation pages."""

from dataclasses import asdict, dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BaseFigures:
    """A base's measured figures for one year, shown beside the scores and kept with them."""

    year: int
    classes: int
    trainees: int
    hours: Decimal
    exam_attempts: int
    exam_passes: int
    pass_rate: Decimal | None
    certificates: int
    faculty: int
    textbooks: int
    # Trainees' anonymous ratings of the year's classes (courses.api.base_feedback_figures):
    # the mean of the course scales, 1 to 5, and how many answered; both None under the
    # minimum of responses (5), so a small class is never shown.
    course_rating: Decimal | None = None
    course_rating_responses: int | None = None

    def as_json(self) -> dict:
        return {
            key: (str(value) if isinstance(value, Decimal) else value)
            for key, value in asdict(self).items()
        }


@dataclass(frozen=True)
class BaseStatus:
    """One row of the year's list: a base and its evaluation, if it has one."""

    base_id: int
    name: str
    short_code: str
    province: str
    evaluation_id: int | None
    total: Decimal | None
    grade: str | None
    grade_label: str | None
    evaluated_at: object | None
