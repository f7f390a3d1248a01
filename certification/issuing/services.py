"""Issuing: approving an application makes a certificate; the slow work (PDF, signed credential)
runs in ``certificate_complete``, which Celery calls and which is safe to run any number of times.
"""

import contextlib
import datetime
import hashlib
import logging
import secrets

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from certification import signals
from certification.access import approval_refusal, needs_two
from certification.applications.checklist import checklist, unmet
from certification.applications.identity import checked_identity_hash, identity_check_record
from certification.applications.models import Application
from certification.applications.services import decidable, person_label
from certification.audit.chain import audit_append, audit_append_many
from certification.credentials.services import certificate_credential
from certification.credentials.status import status_bits_allocate
from certification.dates import add_months
from certification.errors import CertificationError
from certification.issuing.models import Certificate
from certification.issuing.numbers import number_format, numbering_body_for, numbers_allocate
from certification.issuing.pdf import CertificatePrint, certificate_pdf, photo_for_print
from certification.issuing.statement import (
    certificate_statement,
    requirements_snapshot,
)
from certification.levels.models import CertificationLevel, CertifyingBody
from certification.links import verify_url
from portal.accounts.storage import private_storage, unguessable_name

logger = logging.getLogger(__name__)


def _valid_until(level: CertificationLevel, issued_on: datetime.date) -> datetime.date | None:
    """The last day a certificate issued on ``issued_on`` is valid; None if it never expires.

    A validity running past the end of the calendar (only possible in a level saved before its
    field was limited) refuses the approval instead of inventing a date."""
    if not level.validity_years:
        return None
    try:
        return add_months(issued_on, 12 * level.validity_years) - datetime.timedelta(days=1)
    except OverflowError as exc:
        raise CertificationError(
            _(
                "%(level)s is set to be valid for %(years)d years, which is more than a "
                "certificate can be. An administrator must correct the level first."
            )
            % {"level": level.name, "years": level.validity_years}
        ) from exc


def photo_copy(user) -> str:
    """Store the holder's photo for the certificate and return its name ("" if none).

    Frozen at approval, as the certificate will print it (upright, cropped, at print
    resolution; a photo already so is copied as it is), so later profile changes never reach
    the certificate and rendering never decodes a picture. Called before any lock is taken:
    decoding and writing a file should not hold up other approvals."""
    if not user.photo:
        return ""
    try:
        with user.photo.open("rb") as handle:
            jpeg = photo_for_print(handle.read())
    except OSError:
        jpeg = None
    if jpeg is None:
        logger.warning("Photo of user %s is missing or unreadable", user.pk)
        return ""
    return private_storage().save(
        unguessable_name("certification/photos", "jpg"), ContentFile(jpeg)
    )


def certificate_new(
    application: Application, *, numbering: CertifyingBody, sequence: int, bit, today, photo: str
) -> Certificate:
    """The unsaved certificate an approval makes: number, status bit and the snapshot."""
    level, body, renews = application.level, application.body, application.renews
    status_list, index = bit
    certificate = Certificate(
        number=number_format(body=numbering, level=level, year=today.year, sequence=sequence),
        numbering_body=numbering,
        year=today.year,
        sequence=sequence,
        body=body,
        level=level,
        holder_id=application.applicant_id,
        application=application,
        printed_name=application.printed_name,
        level_name=level.name,
        level_name_en=level.name_en,
        track_name=level.track.name,
        body_name=body.name,
        issued_on=today,
        valid_until=_valid_until(level, today),
        held_since=renews.held_since if renews else today,
        # What the level asked for, so the statement printed and signed stays as issued; a
        # renewal says what the certificate it renews said.
        requirements=(renews.requirements if renews else None) or requirements_snapshot(level),
        recipient_salt=secrets.token_hex(8),
        holder_id_hash=checked_identity_hash(application),
        status_list=status_list,
        status_index=index,
        filing_status=(
            Certificate.Filing.PENDING if level.central_filing else Certificate.Filing.NOT_REQUIRED
        ),
    )
    certificate.photo.name = photo
    return certificate


@contextlib.contextmanager
def photos_dropped_on_failure(names):
    """Delete the photo copies made for approvals that then did not happen."""
    try:
        yield
    except BaseException:
        for name in filter(None, names):
            private_storage().delete(name)
        raise


