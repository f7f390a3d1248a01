"""The certifier's identity check: compare the applicant's identity document with the name to
print and the photo, confirm it at approval, and keep what was checked on the certificate.

The real-name details themselves (number, document image, hashes) belong to
``portal.accounts.identity``; this module only reads them through its functions.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from certification.applications.models import Application
from certification.audit.chain import audit_append
from certification.errors import CertificationError


def _identity():
    # Imported when used: accounts is the floor layer, and this keeps certification's modules
    # loadable on their own (migrations, checks) whatever accounts holds.
    from portal.accounts import identity

    return identity


def identity_of(user):
    """The applicant's real-name details as shown to a certifier (kind, masked number, whether
    a document image is on record), or None."""
    return _identity().identity_summary(user)


def identity_check_record(application: Application, actor, *, identity_checked: bool) -> None:
    """Record, inside the approving transaction, that ``actor`` checked the applicant's identity.

    A level that requires the check is refused without the explicit confirmation, and for an
    applicant with no real-name details on record; a confirmation with nothing on record to
    check is refused too. Refusals raise ``CertificationError`` before anything is written."""
    level = application.level
    if not level.requires_identity_check and not identity_checked:
        return
    summary = identity_of(application.applicant)
    if summary is None:
        if level.requires_identity_check:
            raise CertificationError(
                _(
                    "%(level)s requires an identity check, and %(name)s has no real-name "
                    "details on record. Return the application so that they can add them."
                )
                % {"level": level.name, "name": application.printed_name}
            )
        raise CertificationError(
            _("%(name)s has no real-name details on record: there is no identity to check.")
            % {"name": application.printed_name}
        )
    if not identity_checked:
        raise CertificationError(
            _(
                "%(level)s requires an identity check. Compare the identity document with the "
                "name to print and the photo, then tick “I have checked the identity” and "
                "approve again."
            )
            % {"level": level.name}
        )
    application.identity_checked_by = actor
    application.identity_checked_at = timezone.now()
    application.save(update_fields=["identity_checked_by", "identity_checked_at"])
    audit_append(
        actor=actor,
        action="application.identity_checked",
        obj=application,
        # The kind of document only: the number, even masked, stays out of the log.
        data={"document_kind": str(summary.kind), "document_image": summary.has_document},
    )


def identity_check_clear(application: Application) -> None:
    """Forget an earlier check (the application goes back to the applicant); unsaved."""
    application.identity_checked_by = None
    application.identity_checked_at = None


def checked_identity_hash(application: Application) -> str:
    """The keyed hash of the identity number checked at this approval, for the certificate;
    "" when no identity was checked."""
    if application.identity_checked_at is None:
        return ""
    identity = _identity()
    try:
        number = identity.identity_number(application.applicant)
    except identity.IdentityKeyError as exc:
        raise CertificationError(
            _(
                "The identity details on record cannot be read with this server's identity "
                "key. An administrator must correct the key before this can be approved."
            )
        ) from exc
    if not number:
        return ""
    return identity.identity_hash(number)


IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_for_review(field):
    """A stored image and its content type, or None when there is none (or it is not an image
    a browser may show inline)."""
    if not field:
        return None
    suffix = field.name.rsplit(".", 1)[-1].lower() if "." in field.name else ""
    content_type = IMAGE_TYPES.get(suffix)
    if content_type is None:
        return None
    return field, content_type


def identity_document_for_review(user):
    """The stored identity document image and its content type, or None."""
    return image_for_review(_identity().identity_document(user))
