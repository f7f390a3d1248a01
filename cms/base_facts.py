"""Facts about a training base that a higher layer publishes on the base's public page.

``cms`` may not read the portal's records (the annual evaluation, the accreditation period),
so the portal registers a provider at start-up (``base_public_facts_register``) and the base's
template asks for the facts with ``{% base_public_facts page as facts %}``. A provider takes a
page id and returns plain ``BasePublicFact`` rows; cms never learns where they come from.
"""

from collections.abc import Callable
from dataclasses import dataclass

_providers: list[Callable[[int], list["BasePublicFact"]]] = []


@dataclass(frozen=True)
class BasePublicFact:
    """One line on the base's public page: a label, its value and a machine-readable key."""

    key: str
    label: str
    value: str


def base_public_facts_register(provider: Callable[[int], list[BasePublicFact]]) -> None:
    """``provider(page_id)`` returns the facts to show on that base's public page."""
    if provider not in _providers:
        _providers.append(provider)


def base_public_facts(*, page_id: int) -> list[BasePublicFact]:
    """Every registered provider's facts for the base, in registration order."""
    facts: list[BasePublicFact] = []
    for provider in _providers:
        facts.extend(provider(page_id))
    return facts
