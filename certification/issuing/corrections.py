"""Correcting an issued certificate without revoking it: a later version of the same award.

A printed name with a typo, or the wrong photo, is not a reason to take a certificate away.
A certifier of the issuing body re-issues it: the new version keeps the award (number lineage,
level, body, issue date, validity, what was required) and carries the corrected name or photo;
its number is the original's with ``-V<n>`` (``GD-J-2026-000123`` → ``GD-J-2026-000123-V2``,
see docs/decisions). The old version stays on record, superseded (not revoked) and pointing to
the new one once the new PDF and credential exist. The holder is told, and the audit log keeps
who corrected what and why. Nobody corrects their own certificate.

The same act re-issues an imported record (certification/imports) once its holder has claimed
it: the body chooses to make it a portal certificate, with a PDF, a signed credential and a
status-list bit, numbered ``<original number>-V2``; the record stays, superseded by it. Its
statement claims no training or exam the portal did not see.
"""

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.access import is_own, may_certify
from certification.applications.models import Application
from certification.applications.services import printed_name_clean
from certification.audit.chain import audit_append
from certification.credentials.status import status_bits_allocate
from certification.errors import CertificationError
from certification.files import evidence_check
from certification.issuing.models import Certificate
from certification.issuing.pdf import photo_for_print
from certification.issuing.services import (
    certificate_complete_enqueue,
    photo_copy,
    photos_dropped_on_failure,
)
from certification.issuing.statement import REISSUE_REQUIREMENTS
from certification.mail import notify
from portal.accounts.storage import private_storage, unguessable_name

logger = logging.getLogger(__name__)

PHOTO_KEEP = "keep"
PHOTO_ACCOUNT = "account"
PHOTO_UPLOAD = "upload"
PHOTO_REMOVE = "remove"
PHOTO_CHOICES = (PHOTO_KEEP, PHOTO_ACCOUNT, PHOTO_UPLOAD, PHOTO_REMOVE)

VERSION_SEPARATOR = "-V"


def lineage_root(certificate: Certificate) -> Certificate:
    """The first version of the award ``certificate`` belongs to."""
    seen = set()
    while certificate.corrects_id and certificate.pk not in seen:
        seen.add(certificate.pk)
        certificate = Certificate.objects.get(pk=certificate.corrects_id)
    return certificate


def is_imported(certificate: Certificate) -> bool:
    return getattr(certificate, "origin", Certificate.Origin.PORTAL) == Certificate.Origin.IMPORTED


def next_version(certificate: Certificate) -> int:
    """The version the next correction of ``certificate``'s award gets. A portal certificate's
    versions share its numbering sequence; an imported record has none, so its lineage is
    found by number (the original number, then ``-V2``, ``-V3``...)."""
    if certificate.sequence is None:
        root = lineage_root(certificate).number
        versions = Certificate.objects.filter(
            Q(number=root) | Q(number__startswith=f"{root}{VERSION_SEPARATOR}"),
            body_id=certificate.body_id,
        ).values_list("version", flat=True)
    else:
        versions = Certificate.objects.filter(
            numbering_body_id=certificate.numbering_body_id,
            level_id=certificate.level_id,
            year=certificate.year,
            sequence=certificate.sequence,
        ).values_list("version", flat=True)
    return max(versions, default=1) + 1


def version_number(root_number: str, version: int) -> str:
    """The number of a later version: the first version's number with ``-V<version>``."""
    return root_number if version <= 1 else f"{root_number}{VERSION_SEPARATOR}{version}"


def correction_refusal(certificate: Certificate, actor) -> str:
    """Why ``actor`` may not correct ``certificate`` now ("" when they may)."""
    if not may_certify(actor, certificate.body_id):
        return _("You do not act for the body that issued this certificate.")
    if is_own(actor, certificate.holder_id):
        return _("You cannot correct your own certificate. Another certifier of %(body)s must.") % {
            "body": certificate.body_name
        }
    if is_imported(certificate) and certificate.holder_id is None:
        return _(
            "Nobody has claimed this imported record yet. A re-issued certificate names its "
            "holder's account, so the holder must claim it first."
        )
    if certificate.status == Certificate.Status.PENDING:
        return _("This certificate is still being issued; try again shortly.")
    if certificate.status == Certificate.Status.REVOKED:
        return _("A revoked certificate cannot be corrected.")
    if certificate.status == Certificate.Status.SUPERSEDED:
        return _("This version has been replaced; correct the latest version instead.")
    if certificate.effective_status() == Certificate.Status.EXPIRED:
        return _("An expired certificate cannot be corrected; it can be renewed.")
    if certificate.corrections.filter(status=Certificate.Status.PENDING).exists():
        return _("A corrected version of this certificate is already being issued.")
    return ""


