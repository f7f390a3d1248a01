"""Reads of courses and learning records."""

import logging
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from cms.taxonomy import ModuleCategory

from . import tracking
from .models import (
    Attempt,
    CoursePage,
    Enrolment,
    Exam,
    LessonActivity,
    LessonCredit,
    LessonPage,
    ModulePage,
    Question,
)

ZERO = Decimal("0.0")

logger = logging.getLogger(__name__)


@dataclass
class ModuleOutline:
    module: ModulePage
    lessons: list = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((lesson.hours for lesson in self.lessons), ZERO)


@dataclass
class CourseOutline:
    modules: list
    hours_by_category: "OrderedDict[str, Decimal]"
    total_hours: Decimal
    required_lesson_ids: set

    @property
    def hours_rows(self) -> list[tuple[str, Decimal]]:
        """(category label, hours) in syllabus order, for display."""
        return [
            (ModuleCategory(code).label, hours) for code, hours in self.hours_by_category.items()
        ]


def course_outline(*, course: CoursePage) -> CourseOutline:
    """Modules, lessons and hours of a course in two queries, however many lessons it has."""
    modules = list(ModulePage.objects.live().child_of(course).order_by("path"))
    by_path = {m.path: ModuleOutline(module=m) for m in modules}
    lessons = LessonPage.objects.live().descendant_of(course).order_by("path")
    for lesson in lessons:
        outline = by_path.get(lesson.path[: -LessonPage.steplen])
        if outline:
            outline.lessons.append(lesson)
    hours = OrderedDict((code, ZERO) for code in ModuleCategory.values)
    required = set()
    for outline in by_path.values():
        hours[outline.module.category] += outline.hours
        required.update(lesson.pk for lesson in outline.lessons if lesson.required)
    return CourseOutline(
        modules=list(by_path.values()),
        hours_by_category=hours,
        total_hours=sum(hours.values(), ZERO),
        required_lesson_ids=required,
    )


def enrolment_for(*, user, course: CoursePage) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(user=user, course=course).first()


def seats_taken(*, course: CoursePage) -> int:
    return course.enrolments.exclude(status=Enrolment.Status.WITHDRAWN).count()


def _beats_written(*, user_id: int | None = None) -> None:
    """Heartbeats counted in Redis written to the database (the person's, or everyone's)
    before their totals are shown; without Redis to hand, the database's figures are shown
    (they lag, never lead: time only grows)."""
    from . import beats

    try:
        if user_id is None:
            beats.flush()
        else:
            beats.flush_person(user_id)
    except beats.Unavailable:
        logger.warning("Heartbeat totals not written before showing them: Redis unreachable")


def lesson_state_for(*, user, lesson: LessonPage) -> dict:
    """What the lesson page needs to know about the visitor's enrolment and credit."""
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = enrolment_for(user=user, course=course) if course else None
    credit = activity = None
    if enrolment is not None:
        _beats_written(user_id=user.pk)
        credit = LessonCredit.objects.filter(enrolment=enrolment, lesson=lesson).first()
        activity = LessonActivity.objects.filter(enrolment=enrolment, lesson=lesson).first()
    progress = tracking.progress_of(
        required_seconds=lesson.required_active_seconds,
        video_seconds=lesson.video_seconds,
        activity=activity,
    )
    return {
        "course": course,
        "enrolment": enrolment,
        "credit": credit,
        "progress": progress,
        **lesson_neighbours(lesson=lesson, course=course),
    }


def hours_by_category(*, user_id: int, level: str | None = None) -> "OrderedDict[str, Decimal]":
    """Credited hours per module category, over all courses or those of one level."""
    return hours_by_category_for(user_ids=[user_id], level=level)[user_id]


def hours_by_category_for(
    *, user_ids, level: str | None = None
) -> "dict[int, OrderedDict[str, Decimal]]":
    """``hours_by_category`` for many people in one query; everyone asked for gets a row."""
    user_ids = list(user_ids)
    credits = LessonCredit.objects.filter(enrolment__user_id__in=user_ids)
    if level:
        credits = credits.filter(enrolment__course__level=level)
    totals = defaultdict(dict)
    rows = credits.values_list("enrolment__user_id", "category").annotate(total=Sum("hours"))
    for user_id, category, total in rows.order_by():
        totals[user_id][category] = total
    return {
        user_id: OrderedDict(
            (code, totals[user_id].get(code, ZERO)) for code in ModuleCategory.values
        )
        for user_id in user_ids
    }