def application_approve(
    *,
    application_id: int,
    actor,
    enqueue: bool = True,
    recheck: bool = True,
    identity_checked: bool = False,
) -> Certificate:
    """Approve: allocate the number and create the certificate with its snapshot.

    The number is taken inside this transaction, so a failure gives it back and numbers stay
    gap-free. The PDF and signed credential are made afterwards by ``certificate_complete``.

    For a level approved by two people this is the confirmation: the application must carry a
    first approval (``application_approve_first``) given by someone else.

    A level that requires an identity check needs ``identity_checked``: the approving
    certifier confirms they compared the identity document (``identity_check_record``); the
    certificate keeps the hash of the number checked.
    """
    applicant = Application.objects.select_related("applicant").get(pk=application_id).applicant
    photo = photo_copy(applicant)
    with photos_dropped_on_failure([photo]), transaction.atomic():
        application = decidable(application_id, actor)
        level, body = application.level, application.body
        first_approval = {}
        if needs_two(application):
            if application.status != Application.Status.AWAITING_CONFIRMATION:
                raise CertificationError(
                    _(
                        "%(level)s is approved by two certifiers: give the first approval; a "
                        "different certifier of %(body)s then confirms it."
                    )
                    % {"level": level.name, "body": body.name}
                )
            refusal = approval_refusal(application, actor)
            if refusal:
                raise CertificationError(refusal)
            first_approval = {"first_approval": person_label(application.first_approved_by)}
        if recheck:
            result = checklist(
                user_id=application.applicant_id, level=level, application=application
            )
            if not result.met:
                raise CertificationError(unmet(result))
        identity_check_record(application, actor, identity_checked=identity_checked)
        numbering = numbering_body_for(body=body, level=level)
        today = timezone.localdate()
        certificate = certificate_new(
            application,
            numbering=numbering,
            sequence=numbers_allocate(body=numbering, level=level, year=today.year),
            bit=status_bits_allocate(body=body)[0],
            today=today,
            photo=photo,
        )
        certificate.save()
        application.status = Application.Status.APPROVED
        application.reviewer = actor
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "reviewer", "decided_at"])
        audit_append(
            actor=actor,
            action="application.approved",
            obj=application,
            data={"certificate": certificate.number, **first_approval},
        )
        if enqueue:
            transaction.on_commit(lambda: certificate_complete_enqueue(certificate.pk))
    return certificate


def certificate_complete_enqueue(certificate_id: int) -> None:
    from certification.tasks import certificate_complete_task

    try:
        certificate_complete_task.delay(certificate_id)
    except Exception:
        # The pending sweep picks it up; the approval itself stands.
        logger.exception("Could not queue certificate %s; the sweep will retry", certificate_id)


def _file_bytes(field) -> bytes | None:
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


# What rendering and signing a certificate read besides the certificate row itself.
PRINT_RELATED = (
    "body",
    "level",
    "level__track",
    "holder",
    "status_list__signing_key",
    "status_list__body",
)


def certificate_print(certificate: Certificate) -> CertificatePrint:
    body = certificate.body
    statement = certificate_statement(certificate)
    return CertificatePrint(
        number=certificate.number,
        holder_name=certificate.printed_name,
        holder_photo=_file_bytes(certificate.photo),
        track_name=certificate.track_name,
        level_name=certificate.level_name,
        level_name_en=certificate.level_name_en,
        body_name=certificate.body_name,
        signatory_name=body.signatory_name,
        signatory_title=body.signatory_title,
        seal_image=_body_image(body, "seal"),
        signature_image=_body_image(body, "signature"),
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        verify_url=verify_url(certificate.number),
        statement_zh=statement[0],
        statement_en=statement[1],
    )


_body_images: dict[tuple[int, str, str], bytes | None] = {}


def _body_image(body: CertifyingBody, kind: str) -> bytes | None:
    """A body's seal or signature, read once per process per file name."""
    field = getattr(body, kind)
    cache_key = (body.pk, kind, field.name or "")
    if cache_key not in _body_images:
        _body_images[cache_key] = _file_bytes(field)
    return _body_images[cache_key]


def certificate_complete(*, certificate_id: int) -> Certificate:
    """Render, store and sign a pending certificate, then mark it valid. Safe to repeat.

    Raises what stopped it (the error is also kept on the certificate for the certifiers)."""
    failures = certificates_complete(certificate_ids=[certificate_id])
    if failures:
        raise failures[certificate_id]
    return Certificate.objects.get(pk=certificate_id)


