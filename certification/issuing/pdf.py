"""The printed certificate (证书): one A4 landscape page, Chinese first with English beside it.

Pure rendering: ``certificate_pdf`` turns a ``CertificatePrint`` into PDF bytes and knows nothing
about models. Issuing renders every certificate once and stores the file, so two things matter
beyond looks:

* Speed. A batch of 10,000 certificates has a few milliseconds per page. The CJK font is parsed
  once per process, the body's seal and signatory's signature are decoded and compressed once
  and reused as ready-made PDF image streams, a JPEG photo is embedded as it is whenever it can
  be, the QR code is encoded in C++ (zxing-cpp) and drawn as one path of merged runs rather
  than a shape per module. (``bench/pdf.py`` measures it.)
* Reproducibility. The same input gives byte-identical output (ReportLab's invariant mode, and
  the creation date is the issue date), so a stored SHA-256 can be recomputed in a test. The
  one outside input is ``SOURCE_DATE_EPOCH``: if set, ReportLab folds it into the file's /ID.
"""

import datetime
import functools
import hashlib
import io
import logging
import re
import threading
import zlib
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from cms.api import reportlab_cjk_font
from portal.accounts.images import jpeg_without_metadata

logger = logging.getLogger(__name__)

FONT_NAME = "CertificateCJK"  # everything but the holder's name
NAME_FONT_NAME = "CertificateCJKName"  # the holder's name
QR_MODES = ("fast", "reportlab")

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTRE_X = PAGE_WIDTH / 2

INK = HexColor("#1f1f1f")
MUTED = HexColor("#5c5448")
GOLD = HexColor("#b08d3c")
RED = HexColor("#a31f24")
PAPER = HexColor("#fdfaf1")

# The frame: a gold outer rule, a band of gold beads, a red inner rule.
OUTER_INSET = 16
BAND_INSET = 30
INNER_INSET = 34
BEAD_SIZE = 3.4
BEAD_STEP = 9

# The photo box is a standard 35 x 45 mm ID photo; the body text sits to its right.
PHOTO_BOX = (76, 262, 35 * mm, 45 * mm)  # x, y, width, height
PHOTO_PIXELS = (420, 540)  # about 300 dpi at the box size
PHOTO_PASS_THROUGH_PIXELS = (640, 820)  # a JPEG up to this size is embedded untouched
TEXT_LEFT_WITH_PHOTO = PHOTO_BOX[0] + PHOTO_BOX[2] + 36
TEXT_LEFT = 70
TEXT_RIGHT = PAGE_WIDTH - 70

QR_SIZE = 74
QR_ORIGIN = (74, 92)
QR_QUIET_ZONE = 12  # four modules even for a version 2 code (25 modules) at this size
DETAILS_RIGHT = 520  # the number and dates end here; the signatory's block begins beyond
SIGN_CENTRE_X = 648
SEAL_SIZE = 42 * mm  # the usual diameter of an official round seal (公章)
SEAL_PIXELS = (520, 520)
SIGNATURE_BOX = (150, 46)
SIGNATURE_PIXELS = (640, 200)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class CertificatePrint:
    """Everything printed on one certificate, already resolved to plain values."""

    number: str
    holder_name: str
    holder_photo: bytes | None
    track_name: str
    level_name: str
    level_name_en: str
    body_name: str
    signatory_name: str
    signatory_title: str
    seal_image: bytes | None
    signature_image: bytes | None
    issued_on: datetime.date
    valid_until: datetime.date | None
    verify_url: str
    hours_total: str = ""
    # What the holder did, from the requirements kept on the certificate at issue
    # (``certification.statement``); empty: the wording of certificates issued before that.
    statement_zh: str = ""
    statement_en: str = ""


@dataclass(frozen=True)
class _PreparedImage:
    """An image already encoded as a PDF image stream, so embedding it is only a copy."""

    key: str
    width: int
    height: int
    colour_space: str
    filters: tuple[str, ...]
    stream: bytes
    alpha: bytes | None = None  # Flate-compressed 8-bit soft mask, same size


