"""Reads of the registrars capability: an office's records, and certified vs in post."""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from certification.issuing.models import Certificate
from certification.levels.models import CertifyingBody
from certification.registrars.models import InPostRecord, RegistrationOffice
from certification.registrars.services import REGISTRAR_TRACK
from portal.accounts.provinces import Province


def offices_of(*, user) -> list[RegistrationOffice]:
    return list(RegistrationOffice.objects.filter(administrators=user))


def office_records(*, office: RegistrationOffice):
    return (
        InPostRecord.objects.filter(office=office)
        .select_related("certificate__level", "certificate__body", "certificate__holder")
        .prefetch_related("checks__checker")
        .order_by("status", "-since", "pk")
    )


def scope_of(certificate: Certificate) -> str:
    """ "national" or "provincial": the kind of body that issued the certificate."""
    if certificate.body.kind == CertifyingBody.Kind.NATIONAL:
        return "national"
    return "provincial"


@dataclass(frozen=True)
class RegistrarFigures:
    province: str  # "" for the whole country
    held_national: int
    held_provincial: int
    in_post_national: int
    in_post_provincial: int

    @property
    def province_label(self) -> str:
        return str(dict(Province.choices).get(self.province, self.province))

    @property
    def held(self) -> int:
        return self.held_national + self.held_provincial

    @property
    def in_post(self) -> int:
        return self.in_post_national + self.in_post_provincial


def registrar_figures(*, today=None) -> list[RegistrarFigures]:
    """Registrar certificates in force, national and provincial, and how many of them are in
    post: for the country (first, province "") and per province (the holder's province, or the
    import's for a record nobody has claimed; in post: the office's province). Two queries."""
    today = today or timezone.localdate()
    valid = Certificate.objects.filter(
        level__track__code=REGISTRAR_TRACK, status=Certificate.Status.VALID
    ).filter(Q(valid_until=None) | Q(valid_until__gte=today))
    national = Q(body__kind=CertifyingBody.Kind.NATIONAL)
    held = (
        valid.annotate(province=Coalesce(F("holder__province"), F("imported_holder__province")))
        .values("province")
        .annotate(n=Count("pk", filter=national), p=Count("pk", filter=~national))
    )
    posted = (
        InPostRecord.objects.filter(
            status=InPostRecord.Status.IN_POST, certificate__in=valid.values("pk")
        )
        .values(province=F("office__province"))
        .annotate(
            n=Count("pk", filter=Q(certificate__body__kind=CertifyingBody.Kind.NATIONAL)),
            p=Count("pk", filter=~Q(certificate__body__kind=CertifyingBody.Kind.NATIONAL)),
        )
    )
    rows: dict[str, list[int]] = {}
    for row in held:
        figures = rows.setdefault(row["province"] or "", [0, 0, 0, 0])
        figures[0] += row["n"]
        figures[1] += row["p"]
    for row in posted:
        figures = rows.setdefault(row["province"] or "", [0, 0, 0, 0])
        figures[2] += row["n"]
        figures[3] += row["p"]
    total = [sum(values[i] for values in rows.values()) for i in range(4)]
    result = [RegistrarFigures("", *total)]
    result += [RegistrarFigures(province, *rows[province]) for province in sorted(rows) if province]
    return result
