"""Checkpoints that anchor the audit chain outside the database.

The hash chain alone shows an entry changed in place, but whoever can write the database can
change an entry, recompute every later hash and the head, and the chain reads "intact"; deleting
the newest entries leaves a shorter chain that is just as intact. So once a day
(``audit_checkpoint_task``, Celery beat) the chain's head is written down, signed with the
platform's own key (``did:web:<portal host>``, ``eddsa-jcs-2022``), kept and published at
``/audit/checkpoints/``. Anyone may copy them; an attacker with the database but not the key
sealing secret cannot sign a new one, and copies held elsewhere outlive deleted rows.

:func:`chain_check` walks the chain against the checkpoints (those stored, or copies handed
in): a checkpoint whose position holds another hash means an entry at or before it was changed
(with the hashes recomputed, or the chain would break earlier); a checkpoint beyond the chain's
end means entries were cut off: a truncation.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from certification.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from certification.credentials import did, keys
from certification.credentials.vc.dates import parse_xsd_datetime
from certification.credentials.vc.jcs import sign_jcs, verify_jcs

DOCUMENT_TYPE = "AuditCheckpoint"
GENESIS = "0" * 64


def checkpoint_document(*, sequence: int, entry_id: int, hash: str, at: datetime.datetime) -> dict:
    """The unsigned checkpoint (a plain JSON document)."""
    return {
        "type": DOCUMENT_TYPE,
        "issuer": did.platform_did(),
        "sequence": sequence,
        "entry": entry_id,
        "hash": hash,
        "at": at.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }


def checkpoint_create() -> AuditCheckpoint | None:
    """Sign and keep the chain's current head; None when the chain is empty or its head is
    already checkpointed (safe to run twice). Creates the platform key on first use."""
    key = keys.platform_key_create()  # the active key, made once
    private = keys.private_key(key)
    with transaction.atomic():
        # The head's lock orders this after every append that committed before it, and
        # keeps new ones out while the position is counted.
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            return None
        last = AuditEntry.objects.order_by("-pk").only("pk", "hash").first()
        if last is None:
            return None
        sequence = AuditEntry.objects.count()
        existing = AuditCheckpoint.objects.filter(sequence=sequence).first()
        if existing is not None:
            return None
        now = timezone.now().replace(microsecond=0)
        document = checkpoint_document(sequence=sequence, entry_id=last.pk, hash=last.hash, at=now)
        signed = sign_jcs(
            document, private_key=private, method=did.platform_key_method(key), created=now
        )
        return AuditCheckpoint.objects.create(
            sequence=sequence, entry_id=last.pk, hash=last.hash, at=now, document=signed
        )


def published_checkpoints() -> list[dict]:
    return [
        checkpoint.document
        for checkpoint in AuditCheckpoint.objects.order_by("sequence").only("document")
    ]


@dataclass
class ChainReport:
    """What :func:`chain_check` found. ``ok`` only when all of it is clean."""

    entries: int = 0
    broken: AuditEntry | None = None  # first entry whose stored hash does not fit
    head_mismatch: bool = False  # the head remembers a hash no entry holds
    truncated: list[dict] = field(default_factory=list)  # checkpoints beyond the chain's end
    edited: list[dict] = field(default_factory=list)  # checkpoints whose position differs
    unsigned: list[str] = field(default_factory=list)  # checkpoints whose proof fails
    checkpoints: int = 0  # checkpoints that were checked and hold
    last_good: int = 0  # the highest checkpointed position that matches

    @property
    def ok(self) -> bool:
        return not (
            self.broken or self.head_mismatch or self.truncated or self.edited or self.unsigned
        )


def _trusted(documents: list[dict], report: ChainReport) -> dict[int, dict]:
    """The signed checkpoints by position; the ones whose proof fails go in the report."""
    issuer = did.platform_did()
    by_sequence: dict[int, dict] = {}
    for document in documents:
        label = str(document.get("sequence")) if isinstance(document, dict) else "?"
        result = verify_jcs(document, resolve=did.resolve, issuer=issuer)
        if not result.verified:
            report.unsigned.append(f"{label}: {'; '.join(result.errors)}")
            continue
        sequence, hash = document.get("sequence"), document.get("hash")
        if (
            document.get("type") != DOCUMENT_TYPE
            or document.get("issuer") != issuer
            or not isinstance(sequence, int)
            or isinstance(sequence, bool)
            or sequence < 1
            or not isinstance(hash, str)
        ):
            report.unsigned.append(f"{label}: not an audit checkpoint of this portal")
            continue
        try:
            parse_xsd_datetime(document.get("at"))
        except (TypeError, ValueError):
            report.unsigned.append(f"{label}: no valid time")
            continue
        if by_sequence.get(sequence, document)["hash"] != hash:
            # Two signed checkpoints for one position disagree: both are reported.
            report.edited.append({**document, "position_hash": None})
        by_sequence[sequence] = document
    return by_sequence


def chain_check(checkpoints: list[dict] | None = None) -> ChainReport:
    """Walk the chain once, checking each entry's hash and link, and each signed checkpoint
    (``checkpoints``: documents kept elsewhere; by default the stored ones) against the entry
    at its position."""
    report = ChainReport()
    expected = _trusted(published_checkpoints() if checkpoints is None else checkpoints, report)
    previous, position = GENESIS, 0
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        position += 1
        if report.broken is None and (
            entry.previous_hash != previous or entry.compute_hash() != entry.hash
        ):
            report.broken = entry
        previous = entry.hash
        checkpoint = expected.get(position)
        if checkpoint is not None:
            if checkpoint["hash"] == entry.hash:
                report.checkpoints += 1
                report.last_good = max(report.last_good, position)
            else:
                report.edited.append({**checkpoint, "position_hash": entry.hash})
    report.entries = position
    for sequence in sorted(expected):
        if sequence > position:
            report.truncated.append(expected[sequence])
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and position and head.last_hash != previous:
        report.head_mismatch = True
    return report
