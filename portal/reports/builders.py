"""What each report contains: its sheets, their headers in the requester's language, its rows.

A builder counts its data rows first (the job's progress total), then writes them, calling
``tick`` after each data row so the job's progress can be recorded. Figures come from the
other apps' ``api.py`` only.
"""

import abc
import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from certification.api import (
    certificates_issued_by_group,
    filing_report_columns,
    filing_report_count,
    filing_report_rows,
)
from cms.api import training_bases_all
from courses.api import training_delivered_by_base
from portal.accounts.provinces import Province
from portal.accounts.spreadsheets import XlsxWriter

from .models import ReportJob


class ReportProblem(Exception):
    """A job that cannot be built as asked; the message is shown to the person."""


@dataclass(frozen=True)
class Parameters:
    date_from: datetime.date
    date_to: datetime.date
    body_id: int | None = None
    body_name: str = ""

    @classmethod
    def from_job(cls, job: ReportJob) -> "Parameters":
        raw = job.parameters or {}
        try:
            date_from = datetime.date.fromisoformat(raw["date_from"])
            date_to = datetime.date.fromisoformat(raw["date_to"])
            body = raw.get("body")
            body_id = int(body) if body not in (None, "") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportProblem(_("The report's parameters are incomplete or invalid.")) from exc
        return cls(
            date_from=date_from,
            date_to=date_to,
            body_id=body_id,
            body_name=str(raw.get("body_name", "")),
        )


def province_label(code: str) -> str:
    if code in Province.values:
        return str(Province(code).label)
    return _("not given")


def _number(value):
    """Decimals as numbers a spreadsheet can add up."""
    return float(value) if value is not None else None


class Builder(abc.ABC):
    """One report: how many rows it will write (for the progress bar), and the writing."""

    slug = "report"

    def __init__(self, job: ReportJob, parameters: Parameters):
        self.job = job
        self.parameters = parameters

    @property
    def title(self) -> str:
        return str(self.job.get_kind_display())

    @abc.abstractmethod
    def count(self) -> int:
        """The rows ``write`` will write."""

    @abc.abstractmethod
    def write(self, book: XlsxWriter, tick) -> None:
        """Write the report's sheets, calling ``tick()`` after each counted row."""

    def notes(self) -> list[str]:
        return []

    def write_notes(self, book: XlsxWriter) -> None:
        """The last sheet: what the report is, for which period, and how it counts."""
        p = self.parameters
        user = self.job.user
        book.add_sheet(_("About this report"), [(_("About this report"), 110)])
        book.append([self.title])
        book.append(
            [
                _("Period: %(start)s to %(end)s, both days included")
                % {"start": p.date_from.isoformat(), "end": p.date_to.isoformat()}
            ]
        )
        if p.body_id is not None:
            book.append([_("Certifying body: %(body)s") % {"body": p.body_name or p.body_id}])
        book.append(
            [
                _("Prepared on %(when)s for %(who)s")
                % {
                    "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                    "who": user.real_name or user.email,
                }
            ]
        )
        for line in self.notes():
            book.append([line])


class CertificatesIssued(Builder):
    """Certificates issued in the period, per certifying body, level and holder's province."""

    slug = "certificates-issued"

    def __init__(self, job, parameters):
        super().__init__(job, parameters)
        self._groups = None

    @property
    def groups(self):
        if self._groups is None:
            p = self.parameters
            self._groups = certificates_issued_by_group(
                date_from=p.date_from, date_to=p.date_to, body_id=p.body_id
            )
        return self._groups

    def count(self) -> int:
        return len(self.groups)

    def write(self, book, tick) -> None:
        book.add_sheet(
            _("Certificates issued"),
            [
                (_("Certifying body"), 32),
                (_("Body code"), 10),
                (_("Level"), 22),
                (_("Holder's province"), 16),
                (_("First issues"), 12),
                (_("Renewals"), 12),
                (_("Total"), 10),
            ],
        )
        for group in self.groups:
            book.append(
                [
                    group.body_name,
                    group.body_code,
                    group.level_name,
                    province_label(group.province),
                    group.first_issues,
                    group.renewals,
                    group.total,
                ]
            )
            tick()
        first = sum(g.first_issues for g in self.groups)
        renewals = sum(g.renewals for g in self.groups)
        book.append([_("Total"), None, None, None, first, renewals, first + renewals], bold=True)
        self._write_totals(book)

    def _write_totals(self, book) -> None:
        """A second sheet: the same counts added up by body, by level and by province."""
        book.add_sheet(_("Totals"), widths=[40, 12, 12, 10])
        sections = [
            (_("Certifying body"), lambda g: f"{g.body_name} ({g.body_code})"),
            (_("Level"), lambda g: g.level_name),
            (_("Holder's province"), lambda g: province_label(g.province)),
        ]
        for heading, key in sections:
            totals: dict[str, list[int]] = {}
            for group in self.groups:
                counts = totals.setdefault(key(group), [0, 0])
                counts[0] += group.first_issues
                counts[1] += group.renewals
            book.append([heading, _("First issues"), _("Renewals"), _("Total")], bold=True)
            for name, (first, renewals) in totals.items():
                book.append([name, first, renewals, first + renewals])
            book.append([])

    def notes(self) -> list[str]:
        return [
            _(
                "Counts every certificate whose issue date falls in the period, whatever its "
                "status today (valid, expired, revoked or superseded). Certificates still being "
                "issued are not counted."
            ),
            _(
                "First issues are levels awarded for the first time; renewals are certificates "
                "re-issued to renew an earlier one. They are counted apart, so that the first "
                "issues count each person's award once."
            ),
            _("The province is the one on the holder's profile when the report was prepared."),
        ]


