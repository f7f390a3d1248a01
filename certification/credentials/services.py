"""The signed Open Badges 3.0 credential of a certificate."""

import datetime

from django.urls import reverse

from certification.credentials import keys, vc
from certification.issuing.models import Certificate
from certification.issuing.statement import (
    criteria_narrative,
)
from certification.links import absolute_url, credential_url, status_list_url


def certificate_credential(certificate: Certificate) -> dict:
    """The signed Open Badges 3.0 credential; the same input always gives the same document."""
    signing_key = certificate.status_list.signing_key
    level = certificate.level
    issued_at = certificate.created_at
    valid_until = None
    if certificate.valid_until:
        valid_until = datetime.datetime.combine(
            certificate.valid_until, datetime.time(23, 59, 59), tzinfo=datetime.UTC
        )
    data = vc.BadgeData(
        credential_id=credential_url(certificate.number),
        issuer_public_key=bytes(signing_key.public_key),
        issuer_name=certificate.body_name,
        issuer_url=absolute_url(reverse("certification_body", args=[certificate.body.code])),
        achievement_id=absolute_url(reverse("certification_level", args=[level.code])),
        achievement_name=certificate.level_name,
        achievement_description=level.description or certificate.level_name,
        criteria_narrative=criteria_narrative(
            certificate.requirements,
            level_name=certificate.level_name,
            level_name_en=certificate.level_name_en,
        ),
        recipient_email=certificate.holder.email,
        recipient_salt=certificate.recipient_salt,
        certificate_number=certificate.number,
        valid_from=issued_at.astimezone(datetime.UTC).replace(microsecond=0),
        valid_until=valid_until,
        status_list_credential=status_list_url(certificate.status_list),
        status_list_index=certificate.status_index,
        name=f"{certificate.level_name} {certificate.number}",
    )
    return vc.sign(
        vc.open_badge_credential(data),
        private_key=keys.private_key(signing_key),
        created=issued_at.astimezone(datetime.UTC).replace(microsecond=0),
    )
