"""With the cache (Redis) out of reach, the public verification page still answers from the
database, and changes that have committed do not turn into error pages afterwards: the page
cache, the rate limit and the dashboard's refresh queue all give way."""

import pytest
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from certification.issuing.services import application_approve, certificate_complete
from certification.lifecycle.services import certificate_revoke
from tests.certification.factories import certifier, certifying_body
from tests.services.certification_support import qualified_class

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Nothing listens on port 9 (discard): every cache call is refused at once.
UNREACHABLE = {
    "default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
}


def test_verification_and_revocation_without_the_cache():
    body = certifying_body("GD")
    desk = certifier(body)
    _, application_ids = qualified_class(body, 1, tag="outage")
    approved = application_approve(application_id=application_ids[0], actor=desk, enqueue=False)
    certificate = certificate_complete(certificate_id=approved.pk)
    url = reverse("certificate_verify", args=[certificate.number])

    with override_settings(CACHES=UNREACHABLE):
        page = Client().get(url)
        assert page.status_code == 200
        assert 'data-status="valid"' in page.content.decode()
        # The revocation commits; the after-commit work that needs the cache gives way.
        with TestCase.captureOnCommitCallbacks(execute=True):
            certificate_revoke(certificate_id=certificate.pk, actor=desk, reason="材料不实")
        page = Client().get(url)
        assert page.status_code == 200
        assert 'data-status="revoked"' in page.content.decode()
