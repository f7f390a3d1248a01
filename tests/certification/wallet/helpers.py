"""A wallet's side of OpenID4VCI, made here with the cryptography package: keys and proofs."""

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from certification.credentials import vc


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class HolderKey:
    def __init__(self):
        self.private = Ed25519PrivateKey.generate()
        self.public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.did = vc.did_key(self.public)
        self.kid = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def jwt(self, header: dict, payload: dict, signer=None) -> str:
        head = b64url(json.dumps(header).encode())
        body = b64url(json.dumps(payload).encode())
        signature = (signer or self.private).sign(f"{head}.{body}".encode())
        return f"{head}.{body}.{b64url(signature)}"

    def proof(self, *, nonce, audience, iat=None, header=None, signer=None) -> str:
        header = header or {"typ": "openid4vci-proof+jwt", "alg": "EdDSA", "kid": self.kid}
        payload = {"aud": audience, "iat": int(iat if iat is not None else time.time())}
        if nonce is not None:
            payload["nonce"] = nonce
        return self.jwt(header, payload, signer=signer)


def offer_of(uri: str) -> dict:
    assert uri.startswith("openid-credential-offer://?")
    return json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])


def code_of(uri: str) -> str:
    grants = offer_of(uri)["grants"]
    return grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
