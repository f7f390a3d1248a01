"""Create (or rotate) a certifying body's Ed25519 signing key."""

from django.core.management.base import BaseCommand, CommandError

from certification.credentials import vc
from certification.credentials.keys import signing_key_create
from certification.levels.models import CertifyingBody


class Command(BaseCommand):
    help = "Create a certifying body's signing key, or rotate it with --rotate."

    def add_arguments(self, parser):
        parser.add_argument(
            "code", nargs="+", help="the body's code, e.g. GD; 'all' for every body"
        )
        parser.add_argument("--rotate", action="store_true", help="retire the current key")

    def handle(self, *args, code, rotate, **options):
        bodies = (
            CertifyingBody.objects.all()
            if code == ["all"]
            else CertifyingBody.objects.filter(code__in=code)
        )
        missing = set(code) - {"all"} - set(bodies.values_list("code", flat=True))
        if missing:
            raise CommandError(f"No certifying body with code {', '.join(sorted(missing))}.")
        for body in bodies:
            key = signing_key_create(body=body, rotate=rotate)
            self.stdout.write(f"{body.code}: {vc.did_key(bytes(key.public_key))}")
