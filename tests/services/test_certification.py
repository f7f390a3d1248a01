"""Issuing certificates on the real components: PostgreSQL, Redis and Celery worker processes.

What DESIGN.md promises ("Certificates, precisely") is checked where it can really break: two
certifiers at once, many approvals at once, a bulk run through a worker, a worker killed in the
middle of a run, and the completing task delivered twice.

The class of qualified applicants made in bulk and the worker processes come from
``certification_support``, which ``bench/issue.py`` uses too.
"""

import hashlib
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from certification.audit.chain import audit_chain_break
from certification.credentials import vc
from certification.errors import CertificationError
from certification.issuing.bulk import BULK_CHUNK, bulk_issue_resume, bulk_issue_start
from certification.issuing.services import application_approve
from certification.models import (
    Application,
    AuditEntry,
    BulkIssue,
    BulkIssueItem,
    Certificate,
    NumberSequence,
)
from tests.certification.factories import certifier, certifying_body
from tests.services.certification_support import qualified_class
from tests.services.together import run_together

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# -- fixtures and helpers for the tests ---------------------------------------------------------


@pytest.fixture
def body():
    return certifying_body("GD")


def wait_for(condition, *, timeout: float, interval=0.1, what="the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def item_counts(run_id: int) -> Counter:
    """Items per status; fails at once, with the reasons, when any item failed."""
    counts = Counter(BulkIssueItem.objects.filter(run_id=run_id).values_list("status", flat=True))
    if counts["failed"]:
        reasons = Counter(
            BulkIssueItem.objects.filter(run_id=run_id, status="failed").values_list(
                "error", flat=True
            )
        )
        raise AssertionError(f"{counts['failed']} items failed: {dict(reasons)}")
    return counts


def run_finished(run_id: int) -> bool:
    item_counts(run_id)
    return BulkIssue.objects.get(pk=run_id).status == BulkIssue.Status.FINISHED


def assert_issued_once_each(application_ids, *, body, year=None):
    """One valid certificate per application, numbered 1..N without gaps, each PDF stored
    under MEDIA_ROOT with the SHA-256 on record, one credential, one issued audit entry."""
    year = year or timezone.localdate().year
    certificates = list(
        Certificate.objects.filter(application_id__in=application_ids).order_by("sequence")
    )
    assert len(certificates) == len(application_ids)
    assert len({c.application_id for c in certificates}) == len(application_ids)
    assert [c.sequence for c in certificates] == list(range(1, len(application_ids) + 1))
    assert len({c.number for c in certificates}) == len(certificates)
    assert Counter(c.status for c in certificates) == {"valid": len(certificates)}
    assert not Certificate.objects.filter(status=Certificate.Status.PENDING).exists()
    sequence = NumberSequence.objects.get(body=body, level__code="junior_broker", year=year)
    assert sequence.last == len(certificates)
    assert set(
        Application.objects.filter(pk__in=application_ids).values_list("status", flat=True)
    ) == {Application.Status.ISSUED}
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    for certificate in certificates:
        assert certificate.pdf.name.startswith("certification/certificates/")
        assert certificate.number not in certificate.pdf.name  # not derived from the number
        stored = (media / certificate.pdf.name).read_bytes()
        assert stored.startswith(b"%PDF-")
        assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256, certificate.number
        assert certificate.credential["proof"][0]["type"] == "DataIntegrityProof"
        assert certificate.issue_error == ""
    # No stray files: a retried or doubled render did not add a second PDF.
    on_disk = sorted(p.name for p in (media / "certification/certificates").iterdir())
    assert on_disk == sorted(Path(c.pdf.name).name for c in certificates)
    issued = Counter(
        AuditEntry.objects.filter(action="certificate.issued").values_list("object_id", flat=True)
    )
    assert issued == {str(c.pk): 1 for c in certificates}
    approved = Counter(
        AuditEntry.objects.filter(action="application.approved").values_list("object_id", flat=True)
    )
    assert approved == {str(pk): 1 for pk in application_ids}
    for certificate in certificates[:: max(1, len(certificates) // 10)]:
        assert vc.verify(certificate.credential).verified, certificate.number
    checked, broken = audit_chain_break()
    assert broken is None and checked >= 2 * len(certificates)
    return certificates


def assert_told_once_and_sent(application_ids, mail_dir):
    """Each holder got one "your certificate is ready" mail, and a worker sent it."""
    from portal.accounts.models import OutgoingMail

    holders = list(
        Application.objects.filter(pk__in=application_ids).values_list(
            "applicant__email", flat=True
        )
    )
    mails = OutgoingMail.objects.filter(to__in=holders)
    assert Counter(mails.values_list("to", flat=True)) == dict.fromkeys(holders, 1)
    wait_for(
        lambda: not mails.exclude(status=OutgoingMail.Status.SENT).exists(),
        timeout=60,
        what="the mails to be sent",
    )
    # The file backend may append several messages to one file; count the recipients.
    sent = "".join(path.read_text() for path in Path(mail_dir).iterdir())
    assert all(sent.count(f"To: {holder}\n") == 1 for holder in holders)


# -- two certifiers, many certifiers -----------------------------------------------------------


def test_two_certifiers_approving_the_same_application_at_once_make_one_certificate(body):
    first, second = certifier(body), certifier(body)
    _, application_ids = qualified_class(body, 5, tag="pair")

    for application_id in application_ids:
        outcomes = run_together(
            2,
            lambda i, application_id=application_id: (
                application_approve(
                    application_id=application_id, actor=(first, second)[i], enqueue=False
                ).number
            ),
            refused=CertificationError,
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["ok", "refused"], outcomes
        refusal = next(value for kind, value in outcomes if kind == "refused")
        assert "already approved" in refusal

    certificates = Certificate.objects.filter(application_id__in=application_ids)
    assert certificates.count() == 5
    assert sorted(certificates.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    assert NumberSequence.objects.get(body=body).last == 5
    # The refused approval took no number: the next one continues without a gap.
    _, later = qualified_class(body, 1, tag="later")
    certificate = application_approve(application_id=later[0], actor=first, enqueue=False)
    assert certificate.sequence == 6
    assert AuditEntry.objects.filter(action="application.approved").count() == 6
    assert audit_chain_break()[1] is None


def test_many_certifiers_approving_at_once_number_without_gaps_or_duplicates(body):
    threads, each = 8, 5
    people = [certifier(body) for _ in range(threads)]
    _, application_ids = qualified_class(body, threads * each, tag="many")

    def approve_mine(i):
        mine = application_ids[i * each : (i + 1) * each]
        return [
            application_approve(
                application_id=application_id, actor=people[i], enqueue=False
            ).sequence
            for application_id in mine
        ]

    outcomes = run_together(threads, approve_mine, refused=CertificationError)

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    sequences = sorted(s for _, values in outcomes for s in values)
    assert sequences == list(range(1, threads * each + 1))
    certificates = Certificate.objects.filter(application_id__in=application_ids)
    assert sorted(certificates.values_list("sequence", flat=True)) == sequences
    assert certificates.values("number").distinct().count() == threads * each
    assert sorted(certificates.values_list("status_index", flat=True)) == list(
        range(threads * each)
    )
    assert NumberSequence.objects.get(body=body).last == threads * each
    assert audit_chain_break() == (threads * each, None)


# -- bulk issuing through real workers ---------------------------------------------------------


def test_a_bulk_run_through_a_worker_issues_the_whole_class(body, workers):
    workers.start()
    certifying = certifier(body)
    page, application_ids = qualified_class(body, 40, tag="bulk")

    run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="班")

    wait_for(lambda: run_finished(run.pk), timeout=120, what="the run to finish")
    assert item_counts(run.pk) == {"done": 40}
    assert_issued_once_each(application_ids, body=body)
    assert_told_once_and_sent(application_ids, workers.mail)


def test_a_bulk_run_on_two_workers_at_once_issues_the_whole_class(body, workers):
    """Two workers take chunks side by side: one approving while the other completes must
    neither deadlock nor fail an item."""
    workers.start()
    workers.start()
    certifying = certifier(body)
    page, application_ids = qualified_class(body, 150, tag="pair-run")

    run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="班")

    wait_for(lambda: run_finished(run.pk), timeout=180, what="the run to finish")
    assert item_counts(run.pk) == {"done": 150}
    assert_issued_once_each(application_ids, body=body)
    for worker in workers.started:
        assert "deadlock" not in worker.log()


def _wait_until_only_chunk_left(run_id, chunk_item_ids):
    """Every item outside the killed chunk is done: the other chunks' messages are drained."""

    def settled():
        item_counts(run_id)
        queued = set(
            BulkIssueItem.objects.filter(
                run_id=run_id, status=BulkIssueItem.Status.QUEUED
            ).values_list("pk", flat=True)
        )
        return queued <= chunk_item_ids

    wait_for(settled, timeout=180, what="the other chunks to be issued")


def test_a_worker_killed_in_the_middle_of_a_run_then_retry_issues_each_exactly_once(body, workers):
    """A machine dies with a chunk half done: nothing is issued twice and nothing is lost.

    With Redis, the dead worker's unacknowledged chunk comes back only after the broker's
    visibility timeout (an hour by default), so the run is resumed: from the run page once it
    has not moved for two minutes, or by Celery beat after ten (``bulk_issue_resume``). The
    chunk may have been approved and not completed; the resumed chunk finishes it.
    """
    count = 300
    first = workers.start()
    certifying = certifier(body)
    page, application_ids = qualified_class(body, count, tag="kill")

    run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="班")
    item_ids = list(
        BulkIssueItem.objects.filter(run=run).order_by("pk").values_list("pk", flat=True)
    )

    # Kill it in the middle of a chunk after the first: items are marked done a chunk at a
    # time, so "under way" is a chunk whose certificates are approved but still pending.
    def chunk_under_way() -> bool:
        return (
            item_counts(run.pk)["done"] >= BULK_CHUNK
            and Certificate.objects.filter(
                application_id__in=application_ids, status=Certificate.Status.PENDING
            ).exists()
        )

    wait_for(chunk_under_way, timeout=120, interval=0.02, what="a later chunk to be under way")
    first.kill()
    done_at_kill = item_counts(run.pk)["done"]
    assert done_at_kill < count, "the worker finished before it could be killed"
    killed_chunk = next(
        set(item_ids[start : start + BULK_CHUNK])
        for start in range(0, count, BULK_CHUNK)
        if start + BULK_CHUNK > done_at_kill
    )

    # A new worker takes the chunks still waiting in the queue, but not the one in flight.
    workers.start()
    _wait_until_only_chunk_left(run.pk, killed_chunk)
    time.sleep(1)
    assert not run_finished(run.pk), "the killed chunk came back by itself"
    assert 0 < item_counts(run.pk)["queued"] <= BULK_CHUNK

    queued_again = bulk_issue_resume(run_id=run.pk)

    assert 0 < queued_again <= BULK_CHUNK
    wait_for(lambda: run_finished(run.pk), timeout=120, what="the retried run to finish")
    assert item_counts(run.pk) == {"done": count}
    assert_issued_once_each(application_ids, body=body)


def test_a_pool_process_killed_mid_chunk_is_redelivered_and_the_run_finishes(body, workers):
    """The pool child dies (say, out of memory); the parent rejects the message, which comes
    back at once (acks_late + reject_on_worker_lost), and the run finishes unaided."""
    count = 150
    worker = workers.start(pool="prefork", concurrency=1)
    certifying = certifier(body)
    page, application_ids = qualified_class(body, count, tag="oom")

    run = bulk_issue_start(body=body, course_id=page.pk, actor=certifying, title="班")
    wait_for(
        lambda: item_counts(run.pk)["done"] >= 20,
        timeout=120,
        interval=0.02,
        what="the first chunk to be under way",
    )
    children = worker.children()
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)

    wait_for(lambda: run_finished(run.pk), timeout=180, what="the run to finish")
    assert "WorkerLostError" in worker.log() or "exited with" in worker.log()
    assert item_counts(run.pk) == {"done": count}
    assert_issued_once_each(application_ids, body=body)


# -- the completing task, delivered twice ------------------------------------------------------


@pytest.mark.parametrize(
    "at_once",
    [
        pytest.param(False, id="one-worker"),
        pytest.param(True, id="two-workers-at-once"),
    ],
)
def test_certificate_complete_queued_twice_makes_one_pdf_one_credential_one_entry(
    body, workers, at_once
):
    from certification.tasks import certificate_complete_task

    workers.start()
    if at_once:
        workers.start()
    certifying = certifier(body)
    _, application_ids = qualified_class(body, 6, tag="twice")

    certificate_ids = []
    for application_id in application_ids:
        # Approving queues the task once (on commit); a retry queues it again.
        certificate = application_approve(application_id=application_id, actor=certifying)
        certificate_complete_task.delay(certificate.pk)
        certificate_ids.append(certificate.pk)

    wait_for(
        lambda: not Certificate.objects.filter(pk__in=certificate_ids, status="pending").exists(),
        timeout=120,
        what="the certificates to be completed",
    )
    time.sleep(2)  # let the second delivery of each finish too
    assert_issued_once_each(application_ids, body=body)
    assert_told_once_and_sent(application_ids, workers.mail)
