"""Reads for the management dashboard: certification figures grouped for precomputation.

A certificate belongs to the training base of its certifying body when the body is a base's
(junior certificates), otherwise to the base of the class the holder trained in (the
application's course); its level is the national ladder level it corresponds to (the level's
``course_level``), or the level's own code for tracks outside the ladder. Province is the
holder's. Five queries, whatever the number of certificates.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from certification.applications.models import Application
from certification.issuing.models import Certificate
from certification.levels.models import CertificationLevel
from cms import api as cms_api


@dataclass(frozen=True)
class CertificationMonth:
    """Certificates issued in one month, for one province, training base and level.

    ``people`` counts holders whose first certificate of the level this was (renewals,
    re-issues and a second certificate of a level held before do not add people)."""

    month: datetime.date  # its first day
    province: str
    base_id: int | None
    level: str
    people: int
    certificates: int


@dataclass(frozen=True)
class CertificationNow:
    """Certificates in force and applications awaiting a decision, on the day they are read."""

    province: str
    base_id: int | None
    level: str
    valid: int
    waiting: int


@dataclass(frozen=True)
class CertificationFigures:
    months: tuple[CertificationMonth, ...]
    now: tuple[CertificationNow, ...]
    level_labels: dict  # level key -> name, lowest rank first


def _level_keys() -> tuple[dict[int, str], dict[str, str]]:
    keys, labels = {}, {}
    ladder = cms_api.Level.labels()
    for level in CertificationLevel.objects.select_related("track").order_by("track_id", "rank"):
        key = level.course_level_id or level.code
        keys[level.pk] = key
        labels.setdefault(key, str(ladder.get(key, level.name)))
    order = list(ladder)
    ranked = sorted(labels, key=lambda key: (order.index(key) if key in order else len(order), key))
    return keys, {key: labels[key] for key in ranked}


def certification_figures(*, today: datetime.date | None = None) -> CertificationFigures:
    today = today or timezone.localdate()
    keys, labels = _level_keys()
    issued = Certificate.objects.exclude(status=Certificate.Status.PENDING)
    # Imported certificates nobody has claimed count for the imported person (negative ids)
    # and the province the import gave.
    person = Coalesce(F("holder_id"), Value(0) - F("imported_holder_id"))
    province = Coalesce(F("holder__province"), F("imported_holder__province"))
    issued = issued.annotate(person=person, person_province=province)
    earlier = issued.filter(person=OuterRef("person"), level_id=OuterRef("level_id")).filter(
        Q(issued_on__lt=OuterRef("issued_on"))
        | Q(issued_on=OuterRef("issued_on"), pk__lt=OuterRef("pk"))
    )
    month_rows = list(
        issued.annotate(month=TruncMonth("issued_on"), first=~Exists(earlier))
        .values_list(
            "month",
            "person_province",
            "body__training_base_id",
            "application__course_id",
            "level_id",
        )
        .annotate(people=Count("pk", filter=Q(first=True)), certificates=Count("pk"))
    )
    in_force = issued.filter(status=Certificate.Status.VALID).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    valid_rows = list(
        in_force.values_list(
            "person_province", "body__training_base_id", "application__course_id", "level_id"
        ).annotate(n=Count("pk"))
    )
    waiting_rows = list(
        Application.objects.filter(status__in=Application.AWAITING_DECISION)
        .values_list("applicant__province", "body__training_base_id", "course_id", "level_id")
        .annotate(n=Count("pk"))
    )
    courses = {row[3] for row in month_rows} | {row[2] for row in valid_rows + waiting_rows}
    bases = cms_api.base_ids_for_pages(page_ids={c for c in courses if c is not None})

    def base_of(body_base, course_id):
        return body_base or bases.get(course_id)

    months = defaultdict(lambda: [0, 0])
    for month, province, body_base, course_id, level_id, people, certificates in month_rows:
        key = (month, province or "", base_of(body_base, course_id), keys.get(level_id, ""))
        months[key][0] += people
        months[key][1] += certificates
    now = defaultdict(lambda: [0, 0])
    for province, body_base, course_id, level_id, n in valid_rows:
        now[(province or "", base_of(body_base, course_id), keys.get(level_id, ""))][0] += n
    for province, body_base, course_id, level_id, n in waiting_rows:
        now[(province or "", base_of(body_base, course_id), keys.get(level_id, ""))][1] += n
    return CertificationFigures(
        months=tuple(
            CertificationMonth(
                month=month, province=province, base_id=base, level=level, people=p, certificates=c
            )
            for (month, province, base, level), (p, c) in months.items()
        ),
        now=tuple(
            CertificationNow(province=province, base_id=base, level=level, valid=v, waiting=w)
            for (province, base, level), (v, w) in now.items()
        ),
        level_labels=labels,
    )
