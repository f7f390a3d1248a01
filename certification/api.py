"""The certification app's public face: the only module other apps import.

Plain functions with keyword arguments, returning plain data (dataclasses from ``goals/``
and ``reporting/``).
"""

import datetime

from certification.goals.selectors import GoalPoint, GoalProgress
from certification.goals.selectors import goals_progress as _goals_progress
from certification.reporting.dashboard import CertificationFigures

__all__ = ["GoalPoint", "GoalProgress", "goals_progress"]


def goals_progress(*, today: datetime.date | None = None) -> list[GoalProgress]:
    """Every goal's count, monthly series, projection and verdict, soonest deadline first."""
    return _goals_progress(today=today)


def certification_figures(*, today: datetime.date | None = None) -> CertificationFigures:
    """Certificates issued and people newly certified by month, province, base and level, with
    the certificates in force and the applications waiting today (five queries)."""
    from certification.reporting.dashboard import certification_figures as _figures

    return _figures(today=today)


__all__ += ["CertificationFigures", "certification_figures"]


def certificate_status_counts(cursor) -> dict[str, int]:
    """Certificates by status, through any DB-API cursor (Django's, or psycopg's on another
    copy of the database, as a backup check needs)."""
    from certification.issuing.models import Certificate

    # The model's own table name (a plain identifier), quoted; no value is formatted in.
    table = Certificate._meta.db_table
    cursor.execute(f'SELECT status, count(*) FROM "{table}" GROUP BY status')  # noqa: S608
    return dict(sorted(cursor.fetchall()))


__all__ += ["certificate_status_counts"]


def certificates_issued_count(*, base_id: int, year: int) -> int:
    """Certificates first awarded in ``year`` by the certifying bodies of the training base
    (re-issues that supersede an earlier certificate and unfinished issues are not counted)."""
    from certification.issuing.models import Certificate

    return (
        Certificate.objects.filter(body__training_base_id=base_id, issued_on__year=year)
        .exclude(status=Certificate.Status.PENDING)
        .filter(supersedes__isnull=True)
        .count()
    )


__all__ += ["certificates_issued_count"]


# -- reports for the authorities (portal/reports) ---------------------------------------------

from certification.reporting.reports import CertifyingBodySummary, IssuedGroup  # noqa: E402


def certifying_bodies_list() -> list[CertifyingBodySummary]:
    """Every certifying body, national first, then provincial, then training bases."""
    from certification.reporting.reports import certifying_bodies_all

    return certifying_bodies_all()


def certificates_issued_by_group(
    *, date_from: datetime.date, date_to: datetime.date, body_id: int | None = None
) -> list[IssuedGroup]:
    """Certificates issued in the period per body, level and holder's province, renewals apart."""
    from certification.reporting.reports import certificates_issued_groups

    return certificates_issued_groups(date_from=date_from, date_to=date_to, body_id=body_id)


def filing_report_columns() -> list[tuple[str, int]]:
    """(header, width) of the filing sheet's columns, in the active language, in row order."""
    from certification.lifecycle.selectors import filing_columns

    return filing_columns()


def filing_report_count(
    *, date_from: datetime.date, date_to: datetime.date, body_id: int | None = None
) -> int:
    """How many rows ``filing_report_rows`` gives for the same arguments."""
    from certification.reporting.reports import filing_report_certificates

    certificates = filing_report_certificates(date_from=date_from, date_to=date_to, body_id=body_id)
    return certificates.count()


def filing_report_rows(
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    body_id: int | None = None,
    chunk_size: int = 500,
):
    """Filing-sheet rows (lists of plain values) of filed levels' certificates issued then."""
    from certification.lifecycle.selectors import filing_rows
    from certification.reporting.reports import filing_report_certificates

    certificates = filing_report_certificates(date_from=date_from, date_to=date_to, body_id=body_id)
    return filing_rows(certificates, chunk_size=chunk_size)


