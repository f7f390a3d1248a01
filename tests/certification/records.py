"""Certificates written straight to the database, for tests that need many, on given dates.

Issuing through the services renders a PDF and signs a credential for each one, and always
issues today; counting tests need dozens of certificates spread over years. Rows made here
have exactly the fields the real path sets, without the files.
"""

import datetime
import itertools

from certification.dates import add_months
from certification.models import (
    Application,
    Certificate,
    CertificationLevel,
    CertifyingBody,
    StatusList,
)
from portal.accounts.models import User
from tests.certification.factories import certifying_body

_numbers = itertools.count(1)
_people = itertools.count(1)


def holder_record(province: str = "44", real_name: str = "", **fields) -> User:
    """A person who never signs in: no password to hash, so hundreds cost nothing."""
    n = next(_people)
    return User.objects.create(
        email=fields.pop("email", f"holder{n}@example.org"),
        real_name=real_name or f"持证人{n}",
        province=province,
        password="!",  # unusable
        **fields,
    )


def record_body(code="RB") -> CertifyingBody:
    body = CertifyingBody.objects.filter(code=code).first()
    if body is None:
        body = certifying_body(
            code,
            levels=(
                "junior_broker",
                "intermediate_broker",
                "senior_manager",
                "contract_registrar",
            ),
            images=False,
        )
    return body


def certificate_record(
    holder,
    level_code: str = "junior_broker",
    *,
    issued_on: datetime.date,
    status: str = Certificate.Status.VALID,
    valid_until: datetime.date | None | str = "from-level",
    body: CertifyingBody | None = None,
    **fields,
) -> Certificate:
    """A certificate of ``level_code`` for ``holder``, issued on ``issued_on``.

    ``valid_until`` defaults to what the level's validity gives, as issuing would.
    """
    body = body or record_body()
    level = CertificationLevel.objects.select_related("track").get(code=level_code)
    if valid_until == "from-level":
        valid_until = (
            add_months(issued_on, 12 * level.validity_years) - datetime.timedelta(days=1)
            if level.validity_years
            else None
        )
    status_list = StatusList.objects.filter(body=body).first() or StatusList.objects.create(
        body=body, signing_key=body.keys.first()
    )
    sequence = next(_numbers)
    application = Application.objects.create(
        applicant=holder,
        level=level,
        body=body,
        status=Application.Status.ISSUED,
        printed_name=holder.real_name,
    )
    return Certificate.objects.create(
        number=f"{body.code}-{level.number_code}-{issued_on.year}-{sequence:06d}",
        numbering_body=body,
        year=issued_on.year,
        sequence=sequence,
        body=body,
        level=level,
        holder=holder,
        application=application,
        status=status,
        printed_name=holder.real_name,
        level_name=level.name,
        level_name_en=level.name_en,
        track_name=level.track.name,
        body_name=body.name,
        issued_on=issued_on,
        valid_until=valid_until,
        held_since=issued_on,
        recipient_salt="0" * 16,
        status_list=status_list,
        status_index=sequence,
        **fields,
    )
