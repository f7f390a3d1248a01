"""Tracks, levels, certifying bodies and exam standards in the Wagtail admin, for administrators."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from certification.audit.forms import AuditedAdminForm, reason_panel
from certification.levels.models import CertificationLevel, CertifyingBody, ExamStandard, Track
from certification.registrars.models import RegistrationOffice
from cms.taxonomy import Level as CourseLevel


class LevelForm(AuditedAdminForm):
    """Saving a level in the admin confirms its figures: they stop being seeded defaults.
    Every save is in the audit log ("level.changed": who, old → new, the reason given)."""

    def save(self, commit=True):
        self.instance.values_are_defaults = False
        return super().save(commit=commit)

    def clean(self):
        cleaned = super().clean()
        prerequisite = cleaned.get("prerequisite")
        seen, current = set(), prerequisite
        while current is not None:
            if current.pk == self.instance.pk or current.pk in seen:
                self.add_error("prerequisite", _("A level cannot require itself."))
                break
            seen.add(current.pk)
            current = current.prerequisite
        return cleaned


class CourseLevelForm(AuditedAdminForm):
    """A course level's code is fixed once saved: courses, exams, questions and certification
    levels point at it by its code. Saves are audited ("course_level.created"/".changed")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "code" in self.fields:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _(
                "Fixed once saved: courses, exams and certification levels point at it."
            )


class CourseLevelViewSet(SnippetViewSet):
    """The levels courses, exams, questions, textbooks and faculty are of (``cms.taxonomy``);
    a certification level names the one whose hours and exams count towards it."""

    model = CourseLevel
    icon = "tag"
    menu_label = _("Course and exam levels")
    list_display = ["name", "name_en", "code", "track", "rank"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
            FieldPanel("code"),
            FieldPanel("track"),
            FieldRowPanel([FieldPanel("rank"), FieldPanel("sort_order")]),
            reason_panel(),
        ],
        base_form_class=CourseLevelForm,
    )


class RegistrationOfficeViewSet(SnippetViewSet):
    """Registration offices and who administers each (they keep its in-post registrars)."""

    model = RegistrationOffice
    icon = "home"
    menu_label = _("Registration offices")
    list_display = ["name", "province"]
    list_filter = ["province"]
    panels = [FieldPanel("name"), FieldPanel("province"), FieldPanel("administrators")]


class TrackViewSet(SnippetViewSet):
    model = Track
    icon = "list-ol"
    menu_label = _("Tracks")
    list_display = ["name", "name_en", "code"]
    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("code"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]


class LevelViewSet(SnippetViewSet):
    model = CertificationLevel
    icon = "pick"
    menu_label = _("Levels")
    list_display = ["name", "track", "number_code", "validity_years", "values_are_defaults"]
    list_filter = ["track"]
    edit_handler_panels = [
        MultiFieldPanel(
            [
                FieldPanel("track"),
                FieldPanel("name"),
                FieldPanel("name_en"),
                FieldPanel("code"),
                FieldPanel("number_code"),
                FieldPanel("rank"),
                FieldPanel("description"),
            ],
            heading=_("Level"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("course_level"),
                FieldRowPanel([FieldPanel("hours_general"), FieldPanel("hours_policy")]),
                FieldRowPanel([FieldPanel("hours_practice"), FieldPanel("hours_enhancement")]),
                FieldRowPanel([FieldPanel("exam_required"), FieldPanel("exam_valid_months")]),
                FieldPanel("exam_before_hours"),
                FieldRowPanel([FieldPanel("prerequisite"), FieldPanel("prerequisite_held_months")]),
                FieldPanel("experience_years"),
            ],
            heading=_("Requirements"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("practice_min_projects"), FieldPanel("practice_min_amount")]
                ),
                FieldRowPanel(
                    [FieldPanel("practice_min_kinds"), FieldPanel("practice_within_years")]
                ),
            ],
            heading=_("Practice requirements (confirmed projects)"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("validity_years"),
                FieldPanel("renewal_hours"),
                FieldPanel("central_filing"),
                FieldPanel("approvers_required"),
                FieldPanel("values_are_defaults", read_only=True),
            ],
            heading=_("Validity, renewal, approval and filing"),
        ),
        reason_panel(),
    ]
    edit_handler = ObjectList(edit_handler_panels, base_form_class=LevelForm)


class BodyViewSet(SnippetViewSet):
    model = CertifyingBody
    icon = "doc-full"
    menu_label = _("Certifying bodies")
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("name_en"),
                FieldPanel("code"),
                FieldPanel("kind"),
                FieldPanel("province"),
                FieldPanel("training_base"),
                FieldPanel("website"),
                FieldPanel("is_active"),
            ],
            heading=_("Body"),
        ),
        FieldPanel("levels"),
        MultiFieldPanel(
            [
                FieldPanel("seal"),
                FieldPanel("signatory_name"),
                FieldPanel("signatory_title"),
                FieldPanel("signature"),
            ],
            heading=_("Seal and signature"),
        ),
        FieldPanel("certifiers"),
        FieldPanel("imported_number_pattern"),
    ]


class ExamStandardForm(AuditedAdminForm):
    """A body sets standards only for levels it awards and that have an exam; saving one in
    the admin confirms its figures. Every save is in the audit log."""

    def save(self, commit=True):
        self.instance.values_are_defaults = False
        return super().save(commit=commit)

    def clean(self):
        cleaned = super().clean()
        body, level = cleaned.get("body"), cleaned.get("level")
        if body is not None and level is not None:
            if not body.levels.filter(pk=level.pk).exists():
                self.add_error(
                    "level",
                    _("%(body)s does not award %(level)s; add the level to the body first.")
                    % {"body": body.name, "level": level.name},
                )
            elif not level.exam_required:
                self.add_error(
                    "level",
                    _("%(level)s has no exam, so it needs no exam standard.")
                    % {"level": level.name},
                )
            elif (
                ExamStandard.objects.filter(body=body, level=level)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error(
                    "level",
                    _("%(body)s already has an exam standard for %(level)s; edit that one.")
                    % {"body": body.name, "level": level.name},
                )
        return cleaned


class ExamStandardViewSet(SnippetViewSet):
    model = ExamStandard
    icon = "tasks"
    menu_label = _("Exam standards")
    list_display = [
        "body",
        "level",
        "min_pass_mark",
        "max_time_limit_minutes",
        "values_are_defaults",
    ]
    list_filter = ["body", "level"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("body"), FieldPanel("level")], heading=_("Who sets it, for what")
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [FieldPanel("questions_general"), FieldPanel("questions_policy")]
                    ),
                    FieldRowPanel(
                        [FieldPanel("questions_practice"), FieldPanel("questions_enhancement")]
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("min_pass_mark"),
                            FieldPanel("max_time_limit_minutes"),
                            FieldPanel("max_attempts"),
                        ]
                    ),
                    FieldPanel("review_before_last_attempt"),
                    FieldPanel("values_are_defaults", read_only=True),
                ],
                heading=_("What an exam must have to count"),
            ),
            reason_panel(),
        ],
        base_form_class=ExamStandardForm,
    )