def certificate_pdf(data: CertificatePrint, *, qr: str = "fast", preview: bool = False) -> bytes:
    """Render ``data`` as a one-page PDF; ``qr`` chooses how the QR code is drawn.

    ``preview`` marks every page 样张 / PREVIEW across its face: what a certifier checks before
    signing, never stored as the certificate.
    """
    if qr not in QR_MODES:
        raise ValueError(f"qr must be one of {QR_MODES}, not {qr!r}")
    font, name_font = _font(), _name_font()
    # Decoding images and encoding the QR code need no shared state, so they happen before
    # taking the lock that the shared font object needs.
    photo = _prepare_photo(data.holder_photo) if data.holder_photo else None
    seal = _prepare_overlay(data.seal_image, SEAL_PIXELS) if data.seal_image else None
    signature = (
        _prepare_overlay(data.signature_image, SIGNATURE_PIXELS) if data.signature_image else None
    )
    matrix = _qr_matrix(data.verify_url) if qr == "fast" else None

    buffer = io.BytesIO()
    with _render_lock:
        canvas = Canvas(
            buffer,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            invariant=1,
            pageCompression=1,
            initialFontName=font,  # otherwise an unused, unembedded Helvetica is declared
            lang="zh-CN",  # the primary language, for screen readers and text extraction
        )
        _set_metadata(canvas, data)
        _draw_paper_and_frame(canvas)
        _draw_title(canvas, font)
        _draw_number(canvas, font, data.number)
        text_left = TEXT_LEFT
        if photo is not None:
            _draw_photo(canvas, photo)
            text_left = TEXT_LEFT_WITH_PHOTO
        _draw_statement(canvas, font, name_font, data, text_left)
        _draw_details(canvas, font, data)
        if matrix is not None:
            _draw_qr_fast(canvas, matrix)
        else:
            _draw_qr_reportlab(canvas, data.verify_url)
        _draw_qr_caption(canvas, font, data.verify_url)
        _draw_issuer(canvas, font, data, seal=seal, signature=signature)
        if preview:
            _draw_preview_mark(canvas, font)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


# Font ---------------------------------------------------------------------------------------

# ReportLab's TTFont keeps per-document state and reads glyphs through a shared file position
# while it builds each subset, so one font object must not render two documents at once.
_render_lock = threading.Lock()


def _font() -> str:
    name = reportlab_cjk_font(FONT_NAME, document="certificate PDF")
    _reuse_font_files(pdfmetrics.getFont(name).face)
    return name


def _name_font() -> str:
    return reportlab_cjk_font(
        NAME_FONT_NAME, document="certificate PDF holder names", ascii_first=False
    )


# Speed: ReportLab builds and compresses each document's font subset anew, about 3 ms of a
# 7 ms page. All the text of a certificate but the holder's name is the same for every
# certificate of one level from one body, up to the digits of the number and the dates. So
# the name gets a font object of its own (a subset of just its glyphs), and the rest's font
# subset is the same list of glyphs each time (its first subset carries all printable ASCII,
# so varying digits change nothing): its TrueType file is built once and compressed once.


def _reuse_font_files(face) -> None:
    """Remember the last few subsets this font object built, and their compressed streams.

    Both are pure functions of the glyph list, so the output bytes are exactly those of a
    fresh build; only the work is saved."""
    if getattr(face, "_certificate_reuse", False):
        return
    build = face.makeSubset
    add_objects = face.addSubsetObjects

    @functools.lru_cache(maxsize=32)
    def subset_file(glyphs: tuple) -> bytes:
        return build(list(glyphs))

    def add_subset_objects(doc, fontname, subset):
        reference = add_objects(doc, fontname, subset)
        font_file = doc.idToObject.get(f"fontFile:{face.filename}({fontname})")
        if font_file is not None and font_file.filters:  # else compressed the usual way
            font_file.filters = [_REUSED_FLATE]
        return reference

    face.makeSubset = lambda subset: subset_file(tuple(subset))
    face.addSubsetObjects = add_subset_objects
    face._certificate_reuse = True


