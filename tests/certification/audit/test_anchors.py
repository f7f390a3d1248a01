"""The anchored audit chain (issue 16, item 7): daily checkpoints of the chain's head, signed
with the platform's key and published; ``audit_verify`` catches an edit whose hashes were all
recomputed, and names deleted newest entries a truncation."""

import datetime
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from certification.audit.anchors import checkpoint_create, checkpoint_document
from certification.audit.chain import audit_append, audit_chain_break
from certification.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from certification.credentials import did, vc
from certification.credentials.vc.jcs import jcs, sign_jcs, verify_jcs
from certification.tasks import audit_checkpoint_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def append(count: int) -> None:
    subject = UserFactory()
    for n in range(count):
        with transaction.atomic():
            audit_append(actor=None, action="level.changed", obj=subject, data={"n": n})


def audit_verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def rewrite_from(position: int, data: dict) -> None:
    """What someone with write access to the database does: change the entry at ``position``
    and recompute its hash, every later hash and the head, so the chain alone reads intact."""
    previous = "0" * 64
    for index, entry in enumerate(AuditEntry.objects.order_by("pk"), start=1):
        if index == position:
            entry.data = data
        if index >= position:
            entry.previous_hash = previous
            entry.hash = entry.compute_hash()
            AuditEntry.objects.filter(pk=entry.pk).update(
                data=entry.data, previous_hash=entry.previous_hash, hash=entry.hash
            )
        previous = entry.hash
    AuditHead.objects.filter(pk=1).update(last_hash=previous)


def test_a_checkpoint_is_signed_by_the_platform_published_and_verifiable(client):
    append(3)
    checkpoint = checkpoint_create()
    last = AuditEntry.objects.order_by("-pk").first()
    assert (checkpoint.sequence, checkpoint.hash, checkpoint.entry_id) == (3, last.hash, last.pk)
    assert checkpoint_create() is None  # the head is already anchored: safe to run twice
    document = checkpoint.document
    assert document["type"] == "AuditCheckpoint" and document["issuer"] == did.platform_did()
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert document["proof"]["verificationMethod"].startswith(did.platform_did() + "#z6Mk")

    listing = client.get("/audit/checkpoints/")
    assert listing.status_code == 200
    assert listing.json()["checkpoints"] == [document]
    assert listing.json()["issuer"] == did.platform_did()
    assert client.get("/audit/checkpoints/3.json").json() == document
    assert client.get("/audit/checkpoints/4.json").status_code == 404

    # Anyone can check it with the platform's published DID document.
    platform = client.get("/.well-known/did.json").json()
    method = document["proof"]["verificationMethod"]
    assert method in platform["assertionMethod"]
    assert verify_jcs(document, issuer=did.platform_did()).verified
    public = vc.document_public_key(platform, did.platform_did(), method)
    assert verify_jcs(document, resolve=lambda _: public).verified
    changed = {**document, "hash": "f" * 64}
    assert not verify_jcs(changed, resolve=lambda _: public).verified

    out = audit_verify()
    assert "Audit chain intact: 3 entries. 1 signed checkpoints match." in out


def test_the_daily_beat_task_makes_the_checkpoint():
    entry = settings.CELERY_BEAT_SCHEDULE["checkpoint-audit-chain-daily"]
    assert entry["task"] == "certification.tasks.audit_checkpoint_task"
    assert audit_checkpoint_task() is None  # nothing to anchor yet
    append(2)
    assert audit_checkpoint_task() == 2
    assert audit_checkpoint_task() is None
    append(1)
    assert audit_checkpoint_task() == 3
    assert list(AuditCheckpoint.objects.values_list("sequence", flat=True)) == [2, 3]


def test_an_edit_with_every_hash_recomputed_is_caught_by_the_checkpoint():
    append(4)
    checkpoint_create()
    append(2)
    rewrite_from(2, {"n": "edited"})
    # The chain alone cannot tell: every hash fits.
    assert audit_chain_break() == (6, None)
    with pytest.raises(CommandError) as caught:
        audit_verify()
    message = str(caught.value)
    assert "Audit chain edited" in message
    assert "after position 0 and up to 4 was changed" in message
    assert "truncated" not in message


def test_an_edit_after_the_last_checkpoint_is_not_blamed_on_earlier_entries():
    append(3)
    checkpoint_create()
    append(3)
    checkpoint_create()
    append(1)
    rewrite_from(5, {"n": "edited"})
    with pytest.raises(CommandError, match="after position 3 and up to 6 was changed"):
        audit_verify()


@pytest.mark.parametrize("fix_head", [True, False])
def test_deleting_the_newest_entries_is_named_a_truncation(fix_head):
    append(5)
    checkpoint_create()
    newest = list(AuditEntry.objects.order_by("-pk").values_list("pk", flat=True)[:2])
    AuditEntry.objects.filter(pk__in=newest).delete()  # the model refuses; SQL does not
    if fix_head:
        last = AuditEntry.objects.order_by("-pk").first()
        AuditHead.objects.filter(pk=1).update(last_hash=last.hash)
        assert audit_chain_break() == (3, None)
    with pytest.raises(CommandError) as caught:
        audit_verify()
    message = str(caught.value)
    assert "Audit chain truncated" in message
    assert "checkpoint 5" in message and "the chain now has 3" in message
    assert "edited" not in message and "broken" not in message


def test_a_kept_copy_of_the_checkpoints_outlives_deleted_rows(tmp_path, client):
    append(4)
    checkpoint_create()
    saved = tmp_path / "checkpoints.json"
    saved.write_text(client.get("/audit/checkpoints/").content.decode(), encoding="utf-8")
    # Someone with the database deletes the checkpoint, the newest entry, and mends the head.
    AuditCheckpoint.objects.all().delete()
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("-pk").first().pk).delete()
    AuditHead.objects.filter(pk=1).update(last_hash=AuditEntry.objects.order_by("-pk")[0].hash)
    assert "intact" in audit_verify()  # what the database alone says
    with pytest.raises(CommandError, match="truncated"):
        audit_verify("--checkpoints", str(saved))
    unreadable = tmp_path / "junk.json"
    unreadable.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read the checkpoints file"):
        audit_verify("--checkpoints", str(unreadable))


def test_a_checkpoint_not_signed_by_the_platform_key_is_refused():
    append(2)
    checkpoint_create()
    last = AuditEntry.objects.order_by("-pk").first()
    forger = vc.keypair_generate()
    at = datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC)
    forged = sign_jcs(
        checkpoint_document(sequence=9, entry_id=last.pk + 7, hash="a" * 64, at=at),
        private_key=forger.private,
        method=vc.key_id(did.platform_did(), forger.public),
        created=at,
    )
    AuditCheckpoint.objects.create(
        sequence=9, entry_id=last.pk + 7, hash="a" * 64, at=at, document=forged
    )
    with pytest.raises(CommandError) as caught:
        audit_verify()
    message = str(caught.value)
    assert "Checkpoint refused" in message and "not an assertion method" in message
    assert "truncated" not in message  # a forged checkpoint proves nothing about the chain


def test_jcs_is_canonical_and_refuses_what_it_cannot_canonicalize():
    assert jcs({"b": 1, "a": ["证", None, True]}) == '{"a":["证",null,true],"b":1}'.encode()
    for bad in ({"x": 1.5}, {"x": 2**60}, {"x": object()}, {"\U0001f600": 1}):
        with pytest.raises(ValueError):
            jcs(bad)
    assert not verify_jcs({"proof": "x"}).verified
    assert not verify_jcs([]).verified
    assert json.loads(jcs({"k": "v"})) == {"k": "v"}