def credited_lesson_ids(*, enrolment: Enrolment) -> set[int]:
    return set(enrolment.credits.values_list("lesson_id", flat=True))


def blueprint_problems(*, exam: Exam) -> list[str]:
    """What is wrong with an exam's blueprint, given the active questions of its base."""
    from .models.exams import Difficulty, QuestionType

    rows = exam.blueprint
    if not isinstance(rows, list) or not rows:
        return [_("The blueprint needs at least one row.")]
    problems = []
    needed = Counter()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(_("Row %(n)d is not a set of fields.") % {"n": number})
            continue
        if row.get("type") not in QuestionType.values:
            problems.append(_("Row %(n)d: unknown question type.") % {"n": number})
        if row.get("category") not in ModuleCategory.values:
            problems.append(_("Row %(n)d: unknown module category.") % {"n": number})
        if row.get("difficulty") not in (None, *Difficulty.values):
            problems.append(_("Row %(n)d: difficulty must be 1, 2 or 3.") % {"n": number})
        count = row.get("count")
        if not isinstance(count, int) or count < 1:
            problems.append(
                _("Row %(n)d: the count must be a whole number above zero.") % {"n": number}
            )
            continue
        needed[(row.get("type"), row.get("category"), row.get("difficulty"))] += count
    if problems:
        return problems
    for (qtype, category, difficulty), count in needed.items():
        available = question_pool(
            exam=exam, qtype=qtype, category=category, difficulty=difficulty
        ).count()
        if available < count:
            problems.append(
                _(
                    "The bank has %(available)d active %(type)s questions in %(category)s "
                    "for this level; the blueprint asks for %(count)d."
                )
                % {
                    "available": available,
                    "type": QuestionType(qtype).label,
                    "category": ModuleCategory(category).label,
                    "count": count,
                }
            )
    return problems


def question_pool(*, exam: Exam, qtype: str, category: str, difficulty: int | None = None):
    pool = Question.objects.filter(
        base_id=exam.base_id,
        level=exam.level_id,
        status=Question.Status.ACTIVE,
        type=qtype,
        category=category,
    )
    if difficulty:
        pool = pool.filter(difficulty=difficulty)
    return pool


def bank_counts(*, base_id: int, level: str) -> dict[tuple[str, str], int]:
    """Active questions of a base at a level, by (type, module category): what a blueprint
    can draw from (one query)."""
    rows = (
        Question.objects.filter(base_id=base_id, level=level, status=Question.Status.ACTIVE)
        .order_by()
        .values_list("type", "category")
        .annotate(n=Count("pk"))
    )
    return {(qtype, category): n for qtype, category, n in rows}


def review_open(*, user_id: int, exam: Exam, now=None) -> bool:
    """Whether a person may see the correct answers, reference answers and explanations of
    their attempts at ``exam``: only once they can no longer sit it (no attempts left, or the
    exam has closed) nor any other exam drawn from the same bank, unless every certifying
    body's standard for the level allows review before the last attempt (with no standard at
    all, it does not)."""
    from django.utils import timezone

    from . import signals
    from .services import grace

    now = now or timezone.now()
    attempts = Attempt.objects.filter(user_id=user_id, exam=exam)
    same_bank = Attempt.objects.filter(
        user_id=user_id, exam__base_id=exam.base_id, exam__level=exam.level_id
    )
    # Never while an attempt of theirs from the same bank still takes answers (the last one,
    # one in the grace after the exam closed, or one at another exam of the bank).
    if same_bank.filter(status=Attempt.Status.IN_PROGRESS, deadline__gte=now - grace()).exists():
        return False
    # Nor while they may still sit another exam drawn from the same bank.
    if (
        Exam.objects.filter(
            base_id=exam.base_id, level=exam.level_id, is_published=True, closes_at__gt=now
        )
        .exclude(pk=exam.pk)
        .annotate(used=Count("attempts", filter=Q(attempts__user_id=user_id)))
        .filter(used__lt=F("max_attempts"))
        .exists()
    ):
        return False
    if now >= exam.closes_at or attempts.count() >= exam.max_attempts:
        return True
    standards = signals.standards_for(level=exam.level_id)
    return bool(standards) and all(s.review_before_last_attempt for s in standards)


