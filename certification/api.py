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
