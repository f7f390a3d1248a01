"""The year's evaluation of filed talent as a workbook for the authorities: one row per filed
person evaluated, with the figures, the points and the grade exactly as the page shows them."""

from django.utils import timezone
from django.utils.translation import gettext as _

from certification.filing.models import TalentEvaluation
from portal.accounts.spreadsheets import xlsx_bytes

CAPPED = {
    "projects": "pass at best: no confirmed project in the year",
    "certificate": "fail: no certificate in force at the year's end",
}


def evaluations_xlsx(*, year: int) -> bytes:
    headers = [
        (_("Filing reference"), 18),
        (_("Holder"), 16),
        (_("Province"), 10),
        (_("Organisation"), 28),
        (_("Certificate number"), 22),
        (_("Level"), 20),
        (_("Confirmed projects"), 10),
        (_("Contract amount (yuan)"), 14),
        (_("Continuing-education hours"), 12),
        (_("Certificate at the year's end"), 12),
        (_("Total"), 8),
        (_("Grade"), 8),
        (_("Grade capped because"), 30),
        (_("Evaluated at"), 18),
        (_("Evaluated by"), 24),
    ]
    evaluations = (
        TalentEvaluation.objects.filter(year=year)
        .select_related("filing__person", "filing__certificate", "evaluated_by")
        .order_by("-total", "pk")
    )

    def rows():
        for evaluation in evaluations.iterator(chunk_size=500):
            filing, person = evaluation.filing, evaluation.filing.person
            figures = evaluation.figures or {}
            yield [
                filing.reference,
                person.real_name or person.email,
                person.get_province_display() if person.province else "",
                filing.organisation,
                filing.certificate.number,
                filing.certificate.level_name,
                figures.get("projects", 0),
                figures.get("amount", "0"),
                figures.get("hours", "0"),
                _("in force") if figures.get("certificate_in_force") else _("not in force"),
                evaluation.total,
                evaluation.get_grade_display(),
                _(CAPPED[evaluation.capped]) if evaluation.capped in CAPPED else "",
                timezone.localtime(evaluation.evaluated_at).strftime("%Y-%m-%d %H:%M"),
                evaluation.evaluated_by.email if evaluation.evaluated_by else "",
            ]

    return xlsx_bytes(
        sheet_title=_("Evaluations %(year)d") % {"year": year}, headers=headers, rows=rows()
    )
