"""Learning records in bulk for ``seed_demo --scale``: past classes, enrolments, hours, attempts.

Made for benchmarks and for dashboards with years of history, so everything goes in with bulk
inserts and carries its own past dates; no service runs per row (no exam papers are drawn, no
attendance sheets kept). The people and what happens to them are decided by the caller, as
``Study`` rows; this module only writes them down consistently:

- each study is an enrolment in its base's class of the study's level and year: a past, rolling
  class (``junior-2019``), made here the first time it is needed, with one lesson per module that
  carries the module's hours, a final exam and a unit test per module. The live demo classes are
  left alone, so their seats, rosters and attendance sheets stay as the demo tells them;
- one credit per module (the module's hours), so a completed enrolment meets the hours of its
  level;
- unit-test sittings while the class runs (some failed and retaken) and final-exam sittings up to
  the study's result: about seven attempts per class a person took, numbered per exam.
"""

import contextlib
import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import reset_queries, transaction
from django.utils import timezone

from cms.models import TrainingBasePage
from cms.taxonomy import ModuleCategory

from .demo import BLUEPRINT, LEVEL_NAMES, LEVEL_SLUGS, MODULE_LESSONS
from .models import (
    Attempt,
    CourseIndexPage,
    CoursePage,
    Delivery,
    Enrolment,
    Exam,
    LessonCredit,
    LessonPage,
    ModulePage,
)

# Hours of the single lesson of each module in a past class: enough for every level's
# (illustrative) requirement, as in the live demo classes.
MODULE_HOURS = {
    ModuleCategory.GENERAL: Decimal("4.5"),
    ModuleCategory.POLICY: Decimal("4.5"),
    ModuleCategory.PRACTICE: Decimal("5.0"),
    ModuleCategory.ENHANCEMENT: Decimal("4.5"),
}
FINAL = "final"
FINAL_MINUTES = 60
UNIT_MINUTES = 20
UNIT_PASS_RATE = 0.65
FINAL_RETAKE_RATES = (0.35, 0.12)  # a second sitting, a third
BATCH = 5000
SYNTHETIC_NOTE = "往期滚动开班的培训记录，由 seed_demo --scale 批量生成，供统计与性能测试使用。"


@dataclass
class Study:
    """One class a seeded person took and how it ended.

    ``completed_at`` None: still studying. ``final_at`` is the last sitting of the final exam
    (None: not sat yet), which ``passed`` or not; earlier sittings, all failed, come before it.
    """

    base_id: int
    level: str
    enrolled_at: datetime.datetime
    completed_at: datetime.datetime | None
    final_at: datetime.datetime | None
    passed: bool
    seed: int
    user_id: int | None = None


@dataclass(frozen=True)
class _PastClass:
    course_id: int
    lessons: dict  # category -> (lesson id, hours)
    exams: dict  # FINAL or category -> (exam id, max score, minutes)


@dataclass
class LearningResult:
    enrolments: int = 0
    credits: int = 0
    attempts: int = 0
    # The class each person took each level in: (user id, level) -> course id.
    class_of: dict = field(default_factory=dict)


# -- past classes ----------------------------------------------------------------------------


def _max_score(blueprint) -> Decimal:
    return sum(
        (Decimal("5") if row["type"] in ("short", "case") else Decimal("1")) * row["count"]
        for row in blueprint
    )


def _unit_blueprint(category: str) -> list[dict]:
    return [row for row in BLUEPRINT if row["category"] == category and row["type"] != "short"]


