"""Whose organisation is whose: the rule that keeps a reviewer off their own organisation's
nominees.

An organisation is named by keys: ``base:<page id>`` for a training base, ``body:<id>`` for a
certifying body, and ``name:<normalised name>`` for an employer as people type it. A reviewer
belongs to the bases where they are an editor or a teacher, the bodies they certify for (and a
base-kind body's own base), and the organisation on their account. A nominee belongs to the
bases where they are staff, the base or body that nominated them, the body that issued the
certificate the nomination rests on (a training base's body: where they trained), and the
organisation on their account. Any key in common is a conflict.
"""

import unicodedata

from certification.levels.models import CertifyingBody
from cms import api as cms_api


def normalised_name(name: str) -> str:
    """``"华南 技术转移中心（广州）"`` and ``"华南技术转移中心(广州)"`` name the same place."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(char for char in text if char.isalnum())


def _name_keys(*names) -> set[str]:
    return {f"name:{key}" for key in map(normalised_name, names) if len(key) >= 2}


def _base_keys(base_ids) -> set[str]:
    base_ids = set(base_ids)
    titles = [getattr(cms_api.training_base_get(page_id=pk), "name", "") for pk in base_ids]
    return {f"base:{pk}" for pk in base_ids} | _name_keys(*titles)


def _body_keys(bodies) -> set[str]:
    keys = set()
    for body in bodies:
        keys |= {f"body:{body.pk}"} | _name_keys(body.name, body.name_en)
        if body.training_base_id:
            keys |= _base_keys([body.training_base_id])
    return keys


def reviewer_organisations(user) -> set[str]:
    keys = _base_keys(cms_api.training_base_ids_for_staff(user_id=user.pk))
    keys |= _body_keys(CertifyingBody.objects.filter(certifiers=user))
    return keys | _name_keys(user.organisation)


def nominee_organisations(nomination) -> set[str]:
    nominee = nomination.nominee
    keys = _base_keys(cms_api.training_base_ids_for_staff(user_id=nominee.pk))
    if nomination.base_id:
        keys |= _base_keys([nomination.base_id])
    bodies = [nomination.body] if nomination.body_id else []
    issuer = nomination.certificate.body
    if issuer.kind == CertifyingBody.Kind.TRAINING_BASE:
        bodies.append(issuer)
    keys |= _body_keys(bodies)
    listing_organisation = getattr(getattr(nominee, "registry_listing", None), "organisation", "")
    return keys | _name_keys(nominee.organisation, listing_organisation)


def shared_organisation(user, nomination) -> bool:
    return bool(reviewer_organisations(user) & nominee_organisations(nomination))
