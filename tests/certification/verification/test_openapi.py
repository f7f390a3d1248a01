"""The public API's OpenAPI 3.1 document is valid, served at /api/v1/openapi.json, and the live
responses (found, not found, refused for rate) match it."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec

from certification.verification.views import openapi_document
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def check(response, status: int, *, path: str, method: str = "get"):
    """Validate ``response`` against the document's answer for ``path`` and ``status``."""
    document = openapi_document()
    answer = document["paths"][path][method]["responses"][str(status)]
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    assert response.status_code == status
    (media_type, content), *_ = answer["content"].items()
    assert response["Content-Type"].split(";")[0] == media_type
    validator = Draft202012Validator(
        {**document, **content["schema"]}, format_checker=FormatChecker()
    )
    body = json.loads(response.content)
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [error.message for error in errors]
    for name in answer.get("headers", {}):
        assert int(response[name]) >= 1
    return body


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    validate_spec(document)
    assert set(document["paths"]) == {
        "/api/v1/certificates/{number}",
        "/api/v1/certificates/{number}/credential",
        "/api/v1/status-lists/{body}/{number}",
        "/api/v1/certificates/{number}/match",
    }
    for path, item in document["paths"].items():
        if path.endswith("/match"):
            assert set(item) == {"post"}
            assert set(item["post"]["responses"]) == {"200", "400", "404", "429"}
        else:
            assert set(item["get"]["responses"]) == {"200", "404", "429"}


def test_the_document_is_served(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    response = client.get(reverse("api_openapi"))
    assert response.status_code == 200
    served = response.json()
    assert served["servers"] == [{"url": "https://portal.example.org"}]
    assert served["paths"] == openapi_document()["paths"]


@pytest.fixture
def certificate():
    body = certifying_body("GD")
    return issued_certificate(UserFactory(real_name="张三丰"), body, certifier(body))


CERTIFICATE = "/api/v1/certificates/{number}"
CREDENTIAL = "/api/v1/certificates/{number}/credential"
STATUS_LIST = "/api/v1/status-lists/{body}/{number}"


def test_found_answers_match_the_document(client, certificate):
    number = certificate.number
    body = check(client.get(reverse("api_certificate", args=[number])), 200, path=CERTIFICATE)
    assert body["number"] == number and body["holder"] == "张*丰"
    credential = check(
        client.get(reverse("api_certificate_credential", args=[number])), 200, path=CREDENTIAL
    )
    assert credential["credentialSubject"]["licenseNumber"] == number
    status_url = credential["credentialStatus"]["statusListCredential"]
    path = status_url.split("://", 1)[-1].split("/", 1)[1]
    check(client.get("/" + path), 200, path=STATUS_LIST)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/certificates/NO-SUCH-NUMBER",
        "/api/v1/certificates/NO-SUCH-NUMBER/credential",
        "/api/v1/certificates/%00",
        "/api/v1/certificates/%00/credential",
        "/api/v1/certificates/" + "9" * 300,
        "/api/v1/certificates/%E2%80%AE%F0%9F%98%80",
        "/api/v1/certificates/a%2Fb",
        "/api/v1/status-lists/NOPE/1",
        "/api/v1/status-lists/%00/1",
        "/api/v1/status-lists/GD/99999999999999999999999",
        "/api/v1/status-lists/GD/-1",
        "/api/v1/nothing-here",
    ],
)
def test_not_found_answers_match_the_document(client, certificate, url):
    response = client.get(url)
    assert check(response, 404, path=CERTIFICATE) == {"error": "not_found"}


def test_refused_answers_match_the_document(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 1
    client.get(reverse("api_certificate", args=[certificate.number]))
    for url, path in (
        (reverse("api_certificate", args=[certificate.number]), CERTIFICATE),
        (reverse("api_certificate_credential", args=[certificate.number]), CREDENTIAL),
        (reverse("api_status_list", args=["GD", 1]), STATUS_LIST),
    ):
        body = check(client.get(url), 429, path=path)
        assert body["error"] == "rate_limited"


MATCH = "/api/v1/certificates/{number}/match"


def _match(client, number, payload):
    return client.post(
        reverse("api_holder_match", args=[number]),
        data=json.dumps(payload) if not isinstance(payload, str) else payload,
        content_type="application/json",
    )


def test_holder_match_answers_match_the_document(client, certificate, settings):
    number = certificate.number
    assert check(_match(client, number, {"name": "张三丰"}), 200, path=MATCH, method="post") == {
        "number": number,
        "valid": True,
        "match": True,
    }
    assert not check(_match(client, number, {"name": "张三"}), 200, path=MATCH, method="post")[
        "match"
    ]
    for bad in ("not json", [], {"name": 5}, {"name": ""}, {"id_number": "1" * 41}):
        body = check(_match(client, number, bad), 400, path=MATCH, method="post")
        assert body["error"] == "invalid"
    body = check(_match(client, "NO-SUCH-NUMBER", {"name": "x"}), 404, path=MATCH, method="post")
    assert body == {"error": "not_found"}
    settings.PORTAL_HOLDER_CHECKS_PER_CERTIFICATE_PER_HOUR = 0
    body = check(_match(client, number, {"name": "张三丰"}), 429, path=MATCH, method="post")
    assert body["error"] == "rate_limited"
