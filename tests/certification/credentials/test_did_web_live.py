"""did:web resolved by the independent verifier over HTTP from the running portal.

A test of its own file: it runs on a live server, whose flush at the end empties the database,
so pytest-django orders it after the ordinary database tests of its worker (see tests/conftest.py).
"""

import dataclasses

import pytest
from django.utils import timezone

from certification.credentials import did, keys, vc
from tests.certification.factories import certifying_body

from .test_did_web import look_alike, node_verify
from .vc.builders import badge_data


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_independent_verifier_resolves_the_did_web_from_the_live_portal(live_server, settings):
    """Digital Bazaar's did:web driver fetches the DID document over HTTP from the running
    portal (its https URL mapped to the test server, which speaks plain HTTP)."""
    settings.PORTAL_BASE_URL = live_server.url
    body = certifying_body("GD", images=False, exam_standards=False)
    key = keys.signing_key_active(body=body)
    subject = did.body_did(body)
    data = dataclasses.replace(
        badge_data(7), issuer_id=subject, issuer_public_key=bytes(key.public_key)
    )
    credential = vc.sign(
        vc.open_badge_credential(data),
        private_key=keys.private_key(key),
        created=timezone.now(),
        method=did.key_method(key),
    )
    host = live_server.url.split("://", 1)[1]
    assert subject.startswith("did:web:" + host.replace(":", "%3A"))
    origins = {f"https://{host}": live_server.url}
    assert node_verify(credential, origins=origins)["verified"] is True
    forged, _ = look_alike(credential)
    assert node_verify(forged, origins=origins)["verified"] is False
    # Without the mapping nothing is fetched: the verifier cannot resolve, so refuses.
    assert node_verify(credential)["verified"] is False
