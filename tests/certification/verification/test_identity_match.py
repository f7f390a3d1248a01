"""Check a holder without learning: a certificate number with a full name or ID number gets
only "matches" / "does not match", on /verify/, on a certificate's page and in the API; the
name is the printed one, the number the one the certifier checked; guessing is slow."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from certification.issuing.services import application_approve
from certification.lifecycle.services import certificate_revoke
from certification.models import CertificationLevel
from portal.accounts.identity import identity_record
from tests.certification.factories import (
    certifier,
    certifying_body,
    issued_certificate,
    submitted_application,
)
from tests.factories import UserFactory, png_bytes

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"
OTHER_NUMBER = "440106199003071231"  # Guangzhou, 1990-03-07, a valid check digit
MATCHES = r"<strong>(相符|Matches)</strong>"
DOES_NOT_MATCH = r"<strong>(不相符|Does not match)</strong>"


def _record_identity(person, number=NUMBER):
    identity_record(
        person,
        kind="resident_id",
        number=number,
        document=SimpleUploadedFile("sfz.png", png_bytes((320, 200))),
    )


@pytest.fixture
def checked():
    """A certificate issued after its certifier checked the holder's ID."""
    CertificationLevel.objects.filter(code="junior_broker").update(requires_identity_check=True)
    body = certifying_body("GD")
    reviewer = certifier(body)
    person = UserFactory(real_name="王小明")
    _record_identity(person)
    application = submitted_application(person, body)
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate = application_approve(
            application_id=application.pk, actor=reviewer, identity_checked=True
        )
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    return {"certificate": certificate, "person": person, "reviewer": reviewer, "body": body}


def _check(client, number, *, name="", id_number="", address="10.0.0.1"):
    return client.post(
        reverse("verify_holder_check"),
        {"number": number, "name": name, "id_number": id_number},
        REMOTE_ADDR=address,
    )


def _answer(response) -> str:
    found = re.search(r'data-answer="([a-z_]+)"', response.content.decode())
    return found.group(1) if found else ""


# -- /verify/ without a number -----------------------------------------------------------------