def _photo_for(certificate: Certificate, choice: str, upload) -> str:
    """Store the photo the new version prints and return its name ("" for none). Done before
    any lock is taken; the caller deletes it if the correction then fails."""
    if choice == PHOTO_REMOVE:
        return ""
    if choice == PHOTO_ACCOUNT:
        name = photo_copy(certificate.holder)
        if not name:
            raise CertificationError(_("The holder's account has no readable photo to use."))
        return name
    if choice == PHOTO_UPLOAD:
        if upload is None:
            raise CertificationError(_("Choose the photo file to print."))
        content_type = evidence_check(upload)
        if not content_type.startswith("image/"):
            raise CertificationError(_("The photo must be a JPEG, PNG or WebP picture."))
        upload.seek(0)
        jpeg = photo_for_print(upload.read())
    else:  # keep: the same picture, in a file of its own (each version owns its files)
        if not certificate.photo:
            return ""
        try:
            with certificate.photo.open("rb") as handle:
                jpeg = handle.read()
        except OSError:
            jpeg = None
    if jpeg is None:
        raise CertificationError(_("The photo could not be read. Upload a clear picture."))
    return private_storage().save(
        unguessable_name("certification/photos", "jpg"), ContentFile(jpeg)
    )


def certificate_correct(
    *,
    certificate_id: int,
    actor,
    printed_name: str,
    reason: str,
    photo: str = PHOTO_KEEP,
    upload=None,
) -> Certificate:
    """Re-issue ``certificate_id`` as its next version with the corrected name or photo.

    Returns the new certificate, pending until its PDF and credential are made (then the old
    version is superseded by it; see ``certificates_mark_issued``). Refused, with nothing
    changed, when the actor may not, nothing changes, or a reason is missing."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificationError(_("Say why the certificate is corrected; it is kept on record."))
    if photo not in PHOTO_CHOICES:
        raise CertificationError(_("Choose what to do with the photo."))
    printed_name = printed_name_clean(printed_name)
    old = Certificate.objects.select_related("holder").get(pk=certificate_id)
    refusal = correction_refusal(old, actor)
    if refusal:
        raise CertificationError(refusal)
    if printed_name == old.printed_name and photo == PHOTO_KEEP and not is_imported(old):
        raise CertificationError(
            _("Nothing would change: correct the printed name or choose another photo.")
        )
    photo_name = _photo_for(old, photo, upload)
    with photos_dropped_on_failure([photo_name]), transaction.atomic():
        old = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("application", "holder", "level")
            .get(pk=certificate_id)
        )
        refusal = correction_refusal(old, actor)  # again, under the lock
        if refusal:
            raise CertificationError(refusal)
        root = lineage_root(old)
        version = next_version(old)
        now = timezone.now()
        source = old.application  # None for an imported record
        # A certificate belongs to one application; the correction is recorded as one,
        # already decided (the award was decided before; this is the certifier's act).
        application = Application.objects.create(
            applicant_id=old.holder_id,
            level_id=old.level_id,
            body_id=old.body_id,
            course_id=source.course_id if source else None,
            status=Application.Status.ISSUED,
            printed_name=printed_name,
            experience_years=source.experience_years if source else 0,
            experience_note=source.experience_note if source else "",
            checklist=source.checklist if source else {},
            decision_reason=reason,
            reviewer=actor,
            submitted_at=source.submitted_at if source else now,
            decided_at=now,
        )
        status_list, index = status_bits_allocate(body=old.body)[0]
        new = Certificate(
            number=version_number(root.number, version),
            numbering_body_id=old.numbering_body_id,
            year=old.year,
            sequence=old.sequence,
            version=version,
            corrects=old,
            correction_reason=reason,
            body_id=old.body_id,
            level_id=old.level_id,
            holder_id=old.holder_id,
            application=application,
            printed_name=printed_name,
            level_name=old.level_name,
            level_name_en=old.level_name_en,
            track_name=old.track_name,
            body_name=old.body_name,
            issued_on=old.issued_on,
            valid_until=old.valid_until,
            held_since=old.held_since,
            requirements=old.requirements or (REISSUE_REQUIREMENTS if is_imported(old) else {}),
            recipient_salt=old.recipient_salt,
            holder_id_hash=old.holder_id_hash,
            status_list=status_list,
            status_index=index,
            filing_status=(
                Certificate.Filing.PENDING
                if old.filing_status != Certificate.Filing.NOT_REQUIRED
                else Certificate.Filing.NOT_REQUIRED
            ),
        )
        new.photo.name = photo_name
        new.save()
        changes = {}
        if printed_name != old.printed_name:
            changes["name_from"], changes["name_to"] = old.printed_name, printed_name
        if photo != PHOTO_KEEP:
            changes["photo"] = photo
        reissue = is_imported(old)
        audit_append(
            actor=actor,
            action="certificate.reissued" if reissue else "certificate.corrected",
            obj=old,
            data={"new_number": new.number, "version": version, "reason": reason, **changes},
        )
        if reissue:
            subject = _("Your certificate %(number)s is being re-issued") % {"number": old.number}
            line = _(
                "%(body)s is re-issuing your earlier certificate through the portal, with a PDF "
                "and a signed digital credential. The re-issued version is %(new)s; the "
                "imported record stays on record as replaced by it."
            )
        else:
            subject = _("Your certificate %(number)s is being corrected") % {"number": old.number}
            line = _(
                "%(body)s is re-issuing your certificate with a correction. The corrected "
                "version is %(new)s; the earlier one stays on record as replaced by it."
            )
        notify(
            old.holder,
            subject,
            [
                line % {"body": old.body_name, "new": new.number},
                _("Reason: %(reason)s") % {"reason": reason},
            ],
        )
        transaction.on_commit(lambda: certificate_complete_enqueue(new.pk))
    return new