def _aware(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


def _add(parent, page):
    parent.add_child(instance=page)
    return page


def _past_class_create(index, base, level: str, year: int, now) -> CoursePage:
    """The class with its modules, lessons and exams. Pages are published without revisions:
    an editor's first save makes one."""
    name = LEVEL_NAMES[level]
    opens = _aware(year - 1, 12, 1)
    closes = min(_aware(year, 12, 31, 23, 59), now)
    course = _add(
        index,
        CoursePage(
            title=f"{year}年{name}培训班",
            slug=f"{LEVEL_SLUGS[level]}-{year}",
            level_id=level,
            class_name=f"{year}年度{name}滚动班（往期）",
            delivery=Delivery.BLENDED,
            start_date=datetime.date(year, 1, 5),
            end_date=datetime.date(year, 12, 20),
            enrolment_opens=opens,
            enrolment_closes=closes,
            capacity=None,
            summary=SYNTHETIC_NOTE,
            first_published_at=opens,
            last_published_at=opens,
        ),
    )
    for category, (module_title, _lessons) in MODULE_LESSONS.items():
        module = _add(
            course,
            ModulePage(
                title=module_title,
                slug=category,
                category=category,
                first_published_at=opens,
                last_published_at=opens,
            ),
        )
        _add(
            module,
            LessonPage(
                title=f"{module_title}（模块全部课时）",
                slug="all-lessons",
                hours=MODULE_HOURS[category],
                delivery=Delivery.ONLINE,
                required=True,
                summary=f"<p>{module_title}模块的全部课时，往期班按模块记学时。</p>",
                first_published_at=opens,
                last_published_at=opens,
            ),
        )
    window = {
        "opens_at": _aware(year, 1, 1),
        "closes_at": _aware(year + 1, 12, 31, 23, 59),
        "base": base,
        "level_id": level,
        "course": course,
        "eligibility": Exam.Eligibility.COURSE_ENROLLED,
        "pass_mark": 60,
        "max_attempts": 3,
        "is_published": True,
    }
    Exam.objects.bulk_create(
        [
            Exam(
                title=f"{year}年{name}结业考试",
                blueprint=BLUEPRINT,
                time_limit_minutes=FINAL_MINUTES,
                **window,
            ),
            *(
                Exam(
                    title=f"{year}年{name}单元测验：{module_title}",
                    blueprint=_unit_blueprint(category),
                    time_limit_minutes=UNIT_MINUTES,
                    allow_review=True,
                    **window,
                )
                for category, (module_title, _lessons) in MODULE_LESSONS.items()
            ),
        ]
    )
    return course


def _past_class(base, level: str, year: int, now) -> _PastClass:
    index = CourseIndexPage.objects.child_of(base).first()
    if index is None:
        raise ValueError(f"{base} has no course index; seed its courses first.")
    slug = f"{LEVEL_SLUGS[level]}-{year}"
    course = CoursePage.objects.child_of(index).filter(slug=slug).first()
    if course is None:
        course = _past_class_create(index, base, level, year, now)
    lessons = {}
    for module in ModulePage.objects.child_of(course):
        lesson = LessonPage.objects.child_of(module).first()
        if lesson is not None:
            lessons[module.category] = (lesson.pk, lesson.hours)
    name = LEVEL_NAMES[level]
    titles = {f"{year}年{name}结业考试": FINAL} | {
        f"{year}年{name}单元测验：{title}": category
        for category, (title, _lessons) in MODULE_LESSONS.items()
    }
    exams = {
        titles[exam.title]: (exam.pk, _max_score(exam.blueprint), exam.time_limit_minutes)
        for exam in Exam.objects.filter(course=course, title__in=titles)
    }
    if set(lessons) != set(MODULE_HOURS) or set(exams) != set(titles.values()):
        raise ValueError(f"The past class {course} is incomplete; delete it and seed again.")
    return _PastClass(course_id=course.pk, lessons=lessons, exams=exams)


# -- writing the records ---------------------------------------------------------------------


@contextlib.contextmanager
def dates_as_given(*fields):
    """Let bulk inserts keep the past dates set on ``auto_now_add`` fields."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _score(rng, max_score: Decimal, passed: bool) -> Decimal:
    """A score in tenths whose percentage agrees with ``passed`` at a 60 % pass mark."""
    tenths = int(max_score * 10)
    pass_from = -(-tenths * 60 // 100)  # ceiling
    if passed:
        got = rng.randint(pass_from, tenths * 97 // 100)
    else:
        got = rng.randint(tenths * 28 // 100, pass_from - 1)
    return Decimal(got).scaleb(-1)


def _attempt(rng, *, exam, user_id, number, started, passed, graded) -> Attempt:
    exam_id, max_score, minutes = exam
    submitted = started + datetime.timedelta(minutes=rng.randint(minutes // 3, minutes - 1))
    finalised = submitted
    if graded:  # an open answer waited for a grader
        finalised = submitted + datetime.timedelta(hours=rng.randint(4, 96))
    return Attempt(
        exam_id=exam_id,
        user_id=user_id,
        number=number,
        status=Attempt.Status.FINAL,
        started_at=started,
        deadline=started + datetime.timedelta(minutes=minutes),
        submitted_at=submitted,
        finalised_at=finalised,
        score=_score(rng, max_score, passed),
        max_score=max_score,
        passed=passed,
    )


def _study_rows(study: Study, past: _PastClass, enrolment_id: int, now):
    """The credits and attempts of one study, in date order."""
    rng = random.Random(study.seed)
    end = study.completed_at or now
    span = end - study.enrolled_at
    credits, attempts = [], []
    for position, category in enumerate(MODULE_HOURS):
        credited = study.enrolled_at + span * (position + rng.uniform(0.1, 0.8)) / 4
        if credited >= end:
            break  # still studying: the later modules are not done yet
        lesson_id, hours = past.lessons[category]
        # The evidence an online credit keeps: somewhat more active time than the default
        # share of the hours asks, on the page in the hours before the credit.
        # (Its own random numbers: the records' other figures stay as they were.)
        evidence = random.Random(study.seed * 7 + position)
        active = int(float(hours) * 3600 * evidence.uniform(0.52, 0.8))
        last_seen = credited - datetime.timedelta(seconds=evidence.randint(5, 120))
        credits.append(
            LessonCredit(
                enrolment_id=enrolment_id,
                lesson_id=lesson_id,
                hours=hours,
                category=category,
                method=LessonCredit.Method.ONLINE,
                credited_at=credited,
                active_seconds=active,
                first_seen=last_seen
                - datetime.timedelta(seconds=active + evidence.randint(60, 1800)),
                last_seen=last_seen,
            )
        )
        sitting = credited + datetime.timedelta(hours=rng.randint(2, 72))
        for number in (1, 2, 3):
            if sitting >= end - datetime.timedelta(hours=1):
                break
            passed = rng.random() < UNIT_PASS_RATE
            attempts.append(
                _attempt(
                    rng,
                    exam=past.exams[category],
                    user_id=study.user_id,
                    number=number,
                    started=sitting,
                    passed=passed,
                    graded=False,
                )
            )
            if passed:
                break
            sitting += datetime.timedelta(days=rng.randint(2, 10), hours=rng.randint(0, 8))
    if study.final_at is not None:
        sittings = [study.final_at]
        for rate in FINAL_RETAKE_RATES:
            earlier = sittings[0] - datetime.timedelta(days=rng.randint(14, 40))
            if rng.random() >= rate or earlier <= study.completed_at:
                break
            sittings.insert(0, earlier)
        for number, started in enumerate(sittings, start=1):
            last = number == len(sittings)
            attempts.append(
                _attempt(
                    rng,
                    exam=past.exams[FINAL],
                    user_id=study.user_id,
                    number=number,
                    started=started,
                    passed=study.passed and last,
                    graded=True,
                )
            )
    return credits, attempts


def learning_create(*, studies: list[Study], now=None) -> LearningResult:
    """Write the studies down: enrolments in past classes, credits and attempts.

    A person who already has an enrolment in the class is skipped, so running it again adds
    nothing. Returns how many rows were made and which class each person took each level in.
    """
    now = now or timezone.now()
    result = LearningResult()
    bases = {
        base.pk: base
        for base in TrainingBasePage.objects.filter(pk__in={s.base_id for s in studies})
    }
    classes = {}
    for key in sorted({(s.base_id, s.level, s.enrolled_at.year) for s in studies}):
        base_id, level, year = key
        classes[key] = _past_class(bases[base_id], level, year, now)
    with transaction.atomic():
        for start in range(0, len(studies), BATCH):
            _batch_create(studies[start : start + BATCH], classes, now, result)
    return result


def _batch_create(studies, classes, now, result: LearningResult) -> None:
    past_of = [classes[(s.base_id, s.level, s.enrolled_at.year)] for s in studies]
    taken = set(
        Enrolment.objects.filter(
            user_id__in={s.user_id for s in studies},
            course_id__in={p.course_id for p in past_of},
        ).values_list("user_id", "course_id")
    )
    todo = []
    for study, past in zip(studies, past_of, strict=True):
        result.class_of[(study.user_id, study.level)] = past.course_id
        if (study.user_id, past.course_id) not in taken:
            todo.append((study, past))
    enrolments = [
        Enrolment(
            user_id=study.user_id,
            course_id=past.course_id,
            status=Enrolment.Status.COMPLETED if study.completed_at else Enrolment.Status.ACTIVE,
            source=Enrolment.Source.BULK if study.seed % 10 < 7 else Enrolment.Source.SELF,
            enrolled_at=study.enrolled_at,
            completed_at=study.completed_at,
        )
        for study, past in todo
    ]
    with dates_as_given(Enrolment._meta.get_field("enrolled_at")):
        Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    credits, attempts = [], []
    for (study, past), enrolment in zip(todo, enrolments, strict=True):
        more_credits, more_attempts = _study_rows(study, past, enrolment.pk, now)
        credits += more_credits
        attempts += more_attempts
    with dates_as_given(LessonCredit._meta.get_field("credited_at")):
        LessonCredit.objects.bulk_create(credits, batch_size=2000)
    with dates_as_given(Attempt._meta.get_field("started_at")):
        Attempt.objects.bulk_create(attempts, batch_size=4000)
    result.enrolments += len(enrolments)
    result.credits += len(credits)
    result.attempts += len(attempts)
    reset_queries()  # with DEBUG on, Django would keep every bulk insert's SQL in memory