def test_verify_without_a_number_is_a_page_to_type_one(client):
    response = client.get(reverse("verify_lookup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="number"' in html and 'name="id_number"' in html


def test_a_typed_number_goes_to_its_verification_page(client, checked):
    number = checked["certificate"].number
    response = client.get(reverse("verify_lookup"), {"number": f" {number} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificate_verify", args=[number])


@pytest.mark.parametrize("typed", ["GD-J-2026-999999", "\u202e😀", "x" * 41])
def test_an_unknown_number_gets_a_clear_message(client, typed):
    response = client.get(reverse("verify_lookup"), {"number": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-not-found" in html or re.search(
        r"(不超过|at most|按证书上印的编号|as it is printed)", html
    )


# -- the answer is yes or no, nothing else ----------------------------------------------------


def test_the_printed_name_matches_and_nothing_else_is_shown(client, checked):
    number = checked["certificate"].number
    response = _check(client, number, name="王小明")
    assert response.status_code == 200
    assert _answer(response) == "match"
    assert re.search(MATCHES, response.content.decode())


def test_a_wrong_name_does_not_match_and_the_real_one_is_not_revealed(client, checked):
    response = _check(client, checked["certificate"].number, name="王小")
    html = response.content.decode()
    assert _answer(response) == "no_match"
    assert re.search(DOES_NOT_MATCH, html)
    assert "王小明" not in html and "王*明" not in html


def test_names_are_compared_after_nfc_and_whitespace_normalisation(client, checked):
    certificate = checked["certificate"]
    type(certificate).objects.filter(pk=certificate.pk).update(printed_name="Zoë  Li")
    # "Zoë" typed with a combining diaeresis, extra spaces and another case.
    assert _answer(_check(client, certificate.number, name="  zoe\u0308 LI ")) == "match"
    assert _answer(_check(client, certificate.number, name="Zoe Li")) == "no_match"


def test_the_checked_id_number_matches_and_is_never_shown_back(client, checked):
    number = checked["certificate"].number
    response = _check(client, number, id_number=NUMBER.lower())
    html = response.content.decode()
    assert _answer(response) == "match"
    assert NUMBER not in html and NUMBER.lower() not in html
    wrong = _check(client, number, id_number=OTHER_NUMBER)
    assert _answer(wrong) == "no_match"
    assert OTHER_NUMBER not in wrong.content.decode()


def test_both_given_must_both_match(client, checked):
    number = checked["certificate"].number
    assert _answer(_check(client, number, name="王小明", id_number=NUMBER)) == "match"
    assert _answer(_check(client, number, name="王小明", id_number=OTHER_NUMBER)) == "no_match"
    assert _answer(_check(client, number, name="李四", id_number=NUMBER)) == "no_match"


def test_the_match_uses_what_was_checked_not_the_account_today(client, checked):
    person, number = checked["person"], checked["certificate"].number
    _record_identity(person, OTHER_NUMBER)
    person.real_name = "王大明"
    person.save()
    assert _answer(_check(client, number, id_number=NUMBER)) == "match"
    assert _answer(_check(client, number, id_number=OTHER_NUMBER)) == "no_match"
    assert _answer(_check(client, number, name="王小明")) == "match"


def test_a_certificate_issued_without_an_identity_check_matches_no_id_number(client):
    body = certifying_body("GD")
    person = UserFactory(real_name="李四")
    _record_identity(person)  # on record, but nobody checked it
    certificate = issued_certificate(person, body, certifier(body))
    assert certificate.holder_id_hash == ""
    assert _answer(_check(client, certificate.number, id_number=NUMBER)) == "no_match"
    assert _answer(_check(client, certificate.number, name="李四")) == "match"


def test_revoked_and_unknown_certificates_say_not_valid_and_nothing_more(client, checked):
    certificate = checked["certificate"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate_revoke(certificate_id=certificate.pk, actor=checked["reviewer"], reason="测试")
    revoked = _check(client, certificate.number, name="王小明")
    unknown = _check(client, "GD-J-2026-999999", name="王小明")
    for response in (revoked, unknown):
        html = response.content.decode()
        assert re.search(DOES_NOT_MATCH, html)
        assert "王小明" not in html.split("</form>")[0].split("data-answer")[-1]
    assert _answer(revoked) == "not_valid" and _answer(unknown) == "not_found"
    # The two read the same to a visitor.
    text = re.compile(r'data-answer="[a-z_]+">(.*?)</div>', re.S)
    strip = re.compile(r"[A-Z]+-[A-Z]+-\d{4}-\d+")
    assert strip.sub("", text.search(revoked.content.decode()).group(1)) == strip.sub(
        "", text.search(unknown.content.decode()).group(1)
    )


def test_a_name_or_id_number_is_required(client, checked):
    response = _check(client, checked["certificate"].number)
    assert response.status_code == 400
    assert re.search(r"(姓名或证件号码|full name or their ID number)", response.content.decode())
    assert _answer(response) == ""


def test_the_verify_page_of_a_valid_certificate_has_the_check_form(client, checked):
    number = checked["certificate"].number
    html = client.get(reverse("certificate_verify", args=[number])).content.decode()
    assert reverse("verify_holder_check") in html
    assert f'name="number" value="{number}"' in html
    # The cached page gives each visitor a working CSRF token for the form.
    again = Client(enforce_csrf_checks=True)
    page = again.get(reverse("certificate_verify", args=[number]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = again.post(
        reverse("verify_holder_check"),
        {"number": number, "name": "王小明", "csrfmiddlewaretoken": token.group(1)},
    )
    assert _answer(response) == "match"


def test_a_hand_made_post_without_the_csrf_token_is_refused(checked):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("verify_holder_check"), {"number": checked["certificate"].number, "name": "王小明"}
    )
    assert response.status_code == 403


def test_get_on_the_check_address_changes_nothing(client, checked):
    response = client.get(
        reverse("verify_holder_check"), {"number": checked["certificate"].number, "name": "王小明"}
    )
    assert response.status_code == 405


# -- guessing is slow ---------------------------------------------------------------------------


def test_checks_are_counted_per_certificate_across_addresses(client, checked, settings):
    settings.PORTAL_HOLDER_CHECKS_PER_CERTIFICATE_PER_HOUR = 10
    number = checked["certificate"].number
    for n in range(10):
        response = _check(client, number, name=f"猜{n}", address=f"10.0.1.{n}")
        assert response.status_code == 200
    refused = _check(client, number, name="王小明", address="10.0.2.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert _answer(refused) == ""
    assert re.search(r"(核验次数过多|checked too many times)", refused.content.decode())
    # The API shares the count.
    api = client.post(
        reverse("api_holder_match", args=[number]),
        json.dumps({"name": "王小明"}),
        content_type="application/json",
        REMOTE_ADDR="10.0.3.1",
    )
    assert api.status_code == 429


def test_checks_are_limited_per_address_like_verification(client, checked, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 3
    number = checked["certificate"].number
    for _ in range(3):
        assert _check(client, number, name="王小明").status_code == 200
    assert _check(client, number, name="王小明").status_code == 429


# -- the API -----------------------------------------------------------------------------------


def _api(client, number, payload, **extra):
    return client.post(
        reverse("api_holder_match", args=[number]),
        payload if isinstance(payload, str | bytes) else json.dumps(payload),
        content_type="application/json",
        **extra,
    )


def test_the_api_answers_only_yes_or_no(checked):
    client = Client(enforce_csrf_checks=True)  # other sites' servers have no CSRF token
    number = checked["certificate"].number
    yes = _api(client, number, {"name": "王小明", "id_number": NUMBER})
    assert yes.status_code == 200
    assert yes.json() == {"number": number, "valid": True, "match": True}
    no = _api(client, number, {"id_number": OTHER_NUMBER})
    assert no.json() == {"number": number, "valid": True, "match": False}
    assert NUMBER not in no.content.decode() and "王" not in no.content.decode()


def test_the_api_says_a_revoked_certificate_is_not_valid(client, checked):
    certificate = checked["certificate"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate_revoke(certificate_id=certificate.pk, actor=checked["reviewer"], reason="测试")
    response = _api(client, certificate.number, {"name": "王小明"})
    assert response.json() == {"number": certificate.number, "valid": False, "match": False}


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "{",
        b"\xff\xfe",
        "null",
        "[]",
        '"王小明"',
        {},
        {"name": None, "id_number": None},
        {"name": "   "},
        {"name": 1},
        {"name": ["王小明"]},
        {"id_number": {"a": 1}},
        {"name": "王" * 61},
        {"name": "王\x00明"},
        {"id_number": "1" * 41},
    ],
)
def test_bad_api_requests_are_refused_with_400_never_500(client, checked, payload):
    response = _api(client, checked["certificate"].number, payload)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


@pytest.mark.parametrize("number", ["NO-SUCH", "%00", "9" * 300])
def test_the_api_unknown_number_is_not_found(client, number):
    response = client.post(
        f"/api/v1/certificates/{number}/match",
        json.dumps({"name": "王小明"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json() == {"error": "not_found"}


def test_the_api_refuses_get(client, checked):
    response = client.get(reverse("api_holder_match", args=[checked["certificate"].number]))
    assert response.status_code == 405