def blueprint_questions_by_module(blueprint) -> dict[str, int]:
    """How many questions a paper drawn by ``blueprint`` has in each module category."""
    counts = {}
    for row in blueprint if isinstance(blueprint, list) else []:
        if not isinstance(row, dict) or row.get("category") not in ModuleCategory.values:
            continue
        count = row.get("count")
        if isinstance(count, int) and count > 0:
            counts[row["category"]] = counts.get(row["category"], 0) + count
    return counts


def exam_standard_warnings(*, exam: Exam) -> list[str]:
    """For each certifying body whose standard the exam misses, why its passes will not count
    there. A warning only: the exam may still be saved and sat."""
    from . import signals

    if not exam.level_id:
        return []
    by_module = blueprint_questions_by_module(exam.blueprint)
    warnings = []
    for standard in signals.standards_for(level=exam.level_id):
        problems = standard.problems(
            questions_by_module=by_module,
            pass_mark=exam.pass_mark or 0,
            time_limit_minutes=exam.time_limit_minutes or 0,
            attempts=exam.max_attempts,
        )
        if problems:
            warnings.append(
                _("Does not count for %(body)s: %(problems)s")
                % {"body": standard.body_name, "problems": "; ".join(problems)}
            )
    return warnings


def attempts_of(*, user_id: int, exam: Exam | None = None):
    attempts = Attempt.objects.filter(user_id=user_id).select_related("exam")
    if exam is not None:
        attempts = attempts.filter(exam=exam)
    return attempts


def category_breakdown(*, attempt: Attempt) -> "OrderedDict[str, dict]":
    """Score and points per module category for an attempt's result page."""
    rows = attempt.questions.values("category").annotate(
        scored=Sum("score"),
        out_of=Sum("points"),
        pending=Count("pk", filter=Q(score__isnull=True)),
    )
    by_category = {row["category"]: row for row in rows}
    return OrderedDict(
        (code, {**by_category[code], "label": ModuleCategory(code).label})
        for code in ModuleCategory.values
        if code in by_category
    )


def grading_queue(
    *, base_ids: set[int] | None, grader_id: int | None = None, course_ids: set[int] = frozenset()
):
    """Attempts with written answers waiting for a grade, in the given bases (None: all), and
    those of the exams of ``course_ids`` (classes of other bases one was invited to teach).

    With ``grader_id``, the grader's own attempts are left out: nobody grades themselves.
    """
    from django.db.models import Exists, OuterRef

    from .models import AttemptQuestion
    from .models.exams import OBJECTIVE_TYPES

    ungraded = AttemptQuestion.objects.filter(attempt=OuterRef("pk"), score__isnull=True).exclude(
        type__in=OBJECTIVE_TYPES
    )
    attempts = (
        Attempt.objects.filter(Exists(ungraded), status=Attempt.Status.AWAITING_GRADING)
        .select_related("exam", "user")
        .annotate(
            answers_waiting=Count(
                "questions",
                filter=Q(questions__score__isnull=True) & ~Q(questions__type__in=OBJECTIVE_TYPES),
            )
        )
    )
    if base_ids is not None:
        attempts = attempts.filter(
            Q(exam__base_id__in=base_ids) | Q(exam__course_id__in=set(course_ids))
        )
    if grader_id is not None:
        attempts = attempts.exclude(user_id=grader_id)
    return attempts.order_by("submitted_at")


def answers_awaiting_count(
    *, base_ids: set[int] | None, grader_id: int | None = None, course_ids: set[int] = frozenset()
) -> int:
    """Written answers handed in and not yet graded, in the given bases (None: all) and the
    exams of ``course_ids``, leaving out the grader's own (nobody grades themselves)."""
    from .models import AttemptQuestion
    from .models.exams import OBJECTIVE_TYPES

    answers = AttemptQuestion.objects.filter(
        attempt__status=Attempt.Status.AWAITING_GRADING, score__isnull=True
    ).exclude(type__in=OBJECTIVE_TYPES)
    if base_ids is not None:
        answers = answers.filter(
            Q(attempt__exam__base_id__in=base_ids) | Q(attempt__exam__course_id__in=set(course_ids))
        )
    if grader_id is not None:
        answers = answers.exclude(attempt__user_id=grader_id)
    return answers.count()


