"""Certificate numbers: which body numbers a level; gap-free sequences per body, level and year."""

from django.conf import settings
from django.utils.translation import gettext as _

from certification.errors import CertificationError
from certification.issuing.models import NumberSequence
from certification.levels.models import CertificationLevel, CertifyingBody


def numbering_body_for(*, body: CertifyingBody, level: CertificationLevel) -> CertifyingBody:
    """The body whose number range a certificate takes: the national one for filed levels."""
    if not level.central_filing or body.kind == CertifyingBody.Kind.NATIONAL:
        return body
    national = (
        CertifyingBody.objects.filter(kind=CertifyingBody.Kind.NATIONAL, is_active=True)
        .order_by("pk")
        .first()
    )
    if national is None:
        raise CertificationError(
            _("%(level)s is numbered by the national body, and none is set up.")
            % {"level": level.name}
        )
    return national


def numbers_allocate(
    *, body: CertifyingBody, level: CertificationLevel, year: int, count: int = 1
) -> int:
    """Take the next ``count`` numbers of the range and return the first; the row stays locked
    until the transaction ends, so a rollback gives them all back."""
    locked = NumberSequence.objects.select_for_update(of=("self",))
    sequence = locked.filter(body=body, level=level, year=year).first()
    if sequence is None:
        NumberSequence.objects.bulk_create(
            [NumberSequence(body=body, level=level, year=year)], ignore_conflicts=True
        )
        sequence = locked.get(body=body, level=level, year=year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return first


def number_format(*, body: CertifyingBody, level: CertificationLevel, year: int, sequence: int):
    return settings.PORTAL_CERTIFICATE_NUMBER_FORMAT.format(
        body=body.code, level=level.number_code, year=year, sequence=sequence
    )
