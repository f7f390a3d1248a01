"""Reads: the public registry of certified talent, and a holder's own standing in it.

Who appears is decided here, on every request, from the certificates themselves: a person
is shown while they have chosen to be listed AND hold a certificate in force today (status
``valid`` and not past ``valid_until``, exactly ``Certificate.effective_status() == "valid"``).
Expiry needs no nightly sweep and revocation no extra write to take someone out.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel
from certification.registry.models import RegistryListing
from portal.accounts.provinces import Province


@dataclass(frozen=True)
class RegistryEntry:
    """What the public registry shows of one listed person. No account e-mail or phone; the
    name is the one printed on the certificate shown."""

    name: str
    province: str
    province_label: str
    level: str
    certificate_number: str
    organisation: str
    specialties: tuple[str, ...]
    public_contact: str
    level_en: str = ""  # the level's English name, for English pages
    # Shown only where the person opted in (``RegistryListing.show_filing``).
    filed: bool = False
    grade: str = ""
    grade_label: str = ""
    grade_year: int | None = None
    # Published recognition awards (certification/recognition): the round and its number.
    awards: tuple = ()


def certificates_in_force(*, today: datetime.date | None = None) -> QuerySet:
    """Certificates whose effective status is valid on ``today``."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(status=Certificate.Status.VALID).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def holds_certificate_in_force(*, user_id: int, today: datetime.date | None = None) -> bool:
    return certificates_in_force(today=today).filter(holder_id=user_id).exists()


def registry_listing_of(*, user_id: int) -> RegistryListing | None:
    return RegistryListing.objects.filter(user_id=user_id).first()


def registry_search(
    *,
    name: str = "",
    province: str = "",
    level: CertificationLevel | None = None,
    specialty: str = "",
    today: datetime.date | None = None,
) -> QuerySet:
    """Listed people holding a certificate in force, matching every filter given.

    Each row carries ``shown_certificate_id``: their highest certificate in force (of
    ``level`` when one is asked for), the one the registry names and links to, and
    ``shown_name``: the name printed on it. The registry shows, searches and orders by that
    printed name, never by the account's current name, which its holder may change at will.
    Ordered by that name, so pages are stable.
    """
    in_force = certificates_in_force(today=today).filter(holder_id=OuterRef("user_id"))
    if level is not None:
        in_force = in_force.filter(level=level)
    highest = in_force.order_by("-level__rank", "level__track__sort_order", "-issued_on", "-pk")
    rows = (
        RegistryListing.objects.filter(listed=True, user__is_active=True)
        .filter(Exists(in_force))
        # Only computed for the rows of the page: counting the matches never needs it.
        .annotate(
            shown_certificate_id=Subquery(highest.values("pk")[:1]),
            shown_name=Subquery(highest.values("printed_name")[:1]),
        )
        .select_related("user")
        .order_by("shown_name", "pk")
    )
    if name:
        rows = rows.filter(Q(shown_name__icontains=name) | Q(organisation__icontains=name))
    if province:
        rows = rows.filter(user__province=province)
    if specialty:
        rows = rows.filter(specialties__icontains=specialty)
    return rows


def registry_entries(listings) -> list[RegistryEntry]:
    """The public face of a page of listings: one query for their certificates, whatever
    the page's length."""
    listings = list(listings)
    certificates = Certificate.objects.only(
        "number", "level_name", "level_name_en", "printed_name"
    ).in_bulk([listing.shown_certificate_id for listing in listings])
    filing = _filing_shown([listing.user_id for listing in listings if listing.show_filing])
    awards = _awards_shown([listing.user_id for listing in listings])
    entries = []
    for listing in listings:
        certificate = certificates[listing.shown_certificate_id]
        user = listing.user
        entries.append(
            RegistryEntry(
                # The name printed on the certificate shown, not the account's live name.
                name=certificate.printed_name,
                province=user.province,
                province_label=(
                    str(Province(user.province).label) if user.province in Province.values else ""
                ),
                level=certificate.level_name,
                level_en=certificate.level_name_en,
                certificate_number=certificate.number,
                organisation=listing.organisation,
                specialties=tuple(listing.specialty_list),
                public_contact=listing.public_contact,
                awards=tuple(awards.get(listing.user_id, ())),
                **filing.get(listing.user_id, {}),
            )
        )
    return entries


def _awards_shown(user_ids) -> dict[int, list]:
    """Published recognition awards of the listed people, in one query."""
    from certification.recognition.selectors import awards_of_users

    return awards_of_users(user_ids) if user_ids else {}


def _filing_shown(user_ids) -> dict[int, dict]:
    """Filed status and latest grade of the people who opted to show them, in two queries."""
    from certification.filing.models import TalentEvaluation, TalentFiling

    if not user_ids:
        return {}
    filed = dict(
        TalentFiling.objects.filter(
            person_id__in=user_ids, status=TalentFiling.Status.FILED
        ).values_list("pk", "person_id")
    )
    shown = {person_id: {"filed": True} for person_id in filed.values()}
    for evaluation in TalentEvaluation.objects.filter(filing_id__in=filed).order_by("year"):
        shown[filed[evaluation.filing_id]].update(
            grade=evaluation.grade,
            grade_label=str(evaluation.get_grade_display()),
            grade_year=evaluation.year,
        )
    return shown
