"""The public face of a certificate: what anyone may see when they check a number."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.issuing.models import Certificate


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone may learn about a certificate from its number."""

    number: str
    holder_name_masked: str
    level: str
    level_en: str
    track: str
    body: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    status: str
    status_label: str
    revoked_at: datetime.datetime | None = None
    # The public label of the revocation's code; the certifier's note is never read here.
    revocation_code: str = ""
    revocation_reason: str = ""
    superseded_by: str = ""
    # The replacement is a corrected version of the same award (issuing/corrections.py), not
    # a renewal.
    superseded_by_correction: bool = False
    pdf_sha256: str = ""
    filing_status: str = ""
    links: dict = field(default_factory=dict)
    # An imported record (certification/imports): when, and by whom in public terms (the body's
    # certifiers or the portal's administrators); it has no PDF or credential of the portal's.
    origin: str = "portal"
    imported_on: datetime.date | None = None
    imported_by: str = ""
    # The kind of body that issued it: "national", "provincial" or "base" (a training base):
    # a registrar's certificate, say, is a national or a provincial one by its issuer.
    body_kind: str = ""

    @property
    def is_imported(self) -> bool:
        return self.origin == "imported"

    @property
    def scope_label(self) -> str:
        return str(ISSUER_SCOPES.get(self.body_kind, ""))


ISSUER_SCOPES = {
    "national": gettext_lazy("national certificate"),
    "provincial": gettext_lazy("provincial certificate"),
    "base": gettext_lazy("issued by a training base"),
}


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, Li Wei → L** W**: enough to recognise, not to harvest."""
    name = name.strip()
    if not name:
        return ""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in parts)
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


PUBLIC_CERTIFICATE_FIELDS = (
    "number",
    "printed_name",
    "level_name",
    "level_name_en",
    "track_name",
    "body_name",
    "issued_on",
    "valid_until",
    "status",
    "revoked_at",
    "revocation_code",
    "pdf_sha256",
    "filing_status",
    "origin",
)


def public_certificate(*, number: str) -> PublicCertificate | None:
    """The public facts of an issued certificate, or None for an unknown or unfinished one."""
    # The busiest query of the public site (every QR code scan): only the columns shown, the
    # replacement's number alone, and no ordering for a lookup by a unique number.
    certificate = next(
        iter(
            Certificate.objects.exclude(status=Certificate.Status.PENDING)
            .filter(number=number)
            .annotate(
                superseded_by_number=F("superseded_by__number"),
                superseded_by_corrects=F("superseded_by__corrects_id"),
                imported_at=F("import_batch__created_at"),
                imported_as=F("import_batch__imported_as"),
                body_kind=F("body__kind"),
            )
            .only(*PUBLIC_CERTIFICATE_FIELDS)
            .order_by()[:1]
        ),
        None,
    )
    if certificate is None:
        return None
    status = certificate.effective_status()
    revocation_code = ""
    if certificate.status == Certificate.Status.REVOKED:
        revocation_code = certificate.revocation_code or Certificate.RevocationCode.OTHER
    return PublicCertificate(
        number=certificate.number,
        holder_name_masked=mask_name(certificate.printed_name),
        level=certificate.level_name,
        level_en=certificate.level_name_en,
        track=certificate.track_name,
        body=certificate.body_name,
        issued_on=certificate.issued_on,
        valid_until=certificate.valid_until,
        status=status,
        status_label=str(Certificate.Status(status).label),
        revoked_at=certificate.revoked_at,
        revocation_code=revocation_code,
        revocation_reason=(
            str(Certificate.RevocationCode(revocation_code).label) if revocation_code else ""
        ),
        superseded_by=certificate.superseded_by_number or "",
        superseded_by_correction=bool(certificate.superseded_by_corrects),
        pdf_sha256=certificate.pdf_sha256,
        filing_status=certificate.filing_status,
        body_kind=certificate.body_kind or "",
        **_imported(certificate),
    )


def _imported(certificate) -> dict:
    if certificate.origin != Certificate.Origin.IMPORTED:
        return {}
    from certification.imports.models import ImportBatch

    if certificate.imported_as == ImportBatch.ImportedAs.ADMINISTRATOR:
        by = _("the portal's administrators")
    else:
        by = _("a certifier of %(body)s") % {"body": certificate.body_name}
    return {
        "origin": certificate.origin,
        "imported_on": (
            timezone.localdate(certificate.imported_at) if certificate.imported_at else None
        ),
        "imported_by": str(by),
    }
