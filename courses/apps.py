from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from cms.models import TrainingBasePage

        # A base holds a course index. cms knows nothing of courses (the layering of
        # DESIGN.md), so courses adds its page type to the base's allowed children here.
        if "courses.CourseIndexPage" not in TrainingBasePage.subpage_types:
            TrainingBasePage.subpage_types = [
                *TrainingBasePage.subpage_types,
                "courses.CourseIndexPage",
            ]
