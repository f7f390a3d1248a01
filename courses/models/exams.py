"""The question bank, exams, and the record of every attempt."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from cms.taxonomy import LevelField, ModuleCategory


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT = "short", _("Short answer")
    CASE = "case", _("Case analysis")


OBJECTIVE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE}
TRUE_FALSE_OPTIONS = [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}]


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


def validate_question_content(*, type, options, correct, reference_answer=""):
    """Check that options and answers fit the question type; raise ValidationError if not."""
    errors = {}
    keys = [o.get("key") for o in options or []]
    if type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if len(keys) < 2 or any(
            not k or not str(o.get("text", "")).strip() for k, o in zip(keys, options, strict=True)
        ):
            errors["options"] = _("A choice question needs at least two options, each with text.")
        elif len(set(keys)) != len(keys):
            errors["options"] = _("Option keys must be different.")
        if not correct or any(k not in keys for k in correct):
            errors["correct"] = _("Mark the correct options among the question's own options.")
        elif type == QuestionType.SINGLE and len(correct) != 1:
            errors["correct"] = _("A single-choice question has exactly one correct option.")
    elif type == QuestionType.TRUE_FALSE:
        if correct not in (["T"], ["F"]):
            errors["correct"] = _("A true-or-false question is either true (T) or false (F).")
    elif not str(reference_answer or "").strip():
        errors["reference_answer"] = _("Give a reference answer to guide the graders.")
    if errors:
        raise ValidationError(errors)


class Question(models.Model):
    """One question in a base's bank."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    type = models.CharField(_("type"), max_length=12, choices=QuestionType.choices)
    stem = models.TextField(_("question"))
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For choice questions: a list like [{"key": "A", "text": "..."}].'),
    )
    correct = models.JSONField(
        _("correct answer"),
        default=list,
        blank=True,
        help_text=_('e.g. ["B"], ["A", "C"] or ["T"].'),
    )
    reference_answer = models.TextField(_("reference answer"), blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    category = models.CharField(_("module category"), max_length=20, choices=ModuleCategory.choices)
    level = LevelField(_("level"), related_name="+")
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    tags = TaggableManager(verbose_name=_("tags"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["base", "level", "status", "type", "category"])]

    def __str__(self):
        return self.stem[:60]

    def clean(self):
        super().clean()
        if self.type == QuestionType.TRUE_FALSE:
            self.options = TRUE_FALSE_OPTIONS
        validate_question_content(
            type=self.type,
            options=self.options,
            correct=self.correct,
            reference_answer=self.reference_answer,
        )

    @property
    def is_objective(self) -> bool:
        return self.type in OBJECTIVE_TYPES


# An exam opens and closes within these years: anything else is a typing slip (and a year
# before 1 AD cannot even be stored once converted to UTC).
EXAM_YEARS = (2000, 2100)


class Exam(models.Model):
    """An exam of one level: how its papers are drawn, timed, passed and who may sit it."""

    class Eligibility(models.TextChoices):
        COURSE_ENROLLED = "enrolled", _("people enrolled in its course")
        LEVEL_COMPLETED = "completed", _("people who completed a course of its level")

    base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="exams",
    )
    title = models.CharField(_("title"), max_length=200)
    level = LevelField(_("level"), related_name="+")
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exams",
    )
    blueprint = models.JSONField(
        _("blueprint"),
        default=list,
        help_text=_(
            'How each paper is drawn: a list like [{"type": "single", "category": "policy", '
            '"count": 10, "difficulty": 2}] (difficulty is optional).'
        ),
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=2, validators=[MinValueValidator(1)]
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    allow_review = models.BooleanField(
        _("show answers and explanations after the result"), default=False
    )
    eligibility = models.CharField(
        _("who may sit it"),
        max_length=12,
        choices=Eligibility.choices,
        default=Eligibility.COURSE_ENROLLED,
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        from courses.selectors import blueprint_problems

        for name in ("opens_at", "closes_at"):
            moment = getattr(self, name)
            if moment and not (EXAM_YEARS[0] <= moment.year <= EXAM_YEARS[1]):
                raise ValidationError(
                    {
                        name: _("Choose a date between the years %(first)d and %(last)d.")
                        % {"first": EXAM_YEARS[0], "last": EXAM_YEARS[1]}
                    }
                )
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The exam must close after it opens.")})
        if self.eligibility == self.Eligibility.COURSE_ENROLLED and not self.course_id:
            raise ValidationError({"course": _("Choose the course whose trainees may sit it.")})
        if self.course_id and self.course.level_id != self.level_id:
            raise ValidationError({"course": _("The course is of another level.")})
        if self.course_id and self.base_id:
            from cms import api as cms_api

            if cms_api.base_ids_for_pages(page_ids=[self.course_id]).get(self.course_id) != (
                self.base_id
            ):
                raise ValidationError({"course": _("The course belongs to another training base.")})
        if self.base_id:
            problems = blueprint_problems(exam=self)
            if problems:
                raise ValidationError({"blueprint": problems})


class Attempt(models.Model):
    """One sitting of an exam by one person: its own paper, its answers, its result."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        AWAITING_GRADING = "awaiting_grading", _("awaiting grading")
        FINAL = "final", _("final")

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("result final"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=1, null=True, blank=True)
    max_score = models.DecimalField(_("out of"), max_digits=7, decimal_places=1, default=0)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # The exam's rules as they stood when the attempt started: a later edit of the exam never
    # changes what this attempt had to clear, or what a certifying body sees of it.
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    key_shown_at = models.DateTimeField(
        _("answers shown"),
        null=True,
        blank=True,
        help_text=_("When the correct answers were first shown to the person."),
    )
    # How many questions of each module category the paper was served with, kept when it is
    # drawn: certification's exam standards read it for every candidate, and counting the
    # paper's rows each time was the costliest query of a class's certificates. None for an
    # attempt from before it was kept; its paper is counted instead (courses.api).
    paper_modules = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "user", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["exam", "user"],
                condition=Q(status="in_progress"),
                name="one_open_attempt",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.exam} · {self.user} · #{self.number}"

    @property
    def pass_mark_applied(self) -> int:
        return self.pass_mark if self.pass_mark is not None else self.exam.pass_mark

    @property
    def time_limit_applied(self) -> int:
        if self.time_limit_minutes is not None:
            return self.time_limit_minutes
        return self.exam.time_limit_minutes

    @property
    def percent(self):
        if self.score is None or not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(Decimal("0.1"))


class AttemptQuestion(models.Model):
    """A question as it was served in one attempt, copied so later bank edits change nothing."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, related_name="+")
    type = models.CharField(max_length=12, choices=QuestionType.choices)
    stem = models.TextField()
    options = models.JSONField(default=list)
    correct = models.JSONField(default=list)
    reference_answer = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=ModuleCategory.choices)
    points = models.DecimalField(max_digits=5, decimal_places=1)
    answer = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="one_question_per_position"
            )
        ]

    def __str__(self):
        return f"{self.attempt} · {self.position}"

    @property
    def is_objective(self) -> bool:
        return self.type in OBJECTIVE_TYPES


class GradeChange(models.Model):
    """The audit record of a grade given or changed by a person."""

    attempt_question = models.ForeignKey(
        AttemptQuestion, on_delete=models.CASCADE, related_name="grade_changes"
    )
    old_score = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    new_score = models.DecimalField(max_digits=5, decimal_places=1)
    comment = models.TextField(blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at"]

    def __str__(self):
        return f"{self.attempt_question}: {self.old_score} → {self.new_score}"