def certificates_complete(*, certificate_ids) -> dict[int, Exception]:
    """Finish pending certificates: for each, the PDF rendered and stored, the credential
    signed; then all of them marked valid in one go. Returns those that failed, and why.

    Everything happens under the certificates' row locks: a second delivery of the same work
    skips what another worker holds (``skip_locked``) and what is already valid, so there is
    never a second file or a second credential. The PDF is stored privately under a keyed hash
    of the number (``certificate_pdf_name``); a file left there by a worker that died before
    committing is replaced, the files written for a batch that then fails to commit are
    deleted, and a valid certificate's file is never touched. Nothing is marked
    issued until the PDF and the credential both exist.
    """
    failures: dict[int, Exception] = {}
    made = []
    try:
        with transaction.atomic():
            pending = (
                Certificate.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related(*PRINT_RELATED, "application", "holder__identity")
                .filter(pk__in=list(certificate_ids), status=Certificate.Status.PENDING)
                .order_by("pk")
            )
            for certificate in pending:
                try:
                    made.append(_certificate_make(certificate))
                except Exception as exc:
                    logger.exception("Certificate %s could not be made", certificate.pk)
                    failures[certificate.pk] = exc
            certificates_mark_issued(made)
    except BaseException:
        for certificate in made:
            private_storage().delete(certificate.pdf.name)
        raise
    for certificate_id, exc in failures.items():
        Certificate.objects.filter(pk=certificate_id, status=Certificate.Status.PENDING).update(
            issue_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
    return failures


def certificate_pdf_name(certificate: Certificate) -> str:
    """Where a certificate's PDF is stored: a name nobody can derive from its number without
    the server's SECRET_KEY (a keyed hash), yet the same for every attempt at the same
    certificate, so a file left by a worker that died before committing is replaced, never
    kept beside the real one."""
    digest = salted_hmac(
        "certification.certificate-pdf", f"{certificate.pk}:{certificate.number}"
    ).hexdigest()
    return f"certification/certificates/{digest[:32]}.pdf"


def _certificate_make(certificate: Certificate) -> Certificate:
    pdf_bytes = certificate_pdf(certificate_print(certificate))
    certificate.credential = certificate_credential(certificate)
    name = certificate_pdf_name(certificate)
    storage = private_storage()
    if storage.exists(name):  # left by a worker that died before its commit
        storage.delete(name)
    certificate.pdf.name = storage.save(name, ContentFile(pdf_bytes))
    certificate.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    return certificate


ISSUED_FIELDS = ["pdf", "pdf_sha256", "credential", "status", "issued_at", "issue_error"]


def rows_update(instances: list, field_names: list[str]) -> None:
    """Save ``field_names`` of many rows of one model: one parametrised UPDATE run for each
    row in a single ``executemany`` (pipelined by psycopg). ``bulk_update`` builds a CASE
    expression per field and row, which costs more Python than the rows' PDFs' storage."""
    model = type(instances[0])
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Only quoted names from the model's metadata are formatted in; every value is a parameter.
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
        + [instance.pk]
        for instance in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def certificates_mark_issued(certificates: list[Certificate]) -> None:
    """Mark made certificates valid, their applications issued; audit; tell the holders."""
    if not certificates:
        return
    now = timezone.now()
    for certificate in certificates:
        certificate.status = Certificate.Status.VALID
        certificate.issued_at = now
        certificate.issue_error = ""
    rows_update(certificates, ISSUED_FIELDS)
    Application.objects.filter(pk__in=[c.application_id for c in certificates]).update(
        status=Application.Status.ISSUED
    )
    audit = []
    for certificate in certificates:
        audit.append(
            (
                "certificate.issued",
                certificate,
                {"number": certificate.number, "pdf_sha256": certificate.pdf_sha256},
            )
        )
        if certificate.application.renews_id:
            audit.append(_supersede(old_id=certificate.application.renews_id, new=certificate))
        if certificate.corrects_id:  # a corrected version (issuing/corrections.py)
            audit.append(_supersede(old_id=certificate.corrects_id, new=certificate))
    # The holders hear of it in their own language, by the e-mails they chose (portal); a
    # chunk of a class run is told in one go.
    issued = [
        {
            "user_id": certificate.holder_id,
            "certificate_id": certificate.pk,
            "number": certificate.number,
            "level_name": certificate.level_name,
        }
        for certificate in certificates
    ]
    if len(issued) == 1:
        signals.after_commit(signals.certificate_issued, **issued[0])
    else:
        signals.after_commit(signals.certificates_issued, certificates=issued)
    audit_append_many(actor=None, entries=[entry for entry in audit if entry])


def _supersede(*, old_id: int, new: Certificate):
    """Mark the renewed certificate superseded; returns its audit entry to append, or None."""
    old = Certificate.objects.select_for_update(of=("self",)).get(pk=old_id)
    if old.status in (Certificate.Status.REVOKED, Certificate.Status.SUPERSEDED):
        return None
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_by = new
    old.superseded_at = timezone.now()
    old.save(update_fields=["status", "superseded_by", "superseded_at"])
    return ("certificate.superseded", old, {"by": new.number})


def certificates_pending_stale(*, older_than=datetime.timedelta(minutes=2)) -> list[int]:
    """Pending certificates nobody finished (a dead worker, a storage outage)."""
    cutoff = timezone.now() - older_than
    return list(
        Certificate.objects.filter(
            status=Certificate.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
