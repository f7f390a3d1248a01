"""An award's signed credential: an Open Badges 3.0 ``OpenBadgeCredential`` issued by the
round's body, built and signed by the same functions as a certificate's
(``certification/credentials``): the body's did:web and active key, a bit in its status list,
the recipient's e-mail as a salted hash. Only the achievement differs: ``achievementType`` is
``Award`` and there is no licence number."""

import datetime

from django.urls import reverse

from certification.credentials import keys, vc
from certification.credentials.services import PRINTED_TIME_ZONE
from certification.credentials.status import status_bits_allocate, status_list_method
from certification.links import absolute_url
from certification.recognition.models import Award

ACHIEVEMENT_TYPE = "Award"


def award_credential_url(award: Award) -> str:
    return absolute_url(reverse("award_credential", args=[award.pk]))


def _criteria_narrative(award: Award) -> str:
    selection = award.round
    criteria = "；".join(f"{c.name}（{c.weight}%）" for c in selection.criteria.all())
    return (
        f"经培训基地、认证机构推荐或本人申报，由评审专家按以下标准独立评分并加权排名，"
        f"经公示（{selection.announce_from:%Y-%m-%d}至{selection.announce_until:%Y-%m-%d}）"
        f"后公布：{criteria}。"
        f" Nominated, scored independently by a review panel against weighted criteria, "
        f"announced for public objection and then published."
    )


def award_credential(award: Award) -> dict:
    """The signed credential; the same award always gives the same document."""
    selection = award.round
    body = selection.body
    status_list = award.status_list
    signing_key = status_list.signing_key
    nominee = award.nomination.nominee
    awarded_at = award.awarded_at.astimezone(PRINTED_TIME_ZONE).replace(microsecond=0)
    data = vc.BadgeData(
        credential_id=award_credential_url(award),
        issuer_public_key=bytes(signing_key.public_key),
        issuer_id=status_list.issuer_did,
        issuer_name=body.name,
        issuer_url=absolute_url(reverse("certification_body", args=[body.code])),
        achievement_id=absolute_url(reverse("recognition_round", args=[selection.pk])),
        achievement_name=selection.title,
        achievement_description=selection.description or selection.title,
        criteria_narrative=_criteria_narrative(award),
        recipient_email=nominee.email,
        recipient_salt=award.recipient_salt,
        certificate_number=award.number,
        valid_from=awarded_at,
        valid_until=None,
        status_list_credential=absolute_url(
            reverse("api_status_list", args=[body.code, status_list.number])
        ),
        status_list_index=award.status_index,
        name=f"{selection.title} {award.name}",
        description=f"{award.name}获评{selection.title}（第{award.rank}名），奖励编号{award.number}。"
        f" {award.name} was recognised in {selection.title}, award no. {award.number}.",
        awarded_at=awarded_at,
    )
    document = vc.open_badge_credential(data)
    subject = document["credentialSubject"]
    subject.pop("licenseNumber", None)  # an award is not a licence
    subject["achievement"]["achievementType"] = ACHIEVEMENT_TYPE
    return vc.sign(
        document,
        private_key=keys.private_key(signing_key),
        created=award.awarded_at.astimezone(datetime.UTC).replace(microsecond=0),
        method=status_list_method(status_list),
    )


def award_credential_issue(award: Award) -> dict:
    """Give an awarded place its status bit and signed credential (once: run again, it keeps
    both)."""
    if award.credential:
        return award.credential
    if award.status_list_id is None:
        [(status_list, index)] = status_bits_allocate(body=award.round.body, count=1)
        award.status_list, award.status_index = status_list, index
    award.credential = award_credential(award)
    award.save(update_fields=["status_list", "status_index", "credential"])
    return award.credential
