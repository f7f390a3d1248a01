"""The hash-chained audit log: appending entries and checking the chain is intact."""

from django.db import transaction
from django.utils import timezone

from certification import page_cache, signals
from certification.audit.models import AuditEntry, AuditHead


def audit_append(*, actor, action: str, obj, data: dict | None = None) -> AuditEntry:
    """Append to the hash chain. Must run inside the transaction making the change."""
    return audit_append_many(actor=actor, entries=[(action, obj, data)])[0]


def audit_append_many(
    *, actor, entries: list[tuple[str, object, dict | None]], public: bool = True
) -> list:
    """Append ``(action, obj, data)`` entries in order, with one lock of the chain's head.

    Must run inside the transaction making the change; the head stays locked until it
    commits, so call it last. ``public=False`` is for entries no public page or certification
    figure shows (learning records: hours, attendance, grades): they are chained like any
    other, but the public pages' cache and the dashboard's figures are left alone."""
    try:
        head = AuditHead.objects.select_for_update(of=("self",)).get(pk=1)
    except AuditHead.DoesNotExist:
        AuditHead.objects.bulk_create([AuditHead(pk=1)], ignore_conflicts=True)
        head = AuditHead.objects.select_for_update(of=("self",)).get(pk=1)
    at = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    actor_label = getattr(actor, "email", "") or "system"
    rows, previous = [], head.last_hash
    for action, obj, data in entries:
        entry = AuditEntry(
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=type(obj).__name__.lower(),
            object_id=str(obj.pk),
            data=data or {},
            previous_hash=previous,
        )
        entry.hash = previous = entry.compute_hash()
        rows.append(entry)
    AuditEntry.objects.bulk_create(rows)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])
    if not public:
        return rows
    # Everything the dashboard counts (applications submitted or decided, certificates issued,
    # revoked, expired, renewed) passes through the audit log.
    signals.figures_changed_notify(rows[-1].action if rows else "")
    transaction.on_commit(page_cache.public_changed)  # public pages show it at once
    return rows


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
