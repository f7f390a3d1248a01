"""Reads for the reports the authorities receive: the training each base delivered in a period.

The figures are counted the way the annual base evaluation counts them
(``api.base_year_figures``), so a report over a calendar year agrees with the evaluation page.
A fixed number of queries whatever the number of records; only the course-to-base mapping and
the de-duplication of trainees are done here.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from cms import api as cms_api

from .data import TrainingDelivered, TrainingFigures
from .models import Attempt, CoursePage, Enrolment, LessonCredit


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def training_delivered(*, date_from: datetime.date, date_to: datetime.date) -> TrainingDelivered:
    """Per training base: the classes starting in the period (live courses), the people enrolled
    in them (withdrawn enrolments left out), the lesson hours credited in them, and the exam
    attempts of the base's exams whose result became final in the period, with their passes
    (six queries)."""
    classes = CoursePage.objects.live().filter(start_date__gte=date_from, start_date__lte=date_to)
    class_ids = list(classes.values_list("pk", flat=True))
    base_of = cms_api.base_ids_for_pages(page_ids=class_ids)

    class_count = defaultdict(int)
    for course_id in class_ids:
        if course_id in base_of:
            class_count[base_of[course_id]] += 1

    people = defaultdict(set)
    everyone = set()
    enrolled = (
        Enrolment.objects.filter(course_id__in=classes.values("pk"))
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .order_by()
        .values_list("course_id", "user_id")
        .distinct()
    )
    for course_id, user_id in enrolled.iterator(chunk_size=5000):
        if course_id in base_of:
            people[base_of[course_id]].add(user_id)
            everyone.add(user_id)

    hours = defaultdict(Decimal)
    credited = (
        LessonCredit.objects.filter(enrolment__course_id__in=classes.values("pk"))
        .order_by()
        .values_list("enrolment__course_id")
        .annotate(total=Sum("hours"))
    )
    for course_id, total in credited:
        if course_id in base_of:
            hours[base_of[course_id]] += total or Decimal("0")

    attempts = {
        base_id: (n, passed)
        for base_id, n, passed in Attempt.objects.filter(
            status=Attempt.Status.FINAL,
            finalised_at__gte=_day_start(date_from),
            finalised_at__lt=_day_start(date_to + datetime.timedelta(days=1)),
        )
        .order_by()
        .values_list("exam__base_id")
        .annotate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    }

    by_base = {}
    for base_id in set(class_count) | set(people) | set(hours) | set(attempts):
        n, passed = attempts.get(base_id, (0, 0))
        by_base[base_id] = TrainingFigures(
            base_id=base_id,
            classes=class_count.get(base_id, 0),
            trainees=len(people.get(base_id, ())),
            hours=hours.get(base_id, Decimal("0")),
            exam_attempts=n,
            exam_passes=passed,
        )
    total = TrainingFigures(
        base_id=None,
        classes=sum(f.classes for f in by_base.values()),
        trainees=len(everyone),
        hours=sum((f.hours for f in by_base.values()), Decimal("0")),
        exam_attempts=sum(f.exam_attempts for f in by_base.values()),
        exam_passes=sum(f.exam_passes for f in by_base.values()),
    )
    return TrainingDelivered(by_base=by_base, total=total)
