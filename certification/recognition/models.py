"""Recognition (优秀/十大技术经纪人评选): selection rounds, their criteria, nominations, the
reviewers' scores, the public announcement (公示) with its objections, and the awards.

A round runs in windows set as data: nominations, then independent review, then a public
announcement of the proposed awardees during which anyone may object, then publication. Each
awardee receives a signed Open Badges 3.0 credential (``recognition/credentials.py``).
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.practice.models import PracticeRecord
from portal.accounts.storage import private_storage


class SelectionRound(models.Model):
    """One selection (e.g. 2026年度“十大技术经纪人”评选), with its windows and award count."""

    title = models.CharField(_("title"), max_length=120)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    description = models.TextField(_("description"), blank=True)
    body = models.ForeignKey(
        CertifyingBody,
        verbose_name=_("awarding body"),
        on_delete=models.PROTECT,
        related_name="selection_rounds",
        help_text=_("The body whose key signs the award credentials."),
    )
    awards = models.PositiveSmallIntegerField(
        _("number of awards"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    nomination_opens = models.DateField(_("nominations open"))
    nomination_closes = models.DateField(_("nominations close"))
    review_opens = models.DateField(_("review opens"))
    review_closes = models.DateField(_("review closes"))
    announce_from = models.DateField(_("announcement (公示) starts"))
    announce_until = models.DateField(_("announcement (公示) ends"))
    announced_at = models.DateTimeField(_("proposed list announced at"), null=True, blank=True)
    published_at = models.DateTimeField(_("final list published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")

    def __str__(self):
        return self.title

    def _today(self, today=None):
        return today or timezone.localdate()

    def nominations_open(self, today=None) -> bool:
        return self.nomination_opens <= self._today(today) <= self.nomination_closes

    def review_open(self, today=None) -> bool:
        return self.review_opens <= self._today(today) <= self.review_closes

    def announcing(self, today=None) -> bool:
        return (
            self.announced_at is not None
            and self.published_at is None
            and self.announce_from <= self._today(today) <= self.announce_until
        )

    @property
    def total_weight(self) -> int:
        return sum(criterion.weight for criterion in self.criteria.all())


class Criterion(models.Model):
    """A criterion the reviewers score, with its weight (the weights of a round sum to 100)."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=80)
    description = models.CharField(_("what it looks at"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.name


class Nomination(models.Model):
    """A person put forward by a training base, a certifying body, or themselves."""

    class By(models.TextChoices):
        SELF = "self", _("self-nomination")
        BASE = "base", _("training base")
        BODY = "body", _("certifying body")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("nomination status", "submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("nomination status", "withdrawn")

    round = models.ForeignKey(SelectionRound, on_delete=models.PROTECT, related_name="nominations")
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominee"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations_made"
    )
    by = models.CharField(_("nominated by"), max_length=4, choices=By.choices)
    base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("nominating training base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.ForeignKey(
        CertifyingBody,
        verbose_name=_("nominating certifying body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate held"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    statement = models.TextField(_("statement"))
    practice_records = models.ManyToManyField(
        PracticeRecord, verbose_name=_("practice records"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    created_at = models.DateTimeField(_("nominated at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(fields=["round", "nominee"], name="one_nomination_per_round")
        ]

    def __str__(self):
        return f"{self.nominee} ({self.round})"

    @property
    def nominee_name(self) -> str:
        return self.certificate.printed_name or self.nominee.real_name or self.nominee.email


def evidence_upload_to(instance, filename):
    return f"certification/recognition/{uuid.uuid4().hex}.bin"


class NominationEvidence(models.Model):
    """A file supporting a nomination: private, served only to those allowed."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("nomination evidence")
        verbose_name_plural = _("nomination evidence")

    def __str__(self):
        return self.original_name


class Reviewer(models.Model):
    """A member of a round's panel, appointed by an administrator."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recognition_panels"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_panel_seat_per_round")
        ]

    def __str__(self):
        return f"{self.user} @ {self.round_id}"


class Review(models.Model):
    """One reviewer's declaration and scores for one nomination, written once: either a
    declared conflict (the reviewer stands aside) or the scores with no conflict declared."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recognition_reviews"
    )
    conflict = models.BooleanField(_("conflict declared"), default=False)
    conflict_note = models.CharField(_("conflict"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    weighted = models.DecimalField(
        _("weighted score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "reviewer"], name="one_review_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.reviewer_id} → {self.nomination_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["criterion__sort_order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


def _salt() -> str:
    return secrets.token_hex(16)


class Award(models.Model):
    """A place on the list: proposed at the announcement, awarded at publication (or
    withdrawn when an objection is upheld). An awarded place carries its signed credential;
    revoking it later sets the credential's bit in its status list."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("award status", "proposed")
        AWARDED = "awarded", pgettext_lazy("award status", "awarded")
        WITHDRAWN = "withdrawn", pgettext_lazy("award status", "withdrawn")
        REVOKED = "revoked", pgettext_lazy("award status", "revoked")

    # A published award stays checkable after it is revoked: its page, its credential and the
    # file check say so, rather than the number vanishing.
    PUBLIC_STATUSES = (Status.AWARDED, Status.REVOKED)

    round = models.ForeignKey(SelectionRound, on_delete=models.PROTECT, related_name="award_list")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="award")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.DecimalField(_("weighted average"), max_digits=6, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    # The name printed on the certificate the nomination rests on, frozen at announcement.
    name = models.CharField(_("name"), max_length=60)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    recipient_salt = models.CharField(max_length=32, default=_salt, editable=False)
    status_list = models.ForeignKey(
        "certification.StatusList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)
    credential = models.JSONField(default=dict, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)

    class Meta:
        ordering = ["round", "rank"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self):
        return f"{self.round} #{self.rank} {self.name}"

    @property
    def number(self) -> str:
        """The award's public number, e.g. ``RA-2026-0003``."""
        return f"RA-{self.round.year}-{self.pk:04d}"


class Objection(models.Model):
    """An objection to a proposed awardee lodged during the announcement, and its answer."""

    class Outcome(models.TextChoices):
        DISMISSED = "dismissed", _("dismissed: the awardee stays on the list")
        UPHELD = "upheld", _("upheld: the awardee is taken off the list")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="objections")
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    reason = models.TextField(_("reason"))
    lodged_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"objection {self.pk} to {self.award_id}"
