"""What a certifier sees before signing: the certificate as it would be printed (marked
样张 / PREVIEW, never stored), and the numbers an approval or a class run would take."""

import dataclasses

from django.utils import timezone

from certification.applications.models import Application
from certification.errors import CertificationError
from certification.issuing.models import Certificate, NumberSequence
from certification.issuing.numbers import number_format, numbering_body_for
from certification.issuing.pdf import certificate_pdf, photo_for_print
from certification.issuing.services import _valid_until, certificate_print
from certification.issuing.statement import REISSUE_REQUIREMENTS, requirements_snapshot
from certification.levels.models import CertificationLevel, CertifyingBody


def next_numbers(*, body: CertifyingBody, level: CertificationLevel, count: int = 1) -> list[str]:
    """The first and last number an approval of ``count`` certificates would take now (one
    number when ``count`` is 1). Read without a lock: the issuing transaction takes the
    numbers then, so another certifier issuing first moves the range on."""
    if count < 1:
        return []
    numbering = numbering_body_for(body=body, level=level)
    year = timezone.localdate().year
    last = (
        NumberSequence.objects.filter(body=numbering, level=level, year=year)
        .values_list("last", flat=True)
        .first()
    ) or 0
    first = number_format(body=numbering, level=level, year=year, sequence=last + 1)
    if count == 1:
        return [first]
    return [first, number_format(body=numbering, level=level, year=year, sequence=last + count)]


def _applicant_photo(application: Application) -> bytes | None:
    photo = application.applicant.photo
    if not photo:
        return None
    try:
        with photo.open("rb") as handle:
            return photo_for_print(handle.read())
    except OSError:
        return None


def application_preview_pdf(application: Application) -> bytes:
    """The certificate this application would receive today, as a 样张 / PREVIEW PDF. The
    number shown is the next free one; nothing is allocated and nothing is stored."""
    level, body = application.level, application.body
    today = timezone.localdate()
    try:
        number = next_numbers(body=body, level=level)[0]
        valid_until = _valid_until(level, today)
    except CertificationError:
        number, valid_until = "—", None
    renews = application.renews
    certificate = Certificate(
        number=number,
        body=body,
        level=level,
        printed_name=application.printed_name,
        level_name=level.name,
        level_name_en=level.name_en,
        track_name=level.track.name,
        body_name=body.name,
        issued_on=today,
        valid_until=valid_until,
        held_since=renews.held_since if renews else today,
        requirements=(renews.requirements if renews else None) or requirements_snapshot(level),
    )
    data = dataclasses.replace(
        certificate_print(certificate), holder_photo=_applicant_photo(application)
    )
    return certificate_pdf(data, preview=True)


def certificate_preview_pdf(certificate: Certificate, *, printed_name: str) -> bytes:
    """An issued certificate as its corrected version would print (the name changed), or an
    imported record as its re-issue would, marked 样张 / PREVIEW."""
    if certificate.origin == Certificate.Origin.IMPORTED and not certificate.requirements:
        certificate.requirements = REISSUE_REQUIREMENTS  # as its re-issue will state
    data = dataclasses.replace(certificate_print(certificate), holder_name=printed_name)
    return certificate_pdf(data, preview=True)
