"""The admin menu "Certification": the snippets of levels, bodies, exam standards and goals."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from certification.goals.snippets import GoalViewSet
from certification.levels.snippets import (
    BodyViewSet,
    CourseLevelViewSet,
    ExamStandardViewSet,
    LevelViewSet,
    RegistrationOfficeViewSet,
    TrackViewSet,
)


class CertificationGroup(SnippetViewSetGroup):
    items = (
        TrackViewSet,
        LevelViewSet,
        CourseLevelViewSet,
        BodyViewSet,
        ExamStandardViewSet,
        GoalViewSet,
        RegistrationOfficeViewSet,
    )
    menu_icon = "pick"
    menu_label = _("Certification")
    menu_name = "certification"


register_snippet(CertificationGroup)