__all__ += [
    "CertifyingBodySummary",
    "IssuedGroup",
    "certificates_issued_by_group",
    "certifying_bodies_list",
    "filing_report_columns",
    "filing_report_count",
    "filing_report_rows",
]


# -- a person's own data (portal/my_data.py) ---------------------------------------------------


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data_of(*, user_id: int) -> dict:
    """Everything certification holds about one person, as plain JSON-ready data: applications
    with their evidence list, certificates with number and status, the registry listing.

    ``files`` lists ``(name in the archive, name in the private storage)`` of the person's
    certificate PDFs and uploaded evidence; open them with ``storages["private"]``."""
    from certification.applications.models import Application, Evidence
    from certification.issuing.models import Certificate
    from certification.registry.models import RegistryListing

    files: list[tuple[str, str]] = []
    applications = []
    for a in Application.objects.filter(applicant_id=user_id).select_related("level", "body"):
        evidence = []
        for e in Evidence.objects.filter(application=a).order_by("pk"):
            evidence.append(
                {
                    "kind": e.kind,
                    "file_name": e.original_name,
                    "content_type": e.content_type,
                    "size": e.size,
                    "uploaded_at": _iso(e.uploaded_at),
                }
            )
            if e.file:
                files.append(
                    (f"evidence/{a.pk}-{e.pk}-{e.file.name.rsplit('/', 1)[-1]}", e.file.name)
                )
        applications.append(
            {
                "id": a.pk,
                "level": a.level.name,
                "certifying_body": a.body.name,
                "status": a.status,
                "printed_name": a.printed_name,
                "experience_years": str(a.experience_years),
                "experience_note": a.experience_note,
                "decision_reason": a.decision_reason,
                "created_at": _iso(a.created_at),
                "submitted_at": _iso(a.submitted_at),
                "decided_at": _iso(a.decided_at),
                "evidence": evidence,
            }
        )
    certificates = []
    for c in Certificate.objects.filter(holder_id=user_id).order_by("pk"):
        certificates.append(
            {
                "number": c.number,
                "status": c.status,
                "printed_name": c.printed_name,
                "level": c.level_name,
                "certifying_body": c.body_name,
                "issued_on": _iso(c.issued_on),
                "valid_until": _iso(c.valid_until),
                "revoked_at": _iso(c.revoked_at),
            }
        )
        if c.pdf:
            files.append((f"certificates/{c.number}.pdf", c.pdf.name))
    listing = RegistryListing.objects.filter(user_id=user_id).first()
    registry = None
    if listing is not None:
        registry = {
            "listed": listing.listed,
            "organisation": listing.organisation,
            "specialties": listing.specialties,
            "public_contact": listing.public_contact,
            "listed_since": _iso(listing.listed_since),
        }
    return {
        "applications": applications,
        "certificates": certificates,
        "registry_listing": registry,
        "files": files,
    }


def personal_data_erase(*, user_id: int, actor) -> None:
    """What closing an account removes from certification, recorded in the audit log (without
    personal data): the registry listing, and the evidence of applications that ended, or now
    end, without a certificate (drafts and returned ones are withdrawn). Certificates keep their
    printed name, so they stay verifiable; applications still before a certifier stay as they
    are. Run inside the transaction closing the account."""
    from django.core.files.storage import storages
    from django.db import transaction
    from django.utils import timezone

    from certification.applications.models import Application, Evidence
    from certification.audit.chain import audit_append
    from certification.registry.models import RegistryListing

    Status = Application.Status
    RegistryListing.objects.filter(user_id=user_id).delete()
    Application.objects.filter(applicant_id=user_id, status__in=Application.EDITABLE).update(
        status=Status.WITHDRAWN, decided_at=timezone.now()
    )
    ended = Evidence.objects.filter(
        application__applicant_id=user_id,
        application__status__in=(Status.REJECTED, Status.WITHDRAWN),
        application__certificate__isnull=True,
    )
    names = [name for name in ended.values_list("file", flat=True) if name]
    ended.delete()
    storage = storages["private"]

    def remove_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
    from portal.accounts.models import User

    audit_append(
        actor=actor,
        action="account_closed",
        obj=User.objects.get(pk=user_id),
        data={"evidence_files_removed": len(names)},
    )


