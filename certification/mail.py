"""E-mails to applicants and holders, queued through the accounts app's mail outbox."""

from django.utils.translation import gettext as _

from portal.accounts.mail import mail_queue


def message(user, subject: str, lines: list[str]) -> dict:
    greeting = _("Dear %(name)s,") % {"name": user.real_name or user.email}
    return {"to": user.email, "subject": subject, "body_text": "\n\n".join([greeting, *lines])}


def notify(user, subject: str, lines: list[str]) -> None:
    mail_queue(**message(user, subject, lines))
