from django.core.management.base import BaseCommand, CommandError

from portal.accounts.demo import totp_current_code
from portal.accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of an account whose authenticator the demo set up."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail {email}.")
        code = totp_current_code(user)
        if code is None:
            raise CommandError(f"{email} has no authenticator set up.")
        self.stdout.write(code)
