"""Walk the audit log's hash chain and name the first entry that does not fit."""

from django.core.management.base import BaseCommand, CommandError

from certification.audit.chain import audit_chain_break


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exits non-zero at the first broken entry."

    def handle(self, *args, **options):
        checked, broken = audit_chain_break()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at entry {broken.pk} ({broken}): its hash does not match "
                f"its content or the entry before it. {checked} entries before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} entries."))
