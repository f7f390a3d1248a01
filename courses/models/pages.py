"""Course, module and lesson pages: what a training base teaches, published in the CMS."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.forms import PortalPageForm
from cms.models import InTrainingBaseMixin
from cms.taxonomy import LevelField, ModuleCategory
from courses.page_forms import TeachingPageForm


class Delivery(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    BLENDED = "blended", _("Blended")


class CourseIndexPage(InTrainingBaseMixin, Page):
    """A base's courses and classes (培训班)."""

    base_form_class = PortalPageForm

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.TrainingBasePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.live()
            .public()
            .child_of(self)
            .select_related("level")
            .order_by("-start_date")
        )
        return context


class CoursePage(InTrainingBaseMixin, Page):
    """One course of one level, run as a class with dates, an enrolment window and seats."""

    base_form_class = TeachingPageForm

    level = LevelField(_("level"), related_name="+")
    class_name = models.CharField(
        _("class"),
        max_length=120,
        help_text=_("The class this course is run as, e.g. 2026 Class 3 for junior brokers."),
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.BLENDED
    )
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    enrolment_opens = models.DateTimeField(_("enrolment opens"))
    enrolment_closes = models.DateTimeField(_("enrolment closes"))
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    sequential = models.BooleanField(
        _("lessons must be completed in order"),
        default=False,
        help_text=_("A lesson is credited only after every earlier required lesson."),
    )
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    description = StreamField(BaseStreamBlock(), verbose_name=_("description"), blank=True)
    faculty = ParentalManyToManyField(
        "cms.FacultyMemberPage", verbose_name=_("faculty"), blank=True, related_name="+"
    )
    textbooks = ParentalManyToManyField(
        "cms.TextbookPage", verbose_name=_("textbooks"), blank=True, related_name="+"
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("level"), FieldPanel("delivery")]),
                FieldPanel("class_name"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("enrolment_opens"), FieldPanel("enrolment_closes")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("sequential")]),
            ],
            heading=_("Class"),
        ),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("faculty"),
        FieldPanel("textbooks"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("class_name"),
        index.SearchField("summary"),
        index.FilterField("level"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The course cannot end before it starts.")})
        if (
            self.enrolment_opens
            and self.enrolment_closes
            and self.enrolment_closes <= self.enrolment_opens
        ):
            raise ValidationError({"enrolment_closes": _("Enrolment must close after it opens.")})

    def enrolment_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.enrolment_opens <= now < self.enrolment_closes

    def get_context(self, request, *args, **kwargs):
        from courses.permissions import staff_base_ids
        from courses.selectors import course_outline, credited_lesson_ids, enrolment_for

        context = super().get_context(request, *args, **kwargs)
        context["outline"] = outline = course_outline(course=self)
        context["enrolment"] = enrolment = enrolment_for(user=request.user, course=self)
        # The ticks and hours done on the outline, for a person enrolled (one query).
        credited = credited_lesson_ids(enrolment=enrolment) if enrolment else set()
        context["credited_ids"] = credited
        for item in outline.modules:
            item.done_hours = sum((x.hours for x in item.lessons if x.pk in credited), Decimal(0))
        context["done_hours"] = sum((item.done_hours for item in outline.modules), Decimal(0))
        context["exams"] = self.exams.filter(is_published=True)
        allowed = staff_base_ids(request.user) if request.user.is_authenticated else set()
        base = self.training_base
        context["can_manage"] = allowed is None or (base is not None and base.pk in allowed)
        return context


class ModulePage(InTrainingBaseMixin, Page):
    """A module of a course; it belongs to one of the syllabus's four categories."""

    base_form_class = PortalPageForm

    category = models.CharField(_("module category"), max_length=20, choices=ModuleCategory.choices)
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("category"), FieldPanel("intro")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = LessonPage.objects.live().child_of(self)
        return context


def validate_half_hours(value):
    if value is None or value <= 0 or (value * 2) != (value * 2).to_integral_value():
        raise ValidationError(_("Training hours go in half-hour steps, e.g. 1.5 or 2."))


class LessonContentBlock(BaseStreamBlock):
    video = DocumentChooserBlock(
        label=_("Video file"), help_text=_("An uploaded MP4 video."), icon="media"
    )
    video_link = blocks.URLBlock(
        label=_("Video link"), help_text=_("An address of a video on an approved platform.")
    )
    live_class = blocks.URLBlock(
        label=_("Live class link"),
        help_text=_("The address where trainees join the live class (a meeting room)."),
        icon="globe",
    )


class LessonPage(InTrainingBaseMixin, Page):
    """One lesson: its training hours, its content, and for in-person lessons the session."""

    base_form_class = TeachingPageForm

    hours = models.DecimalField(
        _("training hours"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.5")), validate_half_hours],
    )
    delivery = models.CharField(
        _("delivery"),
        max_length=10,
        choices=[
            (Delivery.ONLINE, Delivery.ONLINE.label),
            (Delivery.IN_PERSON, Delivery.IN_PERSON.label),
        ],
        default=Delivery.ONLINE,
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("The course is complete when every required lesson is credited."),
    )
    summary = RichTextField(_("summary"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(LessonContentBlock(), verbose_name=_("content"), blank=True)
    video_seconds = models.PositiveIntegerField(
        _("video length (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Of the video file uploaded to this lesson. When set, the lesson is credited only "
            "after 90 percent of it was played on this page (skipped parts do not count)."
        ),
    )
    min_active_share = models.DecimalField(
        _("share of the hours to be spent active"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "E.g. 0.5: a 2-hour lesson needs 60 minutes on its page. Leave empty for the "
            "portal's default."
        ),
    )
    session_starts = models.DateTimeField(_("session starts"), null=True, blank=True)
    session_ends = models.DateTimeField(_("session ends"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    teacher = models.ForeignKey(
        "cms.FacultyMemberPage",
        verbose_name=_("teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Who teaches this lesson: a teacher of this base, or one who accepted this "
            "base's invitation to teach the class."
        ),
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("hours"), FieldPanel("delivery"), FieldPanel("required")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("video_seconds"), FieldPanel("min_active_share")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("session_starts"), FieldPanel("session_ends")]),
                FieldPanel("location"),
            ],
            heading=_("In-person session"),
        ),
        FieldPanel("teacher"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def clean(self):
        super().clean()
        if self.delivery == Delivery.IN_PERSON:
            missing = {
                name: _("An in-person lesson needs its session's time and place.")
                for name in ("session_starts", "location")
                if not getattr(self, name)
            }
            if missing:
                raise ValidationError(missing)
        if self.session_starts and self.session_ends and self.session_ends <= self.session_starts:
            raise ValidationError({"session_ends": _("The session must end after it starts.")})

    @property
    def module(self):
        return ModulePage.objects.parent_of(self).first()

    @property
    def active_share(self) -> Decimal:
        """The share of the lesson's hours a trainee must spend active on it."""
        if self.min_active_share is not None:
            return self.min_active_share
        return Decimal(str(getattr(settings, "PORTAL_LESSON_MIN_ACTIVE_SHARE", 0.5)))

    @property
    def required_active_seconds(self) -> int:
        return int(self.hours * 3600 * self.active_share)

    @property
    def session_closes(self):
        """When the in-person session is over: its end, or its start plus the lesson's hours."""
        if self.session_ends:
            return self.session_ends
        if self.session_starts:
            return self.session_starts + datetime.timedelta(hours=float(self.hours))
        return None

    def get_context(self, request, *args, **kwargs):
        import json

        from django.utils.translation import gettext

        from courses.permissions import staff_base_ids
        from courses.selectors import lesson_state_for

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_state_for(user=request.user, lesson=self))
        credit = context.get("credit")
        context["credit_minutes"] = (
            credit.active_seconds // 60 if credit and credit.active_seconds is not None else None
        )
        context["beat_seconds"] = getattr(settings, "PORTAL_LESSON_HEARTBEAT_SECONDS", 30)
        enrolment = context.get("enrolment")
        if enrolment is not None and enrolment.holds_a_seat and not credit:
            from courses.tracking import beat_token

            context["beat_token"] = beat_token(request.user.pk, self.pk)
        context["minutes_of_json"] = json.dumps(
            gettext("%(spent)s of %(needed)s minutes"), ensure_ascii=True
        ).replace("<", "\\u003c")
        allowed = staff_base_ids(request.user) if request.user.is_authenticated else set()
        base = self.training_base
        context["can_manage"] = allowed is None or (base is not None and base.pk in allowed)
        return context