@functools.lru_cache(maxsize=32)
def _deflate(data: bytes) -> bytes:
    return zlib.compress(data)


class _ReusedFlate(pdfdoc.PDFStreamFilterZCompress):
    """Flate compression that remembers recent results (keyed by the bytes themselves)."""

    def encode(self, text):
        return _deflate(text)


_REUSED_FLATE = _ReusedFlate()


def _fitted_size(text: str, font: str, size: float, max_width: float, min_size: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``max_width`` (not below min)."""
    width = pdfmetrics.stringWidth(text, font, size)
    if width <= max_width:
        return size
    return max(min_size, size * max_width / width)


# Characters that may not begin a line in Chinese typesetting (避头点).
_HANGING = "，。、；：？！）》」』”’,.;:?!)"
_NO_LINE_START = frozenset(_HANGING)
# A Latin word with its trailing spaces, a run of spaces, or any single other character.
_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+\s*|\s+|.")


@functools.lru_cache(maxsize=256)
def _wrapped(text: str, font: str, size: float, max_width: float) -> tuple[str, ...]:
    """``_wrap``, remembered: a class's certificates wrap the same sentences the same way."""
    return tuple(_wrap(text, font, size, max_width))


def _wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``: between CJK characters anywhere,
    between Latin words at spaces, inside a Latin word only when it alone is too wide. Closing
    punctuation never starts a line; it hangs past the end of the one before instead."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        candidate = line + token
        if not line.strip() or token in _NO_LINE_START or _fits(candidate, font, size, max_width):
            line = candidate
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
        while len(line) > 1 and not _fits(line, font, size, max_width):
            cut = _longest_prefix(line, font, size, max_width)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fits(line: str, font: str, size: float, max_width: float) -> bool:
    """Whether ``line`` fits, not counting trailing spaces or hanging closing punctuation."""
    body = line.rstrip().rstrip(_HANGING)
    return pdfmetrics.stringWidth(body, font, size) <= max_width


def _longest_prefix(text: str, font: str, size: float, max_width: float) -> int:
    cut = len(text) - 1
    while cut > 1 and pdfmetrics.stringWidth(text[:cut], font, size) > max_width:
        cut -= 1
    return cut


def _date_zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _date_en(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# Page furniture -----------------------------------------------------------------------------


def _set_metadata(canvas: Canvas, data: CertificatePrint) -> None:
    canvas.setTitle(f"证书 Certificate {data.number}")
    canvas.setAuthor(data.body_name)
    canvas.setSubject(f"{data.level_name} / {data.level_name_en}: {data.holder_name}")
    canvas.setKeywords([data.number, data.level_name, data.level_name_en])
    canvas.setCreator("技术转移人才培训平台 Technology Transfer Talent Training Portal")
    # Invariant mode would otherwise stamp 2000-01-01; the issue date is true and just as stable.
    stamp = f"D:{data.issued_on:%Y%m%d}000000+08'00'"
    canvas.setDateFormatter(lambda *_parts: stamp)


def _draw_paper_and_frame(canvas: Canvas) -> None:
    canvas.setFillColor(PAPER)
    canvas.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)

    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(2.4)
    _inset_rect(canvas, OUTER_INSET)
    canvas.setLineWidth(0.6)
    _inset_rect(canvas, BAND_INSET)
    # A row of beads between the gold rules: zero-length dashes with round caps are dots,
    # one operator instead of a path of hundreds of shapes.
    canvas.saveState()
    canvas.setLineCap(1)
    canvas.setLineWidth(BEAD_SIZE)
    inset = (OUTER_INSET + BAND_INSET) / 2
    left, bottom, right, top = inset, inset, PAGE_WIDTH - inset, PAGE_HEIGHT - inset
    for x1, y1, x2, y2 in (
        (left, bottom, right, bottom),
        (left, top, right, top),
        (left, bottom, left, top),
        (right, bottom, right, top),
    ):
        # Each side gets its own even spacing, so a bead sits exactly on every corner.
        length = abs(x2 - x1) + abs(y2 - y1)
        canvas.setDash([0, length / round(length / BEAD_STEP)])
        canvas.line(x1, y1, x2, y2)
    canvas.restoreState()

    canvas.setStrokeColor(RED)
    canvas.setLineWidth(1.2)
    _inset_rect(canvas, INNER_INSET)
    canvas.setFillColor(RED)
    for x, y in _inner_corners():
        _diamond(canvas, x, y, 5)


def _inset_rect(canvas: Canvas, inset: float) -> None:
    canvas.rect(inset, inset, PAGE_WIDTH - 2 * inset, PAGE_HEIGHT - 2 * inset, stroke=1, fill=0)


def _diamond_path(path, x: float, y: float, half: float) -> None:
    path.moveTo(x, y - half)
    path.lineTo(x + half, y)
    path.lineTo(x, y + half)
    path.lineTo(x - half, y)
    path.close()


def _diamond(canvas: Canvas, x: float, y: float, half: float) -> None:
    path = canvas.beginPath()
    _diamond_path(path, x, y, half)
    canvas.drawPath(path, stroke=0, fill=1)


def _inner_corners() -> list[tuple[float, float]]:
    low, high_x, high_y = INNER_INSET, PAGE_WIDTH - INNER_INSET, PAGE_HEIGHT - INNER_INSET
    return [(low, low), (high_x, low), (low, high_y), (high_x, high_y)]


def _draw_title(canvas: Canvas, font: str) -> None:
    canvas.setFillColor(RED)
    canvas.setFont(font, 40)
    canvas.drawCentredString(CENTRE_X, 482, "证书", charSpace=28)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 12)
    canvas.drawCentredString(CENTRE_X, 460, "CERTIFICATE", charSpace=5)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(CENTRE_X - 110, 450, CENTRE_X - 12, 450)
    canvas.line(CENTRE_X + 12, 450, CENTRE_X + 110, 450)
    canvas.setFillColor(GOLD)
    _diamond(canvas, CENTRE_X, 450, 3.5)


