"""Walk the audit log's hash chain, check it against the signed checkpoints, and say what broke."""

import json

from django.core.management.base import BaseCommand, CommandError

from certification.audit.anchors import chain_check


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain and its signed checkpoints (the stored ones, or copies "
        "kept elsewhere with --checkpoints); exits non-zero on an edit, a break or a truncation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="a JSON file of published checkpoints (/audit/checkpoints/ saved earlier) to "
            "check against instead of the ones in the database",
        )

    def handle(self, *args, **options):
        documents = None
        if options.get("checkpoints"):
            try:
                with open(options["checkpoints"], encoding="utf-8") as handle:
                    loaded = json.load(handle)
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read the checkpoints file: {exc}") from exc
            documents = loaded.get("checkpoints") if isinstance(loaded, dict) else loaded
            if not isinstance(documents, list):
                raise CommandError("The checkpoints file holds no list of checkpoints.")
        report = chain_check(documents)
        problems = []
        if report.broken is not None:
            entry = report.broken
            problems.append(
                f"Audit chain broken at entry {entry.pk} ({entry}): its hash does not match its "
                "content or the entry before it."
            )
        for checkpoint in report.truncated:
            problems.append(
                f"Audit chain truncated: checkpoint {checkpoint['sequence']} signed at "
                f"{checkpoint['at']} saw {checkpoint['sequence']} entries, the chain now has "
                f"{report.entries}; the newest {checkpoint['sequence'] - report.entries} or more "
                "entries were deleted."
            )
        for checkpoint in report.edited:
            if checkpoint.get("position_hash") is None:
                problems.append(
                    f"Two signed checkpoints for position {checkpoint['sequence']} disagree."
                )
                continue
            problems.append(
                f"Audit chain edited: entry {checkpoint['sequence']} of the chain has hash "
                f"{checkpoint['position_hash'][:16]}…, but checkpoint {checkpoint['sequence']} "
                f"signed at {checkpoint['at']} recorded {checkpoint['hash'][:16]}…: an entry "
                f"after position {report.last_good} and up to {checkpoint['sequence']} was "
                "changed and the later hashes recomputed."
            )
        if report.head_mismatch and not report.truncated:
            problems.append(
                "Audit chain truncated: the head records a hash no entry holds; the newest "
                "entries were deleted."
            )
        for problem in report.unsigned:
            problems.append(f"Checkpoint refused (its signature does not hold): {problem}")
        if problems:
            raise CommandError(
                "\n".join(problems)
                + f"\n{report.entries} entries, {report.checkpoints} checkpoints hold."
            )
        if report.checkpoints:
            anchored = f" {report.checkpoints} signed checkpoints match."
        else:
            anchored = (
                " No signed checkpoint yet: an edit with every later hash recomputed would "
                "not show."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.entries} entries.{anchored}")
        )