@dataclass
class RosterRow:
    enrolment: Enrolment
    credited_hours: Decimal
    best_score: Decimal | None
    max_score: Decimal | None
    passed: bool | None
    attempts: int
    active_minutes: int = 0  # evidence of the credited online lessons
    tracked_minutes: int = 0  # all time tracked on the course's online lessons


@dataclass
class Roster:
    rows: list
    total_hours: Decimal
    enrolled: int
    completed: int
    sat_exam: int
    passed: int

    @property
    def pass_rate(self) -> Decimal | None:
        """Share of those with a final result who passed, in percent."""
        if not self.sat_exam:
            return None
        return (Decimal(self.passed) * 100 / self.sat_exam).quantize(Decimal("0.1"))


def class_roster(*, course: CoursePage) -> Roster:
    """Everyone enrolled in a course: progress, best final exam result, and the class totals."""
    enrolments = list(
        Enrolment.objects.filter(course=course).select_related("user").order_by("user__real_name")
    )
    hours = dict(
        LessonCredit.objects.filter(enrolment__course=course)
        .values_list("enrolment_id")
        .annotate(total=Sum("hours"))
    )
    active = dict(
        LessonCredit.objects.filter(enrolment__course=course)
        .values_list("enrolment_id")
        .annotate(total=Sum("active_seconds"))
    )
    _beats_written()
    tracked = dict(
        LessonActivity.objects.filter(course=course)
        .values_list("enrolment_id")
        .annotate(total=Sum("active_seconds"))
    )
    final = {}
    counts = Counter()
    attempts = Attempt.objects.filter(exam__course=course).values_list(
        "user_id", "status", "score", "max_score", "passed"
    )
    for user_id, status, score, max_score, passed in attempts:
        counts[user_id] += 1
        if status != Attempt.Status.FINAL:
            continue
        best = final.get(user_id)
        if best is None or (score or 0) > (best[0] or 0):
            final[user_id] = (score, max_score, passed)
    rows = []
    for enrolment in enrolments:
        score, max_score, passed = final.get(enrolment.user_id, (None, None, None))
        rows.append(
            RosterRow(
                enrolment=enrolment,
                credited_hours=hours.get(enrolment.pk, ZERO),
                best_score=score,
                max_score=max_score,
                passed=passed,
                attempts=counts[enrolment.user_id],
                active_minutes=(active.get(enrolment.pk) or 0) // 60,
                tracked_minutes=(tracked.get(enrolment.pk) or 0) // 60,
            )
        )
    active = [r for r in rows if r.enrolment.status != Enrolment.Status.WITHDRAWN]
    return Roster(
        rows=rows,
        total_hours=course_outline(course=course).total_hours,
        enrolled=len(active),
        completed=sum(1 for r in active if r.enrolment.status == Enrolment.Status.COMPLETED),
        sat_exam=sum(1 for r in active if r.passed is not None),
        passed=sum(1 for r in active if r.passed),
    )


# -- the catalogue, the class calendar and a trainee's way through a course ------------------


@dataclass
class CatalogueFilters:
    """What the catalogue was asked for; every value checked against its choices."""

    level: str = ""
    province: str = ""
    base: int | None = None
    delivery: str = ""
    open_only: bool = False

    @classmethod
    def from_query(cls, query) -> "CatalogueFilters":
        from cms.taxonomy import Level
        from portal.accounts.converters import record_id
        from portal.accounts.provinces import Province

        from .models import Delivery

        def choice(name, allowed):
            value = query.get(name, "")
            return value if value in allowed else ""

        return cls(
            level=choice("level", Level.codes()),
            province=choice("province", Province.values),
            base=record_id(query.get("base") or ""),
            delivery=choice("delivery", Delivery.values),
            open_only=query.get("open") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.level or self.province or self.base or self.delivery or self.open_only)


@dataclass
class CatalogueEntry:
    course: CoursePage
    base: object  # cms.models.TrainingBasePage, or None for a course outside any base
    seats_left: int | None  # None: no limit
    status: str  # see COURSE_STATUSES
    status_label: str


def course_status(*, course: CoursePage, seats_left: int | None, now=None) -> str:
    """Where a class stands: open for enrolment, full, opening soon, closed, under way, over."""
    from django.utils import timezone

    now = now or timezone.now()
    today = timezone.localdate(now)
    # What the enrol button does decides: a base may keep enrolment open after the dates.
    if course.enrolment_is_open(now):
        return "full" if seats_left == 0 else "open"
    if course.end_date < today:
        return "finished"
    if now < course.enrolment_opens:
        return "upcoming"
    if course.start_date <= today:
        return "running"
    return "closed"