def _draw_preview_mark(canvas: Canvas, font: str) -> None:
    """样张 / PREVIEW, large, diagonal and translucent, so a preview can never pass as issued."""
    canvas.saveState()
    canvas.setFillColor(RED)
    canvas.setFillAlpha(0.18)
    canvas.translate(CENTRE_X, PAGE_HEIGHT / 2)
    canvas.rotate(28)
    canvas.setFont(font, 120)
    canvas.drawCentredString(0, 10, "样张")
    canvas.setFont(font, 54)
    canvas.drawCentredString(0, -60, "PREVIEW")
    canvas.restoreState()


def _draw_number(canvas: Canvas, font: str, number: str) -> None:
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 9)
    canvas.drawRightString(TEXT_RIGHT, PAGE_HEIGHT - 58, f"证书编号 No. {number}")


# Body ---------------------------------------------------------------------------------------


# The statement's lines end above the level's name, whose English line stays clear of the
# signature and the details table below it: two lines of Chinese and three of English at the
# full size, and a longer statement is set smaller.
STATEMENT_HEIGHT = 2 * 21 + 3 * 14
_LEGACY_STATEMENT_EN = (
    "has completed the prescribed training programme, passed the assessment and is "
    "hereby certified at the level of"
)


def _legacy_statement_zh(data: CertificatePrint) -> str:
    """What certificates issued before their requirements were kept say."""
    course = f"{data.track_name}培训课程" if data.track_name else "规定的培训课程"
    return f"已完成{course}，经考核合格，具备{data.level_name}能力等级，特发此证。"


