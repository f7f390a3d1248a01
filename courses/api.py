"""What other apps may use of ``courses``: plain functions returning plain data."""

from collections import OrderedDict
from decimal import Decimal

from .data import (
    BaseYearFigures,
    ClassReport,
    ContinueLearning,
    CourseCompletion,
    ExamPass,
    ExamStandard,
    LearnerOverview,
    SessionDue,
    TrainingMonth,
)
from .models import Attempt, Enrolment
from .selectors import hours_by_category, hours_by_category_for

__all__ = [
    "CourseCompletion",
    "ExamPass",
    "ExamStandard",
    "course_completions",
    "exams_passed",
    "exams_passed_for",
    "hours_by_module",
    "hours_by_module_for",
    "learner_overview",
]


def hours_by_module(*, user_id: int, level: str | None = None) -> "OrderedDict[str, Decimal]":
    """Credited training hours per module category, optionally for courses of one level."""
    return hours_by_category(user_id=user_id, level=level)


def hours_by_module_for(
    *, user_ids, level: str | None = None
) -> "dict[int, OrderedDict[str, Decimal]]":
    """``hours_by_module`` for many people at once (one query), keyed by user id."""
    return hours_by_category_for(user_ids=user_ids, level=level)


def learning_minutes_for(*, user_ids, level: str | None = None) -> dict[int, int]:
    """Minutes each person spent active on the online lessons credited to them (the evidence
    kept with each credit), optionally for courses of one level; one query, everyone asked
    for gets a figure."""
    from django.db.models import Sum

    from .models import LessonCredit

    user_ids = list(user_ids)
    credits = LessonCredit.objects.filter(
        enrolment__user_id__in=user_ids, method=LessonCredit.Method.ONLINE
    )
    if level:
        credits = credits.filter(enrolment__course__level=level)
    totals = dict(
        credits.values_list("enrolment__user_id").annotate(total=Sum("active_seconds")).order_by()
    )
    return {user_id: (totals.get(user_id) or 0) // 60 for user_id in user_ids}


__all__ += ["learning_minutes_for"]


def exams_passed(*, user_id: int, level: str | None = None) -> list[ExamPass]:
    """The exams the person passed, newest first, with when and how well."""
    return exams_passed_for(user_ids=[user_id], level=level)[user_id]


def exams_passed_for(*, user_ids, level: str | None = None) -> dict[int, list[ExamPass]]:
    """``exams_passed`` for many people at once (one query, two for attempts from before their
    paper's modules were kept), keyed by user id.

    Each pass carries its paper as served (questions per module category) and the exam's
    pass mark and time limit, for the certifying bodies' exam standards."""
    from django.db.models import Count

    from .models import AttemptQuestion

    user_ids = list(user_ids)
    attempts = Attempt.objects.filter(
        user_id__in=user_ids, status=Attempt.Status.FINAL, passed=True
    ).select_related("exam")
    if level:
        attempts = attempts.filter(exam__level=level)
    attempts = list(attempts.order_by("-finalised_at", "-pk"))
    papers = {a.pk: dict(a.paper_modules or {}) for a in attempts}
    uncounted = [a.pk for a in attempts if a.paper_modules is None]  # from before it was kept
    if uncounted:
        rows = (
            AttemptQuestion.objects.filter(attempt_id__in=uncounted)
            .values_list("attempt_id", "category")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for attempt_id, category, n in rows:
            papers[attempt_id][category] = n
    passes = {user_id: [] for user_id in user_ids}
    for a in attempts:
        passes[a.user_id].append(
            ExamPass(
                exam_id=a.exam_id,
                exam_title=a.exam.title,
                level=a.exam.level_id,
                attempt_id=a.pk,
                passed_at=a.finalised_at,
                percent=a.percent,
                questions_by_module=papers[a.pk],
                pass_mark=a.pass_mark_applied,
                time_limit_minutes=a.time_limit_applied,
                attempt_number=a.number,
            )
        )
    return passes


def course_completions(*, user_id: int) -> list[CourseCompletion]:
    """The courses the person completed, newest first, with the hours credited in each."""
    from django.db.models import Sum

    from cms.models import TrainingBasePage

    enrolments = (
        Enrolment.objects.filter(user_id=user_id, status=Enrolment.Status.COMPLETED)
        .select_related("course")
        .annotate(hours=Sum("credits__hours"))
    )
    result = []
    for e in enrolments.order_by("-completed_at"):
        base = TrainingBasePage.objects.ancestor_of(e.course).first()
        result.append(
            CourseCompletion(
                course_id=e.course_id,
                course_title=e.course.title,
                level=e.course.level_id,
                base_id=base.pk if base else None,
                completed_at=e.completed_at,
                hours=e.hours or Decimal("0"),
            )
        )
    return result


def learner_overview(*, user_id: int) -> LearnerOverview:
    """Everything a trainee's "my learning" page shows, in a handful of queries."""
    from django.db.models import Sum
    from django.utils import timezone

    from .data import CourseProgress, ExamRecord, UpcomingSession
    from .models import LessonCredit, LessonPage
    from .selectors import course_outline
    from .selectors_feedback import feedback_given_course_ids, feedback_state

    enrolments = list(
        Enrolment.objects.filter(user_id=user_id).select_related("course").order_by("-enrolled_at")
    )
    credited = dict(
        LessonCredit.objects.filter(enrolment__user_id=user_id)
        .values_list("enrolment_id")
        .annotate(total=Sum("hours"))
    )
    courses, upcoming = [], []
    now = timezone.now()
    rated = feedback_given_course_ids(user_id=user_id)
    for enrolment in enrolments:
        course = enrolment.course
        outline = course_outline(course=course)
        courses.append(
            CourseProgress(
                course_id=course.pk,
                title=course.title,
                url=course.url or "",
                level=course.level_id,
                class_name=course.class_name,
                status=enrolment.status,
                credited_hours=credited.get(enrolment.pk, Decimal("0")),
                total_hours=outline.total_hours,
                feedback=feedback_state(enrolment=enrolment, rated=rated),
            )
        )
        if enrolment.status != Enrolment.Status.WITHDRAWN:
            sessions = (
                LessonPage.objects.live().descendant_of(course).filter(session_starts__gte=now)
            )
            upcoming += [
                UpcomingSession(
                    lesson_title=lesson.title,
                    course_title=course.title,
                    url=lesson.url or "",
                    starts=lesson.session_starts,
                    location=lesson.location,
                )
                for lesson in sessions
            ]
    hours = hours_by_module(user_id=user_id)
    exams = [
        ExamRecord(
            attempt_id=a.pk,
            exam_title=a.exam.title,
            level=a.exam.level_id,
            number=a.number,
            status=a.status,
            started_at=a.started_at,
            score=a.score,
            max_score=a.max_score,
            percent=a.percent,
            passed=a.passed,
        )
        for a in Attempt.objects.filter(user_id=user_id)
        .select_related("exam")
        .order_by("-started_at")
    ]
    return LearnerOverview(
        courses=courses,
        hours_by_module=hours,
        total_hours=sum(hours.values(), Decimal("0")),
        upcoming=sorted(upcoming, key=lambda s: s.starts)[:10],
        exams=exams,
    )


def continue_learning(*, user_id: int) -> list[ContinueLearning]:
    """Per course the person is enrolled in: the lesson to go on with, latest course first."""
    from .selectors import continue_learning as _continue_learning

    return [
        ContinueLearning(
            course_title=item.course.title,
            course_url=item.course.url or "",
            lesson_title=item.lesson.title,
            lesson_url=item.lesson.url or "",
            started=item.touched is not None,
            after_done=item.lesson_done,
        )
        for item in _continue_learning(user_id=user_id)
    ]


def training_months() -> list[TrainingMonth]:
    """Enrolments, credited hours and final exam attempts with passes, by month, trainee's
    province, training base and course level (four queries, whatever the amount of data)."""
    from .selectors_dashboard import training_months as _training_months

    return _training_months()


def class_reports(*, base_id: int) -> list[ClassReport]:
    """Every class of a training base with its enrolments, hours, attendance and exam results."""
    from .selectors_dashboard import class_reports as _class_reports

    return _class_reports(base_id=base_id)


__all__ += ["ClassReport", "TrainingMonth", "class_reports", "training_months"]


def base_year_figures(*, base_id: int, year: int) -> BaseYearFigures:
    """A base's classes starting in ``year``, their trainees and credited hours, and the pass
    rate of its exams' attempts made final in ``year`` (five queries).

    Trainees who withdrew are not counted as trainees, but the hours they were credited before
    leaving are: those hours were delivered, and the dashboards count them the same way."""
    from django.db.models import Count, Q, Sum

    from cms.models import TrainingBasePage

    from .models import CoursePage, LessonCredit

    base = TrainingBasePage.objects.filter(pk=base_id).only("path", "depth").first()
    class_ids = []
    if base is not None:
        class_ids = list(
            CoursePage.objects.live()
            .descendant_of(base)
            .filter(start_date__year=year)
            .values_list("pk", flat=True)
        )
    enrolled = Enrolment.objects.filter(course_id__in=class_ids).exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    hours = LessonCredit.objects.filter(enrolment__course_id__in=class_ids).aggregate(
        total=Sum("hours")
    )["total"]
    attempts = Attempt.objects.filter(
        exam__base_id=base_id, status=Attempt.Status.FINAL, finalised_at__year=year
    ).aggregate(total=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    return BaseYearFigures(
        classes=len(class_ids),
        trainees=enrolled.values("user_id").distinct().count(),
        hours=hours or Decimal("0"),
        exam_attempts=attempts["total"],
        exam_passes=attempts["passed"],
    )


__all__ += ["base_year_figures"]


# -- reports for the authorities (portal/reports) ---------------------------------------------

import datetime  # noqa: E402

from .data import TrainingDelivered, TrainingFigures  # noqa: E402


def training_delivered_by_base(
    *, date_from: datetime.date, date_to: datetime.date
) -> TrainingDelivered:
    """Classes, trainees, hours, final exam attempts and passes per training base in a period."""
    from .selectors_reports import training_delivered

    return training_delivered(date_from=date_from, date_to=date_to)


__all__ += ["TrainingDelivered", "TrainingFigures", "training_delivered_by_base"]


# -- a person's own data (portal/my_data.py) ---------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data_of(*, user_id: int) -> dict:
    """Everything ``courses`` holds about one person, as plain JSON-ready data: enrolments with
    their lesson credits, activity minutes and attendance, exam attempts with scores (never the
    answer keys) and course invitations. Courses keeps no files of a person."""
    from django.db.models import Q

    from portal.accounts.models import User

    from .models import AttendanceMark, EnrolmentInvitation, LessonActivity, LessonCredit

    enrolments = []
    for e in Enrolment.objects.filter(user_id=user_id).select_related("course").order_by("pk"):
        enrolments.append(
            {
                "course": e.course.title,
                "status": e.status,
                "source": e.source,
                "enrolled_at": _iso(e.enrolled_at),
                "completed_at": _iso(e.completed_at),
                "withdrawn_at": _iso(e.withdrawn_at),
                "lesson_credits": [
                    {
                        "lesson": c.lesson.title,
                        "hours": str(c.hours),
                        "category": c.category,
                        "method": c.method,
                        "credited_at": _iso(c.credited_at),
                        "active_minutes": (c.active_seconds or 0) // 60,
                    }
                    for c in LessonCredit.objects.filter(enrolment=e)
                    .select_related("lesson")
                    .order_by("pk")
                ],
                "activity": [
                    {
                        "lesson": a.lesson.title,
                        "active_minutes": a.active_seconds // 60,
                        "video_watched_seconds": a.video_watched_seconds,
                        "first_seen": _iso(a.first_seen),
                        "last_seen": _iso(a.last_seen),
                    }
                    for a in LessonActivity.objects.filter(enrolment=e)
                    .select_related("lesson")
                    .order_by("pk")
                ],
                "attendance": [
                    {
                        "lesson": m.lesson.title,
                        "present": m.present,
                        "source": m.source,
                        "marked_at": _iso(m.marked_at),
                    }
                    for m in AttendanceMark.objects.filter(enrolment=e)
                    .select_related("lesson")
                    .order_by("pk")
                ],
            }
        )
    attempts = [
        {
            "exam": a.exam.title,
            "level": a.exam.level_id,
            "attempt": a.number,
            "status": a.status,
            "started_at": _iso(a.started_at),
            "submitted_at": _iso(a.submitted_at),
            "finalised_at": _iso(a.finalised_at),
            "score": None if a.score is None else str(a.score),
            "max_score": str(a.max_score),
            "percent": None if a.percent is None else str(a.percent),
            "passed": a.passed,
        }
        for a in Attempt.objects.filter(user_id=user_id).select_related("exam").order_by("pk")
    ]
    email = User.objects.filter(pk=user_id).values_list("email", flat=True).first() or ""
    invitations = [
        {
            "course": i.course.title,
            "email": i.email,
            "status": i.status,
            "sent_at": _iso(i.created),
            "expires_at": _iso(i.expires_at),
            "answered_at": _iso(i.answered_at),
        }
        for i in EnrolmentInvitation.objects.filter(Q(user_id=user_id) | Q(email=email.lower()))
        .select_related("course")
        .order_by("pk")
    ]
    # That the person rated a course, and when; what they said is not theirs to download:
    # answers are kept unlinked from the person (docs/decisions/0023-course-feedback.md).
    from .models import FeedbackGiven

    rated = [
        {"course": g.course.title, "rated_at": _iso(g.given_at)}
        for g in FeedbackGiven.objects.filter(user_id=user_id).select_related("course")
    ]
    return {
        "enrolments": enrolments,
        "exam_attempts": attempts,
        "invitations": invitations,
        "courses_rated": rated,
    }


def personal_data_erase(*, user_id: int, email: str) -> None:
    """What closing an account removes from ``courses``: the person's pending invitations
    (those to their user and to their e-mail address). Learning and exam records stay, as
    issued certificates rest on them."""
    from django.db.models import Q

    from .models import EnrolmentInvitation

    EnrolmentInvitation.objects.filter(
        Q(user_id=user_id) | Q(email=email.lower()),
        status=EnrolmentInvitation.Status.PENDING,
    ).delete()


__all__ += ["personal_data_erase", "personal_data_of"]


def sessions_starting(
    *, starts_from: datetime.datetime, starts_before: datetime.datetime
) -> list[SessionDue]:
    """Live in-person sessions starting in [starts_from, starts_before), each with the people
    holding an active seat in its class."""
    from .models import CoursePage, LessonPage

    due = []
    lessons = LessonPage.objects.live().filter(
        delivery="in_person", session_starts__gte=starts_from, session_starts__lt=starts_before
    )
    for lesson in lessons.order_by("session_starts", "pk"):
        course = CoursePage.objects.ancestor_of(lesson).first()
        if course is None:
            continue
        user_ids = Enrolment.objects.filter(
            course=course, status=Enrolment.Status.ACTIVE
        ).values_list("user_id", flat=True)
        due.append(
            SessionDue(
                lesson_id=lesson.pk,
                lesson_title=lesson.title,
                lesson_url=lesson.url or "",
                course_title=course.title,
                starts=lesson.session_starts,
                location=lesson.location,
                user_ids=tuple(sorted(user_ids)),
            )
        )
    return due


__all__ += ["qr_svg"]


def qr_svg(text: str, *, label: str = ""):
    """An inline SVG QR code of ``text``, made on the server (courses/qr.py): for the layers
    above that show a link to scan, such as a certificate's verify page for WeChat."""
    from .qr import qr_svg as make

    return make(text, label=label)


def answers_awaiting_grading(*, user) -> int | None:
    """How many written answers wait for ``user`` to grade at the bases where they teach;
    None when they teach nowhere (administrators included: they grade from the queue itself)."""
    from cms import api as cms_api

    from .permissions import guest_course_ids
    from .selectors import answers_awaiting_count

    base_ids = cms_api.training_base_ids_for_staff(user_id=user.pk, role="faculty")
    guest = guest_course_ids(user)
    if not base_ids and not guest:
        return None
    return answers_awaiting_count(base_ids=base_ids, grader_id=user.pk, course_ids=guest)


def faculty_user_ids(*, base_id: int) -> set[int]:
    """The active accounts teaching at the base (its faculty group)."""
    from cms import api as cms_api

    return cms_api.training_base_faculty_user_ids(page_id=base_id)


def course_hours_by_module(*, user_id: int) -> "dict[int, OrderedDict[str, Decimal]]":
    """Credited hours per module category in each course the person enrolled in (one query),
    keyed by course id; every module category is present, in the syllabus's order."""
    from collections import defaultdict

    from django.db.models import Sum

    from cms.api import ModuleCategory

    from .models import LessonCredit

    totals = defaultdict(dict)
    rows = (
        LessonCredit.objects.filter(enrolment__user_id=user_id)
        .values_list("enrolment__course_id", "category")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    for course_id, category, total in rows:
        totals[course_id][category] = total
    return {
        course_id: OrderedDict(
            (code, hours.get(code, Decimal("0"))) for code in ModuleCategory.values
        )
        for course_id, hours in totals.items()
    }


__all__ += ["course_hours_by_module"]


def class_member_ids(*, course_id: int) -> list[int]:
    """The people enrolled in a class (course page) who have not withdrawn, in enrolment order:
    whom a training base's certifier may issue the class's level to in one run."""
    return list(
        Enrolment.objects.filter(course_id=course_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .order_by("enrolled_at", "pk")
        .values_list("user_id", flat=True)
    )


__all__ += ["class_member_ids"]


# -- course feedback (评教) -------------------------------------------------------------------

from .data import (  # noqa: E402
    CourseFeedbackSummary,
    FeedbackFigures,
    TeacherFeedbackSummary,
    TeacherRating,
)


def course_feedback_summary(course_id: int) -> CourseFeedbackSummary | None:
    """A course's anonymous ratings and each of its teachers' within it; every figure is None
    under the minimum of responses (5). None when there is no such course."""
    from .models import CoursePage
    from .selectors_feedback import course_figures, course_teachers, teacher_figures

    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        return None
    return CourseFeedbackSummary(
        course_id=course.pk,
        title=course.title,
        class_name=course.class_name,
        figures=course_figures(course_ids=[course.pk]),
        teachers=tuple(
            TeacherRating(
                teacher_id=teacher.pk,
                name=teacher.title,
                figures=teacher_figures(teacher_ids=[teacher.pk], course_ids=[course.pk]),
            )
            for teacher in course_teachers(course=course)
        ),
    )


def _faculty_page_ids_of(user_id: int) -> list[int]:
    """The faculty member pages linked to the person's account (faculty pool)."""
    from .models import FacultyAccountLink

    return list(
        FacultyAccountLink.objects.filter(
            user_id=user_id, status=FacultyAccountLink.Status.ACCEPTED
        ).values_list("page_id", flat=True)
    )


def teacher_feedback_summary(user_id: int) -> TeacherFeedbackSummary:
    """A teacher's anonymous ratings over every course they were rated in, across the faculty
    pages linked to their account; figures are None under the minimum of responses (5)."""
    page_ids = _faculty_page_ids_of(user_id)
    return faculty_page_feedback_summary(page_ids, user_id=user_id)


def faculty_page_feedback_summary(
    page_ids: list[int], *, user_id: int | None = None
) -> TeacherFeedbackSummary:
    """``teacher_feedback_summary`` for faculty member pages given by id."""
    from .selectors_feedback import teacher_course_count, teacher_figures

    page_ids = tuple(sorted(set(page_ids)))
    return TeacherFeedbackSummary(
        user_id=user_id,
        teacher_ids=page_ids,
        courses=teacher_course_count(teacher_ids=page_ids),
        figures=teacher_figures(teacher_ids=page_ids),
    )


def base_feedback_figures(*, base_id: int, year: int) -> FeedbackFigures:
    """Trainees' anonymous ratings of a base's courses starting in ``year`` (the three course
    scales; ``overall`` is their mean, 1 to 5); nothing under the minimum of responses."""
    from .selectors_feedback import base_course_ids, course_figures

    return course_figures(course_ids=base_course_ids(base_id=base_id, year=year))


__all__ += [
    "CourseFeedbackSummary",
    "FeedbackFigures",
    "TeacherFeedbackSummary",
    "TeacherRating",
    "base_feedback_figures",
    "course_feedback_summary",
    "faculty_page_feedback_summary",
    "teacher_feedback_summary",
]

# -- end course feedback


# -- who teaches: the national faculty pool (portal/faculty) ----------------------------------

from .teaching import ClassTaught, TeachingRecord  # noqa: E402


def teaching_record(*, faculty_page_id: int) -> TeachingRecord:
    """A faculty member's teaching on the portal: classes (named on the class, teaching one of
    its lessons, or by an accepted invitation), sessions and lessons taught, trainees and pass
    rates (none shown under five trainees who sat). No trainee is named."""
    from .teaching import teaching_record as _record

    return _record(faculty_page_id=faculty_page_id)


def teaching_counts(*, faculty_page_ids) -> dict[int, tuple[int, int]]:
    """(classes, lessons taught) for each faculty page, for a page of the pool."""
    from .teaching import teaching_counts as _counts

    return _counts(faculty_page_ids=faculty_page_ids)


def faculty_accounts(*, faculty_page_ids) -> dict[int, tuple[int, bool]]:
    """For each faculty page linked to an account: (the account's id, whether its holder chose
    to show their portal certificates on the pool)."""
    from .teaching import linked_accounts

    return {
        page_id: (link.user_id, link.show_certificates)
        for page_id, link in linked_accounts(page_ids=faculty_page_ids).items()
    }


__all__ += ["ClassTaught", "TeachingRecord", "faculty_accounts", "teaching_counts"]
__all__ += ["teaching_record"]
