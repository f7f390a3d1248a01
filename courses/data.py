"""Plain data that courses/api.py hands to other apps."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ExamPass:
    exam_id: int
    exam_title: str
    level: str
    attempt_id: int
    passed_at: datetime.datetime
    percent: Decimal
    # The paper as it was served (questions per module category) and the exam's rules, so a
    # certifying body can tell whether the pass meets its exam standard.
    questions_by_module: dict = field(default_factory=dict)
    pass_mark: int = 0
    time_limit_minutes: int = 0
    attempt_number: int = 1


@dataclass(frozen=True)
class ExamStandard:
    """What a certifying body asks of an exam of one level before a pass counts with it.

    Minimum questions per module category (a category left out asks for none), the lowest
    pass mark, the longest time limit, and whether a person may see correct answers while
    they may still sit the exam again.
    """

    body_id: int
    body_name: str
    level: str
    min_questions: dict = field(default_factory=dict)
    min_pass_mark: int = 60
    max_time_limit_minutes: int = 180
    max_attempts: int | None = None
    review_before_last_attempt: bool = False

    def problems(
        self,
        *,
        questions_by_module: dict,
        pass_mark: int,
        time_limit_minutes: int,
        attempts: int | None = None,
    ) -> list[str]:
        """Why an exam with these figures does not meet the standard; empty if it does.

        ``attempts``: the attempts an exam allows, or the number of the attempt that passed."""
        from django.utils.translation import gettext as _

        from cms.taxonomy import ModuleCategory

        found = []
        for category, needed in self.min_questions.items():
            have = questions_by_module.get(category, 0)
            if have < needed:
                found.append(
                    _("%(module)s: at least %(needed)d questions (this exam has %(have)d)")
                    % {"module": ModuleCategory(category).label, "needed": needed, "have": have}
                )
        if pass_mark < self.min_pass_mark:
            found.append(
                _("pass mark at least %(needed)d%% (this exam: %(have)d%%)")
                % {"needed": self.min_pass_mark, "have": pass_mark}
            )
        if time_limit_minutes > self.max_time_limit_minutes:
            found.append(
                _("time limit at most %(needed)d minutes (this exam: %(have)d)")
                % {"needed": self.max_time_limit_minutes, "have": time_limit_minutes}
            )
        if self.max_attempts and attempts and attempts > self.max_attempts:
            found.append(
                _("at most %(needed)d attempts (this exam: %(have)d)")
                % {"needed": self.max_attempts, "have": attempts}
            )
        return found


@dataclass(frozen=True)
class CourseCompletion:
    course_id: int
    course_title: str
    level: str
    base_id: int | None
    completed_at: datetime.datetime
    hours: Decimal = Decimal("0")


@dataclass(frozen=True)
class CourseProgress:
    course_id: int
    title: str
    url: str
    level: str
    class_name: str
    status: str
    credited_hours: Decimal
    total_hours: Decimal
    # Course feedback: "open" (finished, not yet rated), "given", or "".
    feedback: str = ""

    @property
    def percent(self) -> int:
        if not self.total_hours:
            return 0
        return min(100, int(self.credited_hours * 100 / self.total_hours))


@dataclass(frozen=True)
class UpcomingSession:
    lesson_title: str
    course_title: str
    url: str
    starts: datetime.datetime
    location: str


@dataclass(frozen=True)
class ExamRecord:
    attempt_id: int
    exam_title: str
    level: str
    number: int
    status: str
    started_at: datetime.datetime
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None


@dataclass(frozen=True)
class LearnerOverview:
    courses: list
    hours_by_module: dict
    total_hours: Decimal
    upcoming: list
    exams: list


class PassRate:
    """For figures with ``exam_attempts`` and ``exam_passes``."""

    @property
    def pass_rate(self) -> Decimal | None:
        """Share of final exam attempts that passed, in percent, or None without attempts."""
        if not self.exam_attempts:
            return None
        return (Decimal(self.exam_passes) * 100 / self.exam_attempts).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class BaseYearFigures(PassRate):
    """What a training base delivered in one year, as the annual evaluation reads it."""

    classes: int
    trainees: int
    hours: Decimal
    exam_attempts: int
    exam_passes: int


@dataclass(frozen=True)
class TrainingFigures(PassRate):
    """What one training base (or, with ``base_id`` None, every base) delivered in a period."""

    base_id: int | None
    classes: int = 0
    trainees: int = 0
    hours: Decimal = Decimal("0")
    exam_attempts: int = 0
    exam_passes: int = 0


@dataclass(frozen=True)
class TrainingDelivered:
    """Every base that delivered something in the period, by base id, and the national total
    (where a person trained at two bases counts once)."""

    by_base: dict[int, TrainingFigures] = field(default_factory=dict)
    total: TrainingFigures = field(default_factory=lambda: TrainingFigures(base_id=None))


@dataclass(frozen=True)
class TrainingMonth:
    """Training delivered in one month, for one province, training base and course level."""

    month: datetime.date  # its first day
    province: str
    base_id: int | None
    level: str
    enrolments: int = 0
    hours: Decimal = Decimal("0")
    attempts: int = 0
    passes: int = 0


@dataclass(frozen=True)
class ClassReport:
    """One class (course page) of a training base, in figures."""

    course_id: int
    title: str
    class_name: str
    level: str
    start_date: datetime.date
    end_date: datetime.date
    enrolled: int
    completed: int
    withdrawn: int
    hours: Decimal
    attendance_marks: int
    attendance_present: int
    attempts: int
    passes: int

    @property
    def pass_rate(self) -> float | None:
        return self.passes / self.attempts if self.attempts else None

    @property
    def attendance_rate(self) -> float | None:
        return self.attendance_present / self.attendance_marks if self.attendance_marks else None


@dataclass(frozen=True)
class SessionDue:
    """An in-person session and the people holding a seat in its class (for reminders)."""

    lesson_id: int
    lesson_title: str
    lesson_url: str
    course_title: str
    starts: datetime.datetime
    location: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class ContinueLearning:
    """Where a trainee goes on in one course: the last lesson touched, or the next one."""

    course_title: str
    course_url: str
    lesson_title: str
    lesson_url: str
    started: bool  # the person has worked on the course before
    after_done: bool  # the last lesson touched is done: this is the one after it


# -- course feedback (评教) -------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackFigures:
    """Anonymous ratings of one group (a course, a teacher, a base's year), 1 to 5.

    Under ``minimum`` responses nothing is given: ``responses``, every average and the comments
    are None or empty and ``enough`` is False, so a small class cannot be read person by
    person. ``averages`` maps each scale to its mean; ``overall`` is the mean of those."""

    enough: bool
    minimum: int
    responses: int | None = None
    averages: dict = field(default_factory=dict)
    overall: Decimal | None = None
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeacherRating:
    """One teacher (a faculty member page) as rated in one course, or in all their courses."""

    teacher_id: int
    name: str
    figures: FeedbackFigures


@dataclass(frozen=True)
class CourseFeedbackSummary:
    """What a course's trainees said of it and of each of its teachers, anonymously."""

    course_id: int
    title: str
    class_name: str
    figures: FeedbackFigures
    teachers: tuple[TeacherRating, ...] = ()


@dataclass(frozen=True)
class TeacherFeedbackSummary:
    """A teacher's ratings over every course they were rated in (all their faculty pages)."""

    user_id: int | None
    teacher_ids: tuple[int, ...]
    courses: int
    figures: FeedbackFigures


# -- end course feedback