__all__ += ["personal_data_erase", "personal_data_of"]


REGISTRY_FIND_WORDS = 8  # more words than this are ignored: each adds a condition per row


def registry_find(*, query: str, limit: int = 5) -> tuple[int, list]:
    """People in the public registry matching every word of ``query`` (in the printed name,
    organisation, specialties, province or the level of a certificate in force): how many, and
    the first ``limit`` as the registry shows them (``RegistryEntry``)."""
    from django.db.models import Exists, OuterRef, Q
    from django.utils import translation

    from certification.registry.selectors import (
        certificates_in_force,
        registry_entries,
        registry_search,
    )
    from portal.accounts.provinces import Province

    def province_codes(word: str) -> list[str]:
        codes = []
        for code, label in Province.choices:
            names = []
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    names.append(str(label).casefold())
            if any(word.casefold() in name for name in names):
                codes.append(code)
        return codes

    rows = registry_search()
    words = query.split()[:REGISTRY_FIND_WORDS]
    if not words:
        return 0, []
    for word in words:
        level = (
            certificates_in_force()
            .filter(holder_id=OuterRef("user_id"))
            .filter(Q(level_name__icontains=word) | Q(level_name_en__icontains=word))
        )
        rows = rows.filter(
            Q(shown_name__icontains=word)
            | Q(organisation__icontains=word)
            | Q(specialties__icontains=word)
            | Q(user__province__in=province_codes(word))
            | Exists(level)
        )
    return rows.count(), registry_entries(rows[:limit])


__all__ += ["registry_find"]


def audit_record(*, actor, action: str, obj, data: dict | None = None) -> None:
    """Append a decision about ``obj`` to the hash-chained audit log (inside the caller's
    transaction, as its last write)."""
    from certification.audit.chain import audit_append

    audit_append(actor=actor, action=action, obj=obj, data=data)


def evidence_file_check(upload) -> str:
    """The content type of an acceptable evidence file (a real picture, cleaned of its EXIF, or
    a real PDF, within the size limit); a ``ValidationError`` with the reason otherwise."""
    from django.core.exceptions import ValidationError

    from certification.errors import CertificationError
    from certification.files import evidence_check

    try:
        return evidence_check(upload)
    except CertificationError as refused:
        raise ValidationError(str(refused)) from refused


def evidence_file_response(field, *, filename: str, content_type: str | None = None):
    """A private file sent so that a browser never runs it as a page."""
    from certification.files import private_file

    return private_file(field, filename=filename, content_type=content_type)


__all__ += ["audit_record", "evidence_file_check", "evidence_file_response"]


def certificates_in_force_of(*, user_ids) -> dict[int, list[tuple[str, str, str]]]:
    """The certificates each person holds in force today, highest level first, as (number,
    level name, level name in English); one query. For pages where the holder chose to show
    them, such as the national faculty pool."""
    from certification.registry.selectors import certificates_in_force

    found: dict[int, list[tuple[str, str, str]]] = {pk: [] for pk in user_ids}
    rows = (
        certificates_in_force()
        .filter(holder_id__in=list(found))
        .order_by("holder_id", "-level__rank", "-issued_on", "-pk")
        .values_list("holder_id", "number", "level_name", "level_name_en")
    )
    for holder_id, number, name, name_en in rows:
        found[holder_id].append((number, name, name_en))
    return found


__all__ += ["certificates_in_force_of"]


def registrar_figures():
    """Technology-contract registrar certificates in force, national and provincial, and how
    many are in post: the country first (province ""), then each province
    (``certification.registrars.selectors.RegistrarFigures``)."""
    from certification.registrars.selectors import registrar_figures as figures

    return figures()


__all__ += ["registrar_figures"]