def course_status_labels() -> dict[str, str]:
    return {
        "open": _("Enrolment open"),
        "full": _("Full"),
        "upcoming": _("Enrolment opens soon"),
        "closed": _("Enrolment closed"),
        "running": _("Under way"),
        "finished": _("Finished"),
    }


def _bases_by_path():
    from cms.models import TrainingBasePage

    return {base.path: base for base in TrainingBasePage.objects.live().public()}


def _base_of(path: str, bases: dict):
    step = CoursePage.steplen
    for depth in range(len(path) - step, 0, -step):
        base = bases.get(path[:depth])
        if base is not None:
            return base
    return None


def catalogue(*, filters: CatalogueFilters, now=None) -> list[CatalogueEntry]:
    """Live, public courses of every base that match ``filters``: open classes first, then by
    start date; with each its base, seats left and status (three queries)."""
    from django.utils import timezone

    now = now or timezone.now()
    courses = (
        CoursePage.objects.live()
        .public()
        .select_related("level")
        .annotate(
            seats_taken=Count(
                "enrolments", filter=~Q(enrolments__status=Enrolment.Status.WITHDRAWN)
            )
        )
    )
    if filters.level:
        courses = courses.filter(level=filters.level)
    if filters.delivery:
        courses = courses.filter(delivery=filters.delivery)
    if filters.open_only:
        courses = courses.filter(enrolment_opens__lte=now, enrolment_closes__gt=now)
    bases = _bases_by_path()
    labels = course_status_labels()
    entries = []
    for course in courses.order_by("start_date", "title"):
        base = _base_of(course.path, bases)
        if filters.base and (base is None or base.pk != filters.base):
            continue
        if filters.province and (base is None or base.province != filters.province):
            continue
        seats_left = (
            None if course.capacity is None else max(0, course.capacity - course.seats_taken)
        )
        if filters.open_only and seats_left == 0:
            continue
        status = course_status(course=course, seats_left=seats_left, now=now)
        entries.append(
            CatalogueEntry(
                course=course,
                base=base,
                seats_left=seats_left,
                status=status,
                status_label=labels[status],
            )
        )
    order = {"open": 0, "upcoming": 1, "full": 2, "running": 3, "closed": 4, "finished": 5}
    entries.sort(key=lambda e: order[e.status])
    return entries


def catalogue_bases():
    """The live bases that have live courses, for the catalogue's base filter."""
    bases = _bases_by_path()
    paths = CoursePage.objects.live().public().values_list("path", flat=True)
    found = {}
    for path in paths:
        base = _base_of(path, bases)
        if base is not None:
            found[base.pk] = base
    return sorted(found.values(), key=lambda b: (b.province, b.title))


@dataclass
class SessionEntry:
    lesson: LessonPage
    course: CoursePage
    base: object


def sessions_between(*, start, end, user=None) -> list[SessionEntry]:
    """In-person sessions of live, public courses starting in [start, end); with ``user``,
    only those of the courses where the person holds a seat."""
    lessons = (
        LessonPage.objects.live()
        .public()
        .filter(session_starts__gte=start, session_starts__lt=end)
        .order_by("session_starts", "pk")
    )
    return _sessions(lessons, user=user)


def sessions_of(*, user) -> list[SessionEntry]:
    """Every in-person session of the courses where ``user`` holds a seat, past and future."""
    lessons = (
        LessonPage.objects.live()
        .filter(delivery="in_person", session_starts__isnull=False)
        .order_by("session_starts", "pk")
    )
    return _sessions(lessons, user=user)


def _sessions(lessons, *, user=None) -> list[SessionEntry]:
    courses = {c.path: c for c in CoursePage.objects.live().public()}
    if user is not None:
        held = set(
            Enrolment.objects.filter(user=user)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .values_list("course_id", flat=True)
        )
        courses = {path: c for path, c in courses.items() if c.pk in held}
    bases = _bases_by_path()
    step = CoursePage.steplen
    out = []
    for lesson in lessons:
        course = courses.get(lesson.path[: -2 * step])
        if course is not None:
            out.append(
                SessionEntry(lesson=lesson, course=course, base=_base_of(course.path, bases))
            )
    return out


