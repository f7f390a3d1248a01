"""The people who use the portal, and the mail the portal sends them."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Registers the system checks: INSTALLED_APPS names the package and apps.py holds two configs,
# so Django uses a plain AppConfig and no ready() of ours runs.
from . import checks  # noqa: F401
from .images import ImageNotCleaned, upload_cleaned
from .provinces import Province
from .storage import private_storage
from .validators import validate_photo, validate_printable_text, validate_real_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


def photo_upload_to(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"photos/{uuid.uuid4().hex}.{suffix}"


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9\- ]{5,19}$", _("Enter a phone number of digits, spaces or dashes.")
)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Signs in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    real_name = models.CharField(
        _("real name"),
        max_length=50,
        help_text=_("Your name exactly as it must be printed on a certificate."),
        validators=[validate_real_name],
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_printable_text]
    )
    photo = models.ImageField(
        _("photo"),
        upload_to=photo_upload_to,
        storage=private_storage,
        blank=True,
        validators=[validate_photo],
        help_text=_("A recent ID-style photo: JPEG, PNG or WebP, at most 2 MB."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The privacy notice the person agreed to at sign-up, and when (portal/privacy.py).
    privacy_consent_at = models.DateTimeField(_("privacy notice agreed at"), null=True, blank=True)
    privacy_notice_version = models.CharField(
        _("privacy notice version agreed"), max_length=20, blank=True
    )
    # The number a code sent by SMS confirmed, and when (portal/accounts/phone.py). The phone is
    # confirmed only while ``phone`` is still that number: changing it unconfirms it.
    phone_confirmed_number = models.CharField(
        _("confirmed phone number"), max_length=20, blank=True
    )
    phone_confirmed_at = models.DateTimeField(_("phone confirmed at"), null=True, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.real_name or self.email

    def save(self, *args, **kwargs):
        # A new photo is stored re-encoded, upright and without EXIF (no GPS position), under
        # the extension of what it really is.
        if self.photo and not self.photo._committed:
            try:
                self.photo = upload_cleaned(self.photo, "photo")
            except ImageNotCleaned as error:
                raise ValueError("The photo is not a picture the portal can store.") from error
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.real_name

    @property
    def phone_is_confirmed(self) -> bool:
        """Whether the phone number on the account is the one a code confirmed."""
        from .phone import phone_normalised

        return bool(
            self.phone_confirmed_at
            and self.phone_confirmed_number
            and phone_normalised(self.phone) == self.phone_confirmed_number
        )

    def get_short_name(self):
        return self.real_name


class OutgoingMail(models.Model):
    """One e-mail the portal queued, and whether it went out.

    Mail is sent by a Celery task so a page never waits on the mail server; this row is the
    task's input and its record, so a retried task never sends the same message twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class DocumentKind(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO_PERMIT = (
        "hk_macao_permit",
        _("Mainland Travel Permit for Hong Kong and Macao Residents"),
    )
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland Travel Permit for Taiwan Residents")


def identity_document_upload_to(instance, filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"identity/{uuid.uuid4().hex}.{suffix}"


class RealNameIdentity(models.Model):
    """A person's identity document (实名信息): the number kept encrypted with the identity key,
    a keyed hash of it for matching, and a masked form for display (portal/accounts/identity.py).
    The number itself is never shown again once recorded."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="identity", verbose_name=_("user")
    )
    document_kind = models.CharField(
        _("document kind"), max_length=20, choices=DocumentKind.choices
    )
    number_encrypted = models.TextField(_("number (encrypted)"))
    number_hash = models.CharField(_("number (keyed hash)"), max_length=64, db_index=True)
    number_masked = models.CharField(_("number (masked)"), max_length=40)
    document_image = models.ImageField(
        _("document image"),
        upload_to=identity_document_upload_to,
        storage=private_storage,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("real-name identity")
        verbose_name_plural = _("real-name identities")

    def __str__(self):
        return f"{self.get_document_kind_display()} {self.number_masked}"


class IdentityChange(models.Model):
    """One recording or change of a person's identity document: who, when, and the masked
    numbers before and after (never the numbers themselves)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="identity_changes", verbose_name=_("user")
    )
    document_kind = models.CharField(
        _("document kind"), max_length=20, choices=DocumentKind.choices
    )
    number_masked = models.CharField(_("number (masked)"), max_length=40)
    previous_masked = models.CharField(_("previous number (masked)"), max_length=40, blank=True)
    document_replaced = models.BooleanField(_("document image replaced"), default=False)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("identity change")
        verbose_name_plural = _("identity changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.number_masked}"


class PhoneCode(models.Model):
    """A confirmation code sent by SMS, kept only as a keyed hash (portal/accounts/phone.py)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="phone_codes", verbose_name=_("user")
    )
    phone = models.CharField(_("phone"), max_length=20)
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone confirmation code")
        verbose_name_plural = _("phone confirmation codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.phone[:3]}****{self.phone[-4:]}"
