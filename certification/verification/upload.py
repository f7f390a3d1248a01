"""Checking a file someone holds: a certificate's PDF or its signed credential (JSON).

An employer handed a PDF or a credential file asks one question: did the portal issue this, and
does it still stand? The PDF is recognised by its SHA-256, which the portal recorded when it made
the file (any change to the file changes the hash). The credential is checked by its signature,
made by a key of the certifying body that issued the certificate it names (a signature by any
other key, however valid, proves nothing about our certificates). Either way the answer is the
certificate's public record, exactly as the verify page shows it, or a plain "not one of ours".
"""

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlparse

from django.utils.translation import gettext as _

from certification.credentials import vc
from certification.credentials.did import body_did
from certification.credentials.models import SigningKey
from certification.credentials.vc.keys import did_from_verification_method
from certification.issuing.models import Certificate
from certification.verification.selectors import PublicCertificate, public_certificate

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_CREDENTIAL_BYTES = 256 * 1024
CHUNK = 64 * 1024


class Outcome:
    # The file is ours: what the certificate's record says decides (valid, revoked, ...).
    FOUND = "found"
    # A PDF we never made, or one changed since: no certificate has this hash.
    UNKNOWN_FILE = "unknown_file"
    # A credential whose signature does not hold: changed since it was signed, or forged.
    ALTERED = "altered"
    # A valid signature, but not by the key of the body that issued the certificate it names.
    NOT_OURS = "not_ours"
    # Neither a PDF nor a JSON credential, too large, or not readable.
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class FileVerdict:
    kind: str  # "pdf", "credential" or "" when the file is neither
    outcome: str
    message: str
    certificate: PublicCertificate | None = None
    # A recognition award's credential (certification/recognition): its public page.
    award_url: str = ""
    award_revoked: bool = False


def _unreadable(message: str) -> FileVerdict:
    return FileVerdict(kind="", outcome=Outcome.UNREADABLE, message=message)


def file_verdict(upload) -> FileVerdict:
    """What the portal can say about an uploaded file; never raises on what a visitor sends."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return _pdf_verdict(upload)
    if upload.size is not None and upload.size > MAX_CREDENTIAL_BYTES:
        return _unreadable(
            _("The file is neither a certificate PDF nor a credential file of a plausible size.")
        )
    return _credential_verdict(upload.read(MAX_CREDENTIAL_BYTES + 1))


def _pdf_verdict(upload) -> FileVerdict:
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        return _unreadable(_("The PDF is larger than any certificate the portal makes."))
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    number = (
        Certificate.objects.exclude(status=Certificate.Status.PENDING)
        .filter(pdf_sha256=digest.hexdigest())
        .values_list("number", flat=True)
        .first()
    )
    certificate = public_certificate(number=number) if number else None
    if certificate is None:
        return FileVerdict(
            kind="pdf",
            outcome=Outcome.UNKNOWN_FILE,
            message=_(
                "This PDF is not a certificate the portal issued, or it has been changed since: "
                "its fingerprint matches none of ours. Ask the holder for the original file, or "
                "check the certificate by its number."
            ),
        )
    return FileVerdict(
        kind="pdf",
        outcome=Outcome.FOUND,
        message=_("This PDF is the certificate file the portal issued, unchanged."),
        certificate=certificate,
    )


def _credential_number(document: dict) -> str:
    """The certificate number a credential names: its licence number, or the number in its id."""
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if isinstance(subject, dict) and isinstance(subject.get("licenseNumber"), str):
        return subject["licenseNumber"]
    identifier = document.get("id")
    if isinstance(identifier, str):
        parts = [part for part in urlparse(identifier).path.split("/") if part]
        if len(parts) >= 2 and parts[-1] == "credential":
            return parts[-2]
    return ""


def _proof_methods(document: dict) -> list[str]:
    proofs = document.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return [
        proof["verificationMethod"]
        for proof in proofs
        if isinstance(proof, dict) and isinstance(proof.get("verificationMethod"), str)
    ]


def _signed_by_its_body(document: dict, number: str) -> bool:
    """Whether the proof's key is one of the keys (current or retired) of the body that issued
    certificate ``number``."""
    found = Certificate.objects.filter(number=number).values_list("body_id", "body__code").first()
    if found is None:
        return False
    body_id, body_code = found
    methods = {did_from_verification_method(method) for method in _proof_methods(document)}
    if body_did(body_code) in methods:
        return True  # vc.verify found the key in the body's own DID document (issue 16)
    keys = SigningKey.objects.filter(body_id=body_id).values_list("public_key", flat=True)
    return any(vc.did_key(bytes(public)) in methods for public in keys)


def _credential_verdict(data: bytes) -> FileVerdict:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _unreadable(
            _("The file is neither a certificate PDF nor a credential file (JSON) we can read.")
        )
    if not isinstance(document, dict) or "proof" not in document:
        return _unreadable(_("The file is JSON, but not a signed credential."))
    if not vc.verify(document).verified:
        return FileVerdict(
            kind="credential",
            outcome=Outcome.ALTERED,
            message=_(
                "The credential's signature does not hold: it has been changed since it was "
                "signed, or it was never signed by the key it names. Do not rely on it."
            ),
        )
    number = _credential_number(document)
    certificate = public_certificate(number=number) if number else None
    if certificate is None and (award := _award_verdict(document)) is not None:
        return award
    if certificate is None or not _signed_by_its_body(document, number):
        return FileVerdict(
            kind="credential",
            outcome=Outcome.NOT_OURS,
            message=_(
                "The credential is signed, but not by the certifying body of any certificate "
                "the portal issued. Do not rely on it."
            ),
        )
    return FileVerdict(
        kind="credential",
        outcome=Outcome.FOUND,
        message=_("The credential's signature holds and was made by the issuing body's key."),
        certificate=certificate,
    )


def _award_verdict(document: dict) -> FileVerdict | None:
    """A published award's credential, signed by its awarding body: found, with its page."""
    from django.urls import reverse

    from certification.recognition.selectors import award_for_credential

    award = award_for_credential(document)
    if award is None:
        return None
    facts = {"award": award.round.title, "name": award.name, "body": award.round.body.name}
    revoked = award.status == award.Status.REVOKED
    if revoked:
        message = _(
            "The credential's signature holds: it is the award “%(award)s” of %(name)s, "
            "signed by %(body)s, which has since revoked it."
        )
    else:
        message = _(
            "The credential's signature holds: it is the award “%(award)s” of %(name)s, "
            "signed by %(body)s."
        )
    return FileVerdict(
        kind="credential",
        outcome=Outcome.FOUND,
        message=message % facts,
        award_url=reverse("award_verify", args=[award.pk]),
        award_revoked=revoked,
    )
