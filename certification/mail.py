"""E-mails to applicants, holders and certifiers, queued through the accounts app's mail outbox.

A link never runs on inside a sentence (a mail app would take the words after it as part of the
address): it goes on a line of its own. Every mail names the site it comes from."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from portal.accounts.mail import mail_queue

LINK = re.compile(r"https?://[!-~]+")  # an address is ASCII: Chinese after it is text


def _link_lines(line: str) -> str:
    """``line`` with each address moved to a line of its own, trailing punctuation and all
    left with the words ("…check it at https://x/." becomes "…check it at:" and the address)."""
    if not LINK.search(line):
        return line
    parts = []
    pieces = re.split(f"({LINK.pattern})", line)  # text, address, text, ...
    for index, piece in enumerate(pieces):
        if index % 2:  # an address
            address = piece.rstrip(".,;:!?)")
            parts.append(address)
            pieces[index + 1] = piece[len(address) :] + pieces[index + 1]
            continue
        text = piece.strip()
        if not text.strip(".。"):
            continue
        if index + 1 < len(pieces):  # the words that introduce the address
            text = text.rstrip(":：") + ("：" if _is_chinese(text) else ":")
        parts.append(text)
    return "\n".join(parts)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def message(user, subject: str, lines: list[str]) -> dict:
    greeting = _("Dear %(name)s,") % {"name": user.real_name or user.email}
    signature = "\n".join(
        [
            "--",
            _("Technology Transfer Talent Training Portal"),
            settings.PORTAL_BASE_URL.rstrip("/") + "/",
        ]
    )
    body = [greeting, *(_link_lines(str(line)) for line in lines if line), signature]
    return {"to": user.email, "subject": subject, "body_text": "\n\n".join(body) + "\n"}


def notify(user, subject: str, lines: list[str]) -> None:
    mail_queue(**message(user, subject, lines))