def _draw_statement(
    canvas: Canvas, font: str, name_font: str, data: CertificatePrint, left: float
) -> None:
    """兹证明 + the holder's name + what they achieved, Chinese first, then the level."""
    width = TEXT_RIGHT - left
    centre = left + width / 2

    canvas.setFillColor(MUTED)
    canvas.setFont(font, 12)
    canvas.drawCentredString(centre, 408, "兹证明  This is to certify that")

    name_size = _fitted_size(data.holder_name, name_font, 30, width - 40, 8)
    canvas.setFillColor(INK)
    canvas.setFont(name_font, name_size)
    canvas.drawCentredString(centre, 370, data.holder_name)
    underline = min(width, pdfmetrics.stringWidth(data.holder_name, name_font, name_size) + 60)
    underline /= 2
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(centre - underline, 361, centre + underline, 361)

    chinese = data.statement_zh or _legacy_statement_zh(data)
    english = data.statement_en or _LEGACY_STATEMENT_EN
    # The statement says what the level required, so its length varies: it is set smaller
    # until it fits the lines left above the level's name and the details below.
    zh_size, en_size = 14.0, 10.0
    while zh_size > 9 and (
        len(_wrapped(chinese, font, zh_size, width)) * zh_size * 1.5
        + len(_wrapped(english, font, en_size, width)) * en_size * 1.4
        > STATEMENT_HEIGHT
    ):
        zh_size, en_size = zh_size - 0.5, max(7.0, en_size - 0.5)
    y = _draw_centred_lines(
        canvas, font, chinese, centre, 334, size=zh_size, leading=zh_size * 1.5, width=width
    )
    canvas.setFillColor(MUTED)
    y = _draw_centred_lines(
        canvas, font, english, centre, y - 2, size=en_size, leading=en_size * 1.4, width=width
    )

    canvas.setFillColor(RED)
    level_size = _fitted_size(data.level_name, font, 22, width, 8)
    canvas.setFont(font, level_size)
    canvas.drawCentredString(centre, y - 24, data.level_name)
    canvas.setFillColor(INK)
    level_en_size = _fitted_size(data.level_name_en, font, 13, width, 6)
    canvas.setFont(font, level_en_size)
    canvas.drawCentredString(centre, y - 43, data.level_name_en)


def _draw_centred_lines(
    canvas: Canvas,
    font: str,
    text: str,
    centre: float,
    y: float,
    *,
    size: float,
    leading: float,
    width: float,
) -> float:
    """Draw wrapped, centred lines from baseline ``y`` down; return the next free baseline."""
    canvas.setFont(font, size)
    for line in _wrapped(text, font, size, width):
        canvas.drawCentredString(centre, y, line)
        y -= leading
    return y


def _draw_details(canvas: Canvas, font: str, data: CertificatePrint) -> None:
    """Number, dates and hours as a small two-column table in the lower middle."""
    valid = (
        f"{_date_zh(data.valid_until)}  {_date_en(data.valid_until)}"
        if data.valid_until
        else "长期有效  No expiry"
    )
    rows = [
        ("证书编号", "Certificate No.", data.number),
        ("发证日期", "Date of issue", f"{_date_zh(data.issued_on)}  {_date_en(data.issued_on)}"),
        ("有效期至", "Valid until", valid),
    ]
    label_x, value_x, y = 214, 318, 156
    value_width = DETAILS_RIGHT - value_x
    for zh, en, value in rows:
        canvas.setFillColor(MUTED)
        canvas.setFont(font, 9)
        canvas.drawString(label_x, y, f"{zh} {en}")
        canvas.setFillColor(INK)
        canvas.setFont(font, _fitted_size(value, font, 10, value_width, 6))
        canvas.drawString(value_x, y, value)
        y -= 19
    if data.hours_total:
        canvas.setFillColor(MUTED)
        canvas.setFont(font, _fitted_size(data.hours_total, font, 9, value_width + 100, 6))
        canvas.drawString(label_x, y, data.hours_total)


