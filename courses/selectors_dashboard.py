"""Reads for the management dashboard: training figures grouped for precomputation, and a
training base's per-class report.

Every function runs a fixed number of queries, whatever the number of records: the grouping
is done by the database, and only the course-to-base mapping is done here.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from cms import api as cms_api

from .data import ClassReport, TrainingMonth
from .models import Attempt, AttendanceMark, CoursePage, Enrolment, LessonCredit


def _month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def training_months() -> list[TrainingMonth]:
    """Enrolments (not withdrawn) by the month they were made, credited lesson hours by the
    month they were credited, and final exam attempts with their passes by the month their
    result became final; by the trainee's province, the training base and the course level."""
    enrolments = (
        Enrolment.objects.exclude(status=Enrolment.Status.WITHDRAWN)
        .annotate(month=TruncMonth("enrolled_at"))
        .values_list("month", "user__province", "course_id")
        .annotate(n=Count("pk"))
    )
    hours = (
        LessonCredit.objects.annotate(month=TruncMonth("credited_at"))
        .values_list("month", "enrolment__user__province", "enrolment__course_id")
        .annotate(total=Sum("hours"))
    )
    attempts = (
        Attempt.objects.filter(status=Attempt.Status.FINAL, finalised_at__isnull=False)
        .annotate(month=TruncMonth("finalised_at"))
        .values_list("month", "user__province", "exam__base_id", "exam__level")
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    )
    enrolment_rows, hour_rows = list(enrolments), list(hours)
    course_ids = {row[2] for row in enrolment_rows} | {row[2] for row in hour_rows}
    levels = dict(CoursePage.objects.filter(pk__in=course_ids).values_list("pk", "level"))
    bases = cms_api.base_ids_for_pages(page_ids=course_ids)

    figures = defaultdict(lambda: [0, Decimal("0"), 0, 0])
    for month, province, course_id, n in enrolment_rows:
        key = (_month(month), province or "", bases.get(course_id), levels.get(course_id, ""))
        figures[key][0] += n
    for month, province, course_id, total in hour_rows:
        key = (_month(month), province or "", bases.get(course_id), levels.get(course_id, ""))
        figures[key][1] += total or Decimal("0")
    for month, province, base_id, level, n, passed in attempts:
        key = (_month(month), province or "", base_id, level)
        figures[key][2] += n
        figures[key][3] += passed
    return [
        TrainingMonth(
            month=month,
            province=province,
            base_id=base_id,
            level=level,
            enrolments=values[0],
            hours=values[1],
            attempts=values[2],
            passes=values[3],
        )
        for (month, province, base_id, level), values in figures.items()
    ]


def class_reports(*, base_id: int) -> list[ClassReport]:
    """Every class of the base, newest first, with its enrolments, hours, attendance and exam
    results (six queries)."""
    from cms.models import TrainingBasePage

    base = TrainingBasePage.objects.filter(pk=base_id).only("path", "depth").first()
    if base is None:
        return []
    classes = list(
        CoursePage.objects.descendant_of(base)
        .order_by("-start_date", "title")
        .only("pk", "title", "class_name", "level", "start_date", "end_date")
    )
    ids = [course.pk for course in classes]
    status = Enrolment.Status
    enrolled = {
        row["course_id"]: row
        for row in Enrolment.objects.filter(course_id__in=ids)
        .values("course_id")
        .annotate(
            enrolled=Count("pk", filter=~Q(status=status.WITHDRAWN)),
            completed=Count("pk", filter=Q(status=status.COMPLETED)),
            withdrawn=Count("pk", filter=Q(status=status.WITHDRAWN)),
        )
    }
    hours = dict(
        LessonCredit.objects.filter(enrolment__course_id__in=ids)
        .exclude(enrolment__status=status.WITHDRAWN)
        .values_list("enrolment__course_id")
        .annotate(total=Sum("hours"))
    )
    attendance = {
        row["enrolment__course_id"]: row
        for row in AttendanceMark.objects.filter(enrolment__course_id__in=ids)
        .values("enrolment__course_id")
        .annotate(marks=Count("pk"), present=Count("pk", filter=Q(present=True)))
    }
    attempts = {
        row["exam__course_id"]: row
        for row in Attempt.objects.filter(exam__course_id__in=ids, status=Attempt.Status.FINAL)
        .values("exam__course_id")
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    }
    empty = {}
    return [
        ClassReport(
            course_id=course.pk,
            title=course.title,
            class_name=course.class_name,
            level=course.level_id,
            start_date=course.start_date,
            end_date=course.end_date,
            enrolled=enrolled.get(course.pk, empty).get("enrolled", 0),
            completed=enrolled.get(course.pk, empty).get("completed", 0),
            withdrawn=enrolled.get(course.pk, empty).get("withdrawn", 0),
            hours=hours.get(course.pk) or Decimal("0"),
            attendance_marks=attendance.get(course.pk, empty).get("marks", 0),
            attendance_present=attendance.get(course.pk, empty).get("present", 0),
            attempts=attempts.get(course.pk, empty).get("n", 0),
            passes=attempts.get(course.pk, empty).get("passed", 0),
        )
        for course in classes
    ]
