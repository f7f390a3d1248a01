from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from django.db.models.signals import post_save

        from cms.models import TrainingBasePage

        from .models import CoursePage, LessonPage
        from .tracking import lesson_facts_forget

        # What heartbeats know of a lesson (its course, dates, video) is kept per process;
        # a saved course or lesson drops it.
        for model in (CoursePage, LessonPage):
            post_save.connect(lesson_facts_forget, sender=model, dispatch_uid=f"facts-{model}")

        # Where beats are counted in Redis, it keeps whether the person holds a seat for a
        # minute; a saved or deleted enrolment drops that at once.
        from django.db.models.signals import post_delete

        from .beats import seat_forget_on_save
        from .models import Enrolment

        post_save.connect(seat_forget_on_save, sender=Enrolment, dispatch_uid="beat-seat")
        post_delete.connect(seat_forget_on_save, sender=Enrolment, dispatch_uid="beat-seat-del")

        # A base holds a course index. cms knows nothing of courses (the layering of
        # DESIGN.md), so courses adds its page type to the base's allowed children here.
        if "courses.CourseIndexPage" not in TrainingBasePage.subpage_types:
            TrainingBasePage.subpage_types = [
                *TrainingBasePage.subpage_types,
                "courses.CourseIndexPage",
            ]