def _draw_issuer(
    canvas: Canvas,
    font: str,
    data: CertificatePrint,
    *,
    seal: _PreparedImage | None,
    signature: _PreparedImage | None,
) -> None:
    """Signature over a rule, signatory, the body and the date, with the seal stamped over."""
    line_y = 150
    if signature is not None:
        box_width, box_height = SIGNATURE_BOX
        # Ink on paper: multiply keeps the text under a signature or seal legible, and makes
        # a scanned white background vanish even when the image has no transparency.
        canvas.saveState()
        canvas.setBlendMode("Multiply")
        _draw_fitted(
            canvas, signature, SIGN_CENTRE_X - box_width / 2, line_y + 1, box_width, box_height
        )
        canvas.restoreState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.6)
    canvas.line(SIGN_CENTRE_X - 85, line_y, SIGN_CENTRE_X + 85, line_y)

    signatory = f"{data.signatory_title}  {data.signatory_name}".strip()
    canvas.setFillColor(INK)
    canvas.setFont(
        font, _fitted_size(signatory, font, 10, 2 * (SIGN_CENTRE_X - DETAILS_RIGHT) - 20, 6)
    )
    canvas.drawCentredString(SIGN_CENTRE_X, line_y - 14, signatory)

    canvas.setFont(font, _fitted_size(data.body_name, font, 14, 250, 7))
    canvas.drawCentredString(SIGN_CENTRE_X, 104, data.body_name)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 9)
    canvas.drawCentredString(SIGN_CENTRE_X, 88, "发证机构（盖章）Issuing body (seal)")
    canvas.setFillColor(INK)
    canvas.setFont(font, 10)
    canvas.drawCentredString(SIGN_CENTRE_X, 72, _date_zh(data.issued_on))

    if seal is not None:
        canvas.saveState()
        canvas.setBlendMode("Multiply")
        half = SEAL_SIZE / 2
        _draw_fitted(canvas, seal, SIGN_CENTRE_X + 22 - half, 112 - half, SEAL_SIZE, SEAL_SIZE)
        canvas.restoreState()


# QR code ------------------------------------------------------------------------------------


def _qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules (error correction M, the smallest version that holds the URL), dark =
    True, without the quiet zone (the page draws that).

    Encoded by zxing-cpp, in C++: a tenth of a millisecond, where the pure-Python ``qrcode``
    package takes about three (most of it choosing the mask), a third of a whole page."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[1]
    pixels = bytes(image)  # one byte per module, row by row: 0 dark, 255 light
    return [
        [not value for value in pixels[row : row + size]] for row in range(0, len(pixels), size)
    ]


def _draw_qr_quiet_zone(canvas: Canvas) -> None:
    """White square behind the code with the margin a scanner needs (four modules or more)."""
    x, y = QR_ORIGIN
    margin = QR_QUIET_ZONE
    canvas.setFillColor(white)
    canvas.rect(x - margin, y - margin, QR_SIZE + 2 * margin, QR_SIZE + 2 * margin, 0, 1)


_DARK_RUN = re.compile(rb"\x01+")


def _draw_qr_fast(canvas: Canvas, matrix: list[list[bool]]) -> None:
    """Each row's runs of dark modules as rectangles, all in one filled path.

    The path is written as PDF operators in module units under a scaling transform: short
    integers instead of formatted coordinates, and a few hundred fewer method calls."""
    count = len(matrix)
    x0, y0 = QR_ORIGIN
    _draw_qr_quiet_zone(canvas)
    operators = [
        f"{run.start()} {row_index} {run.end() - run.start()} 1 re"
        for row_index, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(bytes(row))
    ]
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.translate(x0, y0 + QR_SIZE)
    canvas.scale(QR_SIZE / count, -QR_SIZE / count)  # row 0 at the top
    # One path means one fill: no hairline seams between neighbouring rows when rasterised.
    canvas.addLiteral(" ".join(operators) + " f")
    canvas.restoreState()


