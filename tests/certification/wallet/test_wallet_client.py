"""An independent wallet takes a certificate from the running portal (OpenID4VCI, pre-authorised
code, ldp_vc): the OpenWallet Foundation's client (@openid4vc/openid4vci, from npm) drives the
live server, and Digital Bazaar's verifier then checks the wallet-bound credential.

The client's modules are installed by ``npm ci --prefix tests/certification/wallet/oid4vci_client``.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from certification.wallet import services
from certification.wallet.models import WalletOffer
from tests.certification.factories import certifier, certifying_body, issued_certificate
from tests.factories import UserFactory
from tests.requirements import missing

from .helpers import code_of, verify_here, verify_independently

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENT = Path(__file__).resolve().parent / "oid4vci_client"
INSTALL = "npm ci --prefix tests/certification/wallet/oid4vci_client"


def wallet(offer: str, proofs: str = "proofs") -> dict:
    executable = shutil.which("node")
    if executable is None:
        missing("node is not installed: the independent OpenID4VCI wallet cannot run")
    if not (CLIENT / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        missing(f"the OpenID4VCI client's modules are not installed; run: {INSTALL}")
    completed = subprocess.run(
        [executable, str(CLIENT / "wallet.mjs")],
        input=json.dumps({"offer": offer, "proofs": proofs}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_an_independent_wallet_collects_a_credential_bound_to_its_key(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    body = certifying_body("GD")
    holder = UserFactory(real_name="赵敏")
    certificate = issued_certificate(holder, body, certifier(body))
    made = services.offer_create(certificate=certificate, holder=holder)

    result = wallet(made.uri)
    assert "error" not in result, result
    assert result["version"] == "V1"  # the client read the metadata as OpenID4VCI 1.0
    credential = result["credential"]
    assert credential["credentialSubject"]["id"] == result["holderDid"]
    assert credential["credentialSubject"]["licenseNumber"] == certificate.number
    assert verify_here(credential).verified
    independent = verify_independently(credential)
    assert independent["verified"], independent["errors"]
    offer = WalletOffer.objects.get()
    assert offer.holder_did == result["holderDid"] and offer.issued_at is not None

    # The same QR scanned again (a second phone, a replay): the code is spent.
    replay = wallet(made.uri)
    assert "invalid_grant" in replay["error"]
    assert code_of(made.uri)  # the code was in the QR all along; only its digest is stored
    assert not WalletOffer.objects.filter(code_digest=code_of(made.uri)).exists()
