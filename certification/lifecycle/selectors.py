"""Reading the lifecycle: renewal progress and the filing sheet."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.issuing.models import Certificate
from certification.lifecycle.models import ContinuingEducation
from courses import api as courses_api
from portal.accounts.provinces import Province


@dataclass(frozen=True)
class RenewalProgress:
    certificate_id: int
    hours_required: Decimal
    hours_from_courses: Decimal
    hours_external: Decimal
    since: datetime.date

    @property
    def hours_total(self) -> Decimal:
        return self.hours_from_courses + self.hours_external

    @property
    def enough(self) -> bool:
        return self.hours_total >= self.hours_required

    @property
    def percent(self) -> int:
        if not self.hours_required:
            return 100
        return min(100, int(self.hours_total * 100 / self.hours_required))


def renewal_progress(*, certificate: Certificate) -> RenewalProgress:
    """Continuing-education hours earned since the certificate was approved, against the rule."""
    since = certificate.issued_on
    from_courses = sum(
        (
            c.hours
            for c in courses_api.course_completions(user_id=certificate.holder_id)
            # The training that earned the certificate does not count towards renewing it.
            if c.completed_at > certificate.created_at
        ),
        Decimal("0"),
    )
    external = ContinuingEducation.objects.filter(
        holder_id=certificate.holder_id,
        status=ContinuingEducation.Status.APPROVED,
        completed_on__gte=since,
    ).aggregate(total=Sum("hours"))["total"] or Decimal("0")
    return RenewalProgress(
        certificate_id=certificate.pk,
        hours_required=certificate.level.renewal_hours,
        hours_from_courses=from_courses,
        hours_external=external,
        since=since,
    )


def filing_columns() -> list[tuple[str, int]]:
    """(header, column width) of the filing sheet, in the active language, in row order."""
    return [
        (str(_("Certificate number")), 22),
        (str(_("Name")), 12),
        (str(_("Level")), 18),
        (str(_("Issuing body")), 30),
        (str(_("Numbering body")), 30),
        (str(_("Issued on")), 12),
        (str(_("Valid until")), 12),
        (str(_("Filing status")), 10),
        (str(_("Filed at")), 18),
        (str(_("Filing reference")), 22),
        (str(_("Holder's province")), 14),
    ]


def filing_row(certificate: Certificate) -> list:
    """One certificate as a row of the filing sheet (labels in the active language)."""
    filed_at = certificate.filed_at
    if filed_at is not None:
        filed_at = timezone.localtime(filed_at).replace(tzinfo=None, microsecond=0)
    province = certificate.holder.province
    return [
        certificate.number,
        certificate.printed_name,
        certificate.level_name,
        certificate.body_name,
        certificate.numbering_body.name,
        certificate.issued_on,
        certificate.valid_until,
        str(certificate.get_filing_status_display()),
        filed_at,
        certificate.filing_reference,
        str(Province(province).label) if province in Province.values else "",
    ]


def filing_rows(certificates: Iterable[Certificate], *, chunk_size: int = 2000) -> Iterator[list]:
    """``filing_row`` for each certificate of a queryset, read ``chunk_size`` at a time."""
    if hasattr(certificates, "iterator"):
        certificates = certificates.select_related("numbering_body", "holder").iterator(
            chunk_size=chunk_size
        )
    for certificate in certificates:
        yield filing_row(certificate)
