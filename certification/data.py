"""Plain data the certification app hands to its views and to other apps."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class CheckItem:
    """One requirement of a level and whether the person meets it."""

    key: str
    label: str
    required: str
    actual: str
    met: bool
    hint: str = ""


@dataclass(frozen=True)
class Checklist:
    items: tuple[CheckItem, ...]

    @property
    def met(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def missing(self) -> tuple[CheckItem, ...]:
        return tuple(item for item in self.items if not item.met)

    def as_json(self) -> dict:
        return {
            "met": self.met,
            "items": [
                {
                    "key": i.key,
                    "label": i.label,
                    "required": i.required,
                    "actual": i.actual,
                    "met": i.met,
                }
                for i in self.items
            ],
        }


@dataclass(frozen=True)
class RenewalProgress:
    certificate_id: int
    hours_required: Decimal
    hours_from_courses: Decimal
    hours_external: Decimal
    since: datetime.date

    @property
    def hours_total(self) -> Decimal:
        return self.hours_from_courses + self.hours_external

    @property
    def enough(self) -> bool:
        return self.hours_total >= self.hours_required

    @property
    def percent(self) -> int:
        if not self.hours_required:
            return 100
        return min(100, int(self.hours_total * 100 / self.hours_required))


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone may learn about a certificate from its number."""

    number: str
    holder_name_masked: str
    level: str
    level_en: str
    track: str
    body: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    status: str
    status_label: str
    revoked_at: datetime.datetime | None = None
    revocation_reason: str = ""
    superseded_by: str = ""
    pdf_sha256: str = ""
    filing_status: str = ""
    links: dict = field(default_factory=dict)
