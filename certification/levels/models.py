"""Tracks, levels and certifying bodies: the rules a certificate is issued under."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.taxonomy import LevelField, ModuleCategory
from portal.accounts.provinces import Province
from portal.accounts.storage import private_storage
from portal.accounts.validators import validate_photo


class Track(models.Model):
    """A ladder of levels, e.g. technology broker/manager, or technology-contract registrar."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")

    def __str__(self):
        return self.name


HOURS_FIELDS = {
    ModuleCategory.GENERAL: "hours_general",
    ModuleCategory.POLICY: "hours_policy",
    ModuleCategory.PRACTICE: "hours_practice",
    ModuleCategory.ENHANCEMENT: "hours_enhancement",
}


def _hours_field(label):
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )


# The longest validity a level may give; a longer one would be "never expires" in disguise.
MAX_VALIDITY_YEARS = 50


def _months_limit() -> MaxValueValidator:
    """A period a level counts in months is at most as long as the longest validity."""
    return MaxValueValidator(
        MAX_VALIDITY_YEARS * 12, _("A period can be at most %(limit_value)s months.")
    )


class CertificationLevel(models.Model):
    """One rung of a track, with every rule an applicant must meet to be awarded it."""

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="levels")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    number_code = models.CharField(
        _("letter in certificate numbers"),
        max_length=3,
        validators=[RegexValidator(r"^[A-Z]{1,3}$", _("Use one to three capital letters."))],
        help_text=_("For example J for junior: GD-J-2026-000123."),
    )
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    rank = models.PositiveSmallIntegerField(_("rank within the track"), default=1)
    course_level = LevelField(
        _("course level"),
        related_name="certification_levels",
        null=True,
        blank=True,
        help_text=_(
            "Training hours and the exam count only from courses of this level; "
            "leave empty to count every course."
        ),
    )
    hours_general = _hours_field(_("hours of general knowledge"))
    hours_policy = _hours_field(_("hours of policies and regulations"))
    hours_practice = _hours_field(_("hours of practical skills"))
    hours_enhancement = _hours_field(_("hours of capability enhancement"))
    exam_required = models.BooleanField(_("must pass the level's exam"), default=True)
    exam_before_hours = models.BooleanField(
        _("the exam may be sat before the hours are complete"),
        default=False,
        help_text=_(
            "Leave unticked to refuse entry to the level's exam until the person holds the "
            "required hours in every module."
        ),
    )
    exam_valid_months = models.PositiveSmallIntegerField(
        _("exam passed within (months)"),
        null=True,
        blank=True,
        validators=[_months_limit()],
        help_text=_("Leave empty if an exam passed at any time counts."),
    )
    prerequisite = models.ForeignKey(
        "self",
        verbose_name=_("prerequisite level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_levels",
    )
    prerequisite_held_months = models.PositiveSmallIntegerField(
        _("prerequisite held for at least (months)"), default=0, validators=[_months_limit()]
    )
    experience_years = models.PositiveSmallIntegerField(
        _("years of relevant work experience"),
        default=0,
        help_text=_("When above zero the applicant must upload proof of work."),
    )
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                1, _("A certificate is valid for at least one year. Leave empty for no expiry.")
            ),
            MaxValueValidator(
                MAX_VALIDITY_YEARS,
                _("A certificate can be valid for at most %(limit_value)s years."),
            ),
        ],
        help_text=_("Empty: never expires."),
    )
    renewal_hours = _hours_field(_("continuing-education hours to renew"))
    central_filing = models.BooleanField(
        _("numbered and filed by the national body"),
        default=False,
        help_text=_("统一编号并备案: numbers come from the national body, which files each one."),
    )
    approvers_required = models.PositiveSmallIntegerField(
        _("certifiers who must approve"),
        choices=[(1, _("one certifier")), (2, _("two different certifiers"))],
        default=1,
        help_text=_(
            "With two, one certifier's approval is confirmed by a different certifier of the "
            "same body before the certificate is issued."
        ),
    )
    requires_identity_check = models.BooleanField(
        _("the certifier checks the identity document"),
        default=False,
        help_text=_(
            "The approving certifier compares the applicant's identity document with the name "
            "to print and the photo, and confirms it; an applicant without real-name details "
            "on record cannot be approved."
        ),
    )
    # Practice requirements (项目实绩): only confirmed practice records count.
    practice_min_projects = models.PositiveSmallIntegerField(
        _("confirmed practice projects, at least"),
        default=0,
        validators=[MaxValueValidator(100, _("Ask for at most %(limit_value)s projects."))],
        help_text=_("Projects confirmed by the counterpart or a certifier. 0: none required."),
    )
    practice_min_amount = models.DecimalField(
        _("total contract amount of confirmed projects, at least (CNY)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0: no amount required."),
    )
    practice_min_kinds = models.PositiveSmallIntegerField(
        _("different kinds of service, at least"),
        default=0,
        validators=[MaxValueValidator(4, _("There are only four named kinds of service."))],
        help_text=_(
            "Of technology demand discovery, evaluation and valuation of research results, "
            "intellectual property operation and technology transaction. 0: any."
        ),
    )
    practice_within_years = models.PositiveSmallIntegerField(
        _("projects ended within (years)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("Count at least one year, or leave empty for any time.")),
            MaxValueValidator(MAX_VALIDITY_YEARS, _("At most %(limit_value)s years.")),
        ],
        help_text=_("Leave empty if a project ended at any time counts."),
    )
    values_are_defaults = models.BooleanField(
        _("illustrative default values"),
        default=False,
        help_text=_(
            "The seeded hours and years are illustrative, not official figures. "
            "Saving this level in the admin marks its values as confirmed."
        ),
    )

    class Meta:
        ordering = ["track__sort_order", "rank", "pk"]
        verbose_name = _("certification level")
        verbose_name_plural = _("certification levels")

    def __str__(self):
        return self.name

    @property
    def practice_required(self) -> bool:
        return bool(
            self.practice_min_projects or self.practice_min_amount or self.practice_min_kinds
        )

    def hours_required(self) -> dict[str, Decimal]:
        """Required hours per module category, in the syllabus's order."""
        return {category: getattr(self, field) for category, field in HOURS_FIELDS.items()}


