"""One evaluation per training base per year, and the append-only record of every version;
the base's own self-assessment before it; applications to become a base and the
accreditation period they start."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.provinces import Province
from portal.accounts.storage import private_storage

from .rules import Grade

SCORE = {"max_digits": 4, "decimal_places": 1}


class EvaluationScores(models.Model):
    """The scores, comments and grade an evaluation carries; shared by its revisions."""

    facilities_score = models.DecimalField(_("facilities score"), **SCORE)
    facilities_comment = models.TextField(_("facilities comment"), blank=True)
    organisation_score = models.DecimalField(_("training organisation score"), **SCORE)
    organisation_comment = models.TextField(_("training organisation comment"), blank=True)
    results_score = models.DecimalField(_("training results score"), **SCORE)
    results_comment = models.TextField(_("training results comment"), blank=True)
    innovation_score = models.DecimalField(_("innovation score"), **SCORE)
    innovation_comment = models.TextField(_("innovation comment"), blank=True)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    # The rule the grade was computed by, and the measured figures shown beside the scores.
    rule = models.JSONField(_("grading rule"), default=dict)
    figures = models.JSONField(_("measured figures"), default=dict)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        abstract = True


class BaseEvaluation(EvaluationScores):
    """The current evaluation (考核) of one training base for one year."""

    base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # Shown on the base's public page only when an administrator chooses to publish it.
    published = models.BooleanField(_("published on the base's page"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("base evaluation")
        verbose_name_plural = _("base evaluations")
        ordering = ["-year", "base_id"]
        constraints = [
            models.UniqueConstraint(fields=["base", "year"], name="one_evaluation_per_base_year"),
            models.CheckConstraint(
                condition=Q(facilities_score__gte=0)
                & Q(organisation_score__gte=0)
                & Q(results_score__gte=0)
                & Q(innovation_score__gte=0),
                name="evaluation_scores_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.base_id} · {self.year} · {self.get_grade_display()}"


class BaseEvaluationRevision(EvaluationScores):
    """One saved version of an evaluation, written with every save and never changed."""

    evaluation = models.ForeignKey(
        BaseEvaluation, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("base evaluation version")
        verbose_name_plural = _("base evaluation versions")
        ordering = ["evaluation_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "number"], name="one_evaluation_revision_number"
            )
        ]

    def __str__(self):
        return f"{self.evaluation_id} · v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Evaluation revisions are append-only.")
        super().save(*args, **kwargs)


def private_upload_to(instance, filename):
    """A random name keeping a short, plain extension; the name it came with is kept apart."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not (suffix.isascii() and suffix.isalnum() and len(suffix) <= 8):
        suffix = "bin"
    return f"oversight/{uuid.uuid4().hex}.{suffix}"


class UploadedFile(models.Model):
    """A checked file in private storage, served only by a view that checks who asks."""

    file = models.FileField(_("file"), upload_to=private_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class SelfAssessment(models.Model):
    """What a base says of its own year before the administrators grade it (自评)."""

    base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    facilities = models.TextField(_("facilities"), blank=True)
    organisation = models.TextField(_("training organisation"), blank=True)
    results = models.TextField(_("training results"), blank=True)
    innovation = models.TextField(_("innovation"), blank=True)
    summary = models.TextField(_("summary"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-year", "base_id"]
        constraints = [
            models.UniqueConstraint(fields=["base", "year"], name="one_self_assessment_per_year")
        ]

    def __str__(self):
        return f"{self.base_id} · {self.year}"


class SelfAssessmentFile(UploadedFile):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="files")

    class Meta(UploadedFile.Meta):
        verbose_name = _("self-assessment evidence")
        verbose_name_plural = _("self-assessment evidence")


class BaseApplication(models.Model):
    """An institution's application to become a training base (基地申报)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("base application", "submitted, awaiting review")
        RETURNED = "returned", pgettext_lazy("base application", "returned for changes")
        APPROVED = "approved", pgettext_lazy("base application", "approved")
        REJECTED = "rejected", pgettext_lazy("base application", "rejected")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="base_applications",
    )
    institution = models.CharField(_("institution name"), max_length=100)
    short_code = models.CharField(_("proposed short code"), max_length=16)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices)
    city = models.CharField(_("city"), max_length=50)
    accreditation = models.CharField(_("accreditation wanted"), max_length=20)
    levels = models.JSONField(_("levels to train"), default=list)
    profile = models.TextField(_("profile of the institution"))
    facilities = models.TextField(_("facilities"))
    faculty = models.TextField(_("faculty list"))
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact e-mail"))
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    base = models.OneToOneField(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )

    class Meta:
        verbose_name = _("base application")
        verbose_name_plural = _("base applications")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return self.institution

    @property
    def editable(self) -> bool:
        return self.status == self.Status.RETURNED

    @property
    def decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)


class BaseApplicationFile(UploadedFile):
    """A sample of the institution's materials: a syllabus, a textbook, a class plan."""

    application = models.ForeignKey(BaseApplication, on_delete=models.CASCADE, related_name="files")

    class Meta(UploadedFile.Meta):
        verbose_name = _("sample material")
        verbose_name_plural = _("sample materials")


class BaseApplicationEvent(models.Model):
    """One step of the application's review: a submission, a comment or a decision."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("base application step", "submitted")
        COMMENT = "comment", pgettext_lazy("base application step", "comment")
        RETURNED = "returned", pgettext_lazy("base application step", "returned for changes")
        APPROVED = "approved", pgettext_lazy("base application step", "approved")
        REJECTED = "rejected", pgettext_lazy("base application step", "rejected")

    application = models.ForeignKey(
        BaseApplication, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.application_id} · {self.kind}"


class BaseAccreditation(models.Model):
    """The period a base is accredited for: started by the approval of its application and
    carried forward by each annual evaluation graded pass or better (see decision 0024)."""

    base = models.OneToOneField(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        related_name="accreditation_period",
    )
    starts_on = models.DateField(_("accredited from"))
    first_ends_on = models.DateField(_("first period ends"))
    ends_on = models.DateField(_("accredited until"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accreditation period")
        verbose_name_plural = _("accreditation periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="accreditation_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.base_id} · {self.starts_on}–{self.ends_on}"