def _draw_qr_reportlab(canvas: Canvas, url: str) -> None:
    """ReportLab's own QR widget: the simple way, kept as the benchmark's baseline."""
    widget = QrCodeWidget(url, barLevel="M", barBorder=0, barWidth=QR_SIZE, barHeight=QR_SIZE)
    widget.barFillColor = INK
    _draw_qr_quiet_zone(canvas)
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, *QR_ORIGIN)


def _draw_qr_caption(canvas: Canvas, font: str, url: str) -> None:
    x, y = QR_ORIGIN
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(x, y + QR_SIZE + 13, "扫码验证 Scan to verify")
    canvas.setFont(font, _fitted_size(url, font, 6.5, 190, 4))
    canvas.drawString(x - QR_QUIET_ZONE, y - QR_QUIET_ZONE - 9, url)


# Images -------------------------------------------------------------------------------------

_overlay_cache: dict[tuple[bytes, tuple[int, int]], _PreparedImage | None] = {}
_overlay_lock = threading.Lock()
_OVERLAY_CACHE_SIZE = 64


def _prepare_overlay(data: bytes, max_pixels: tuple[int, int]) -> _PreparedImage | None:
    """A seal or signature, decoded and compressed once per distinct image and process."""
    key = (hashlib.sha256(data).digest(), max_pixels)
    with _overlay_lock:
        if key in _overlay_cache:
            return _overlay_cache[key]
    prepared = _decode_overlay(data, max_pixels)
    with _overlay_lock:
        if len(_overlay_cache) >= _OVERLAY_CACHE_SIZE:
            _overlay_cache.clear()
        _overlay_cache[key] = prepared
    return prepared


def _decode_overlay(data: bytes, max_pixels: tuple[int, int]) -> _PreparedImage | None:
    try:
        with Image.open(io.BytesIO(data)) as source:
            image = ImageOps.exif_transpose(source)
            image.thumbnail(max_pixels, Image.Resampling.LANCZOS)
            image = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        logger.warning("Seal or signature image could not be read; leaving it out.")
        return None
    colour, alpha = image.convert("RGB"), image.getchannel("A")
    opaque = alpha.getextrema() == (255, 255)
    return _PreparedImage(
        key=hashlib.sha1(image.tobytes(), usedforsecurity=False).hexdigest(),
        width=image.width,
        height=image.height,
        colour_space="DeviceRGB",
        filters=("FlateDecode",),
        stream=zlib.compress(colour.tobytes()),
        alpha=None if opaque else zlib.compress(alpha.tobytes()),
    )


def photo_for_print(data: bytes) -> bytes | None:
    """The holder's photo as a certificate embeds it (a modest upright JPEG), or None if it
    cannot be read. Issuing keeps this copy, so rendering later embeds it without decoding."""
    prepared = _prepare_photo(data)
    return prepared.stream if prepared else None


