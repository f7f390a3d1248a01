"""Reading the audit chain back."""

from certification.models import AuditEntry, AuditHead


def audit_chain_break() -> tuple[int, AuditEntry | None]:
    """(entries checked, first broken entry or None). Streams, so a long log is fine."""
    previous = "0" * 64
    checked = 0
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        if entry.previous_hash != previous or entry.compute_hash() != entry.hash:
            return checked, entry
        previous = entry.hash
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and checked and head.last_hash != previous:
        # The newest entries were deleted: the head remembers a hash nobody holds.
        return checked, AuditEntry.objects.order_by("-pk").first()
    return checked, None
