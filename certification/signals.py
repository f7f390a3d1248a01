"""What certification tells the layers above it. Receivers must be thin and call their own api.

figures_changed: what (sent after commit by ``figures_changed_notify``) — certificates issued,
revoked, expired or superseded, applications submitted or decided.

Told to the person concerned (each sent after commit, by ``after_commit``):

application_decided: user_id, application_id, outcome ("returned" or "rejected"), level_name,
    reason — a certifier returned an application for changes or rejected it.
certificate_issued: user_id, certificate_id, number, level_name — a certificate is ready.
certificates_issued: certificates (a list of dicts with the keys certificate_issued sends) —
    several certificates made ready together (a class issued at once); sent once, instead of
    certificate_issued for each, so a receiver can tell them all in a few statements.
certificate_expiring: user_id, certificate_id, number, level_name, valid_until, days — a
    reminder, once per certificate and reminder (60 and 7 days ahead).
"""

from django.db import transaction
from django.dispatch import Signal

figures_changed = Signal()
application_decided = Signal()
certificate_issued = Signal()
certificates_issued = Signal()
certificate_expiring = Signal()


def after_commit(signal: Signal, **payload) -> None:
    """Send ``signal`` with ``payload`` once the current transaction commits."""
    transaction.on_commit(lambda: signal.send(sender="certification", **payload))


def figures_changed_notify(what: str) -> None:
    """Tell the layers above, once the current transaction commits, that ``what`` changed."""
    transaction.on_commit(lambda: figures_changed.send(sender="certification", what=what))