def _prepare_photo(data: bytes) -> _PreparedImage | None:
    """The holder's photo as a JPEG stream: the upload itself when it is a plain, upright,
    modest JPEG (no decoding at all), otherwise decoded at reduced scale and re-encoded."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            if _embeddable_as_is(source):
                # Not decoded, but without its metadata: no camera EXIF (GPS) in the PDF.
                stripped = jpeg_without_metadata(data)
                return _jpeg_image(stripped, source.width, source.height, source.mode)
            # draft() lets the JPEG decoder scale down by 1/2, 1/4, 1/8 as it decodes.
            source.draft("RGB", PHOTO_PIXELS)
            image = ImageOps.exif_transpose(source)
            if image.mode in ("RGBA", "LA", "P", "PA"):
                image = _on_white(image)
            image = image.convert("L" if image.mode in ("L", "1", "I;16") else "RGB")
            # Cropped to the box's proportions here, as the clip would hide the rest anyway.
            image = ImageOps.fit(image, PHOTO_PIXELS, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        logger.warning("Holder photo could not be read; leaving it out.")
        return None
    return _jpeg_image(out.getvalue(), image.width, image.height, image.mode)


def _embeddable_as_is(image: Image.Image) -> bool:
    max_width, max_height = PHOTO_PASS_THROUGH_PIXELS
    return (
        image.format == "JPEG"
        and image.mode in ("RGB", "L")
        and image.width <= max_width
        and image.height <= max_height
        and image.getexif().get(0x0112, 1) == 1  # EXIF orientation: already upright
    )


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba)


def _jpeg_image(stream: bytes, width: int, height: int, mode: str) -> _PreparedImage:
    return _PreparedImage(
        key=hashlib.sha1(stream, usedforsecurity=False).hexdigest(),
        width=width,
        height=height,
        colour_space="DeviceGray" if mode == "L" else "DeviceRGB",
        filters=("DCTDecode",),
        stream=stream,
    )


def _draw_photo(canvas: Canvas, photo: _PreparedImage) -> None:
    """The photo fills the ID-photo box, cropped by a clip if its proportions differ."""
    x, y, width, height = PHOTO_BOX
    scale = max(width / photo.width, height / photo.height)
    drawn_width, drawn_height = photo.width * scale, photo.height * scale
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(x, y, width, height)
    canvas.clipPath(clip, stroke=0, fill=0)
    _draw_image(
        canvas,
        photo,
        x - (drawn_width - width) / 2,
        y - (drawn_height - height) / 2,
        drawn_width,
        drawn_height,
    )
    canvas.restoreState()
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(x - 3, y - 3, width + 6, height + 6, stroke=1, fill=0)


def _draw_fitted(
    canvas: Canvas, image: _PreparedImage, x: float, y: float, width: float, height: float
) -> None:
    """Draw ``image`` as large as fits the box, keeping its proportions, centred."""
    scale = min(width / image.width, height / image.height)
    drawn_width, drawn_height = image.width * scale, image.height * scale
    _draw_image(
        canvas,
        image,
        x + (width - drawn_width) / 2,
        y + (height - drawn_height) / 2,
        drawn_width,
        drawn_height,
    )


def _draw_image(
    canvas: Canvas, image: _PreparedImage, x: float, y: float, width: float, height: float
) -> None:
    """Place a prepared image stream on the page.

    ``Canvas.drawImage`` would hash the decoded pixels and re-compress them on every document;
    with a prepared stream all that is left is to register it, which is what drawImage does
    after its loading step (ReportLab 4.x internals: ``_doc``, ``_setXObjects``,
    ``_formsinuse``).
    """
    doc = canvas._doc
    registered = doc.getXObjectName(image.key)
    if registered not in doc.idToObject:
        xobject = _xobject(image.key, image, image.stream, image.colour_space, image.filters)
        if image.alpha is not None:
            mask_key = image.key + "-alpha"
            mask = _xobject(mask_key, image, image.alpha, "DeviceGray", ("FlateDecode",))
            canvas._setXObjects(mask)
            xobject.smask = doc.Reference(mask, doc.getXObjectName(mask_key))
        canvas._setXObjects(xobject)
        doc.Reference(xobject, registered)
        doc.addForm(image.key, xobject)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas.addLiteral(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(image.key)


def _xobject(
    name: str, image: _PreparedImage, stream: bytes, colour_space: str, filters: tuple[str, ...]
) -> pdfdoc.PDFImageXObject:
    xobject = pdfdoc.PDFImageXObject(name)
    xobject.width, xobject.height = image.width, image.height
    xobject.bitsPerComponent = 8
    xobject.colorSpace = colour_space
    xobject._filters = filters
    xobject.streamContent = stream
    xobject.mask = None
    return xobject