def _body_image_path(instance, filename, kind):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"certification/bodies/{instance.code.lower()}-{kind}.{suffix}"


def seal_upload_to(instance, filename):
    return _body_image_path(instance, filename, "seal")


def signature_upload_to(instance, filename):
    return _body_image_path(instance, filename, "signature")


# Letters, digits, Chinese characters and the punctuation numbers are written with, e.g.
# GD-J-2018-000123 or 京技经(2019)第0123号: 4 to 40 characters, no spaces.
IMPORTED_NUMBER_PATTERN = r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff\-/_.()（）〔〕]{3,39}"


def validate_number_pattern(value: str) -> None:
    """A pattern that compiles (a broken one would refuse every row, or raise)."""
    import re

    from django.core.exceptions import ValidationError

    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(
            _("This is not a valid regular expression: %(error)s") % {"error": error}
        ) from error


class CertifyingBody(models.Model):
    """An organisation that awards levels, with its seal, its signatory and its signing key."""

    class Kind(models.TextChoices):
        TRAINING_BASE = "base", _("training base")
        PROVINCIAL = "provincial", _("provincial body")
        NATIONAL = "national", _("national body")

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]{1,7}$", _("Use 2–8 capital letters or digits."))
        ],
        help_text=_("Used in certificate numbers, e.g. GD in GD-J-2026-000123."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    training_base = models.ForeignKey(
        "cms.TrainingBasePage",
        verbose_name=_("training base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certifying_bodies",
    )
    levels = models.ManyToManyField(
        CertificationLevel, verbose_name=_("levels it may award"), blank=True, related_name="bodies"
    )
    website = models.URLField(_("website"), blank=True)
    seal = models.ImageField(
        _("seal"),
        upload_to=seal_upload_to,
        storage=private_storage,
        blank=True,
        validators=[validate_photo],
    )
    signatory_name = models.CharField(_("signatory"), max_length=60, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=80, blank=True)
    signature = models.ImageField(
        _("signature"),
        upload_to=signature_upload_to,
        storage=private_storage,
        blank=True,
        validators=[validate_photo],
    )
    certifiers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("certifiers"),
        blank=True,
        related_name="certifying_bodies",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # What the body's earlier certificates' numbers look like (certification/imports): a row
    # whose number does not match is refused, so a typo cannot become a verifiable number.
    imported_number_pattern = models.CharField(
        _("pattern of earlier certificate numbers"),
        max_length=200,
        default=IMPORTED_NUMBER_PATTERN,
        validators=[validate_number_pattern],
        help_text=_(
            "A regular expression the whole number must match when earlier certificates are "
            "imported. The default accepts 4–40 letters, digits, Chinese characters "
            "and - / _ . ( )."
        ),
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("certifying body")
        verbose_name_plural = _("certifying bodies")

    def __str__(self):
        return self.name


QUESTIONS_FIELDS = {
    ModuleCategory.GENERAL: "questions_general",
    ModuleCategory.POLICY: "questions_policy",
    ModuleCategory.PRACTICE: "questions_practice",
    ModuleCategory.ENHANCEMENT: "questions_enhancement",
}


def _questions_field(label):
    return models.PositiveSmallIntegerField(
        label,
        default=0,
        validators=[
            MaxValueValidator(500, _("A standard can ask for at most %(limit_value)s questions."))
        ],
    )


class ExamStandard(models.Model):
    """What a certifying body asks of an exam of one level before a pass counts with it.

    A passed exam whose paper has fewer questions in a module, a lower pass mark or a longer
    time limit than this does not count toward the level with this body; without a standard
    no exam counts with the body.
    """

    body = models.ForeignKey(
        CertifyingBody,
        verbose_name=_("certifying body"),
        on_delete=models.CASCADE,
        related_name="exam_standards",
    )
    level = models.ForeignKey(
        CertificationLevel,
        verbose_name=_("level"),
        on_delete=models.CASCADE,
        related_name="exam_standards",
    )
    questions_general = _questions_field(_("questions of general knowledge, at least"))
    questions_policy = _questions_field(_("questions of policies and regulations, at least"))
    questions_practice = _questions_field(_("questions of practical skills, at least"))
    questions_enhancement = _questions_field(_("questions of capability enhancement, at least"))
    min_pass_mark = models.PositiveSmallIntegerField(
        _("pass mark at least (%)"),
        default=60,
        validators=[
            MinValueValidator(1, _("The pass mark must be at least 1%%.")),
            MaxValueValidator(100, _("The pass mark cannot be above 100%%.")),
        ],
    )
    max_time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit at most (minutes)"),
        default=120,
        validators=[
            MinValueValidator(1, _("The time limit must be at least one minute.")),
            MaxValueValidator(24 * 60, _("A time limit can be at most %(limit_value)s minutes.")),
        ],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts at most"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("Allow at least one attempt.")),
            MaxValueValidator(20, _("A standard can allow at most %(limit_value)s attempts.")),
        ],
        help_text=_(
            "A pass counts only if it came within this many attempts: every result shows a "
            "score, so many attempts at a small bank would teach the answers. Empty: no limit."
        ),
    )
    review_before_last_attempt = models.BooleanField(
        _("correct answers may be shown while attempts remain"),
        default=False,
        help_text=_(
            "Leave unticked so that nobody sees the key of an exam they may still sit again."
        ),
    )
    values_are_defaults = models.BooleanField(
        _("illustrative default values"),
        default=False,
        help_text=_("Seeded figures are illustrative; saving the standard confirms them."),
    )

    class Meta:
        ordering = ["body", "level"]
        verbose_name = _("exam standard")
        verbose_name_plural = _("exam standards")
        constraints = [models.UniqueConstraint(fields=["body", "level"], name="one_exam_standard")]

    def __str__(self):
        return f"{self.body} · {self.level}"

    def min_questions(self) -> dict[str, int]:
        """Minimum questions per module category, in the syllabus's order."""
        return {category: getattr(self, field) for category, field in QUESTIONS_FIELDS.items()}
