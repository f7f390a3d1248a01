"""Credentials checked by an independent implementation: Digital Bazaar's JavaScript stack.

Our own ``verify`` could share a mistake with our ``sign``; a verifier written by others cannot.
The Node project in ``tests/certification/credentials/vc_verify/`` serves the very context files
this package bundles and never goes online. Its modules are installed by
``npm ci --prefix tests/certification/credentials/vc_verify``.
"""

import copy
import dataclasses
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certification.credentials import vc
from tests.requirements import in_ci, missing

from .builders import (
    ID_NUMBER,
    ISSUER,
    STATUS_LIST_URL,
    badge_data,
    flip_one_character,
    signed_credential,
    signed_status_list,
)
from .test_canon import SPECIAL_STRINGS, SYMMETRIC, awkward_text

VERIFIER = Path(__file__).resolve().parents[1] / "vc_verify"
INSTALL = "npm ci --prefix tests/certification/credentials/vc_verify"


def node(script: str, payload: dict) -> dict:
    """Run a script of the Node verifier; skip (fail under CI) if Node or its modules are absent."""
    executable = shutil.which("node")
    if executable is None:
        missing("node is not installed: the independent credential verifier cannot run")
    if not (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        missing(f"the Node verifier's modules are not installed; run: {INSTALL}")
    completed = subprocess.run(
        [executable, str(VERIFIER / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def verify_in_node(credential: dict, status_lists: dict | None = None) -> dict:
    return node("verify.mjs", {"credential": credential, "statusLists": status_lists or {}})


def test_a_freshly_signed_credential_verifies_independently():
    result = verify_in_node(signed_credential())
    assert result == {"verified": True, "errors": [], "revoked": None}


TAMPERINGS = {
    "name": lambda c: c.update(name="高级技术经纪人证书 GD-J-2026-000123"),
    "validUntil": lambda c: c.update(validUntil="2199-03-01T08:00:00Z"),
    "proofValue": lambda c: c["proof"][0].update(
        proofValue=flip_one_character(c["proof"][0]["proofValue"])
    ),
}


@pytest.mark.parametrize("change", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_tampered_credential_fails_independent_verification(change):
    credential = signed_credential()
    change(credential)
    result = verify_in_node(credential)
    assert result["verified"] is False
    assert result["errors"]


def test_with_its_index_set_in_the_status_list_the_credential_shows_revoked():
    credential = signed_credential(123)
    lists = {STATUS_LIST_URL: signed_status_list(revoked=[122, 123])}
    assert verify_in_node(credential, lists) == {"verified": True, "errors": [], "revoked": True}
    assert vc.status_bit(lists[STATUS_LIST_URL], 123) is True


def test_with_other_indexes_set_the_credential_shows_not_revoked():
    credential = signed_credential(123)
    lists = {STATUS_LIST_URL: signed_status_list(revoked=[0, 122, 124, 131071])}
    assert verify_in_node(credential, lists) == {"verified": True, "errors": [], "revoked": False}


def test_a_status_list_signed_by_someone_else_is_not_believed():
    credential = signed_credential(123)
    lists = {STATUS_LIST_URL: signed_status_list(revoked=[], key=vc.keypair_generate())}
    result = verify_in_node(credential, lists)
    assert result["verified"] is False
    assert result["revoked"] is None


def test_a_tampered_status_list_is_not_believed():
    credential = signed_credential(123)
    status_list = signed_status_list(revoked=[123])
    unrevoked = signed_status_list(revoked=[])
    status_list["credentialSubject"]["encodedList"] = unrevoked["credentialSubject"]["encodedList"]
    result = verify_in_node(credential, {STATUS_LIST_URL: status_list})
    assert result["verified"] is False


def test_awkward_strings_still_verify_independently():
    everything = "|".join(SPECIAL_STRINGS[:13])
    credential = signed_credential(
        7,
        issuer_name=f"基地{everything}",
        achievement_description=everything,
        criteria_narrative=everything[::-1],
        name="\t\b\f\x00\x7f" + "x" * 10_000,
    )
    assert verify_in_node(credential) == {"verified": True, "errors": [], "revoked": None}


@settings(
    max_examples=4,
    deadline=None,
    database=None,
    derandomize=in_ci(),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.tuples(awkward_text, awkward_text), min_size=10, max_size=25))
def test_our_canonical_form_is_jsonld_js_and_rdf_canonize_s(texts):
    """Byte-for-byte the same N-Quads as jsonld.js + rdf-canonize (RDFC-1.0), which the
    JavaScript cryptosuite signs: escaping of control characters included."""
    documents = [
        vc.open_badge_credential(
            dataclasses.replace(
                badge_data(n), issuer_name=f"基地{a}", achievement_description=a, name=b
            )
        )
        for n, (a, b) in enumerate(texts)
    ]
    documents += [copy.deepcopy(document) for document in SYMMETRIC]
    theirs = node("canonize.mjs", {"documents": documents, "safe": False})["nquads"]
    ours = [vc.canonicalize(document) for document in documents]
    assert ours == theirs


def test_the_issuer_key_is_the_one_node_resolves():
    credential = signed_credential()
    assert credential["proof"][0]["verificationMethod"].startswith(vc.did_key(ISSUER.public))


# --- Fresh status: an expired list is refused by the independent verifier too ---


def test_a_status_list_past_its_valid_until_is_refused_independently():
    """The replay of issue 16: a list signed before the revocation, shown after it expired."""
    credential = signed_credential(123)
    now = datetime.now(UTC).replace(microsecond=0)
    old = signed_status_list(
        [], valid_from=now - timedelta(days=3), valid_until=now - timedelta(days=1)
    )
    assert "validUntil" in old
    result = verify_in_node(credential, {STATUS_LIST_URL: old})
    assert result["verified"] is False
    assert result["revoked"] is None
    assert any("after" in error or "expired" in error for error in result["errors"]), result


def test_a_current_status_list_states_its_window_and_is_accepted_independently():
    credential = signed_credential(123)
    current = signed_status_list([123])
    assert "validUntil" in current
    result = verify_in_node(credential, {STATUS_LIST_URL: current})
    assert result == {"verified": True, "errors": [], "revoked": True}


# --- The credential as issued now: Beijing dates, the ID-number identifier, wallet fields ---

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_credential(**changes) -> dict:
    return signed_credential(
        321,
        valid_from=datetime(2026, 3, 1, 16, 5, 7, tzinfo=BEIJING),
        awarded_at=datetime(2026, 3, 1, 16, 5, 7, tzinfo=BEIJING),
        valid_until=datetime(2099, 2, 28, 23, 59, 59, tzinfo=BEIJING),
        recipient_id_number=ID_NUMBER,
        recipient_id_salt="5a1t" * 8,
        **changes,
    )


def test_a_credential_with_beijing_dates_and_all_fields_verifies_independently():
    credential = beijing_credential()
    assert credential["validUntil"] == "2099-02-28T23:59:59+08:00"
    assert credential["validFrom"] == "2026-03-01T16:05:07+08:00"
    assert isinstance(credential["proof"], list)
    assert verify_in_node(credential) == {"verified": True, "errors": [], "revoked": None}
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["identifier"][1]["identityHash"] = "sha256$" + "0" * 64
    assert verify_in_node(tampered)["verified"] is False


def test_the_id_number_matches_offline_in_node_and_a_wrong_one_does_not():
    credential = beijing_credential()
    assert node("match.mjs", {"credential": credential, "identityNumber": ID_NUMBER}) == {
        "matches": True,
        "found": True,
    }
    # the way a person may type it: lower-case x, spaces
    typed = f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:].lower()}"
    assert node("match.mjs", {"credential": credential, "identityNumber": typed})["matches"]
    wrong = "110105194912310037"
    assert node("match.mjs", {"credential": credential, "identityNumber": wrong}) == {
        "matches": False,
        "found": True,
    }
    without = signed_credential(5)
    assert node("match.mjs", {"credential": without, "identityNumber": ID_NUMBER}) == {
        "matches": False,
        "found": False,
    }
