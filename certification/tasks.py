"""Celery tasks: each takes ids, reloads, calls a service, and is safe to run twice.

``acks_late`` with ``reject_on_worker_lost`` (settings) puts a task back on the queue when its
worker dies, and the services skip what is already done.
"""

from celery import shared_task

from certification.audit.anchors import checkpoint_create
from certification.credentials.status import status_lists_renew
from certification.filing.services import evaluation_reminders_send
from certification.issuing.bulk import bulk_issue_chunk, bulk_issue_resume_stalled
from certification.issuing.services import certificate_complete, certificates_pending_stale
from certification.lifecycle.services import certificates_expire_and_remind


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def certificate_complete_task(self, certificate_id: int) -> str:
    """Make the PDF and signed credential of a pending certificate."""
    try:
        return certificate_complete(certificate_id=certificate_id).status
    except OSError as exc:  # storage trouble: the error is on the certificate; try again
        raise self.retry(exc=exc) from exc


@shared_task
def certificates_pending_sweep() -> int:
    """Queue again certificates left pending by a dead worker or a storage outage."""
    ids = certificates_pending_stale()
    for certificate_id in ids:
        certificate_complete_task.delay(certificate_id)
    return len(ids)


@shared_task
def certificates_expire_task() -> dict:
    """Nightly: mark expired certificates and send the 60- and 7-day reminders."""
    return certificates_expire_and_remind()


@shared_task
def status_lists_renew_task() -> int:
    """Hourly: sign again the status lists whose short validity is running out."""
    return status_lists_renew()


@shared_task
def bulk_issue_chunk_task(run_id: int, item_ids: list[int]) -> None:
    bulk_issue_chunk(run_id=run_id, item_ids=item_ids)


@shared_task
def bulk_issue_resume_stalled_task() -> list[int]:
    """Every few minutes: queue again bulk runs a dead worker left waiting."""
    return bulk_issue_resume_stalled()


@shared_task
def audit_checkpoint_task() -> int | None:
    """Daily: sign and publish the audit chain's head (its position), so an edit with the
    hashes recomputed, or deleted newest entries, can be told later (audit_verify)."""
    checkpoint = checkpoint_create()
    return checkpoint.sequence if checkpoint else None


@shared_task
def filing_evaluation_remind_task() -> int:
    """Each January: remind the national officers when last year's evaluation of filed talent
    has not been run (sent once a year at most)."""
    return evaluation_reminders_send()
