"""What certification tells the layers above it. Receivers must be thin and call their own api.

figures_changed: what (sent after commit by ``figures_changed_notify``) — certificates issued,
revoked, expired or superseded, applications submitted or decided.
"""

from django.db import transaction
from django.dispatch import Signal

figures_changed = Signal()


def figures_changed_notify(what: str) -> None:
    """Tell the layers above, once the current transaction commits, that ``what`` changed."""
    transaction.on_commit(lambda: figures_changed.send(sender="certification", what=what))
