"""Demo course feedback (评教): a class that has ended, rated by its trainees.

The first base's junior class is copied as a class that ran last spring; six trainees finished
it and rated it and its teachers (enough to show figures), and the demo trainee finished it too
without rating yet, so "my learning" offers 评价课程. Idempotent: a base that already has the
class is left as it is.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from cms.models import FacultyMemberPage, TrainingBasePage

from .models import CourseIndexPage, CoursePage, Enrolment
from .services_feedback import course_feedback_submit

SLUG = "rated-class-2026-spring"

# (content, organisation, usefulness, comment) and each teacher's (clarity, expertise,
# responsiveness): made up for the demo.
ANSWERS = [
    (5, 4, 5, "案例贴近实际，技术合同部分很有收获。", (5, 5, 4)),
    (4, 4, 4, "", (4, 5, 4)),
    (5, 3, 4, "线下面授时间安排偏紧，希望增加讨论环节。", (4, 4, 3)),
    (4, 5, 5, "", (5, 4, 5)),
    (3, 4, 4, "希望多讲一些评估定价的实操。", (4, 4, 4)),
    (5, 5, 4, "", (5, 5, 5)),
]


def seed_course_feedback(*, base: TrainingBasePage, trainee) -> CoursePage | None:
    """An ended class of ``base`` with six anonymous answers; ``trainee`` finished it unrated."""
    index = CourseIndexPage.objects.child_of(base).first()
    if index is None:
        return None
    existing = CoursePage.objects.child_of(index).filter(slug=SLUG).first()
    if existing is not None:
        return existing
    source = CoursePage.objects.child_of(index).order_by("path").first()
    if source is None:
        return None
    today = timezone.localdate()
    start = today - datetime.timedelta(days=120)
    end = today - datetime.timedelta(days=60)
    now = timezone.now()
    course = source.specific.copy(
        to=index,
        recursive=True,
        keep_live=True,
        update_attrs={
            "title": f"{source.title}（已结课）",
            "slug": SLUG,
            "class_name": f"{start.year}年春季班（已结课）",
            "start_date": start,
            "end_date": end,
            "enrolment_opens": now - datetime.timedelta(days=150),
            "enrolment_closes": now - datetime.timedelta(days=121),
        },
    )
    course = CoursePage.objects.get(pk=course.pk)
    teachers = list(FacultyMemberPage.objects.live().descendant_of(base).order_by("path")[:2])
    course.faculty.set(teachers)
    course.save()
    course.save_revision().publish()

    users = get_user_model()
    completed_at = timezone.make_aware(datetime.datetime.combine(end, datetime.time(17)))
    for n, (content, organisation, usefulness, comment, marks) in enumerate(ANSWERS, start=1):
        person, created = users.objects.get_or_create(
            email=f"rater{n}@demo.local",
            defaults={"real_name": f"评教学员{n}", "organisation": "示范企业"},
        )
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
        Enrolment.objects.update_or_create(
            user=person,
            course=course,
            defaults={"status": Enrolment.Status.COMPLETED, "completed_at": completed_at},
        )
        course_feedback_submit(
            user=person,
            course=course,
            ratings={"content": content, "organisation": organisation, "usefulness": usefulness},
            comment=comment,
            teacher_ratings={
                t.pk: dict(zip(("clarity", "expertise", "responsiveness"), marks, strict=True))
                for t in teachers
            },
        )
    Enrolment.objects.update_or_create(
        user=trainee,
        course=course,
        defaults={"status": Enrolment.Status.COMPLETED, "completed_at": completed_at},
    )
    return course