class Filing(Builder):
    """Certificates of centrally numbered and filed levels (intermediate and senior)."""

    slug = "certificate-filing"

    def _filters(self) -> dict:
        p = self.parameters
        return {"date_from": p.date_from, "date_to": p.date_to, "body_id": p.body_id}

    def count(self) -> int:
        return filing_report_count(**self._filters())

    def write(self, book, tick) -> None:
        book.add_sheet(_("Certificate filing"), filing_report_columns())
        for row in filing_report_rows(**self._filters(), chunk_size=500):
            book.append(row)
            tick()

    def notes(self) -> list[str]:
        notes = [
            _(
                "Lists the certificates of the levels numbered and filed by the national body "
                "(intermediate and senior) issued in the period, whether filed yet or not. "
                "Certificates still being issued are left out."
            )
        ]
        if self.parameters.body_id is not None:
            notes.append(_("With a certifying body chosen, lists what it issued or numbered."))
        return notes


class TrainingDelivered(Builder):
    """For every training base: classes, trainees, hours, exam attempts and passes."""

    slug = "training-delivered"

    def __init__(self, job, parameters):
        super().__init__(job, parameters)
        self._bases = None

    @property
    def bases(self):
        if self._bases is None:
            self._bases = training_bases_all()
        return self._bases

    def count(self) -> int:
        return len(self.bases)

    def write(self, book, tick) -> None:
        p = self.parameters
        delivered = training_delivered_by_base(date_from=p.date_from, date_to=p.date_to)
        book.add_sheet(
            _("Training delivered"),
            [
                (_("Training base"), 32),
                (_("Base code"), 10),
                (_("Province"), 12),
                (_("Classes"), 10),
                (_("Trainees"), 10),
                (_("Hours credited"), 14),
                (_("Final exam attempts"), 16),
                (_("Passes"), 10),
                (_("Pass rate (%)"), 12),
            ],
        )
        for base in self.bases:
            figures = delivered.by_base.get(base.page_id)
            book.append(
                [base.name, base.short_code, province_label(base.province)] + self._row(figures)
            )
            tick()
        book.append([_("Total"), None, None] + self._row(delivered.total), bold=True)

    @staticmethod
    def _row(figures) -> list:
        if figures is None:
            return [0, 0, 0.0, 0, 0, None]
        return [
            figures.classes,
            figures.trainees,
            _number(figures.hours),
            figures.exam_attempts,
            figures.exam_passes,
            _number(figures.pass_rate),
        ]

    def notes(self) -> list[str]:
        return [
            _(
                "Classes are the published courses starting in the period. Trainees are the "
                "people enrolled in them, withdrawn enrolments left out; someone in two classes "
                "of a base counts once there, and once in the total."
            ),
            _("Hours credited are the lesson hours credited to the trainees of those classes."),
            _(
                "Exam attempts are the attempts at the base's exams whose result became final "
                "in the period; the pass rate is the share of them that passed."
            ),
        ]


BUILDERS = {
    ReportJob.Kind.CERTIFICATES: CertificatesIssued,
    ReportJob.Kind.FILING: Filing,
    ReportJob.Kind.TRAINING: TrainingDelivered,
}


def builder_for(job: ReportJob) -> Builder:
    """The builder of the job's kind, with its parameters read back."""
    cls = BUILDERS.get(job.kind)
    if cls is None:
        raise ReportProblem(_("There is no report of this kind."))
    return cls(job, Parameters.from_job(job))
