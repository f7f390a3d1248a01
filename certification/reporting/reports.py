"""Figures for the authorities' reports (read by portal/reports through the api)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel, CertifyingBody
from portal.accounts.provinces import Province


@dataclass(frozen=True)
class CertifyingBodySummary:
    """A certifying body as a report's choice list shows it."""

    body_id: int
    code: str
    name: str
    kind: str
    is_active: bool


@dataclass(frozen=True)
class IssuedGroup:
    """How many certificates one body issued at one level to holders of one province."""

    body_id: int
    body_code: str
    body_name: str
    level_code: str
    level_name: str
    province: str  # GB/T 2260 code; "" when the holder gave none
    first_issues: int
    renewals: int

    @property
    def total(self) -> int:
        return self.first_issues + self.renewals


def certifying_bodies_all() -> list[CertifyingBodySummary]:
    """Every certifying body, national first, then provincial, then training bases (one query)."""
    order = {CertifyingBody.Kind.NATIONAL: 0, CertifyingBody.Kind.PROVINCIAL: 1}
    bodies = [
        CertifyingBodySummary(
            body_id=body.pk,
            code=body.code,
            name=body.name,
            kind=body.kind,
            is_active=body.is_active,
        )
        for body in CertifyingBody.objects.only("pk", "code", "name", "kind", "is_active")
    ]
    return sorted(bodies, key=lambda b: (order.get(b.kind, 2), b.code))


def _issued_in(date_from: datetime.date, date_to: datetime.date):
    """Certificates issued in the period: every status but "being issued" (pending)."""
    return Certificate.objects.filter(issued_on__gte=date_from, issued_on__lte=date_to).exclude(
        status=Certificate.Status.PENDING
    )


def certificates_issued_groups(
    *, date_from: datetime.date, date_to: datetime.date, body_id: int | None = None
) -> list[IssuedGroup]:
    """Certificates issued in the period, counted per issuing body, level and the holder's
    province, first awards and renewals apart (three queries). Revoked, expired and superseded
    certificates still count: they were issued in the period."""
    issued = _issued_in(date_from, date_to)
    if body_id is not None:
        issued = issued.filter(body_id=body_id)
    counts = list(
        issued.order_by()
        # An imported certificate nobody has claimed counts in the province the import gave.
        .annotate(province=Coalesce(F("holder__province"), F("imported_holder__province")))
        .values_list("body_id", "level_id", "province")
        .annotate(
            first=Count("pk", filter=Q(application__renews__isnull=True)),
            renewed=Count("pk", filter=Q(application__renews__isnull=False)),
        )
    )
    bodies = {
        b.pk: b
        for b in CertifyingBody.objects.filter(pk__in={row[0] for row in counts}).only(
            "pk", "code", "name", "kind"
        )
    }
    levels = {
        level.pk: level
        for level in CertificationLevel.objects.filter(
            pk__in={row[1] for row in counts}
        ).select_related("track")
    }
    kind_order = {CertifyingBody.Kind.NATIONAL: 0, CertifyingBody.Kind.PROVINCIAL: 1}
    province_order = {code: index for index, code in enumerate(Province.values)}

    def sort_key(row):
        body, level = bodies[row[0]], levels[row[1]]
        return (
            kind_order.get(body.kind, 2),
            body.code,
            level.track.sort_order,
            level.rank,
            level.pk,
            province_order.get(row[2] or "", len(province_order)),
        )

    return [
        IssuedGroup(
            body_id=body_pk,
            body_code=bodies[body_pk].code,
            body_name=bodies[body_pk].name,
            level_code=levels[level_pk].code,
            level_name=levels[level_pk].name,
            province=province or "",
            first_issues=first,
            renewals=renewed,
        )
        for body_pk, level_pk, province, first, renewed in sorted(counts, key=sort_key)
    ]


def filing_report_certificates(
    *, date_from: datetime.date, date_to: datetime.date, body_id: int | None = None
):
    """Certificates of centrally filed levels (intermediate and senior) issued in the period,
    whether filed yet or not, in issue order; ``body_id`` keeps those the body issued or
    numbered. Certificates still being issued are left out."""
    certificates = _issued_in(date_from, date_to).exclude(
        filing_status=Certificate.Filing.NOT_REQUIRED
    )
    if body_id is not None:
        certificates = certificates.filter(Q(body_id=body_id) | Q(numbering_body_id=body_id))
    return certificates.order_by("issued_on", "pk")
