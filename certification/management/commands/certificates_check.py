"""Check that every issued certificate still verifies against what is stored.

For each certificate that is not pending: its PDF is in media storage with the SHA-256 on
record, its signed credential verifies, and its bit in the body's signed status list says
revoked exactly when the certificate is revoked. Also: each status list's own proof verifies
and it is within its ``validUntil``,
each active signing key opens with ``PORTAL_SIGNING_KEY_SECRET``, and the audit chain holds.

Run it after restoring a backup (see ``docs/backup.md``), or now and then on the live site.
"""

import hashlib
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certification.audit.chain import audit_chain_break
from certification.credentials import keys, vc
from certification.credentials.models import SigningKey, StatusList
from certification.credentials.status import signed_until
from certification.issuing.models import Certificate

SHOWN = 20


def _pdf_problem(certificate: Certificate) -> str | None:
    if not certificate.pdf.name:
        return "has no PDF"
    try:
        with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
            digest = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        return f"PDF {certificate.pdf.name} cannot be read ({type(exc).__name__})"
    if digest.hexdigest() != certificate.pdf_sha256:
        return f"PDF {certificate.pdf.name} does not match its SHA-256 on record"
    return None


class Command(BaseCommand):
    help = (
        "Check every issued certificate: PDF present with its SHA-256, credential signature, "
        "revocation status list; plus signing keys and the audit chain. Non-zero exit on a fault."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the report as JSON"
        )

    def handle(self, *args, as_json: bool = False, **options):
        problems: list[str] = []
        lists = {
            status_list.pk: status_list
            for status_list in StatusList.objects.select_related("body").order_by("pk")
        }
        list_ok: dict[int, bool] = {}
        for pk, status_list in lists.items():
            if status_list.credential:
                result = vc.verify(status_list.credential)
                list_ok[pk] = result.verified
                if not result.verified:
                    problems.append(
                        f"status list {status_list.body.code}/{status_list.number}: "
                        f"{'; '.join(result.errors)}"
                    )
                until = signed_until(status_list.credential)
                if until is None or until < timezone.now():
                    # Verifiers refuse it: revocations on it cannot be seen until it is signed
                    # again (beat's status_lists_renew_task, or any request for the list).
                    problems.append(
                        f"status list {status_list.body.code}/{status_list.number} is past its "
                        f"validUntil ({status_list.credential.get('validUntil', 'none')})"
                    )
        checked = revoked = 0
        certificates = (
            Certificate.objects.exclude(status=Certificate.Status.PENDING)
            .filter(origin=Certificate.Origin.PORTAL)  # imported records have no PDF to check
            .only(
                "number",
                "status",
                "pdf",
                "pdf_sha256",
                "credential",
                "status_list_id",
                "status_index",
            )
            .order_by("pk")
        )
        for certificate in certificates.iterator(chunk_size=500):
            checked += 1
            revoked += certificate.status == Certificate.Status.REVOKED
            pdf = _pdf_problem(certificate)
            if pdf:
                problems.append(f"{certificate.number} {pdf}")
            result = vc.verify(certificate.credential)
            if not result.verified:
                problems.append(
                    f"{certificate.number} credential: {'; '.join(result.errors) or 'invalid'}"
                )
            problems.extend(self._status_problems(certificate, lists, list_ok))
        for key in SigningKey.objects.filter(retired_at=None).select_related("body"):
            try:
                keys.private_key(key)
            except keys.KeyUnavailable as exc:
                problems.append(f"signing key of {key.body.code}: {exc}")
        entries, broken = audit_chain_break()
        if broken is not None:
            problems.append(f"audit chain broken at entry {broken.pk}")
        report = {
            "certificates": checked,
            "revoked": revoked,
            "status_lists": len(lists),
            "audit_entries": entries,
            "problems": problems,
        }
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if problems:
            shown = "\n".join(f"  - {problem}" for problem in problems[:SHOWN])
            more = f"\n  … and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
            raise CommandError(f"{len(problems)} problems:\n{shown}{more}")
        if not as_json:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{checked} certificates verify (PDF, credential, status; {revoked} revoked); "
                    f"{len(lists)} status lists; audit chain of {entries} entries intact."
                )
            )

    @staticmethod
    def _status_problems(certificate, lists, list_ok) -> list[str]:
        status_list = lists.get(certificate.status_list_id)
        is_revoked = certificate.status == Certificate.Status.REVOKED
        if status_list is None:
            return [f"{certificate.number} has no status list"]
        if not status_list.credential:
            # Never signed: nothing was revoked on it yet (revoking signs the list).
            return [f"{certificate.number} is revoked but its list was never signed"] * is_revoked
        if not list_ok.get(status_list.pk):
            return []  # reported once for the list
        try:
            bit = vc.status_bit(status_list.credential, certificate.status_index)
        except ValueError as exc:
            return [f"{certificate.number} status: {exc}"]
        if bit != is_revoked:
            return [
                f"{certificate.number} is {certificate.status} but its status list says "
                f"{'revoked' if bit else 'not revoked'}"
            ]
        return []