def lesson_neighbours(*, lesson: LessonPage, course: CoursePage | None) -> dict:
    """The lessons before and after ``lesson`` in its course's outline (across modules)."""
    if course is None:
        return {"previous_lesson": None, "next_lesson": None}
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    ids = [item.pk for item in lessons]
    try:
        at = ids.index(lesson.pk)
    except ValueError:
        return {"previous_lesson": None, "next_lesson": None}
    return {
        "previous_lesson": lessons[at - 1] if at > 0 else None,
        "next_lesson": lessons[at + 1] if at + 1 < len(lessons) else None,
    }


@dataclass
class ContinueItem:
    course: CoursePage
    lesson: LessonPage  # where to go on
    touched: object  # when the person last worked on the course (None: not yet started)
    lesson_done: bool  # the last lesson touched is credited, so ``lesson`` is the one after it


def continue_learning(*, user_id: int) -> list[ContinueItem]:
    """For each course the person is enrolled in and has not completed: the lesson to go on
    with (the last one touched, or the first not yet credited after it), newest first."""
    enrolments = list(
        Enrolment.objects.filter(user_id=user_id, status=Enrolment.Status.ACTIVE).select_related(
            "course"
        )
    )
    if not enrolments:
        return []
    _beats_written(user_id=user_id)
    touched = {}
    for enrolment_id, lesson_id, seen in LessonActivity.objects.filter(
        enrolment__in=enrolments
    ).values_list("enrolment_id", "lesson_id", "last_seen"):
        if enrolment_id not in touched or seen > touched[enrolment_id][1]:
            touched[enrolment_id] = (lesson_id, seen)
    credited = defaultdict(set)
    for enrolment_id, lesson_id, at in LessonCredit.objects.filter(
        enrolment__in=enrolments
    ).values_list("enrolment_id", "lesson_id", "credited_at"):
        credited[enrolment_id].add(lesson_id)
        if enrolment_id not in touched or at > touched[enrolment_id][1]:
            touched[enrolment_id] = (lesson_id, at)
    items = []
    for enrolment in enrolments:
        lessons = list(LessonPage.objects.live().descendant_of(enrolment.course).order_by("path"))
        if not lessons:
            continue
        last_id, at = touched.get(enrolment.pk, (None, None))
        ids = [lesson.pk for lesson in lessons]
        start = ids.index(last_id) if last_id in ids else 0
        lesson, done = lessons[start], False
        if last_id in credited[enrolment.pk]:
            rest = [item for item in lessons[start + 1 :] if item.pk not in credited[enrolment.pk]]
            if rest:
                lesson, done = rest[0], True
        items.append(
            ContinueItem(course=enrolment.course, lesson=lesson, touched=at, lesson_done=done)
        )
    items.sort(
        key=lambda item: (item.touched is None, -(item.touched.timestamp() if item.touched else 0))
    )
    return items


@dataclass
class AfterExam:
    """What a person can do once an attempt has a result."""

    can_retake: bool
    retake_refusal: str | None  # why a retake is refused, when attempts are left
    attempts_left: int
    next_level: str  # the level above the exam's, or "" at the top
    next_level_label: str
    next_level_open_courses: int
    course: CoursePage | None


def after_exam(*, attempt: Attempt, now=None) -> AfterExam:
    """Retake (a final result not passed, attempts left, the exam still open and not refused),
    the next level's open classes, and the course the exam belongs to."""
    from .services import exam_refusal

    exam = attempt.exam
    used = Attempt.objects.filter(user_id=attempt.user_id, exam=exam).count()
    attempts_left = max(0, exam.max_attempts - used)
    failed = attempt.status == Attempt.Status.FINAL and not attempt.passed
    refusal = exam_refusal(user=attempt.user, exam=exam, now=now) if failed else None
    can_retake = failed and attempts_left > 0 and refusal is None
    above = exam.level.next_in_track()
    next_level = above.code if above else ""
    open_courses = 0
    if next_level:
        open_courses = len(
            catalogue(filters=CatalogueFilters(level=next_level, open_only=True), now=now)
        )
    course = CoursePage.objects.live().filter(pk=exam.course_id).first() if exam.course_id else None
    return AfterExam(
        can_retake=can_retake,
        retake_refusal=refusal if attempts_left > 0 else None,
        attempts_left=attempts_left,
        next_level=next_level,
        next_level_label=above.label if above else "",
        next_level_open_courses=open_courses,
        course=course,
    )
