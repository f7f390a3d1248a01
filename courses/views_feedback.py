"""Course feedback (评教): the trainee's form, and the anonymous results for the base's staff.

The form is parsed here only into the shape the service takes; every check (who may rate,
which teachers, 1 to 5, once) is the service's, so a hand-made POST meets the same refusals.
The results page shows what ``courses.api.course_feedback_summary`` gives: figures and
comments without names, and nothing at all for a group under the minimum of responses.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .api import course_feedback_summary
from .models import CoursePage
from .models.feedback import COMMENT_MAX, COURSE_SCALES, RATING_MAX, RATING_MIN, TEACHER_SCALES
from .permissions import require_staff_of, staff_base_ids
from .selectors_feedback import (
    base_course_ids,
    course_teachers,
    feedback_refusal,
    minimum_responses,
)
from .services_feedback import FeedbackRefused, course_feedback_submit

TEACHER_KEY = re.compile(r"^teacher-(\d{1,18})-([a-z_]{1,20})$")


def _posted(data):
    """(course ratings, comment, teacher ratings by page id, teacher comments by page id)."""
    ratings = {key: data.get(f"course-{key}") for key, _label in COURSE_SCALES}
    teacher_ratings, teacher_comments = {}, {}
    for name, value in data.items():
        found = TEACHER_KEY.match(name)
        if not found:
            continue
        pk, field = int(found.group(1)), found.group(2)
        if field == "comment":
            teacher_comments[pk] = value
        else:
            teacher_ratings.setdefault(pk, {})[field] = value
    return ratings, data.get("comment", ""), teacher_ratings, teacher_comments


@login_required
def feedback_form(request, course_id):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    teachers = course_teachers(course=course)
    error = None
    if request.method == "POST":
        ratings, comment, teacher_ratings, teacher_comments = _posted(request.POST)
        try:
            course_feedback_submit(
                user=request.user,
                course=course,
                ratings=ratings,
                comment=comment,
                teacher_ratings=teacher_ratings,
                teacher_comments=teacher_comments,
            )
        except FeedbackRefused as refused:
            error = str(refused)
        else:
            messages.success(
                request, _("Thank you: your ratings of the course were recorded anonymously.")
            )
            return redirect("my_learning")
    refusal = feedback_refusal(user=request.user, course=course)
    chosen = request.POST if request.method == "POST" else {}
    scale = [str(n) for n in range(RATING_MIN, RATING_MAX + 1)]
    return render(
        request,
        "courses/feedback_form.html",
        {
            "course": course,
            "refusal": refusal,
            "error": error,
            "scale": scale,
            "comment_max": COMMENT_MAX,
            "minimum": minimum_responses(),
            "comment": chosen.get("comment", ""),
            "course_scales": [
                (f"course-{key}", label, chosen.get(f"course-{key}", ""))
                for key, label in COURSE_SCALES
            ],
            "teachers": [
                {
                    "teacher": teacher,
                    "comment_name": f"teacher-{teacher.pk}-comment",
                    "comment": chosen.get(f"teacher-{teacher.pk}-comment", ""),
                    "scales": [
                        (
                            f"teacher-{teacher.pk}-{key}",
                            label,
                            chosen.get(f"teacher-{teacher.pk}-{key}", ""),
                        )
                        for key, label in TEACHER_SCALES
                    ],
                }
                for teacher in teachers
            ],
        },
        status=400 if error else (403 if refusal and request.method == "POST" else 200),
    )


def _rows(figures, scales):
    return [(label, figures.averages.get(key)) for key, label in scales]


@login_required
def feedback_results(request, course_id):
    """A course's anonymous ratings, for the staff of its base and administrators."""
    course = get_object_or_404(CoursePage, pk=course_id)
    base = course.training_base
    require_staff_of(request.user, base.pk if base else None)
    summary = course_feedback_summary(course.pk)
    return render(
        request,
        "courses/feedback_results.html",
        {
            "course": course,
            "summary": summary,
            "minimum": minimum_responses(),
            "course_rows": _rows(summary.figures, COURSE_SCALES),
            "teachers": [(t, _rows(t.figures, TEACHER_SCALES)) for t in summary.teachers],
        },
    )


@login_required
def feedback_overview(request):
    """Every course of the bases the person works at, with its anonymous overall rating."""
    allowed = staff_base_ids(request.user)
    if allowed is not None and not allowed:
        raise PermissionDenied
    if allowed is None:
        courses = CoursePage.objects.live()
    else:
        ids = [pk for base_id in sorted(allowed) for pk in base_course_ids(base_id=base_id)]
        courses = CoursePage.objects.live().filter(pk__in=ids)
    page = Paginator(courses.order_by("-start_date", "pk"), 30).get_page(request.GET.get("page"))
    rows = [course_feedback_summary(course.pk) for course in page]
    return render(
        request,
        "courses/feedback_overview.html",
        {"rows": rows, "page": page, "minimum": minimum_responses()},
    )
