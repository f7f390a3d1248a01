"""A trainee's transcript (学习成绩单) as a PDF: courses, hours per module, final exam results.

Everything about the person's learning is read through ``courses.api``; the PDF is made with
ReportLab on A4 with an embedded subset of the portal's CJK TrueType font, and follows the
active language.
"""

import datetime
import functools
import io
import zoneinfo
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cms.api import Level, ModuleCategory, reportlab_cjk_font
from courses import api as courses_api

FONT_NAME = "PortalCJK"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARGIN = 18 * mm
HEADER_BACKGROUND = colors.HexColor("#e8eef6")
RULE = colors.HexColor("#9aa5b1")


def _font() -> str:
    return reportlab_cjk_font(FONT_NAME, document="transcript PDF")


def _hours(value) -> str:
    return f"{Decimal(value or 0):.1f}"


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, SHANGHAI)


class _FooterCanvas(Canvas):
    """A canvas that holds its pages back until the end, so each footer can say "of N"."""

    def __init__(self, *args, footer_font: str, footer_note: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer_font = footer_font
        self._footer_note = footer_note
        self._held_pages = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        width, _height = self._pagesize
        y = MARGIN - 8 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + 4 * mm, width - MARGIN, y + 4 * mm)
        self.setFont(self._footer_font, 8)
        self.setFillColor(colors.HexColor("#4a5560"))
        self.drawString(MARGIN, y, self._footer_note)
        self.drawRightString(
            width - MARGIN, y, _("Page %(page)d of %(pages)d") % {"page": number, "pages": total}
        )
        self.restoreState()


def _styles(font: str) -> dict:
    base = {"fontName": font, "wordWrap": "CJK"}
    return {
        "portal": ParagraphStyle("portal", fontSize=10, leading=14, alignment=1, **base),
        "title": ParagraphStyle(
            "title", fontSize=22, leading=30, alignment=1, spaceAfter=4 * mm, **base
        ),
        "heading": ParagraphStyle(
            "heading", fontSize=13, leading=18, spaceBefore=6 * mm, spaceAfter=2 * mm, **base
        ),
        "cell": ParagraphStyle("cell", fontSize=9, leading=12.5, **base),
        "cell_right": ParagraphStyle("cell_right", fontSize=9, leading=12.5, alignment=2, **base),
        "muted": ParagraphStyle(
            "muted", fontSize=9, leading=13, textColor=colors.HexColor("#4a5560"), **base
        ),
    }


def _table(rows, widths, *, header=True, footer=False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND))
    if footer:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_BACKGROUND))
    table.setStyle(TableStyle(commands))
    return table


def transcript_pdf(*, user, now: datetime.datetime | None = None) -> bytes:
    """The transcript of ``user``'s own learning records, as PDF bytes.

    Raises RuntimeError when no CJK TrueType font is installed: the portal requires one.
    """
    font = _font()
    styles = _styles(font)
    now = now or timezone.now()
    overview = courses_api.learner_overview(user_id=user.pk)

    def p(text, style="cell"):
        return Paragraph(escape(str(text)), styles[style])

    portal_name = _("Technology Transfer Talent Training Portal")
    title = _("Transcript")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        lang=translation.get_language() or "zh-Hans",
        title=f"{title} · {user.real_name or user.email}",
        author=portal_name,
        subject=_("Training record of %(name)s") % {"name": user.real_name or user.email},
        creator=portal_name,
    )
    width = doc.width
    story = [p(portal_name, "portal"), p(title, "title")]

    # -- who and when ---------------------------------------------------------------------
    issued = _local(now).strftime("%Y-%m-%d %H:%M")
    person = [
        (_("Name"), user.real_name or "—"),
        (_("Email"), user.email),
        (_("Province"), user.get_province_display() or "—"),
        (_("Organisation"), user.organisation or "—"),
        (_("Issued"), _("%(when)s Beijing time") % {"when": issued}),
    ]
    person_table = _table(
        [[p(label), p(value)] for label, value in person],
        [width * 0.22, width * 0.78],
        header=False,
    )
    person_table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), HEADER_BACKGROUND)]))
    story.append(person_table)

    # -- courses ----------------------------------------------------------------------------
    levels = Level.labels()
    statuses = {
        "active": _("in progress"),
        "completed": _("completed"),
        "withdrawn": _("withdrawn"),
    }
    story.append(p(_("Courses"), "heading"))
    if overview.courses:
        rows = [
            [
                p(_("Course")),
                p(_("Class")),
                p(_("Level")),
                p(_("Status")),
                p(_("Hours (credited / total)")),
            ]
        ]
        for course in overview.courses:
            rows.append(
                [
                    p(course.title),
                    p(course.class_name or "—"),
                    p(levels.get(course.level, course.level)),
                    p(statuses.get(course.status, course.status)),
                    p(
                        f"{_hours(course.credited_hours)} / {_hours(course.total_hours)}",
                        "cell_right",
                    ),
                ]
            )
        story.append(
            _table(rows, [width * f for f in (0.31, 0.16, 0.22, 0.12, 0.19)]),
        )
    else:
        story.append(p(_("You have not enrolled in a course yet."), "muted"))

    # -- hours per module category -------------------------------------------------------------
    categories = dict(ModuleCategory.choices)
    story.append(p(_("Hours by module"), "heading"))
    rows = [[p(_("Module")), p(_("Credited hours"), "cell_right")]]
    rows += [
        [p(categories.get(code, code)), p(_hours(value), "cell_right")]
        for code, value in overview.hours_by_module.items()
    ]
    rows.append([p(_("Total")), p(_hours(overview.total_hours), "cell_right")])
    story.append(_table(rows, [width * 0.6, width * 0.4], footer=True))

    # -- final exam results ------------------------------------------------------------------
    story.append(p(_("Exam results"), "heading"))
    finals = [e for e in overview.exams if e.status == "final"]
    if finals:
        rows = [
            [
                p(_("Exam")),
                p(_("Attempt")),
                p(_("Date taken")),
                p(_("Score"), "cell_right"),
                p(_("Percent"), "cell_right"),
                p(_("Result")),
            ]
        ]
        for exam in finals:
            score = "—" if exam.score is None else f"{exam.score} / {exam.max_score}"
            percent = "—" if exam.percent is None else f"{exam.percent}%"
            rows.append(
                [
                    p(exam.exam_title),
                    p(f"#{exam.number}"),
                    p(_local(exam.started_at).strftime("%Y-%m-%d")),
                    p(score, "cell_right"),
                    p(percent, "cell_right"),
                    p(_("Passed") if exam.passed else _("Not passed")),
                ]
            )
        story.append(_table(rows, [width * f for f in (0.34, 0.1, 0.16, 0.16, 0.11, 0.13)]))
    else:
        story.append(p(_("No final exam results yet."), "muted"))

    story += [
        Spacer(1, 8 * mm),
        p(
            _(
                "This transcript lists the records held by the portal at the time of issue. "
                "It is not a certificate."
            ),
            "muted",
        ),
    ]

    note = _("Generated by the %(portal)s on %(when)s") % {"portal": portal_name, "when": issued}
    doc.build(
        story,
        canvasmaker=functools.partial(_FooterCanvas, footer_font=font, footer_note=note),
    )
    return buffer.getvalue()
