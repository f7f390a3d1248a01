"""The printed certificate (证书): one A4 landscape page, Chinese first with English beside it.

Pure rendering: ``certificate_pdf`` turns a ``CertificatePrint`` into PDF bytes and knows nothing
about models. Issuing renders every certificate once and stores the file, so three things matter
beyond looks:

* Looks. The title and the holder's name are set in a Ming (Song) serif face, AR PL UMing, as
  official Chinese certificates are; characters that face lacks fall back to the sans-serif face
  used for the rest, so a rare name is never printed as empty boxes. The body's seal is stamped
  over its name and the date, lower right, multiplied and slightly transparent so the text under
  it stays legible; the signatory's uploaded signature sits over their name.
* Speed. A batch of 10,000 certificates has a few milliseconds per page. Everything on the page
  but the holder's name, photo, number and QR code is the same for a whole batch (one level,
  one body, one issue date): that is a *template*, drawn by ReportLab once, its content streams,
  fonts and pictures serialised once into PDF objects. Each holder's page is the template's
  bytes plus a few objects of its own (a small content stream, the name's font subset, the
  photo) and a cross-reference table. ``qr="reportlab"`` draws everything per holder with
  ReportLab (and its own QR widget): the benchmark's baseline, and what the fast path falls
  back to when a holder's text needs a glyph the template has not assigned.
* Reproducibility. The same input gives byte-identical output (no clock, no random tag; the
  creation date is the issue date), so a stored SHA-256 can be recomputed in a test.
"""

import dataclasses
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
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, makeToUnicodeCMap
from reportlab.pdfgen.canvas import Canvas

from cms.api import reportlab_cjk_font, reportlab_cjk_serif_font
from portal.accounts.images import jpeg_without_metadata

logger = logging.getLogger(__name__)

FONT_NAME = "CertificateCJK"  # everything set in the sans-serif face
TITLE_FONT_NAME = "CertificateSerif"  # the title, in the serif face
NAME_FONT_NAME = "CertificateCJKName"  # characters of a name the serif face lacks
SERIF_NAME_FONT_NAME = "CertificateSerifName"  # the holder's name
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

# Lower right, as on Chinese certificates: the signatory's signature and name, and beside them
# the issuing body's name and the date with the round seal stamped over both (骑字盖章). The
# seal stays clear of the signatory's name and of the 盖章 label above it.
SIGN_CENTRE_X = 592
SIGN_TEXT_WIDTH = 128
SIGNATURE_BOX = (128, 46)
SIGNATURE_PIXELS = (640, 230)
SIGN_LINE_Y = 150
BODY_CENTRE_X = 724
BODY_TEXT_WIDTH = 150
SEAL_SIZE = 42 * mm  # the usual diameter of an official round seal (公章)
SEAL_CENTRE = (BODY_CENTRE_X, 104)
SEAL_PIXELS = (480, 480)  # about 290 dpi at the seal's size
SEAL_OPACITY = 0.82  # multiplied over the text, and lighter still: text under it stays legible
SEAL_LABEL_Y = 172

TITLE_SIZE = 46
NAME_SIZE = 32
NAME_Y = 370

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


@dataclass(frozen=True)
class _Fonts:
    text: str  # sans-serif, everything but the title and the name
    title: str  # serif, the title
    name: str  # serif, the holder's name
    name_fallback: str  # sans-serif, a name's characters the serif face lacks


def certificate_pdf(data: CertificatePrint, *, qr: str = "fast", preview: bool = False) -> bytes:
    """Render ``data`` as a one-page PDF; ``qr`` chooses how the QR code is drawn.

    ``preview`` marks every page 样张 / PREVIEW across its face: what a certifier checks before
    signing, never stored as the certificate.
    """
    if qr not in QR_MODES:
        raise ValueError(f"qr must be one of {QR_MODES}, not {qr!r}")
    photo = _prepare_photo(data.holder_photo) if data.holder_photo else None
    if qr == "fast":
        try:
            return _assembled(data, photo, preview)
        except _NotAssemblable:
            pass  # drawn in full below: the same page, only slower
    return _drawn(data, photo, qr=qr, preview=preview)


def _drawn(
    data: CertificatePrint, photo: _PreparedImage | None, *, qr: str, preview: bool
) -> bytes:
    """The whole page drawn with ReportLab for this holder."""
    fonts = _fonts()
    seal, signature = _overlays(data)
    matrix = _qr_matrix(data.verify_url) if qr == "fast" else None
    text_left = TEXT_LEFT_WITH_PHOTO if photo is not None else TEXT_LEFT
    buffer = io.BytesIO()
    with _render_lock:
        layout = _holder_layout(data, fonts, text_left)
        canvas = _canvas(buffer, fonts)
        _set_metadata(canvas, data)
        _draw_static_below(canvas, fonts, data, has_photo=photo is not None, signature=signature)
        if photo is not None:
            _draw_photo(canvas, photo)
        _draw_holder(canvas, layout)
        if matrix is not None:
            _draw_qr_fast(canvas, matrix)
        else:
            _draw_qr_reportlab(canvas, data.verify_url)
        _draw_static_above(canvas, fonts, seal=seal, preview=preview)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _canvas(buffer, fonts: _Fonts) -> Canvas:
    return Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1,
        pageCompression=1,
        initialFontName=fonts.text,  # otherwise an unused, unembedded Helvetica is declared
        lang="zh-CN",  # the primary language, for screen readers and text extraction
    )


def _overlays(data: CertificatePrint) -> tuple[_PreparedImage | None, _PreparedImage | None]:
    seal = _prepare_overlay(data.seal_image, SEAL_PIXELS) if data.seal_image else None
    signature = (
        _prepare_overlay(data.signature_image, SIGNATURE_PIXELS) if data.signature_image else None
    )
    return seal, signature


# Font ---------------------------------------------------------------------------------------

# ReportLab's TTFont keeps per-document state and reads glyphs through a shared file position
# while it builds each subset, so one font object must not render two documents at once.
_render_lock = threading.Lock()


def _fonts() -> _Fonts:
    document = "certificate PDF"
    fonts = _Fonts(
        text=reportlab_cjk_font(FONT_NAME, document=document),
        title=reportlab_cjk_serif_font(TITLE_FONT_NAME, document=document),
        name=reportlab_cjk_serif_font(
            SERIF_NAME_FONT_NAME, document="certificate PDF holder names", ascii_first=False
        ),
        name_fallback=reportlab_cjk_font(
            NAME_FONT_NAME, document="certificate PDF holder names", ascii_first=False
        ),
    )
    for name in (fonts.text, fonts.title, fonts.name, fonts.name_fallback):
        _reuse_font_files(pdfmetrics.getFont(name).face)
    return fonts


# Speed: ReportLab builds and compresses each document's font subset anew. All the text of a
# certificate but the holder's name is the same for every certificate of one level from one
# body, up to the digits of the number (its first subset carries all printable ASCII, so
# varying digits change nothing): its TrueType file is built once and compressed once. And a
# subset must not copy the whole font to pick a few glyphs out of it: UMing's glyph table is
# 17 MB, which ReportLab would slice out of the file for every subset.


class _GlyphTable:
    """A font's glyph table, sliced without copying the whole table first."""

    def __init__(self, view: memoryview):
        self._view = view

    def __getitem__(self, key):
        return bytes(self._view[key])

    def __len__(self):
        return len(self._view)


def _reuse_font_files(face) -> None:
    """Remember the last few subsets this font object built, and their compressed streams.

    Both are pure functions of the glyph list, so the output bytes are exactly those of a
    fresh build; only the work is saved."""
    if getattr(face, "_certificate_reuse", False):
        return
    build = face.makeSubset
    add_objects = face.addSubsetObjects
    get_table = face.get_table
    data = memoryview(face._ttf_data)
    short_names = _short_name_table(get_table("name"))

    def table(tag):
        if tag == "glyf":
            position, length = face.get_table_pos(tag)
            return _GlyphTable(data[position : position + length])
        if tag == "name":
            return short_names
        return get_table(tag)

    face.get_table = table

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


def _short_name_table(table: bytes) -> bytes:
    """The font's ``name`` table with only the records that identify it (family, style, full and
    PostScript names, copyright): UMing's full table (22 kB of translations and licence text)
    would otherwise be copied into every holder's name subset."""
    import struct

    _format, count, strings = struct.unpack(">HHH", table[:6])
    keep = []
    for i in range(count):
        record = struct.unpack(">HHHHHH", table[6 + 12 * i : 18 + 12 * i])
        platform, _encoding, language, name_id, length, offset = record
        if name_id in (0, 1, 2, 3, 4, 6) and (platform, language) in ((1, 0), (3, 0x409)):
            value = table[strings + offset : strings + offset + length]
            keep.append((record[:4], value))
    if not keep:
        return table
    header = struct.pack(">HHH", 0, len(keep), 6 + 12 * len(keep))
    records, values, offset = [], [], 0
    for (platform, encoding, language, name_id), value in keep:
        records.append(
            struct.pack(">HHHHHH", platform, encoding, language, name_id, len(value), offset)
        )
        values.append(value)
        offset += len(value)
    return header + b"".join(records) + b"".join(values)


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


def _name_runs(name: str, fonts: _Fonts) -> tuple[tuple[str, str], ...]:
    """The name cut into runs of (font, text): the serif face wherever it has the character,
    the sans-serif face for the rest (rare characters such as 䶮 or 𠇔)."""
    serif = pdfmetrics.getFont(fonts.name).face.charToGlyph
    fallback = pdfmetrics.getFont(fonts.name_fallback).face.charToGlyph
    runs: list[list[str]] = []
    for char in name:
        code = ord(char)
        font = fonts.name if code in serif or code not in fallback else fonts.name_fallback
        if runs and runs[-1][0] == font:
            runs[-1][1] += char
        else:
            runs.append([font, char])
    return tuple((font, text) for font, text in runs)


# Characters that may not begin a line in Chinese typesetting (避头点).
_HANGING = "，。、；：？！）》」』”’,.;:?!)"
_NO_LINE_START = frozenset(_HANGING)
# A number with its unit (never "24 / 学时"), a Latin word with its trailing spaces, a run of
# spaces, or any single other character.
_TOKEN = re.compile(
    r"\d+(?:\.\d+)?(?:学时|小时|个月|年|天)"
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+\s*|\s+|."
)


@functools.lru_cache(maxsize=256)
def _wrapped(text: str, font: str, size: float, max_width: float) -> tuple[str, ...]:
    """``_wrap``, remembered: a class's certificates wrap the same sentences the same way."""
    return tuple(_wrap(text, font, size, max_width))


def _wrap(
    text: str, font: str, size: float, max_width: float, *, balance: bool = True
) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``: between CJK characters anywhere,
    between Latin words at spaces, inside a Latin word only when it alone is too wide. Closing
    punctuation never starts a line; it hangs past the end of the one before instead.

    With ``balance`` the lines are made about equally long (as narrow as they can be without
    taking another line), so the last one never holds a single stranded character such as
    "…特 / 发此证"."""
    lines = _wrap_greedy(text, font, size, max_width)
    if not balance or len(lines) < 2:
        return lines
    # The narrowest width that still gives as many lines: found by halving the interval.
    low, high = max_width * (len(lines) - 1) / len(lines), max_width
    best = lines
    for _ in range(12):
        middle = (low + high) / 2
        candidate = _wrap_greedy(text, font, size, middle)
        if len(candidate) <= len(lines):
            best, high = candidate, middle
        else:
            low = middle
    return _no_stranded_last(best, font, size, max_width)


def _no_stranded_last(lines: list[str], font: str, size: float, max_width: float) -> list[str]:
    """Move characters down until the last line holds at least two (when the line above can
    spare them and stays within ``max_width``)."""
    while len(lines) >= 2 and len(lines[-1].rstrip(_HANGING + " ")) < 2:
        previous = lines[-2]
        if len(previous) < 3 or previous[-1] == " ":
            break
        moved = previous[-1] + lines[-1]
        if not _fits(moved, font, size, max_width):
            break
        lines = [*lines[:-2], previous[:-1], moved]
    return lines


def _wrap_greedy(text: str, font: str, size: float, max_width: float) -> list[str]:
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


def _title(data: CertificatePrint) -> str:
    return f"证书 Certificate {data.number}"


def _subject(data: CertificatePrint) -> str:
    return f"{data.level_name} / {data.level_name_en}: {data.holder_name}"


def _keywords(data: CertificatePrint) -> list[str]:
    return [data.number, data.level_name, data.level_name_en]


CREATOR = "技术转移人才培训平台 Technology Transfer Talent Training Portal"


def _stamp(data: CertificatePrint) -> str:
    # Invariant mode would otherwise stamp 2000-01-01; the issue date is true and just as stable.
    return f"D:{data.issued_on:%Y%m%d}000000+08'00'"


def _set_metadata(canvas: Canvas, data: CertificatePrint) -> None:
    canvas.setTitle(_title(data))
    canvas.setAuthor(data.body_name)
    canvas.setSubject(_subject(data))
    canvas.setKeywords(_keywords(data))
    canvas.setCreator(CREATOR)
    stamp = _stamp(data)
    canvas.setDateFormatter(lambda *_parts: stamp)


def _draw_static_below(
    canvas: Canvas,
    fonts: _Fonts,
    data: CertificatePrint,
    *,
    has_photo: bool,
    signature: _PreparedImage | None,
) -> None:
    """Everything the holder's own items are drawn over: the same for a whole batch."""
    font = fonts.text
    _draw_paper_and_frame(canvas)
    _draw_title(canvas, fonts)
    text_left = TEXT_LEFT
    if has_photo:
        _draw_photo_frame(canvas)
        text_left = TEXT_LEFT_WITH_PHOTO
    _draw_statement(canvas, font, data, text_left)
    _draw_details(canvas, font, data)
    _draw_qr_quiet_zone(canvas)
    _draw_qr_caption(canvas, font)
    _draw_issuer(canvas, font, data, signature=signature)


def _draw_static_above(
    canvas: Canvas, fonts: _Fonts, *, seal: _PreparedImage | None, preview: bool
) -> None:
    """What is stamped over everything: the seal, and a preview's mark."""
    if seal is not None:
        canvas.saveState()
        canvas.setBlendMode("Multiply")
        canvas.setFillAlpha(SEAL_OPACITY)
        half = SEAL_SIZE / 2
        x, y = SEAL_CENTRE
        _draw_fitted(canvas, seal, x - half, y - half, SEAL_SIZE, SEAL_SIZE)
        canvas.restoreState()
    if preview:
        _draw_preview_mark(canvas, fonts.text)


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


def _draw_title(canvas: Canvas, fonts: _Fonts) -> None:
    """证 书 in the serif face, letter-spaced as printed certificates set it."""
    canvas.setFillColor(RED)
    canvas.setFont(fonts.title, TITLE_SIZE)
    canvas.drawCentredString(CENTRE_X, 480, "证书", charSpace=30)
    canvas.setFillColor(MUTED)
    canvas.setFont(fonts.title, 12)
    canvas.drawCentredString(CENTRE_X, 458, "CERTIFICATE", charSpace=6)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(CENTRE_X - 110, 448, CENTRE_X - 12, 448)
    canvas.line(CENTRE_X + 12, 448, CENTRE_X + 110, 448)
    canvas.setFillColor(GOLD)
    _diamond(canvas, CENTRE_X, 448, 3.5)


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


def _draw_statement(canvas: Canvas, font: str, data: CertificatePrint, left: float) -> None:
    """兹证明, (the holder's name, drawn per holder), what they achieved, then the level."""
    width = TEXT_RIGHT - left
    centre = left + width / 2

    canvas.setFillColor(MUTED)
    canvas.setFont(font, 12)
    canvas.drawCentredString(centre, 408, "兹证明  This is to certify that")

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
    canvas.setFillColor(INK)
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


DETAILS_LABEL_X, DETAILS_VALUE_X, DETAILS_TOP = 214, 318, 156


def _draw_details(canvas: Canvas, font: str, data: CertificatePrint) -> None:
    """Number, dates and hours as a small two-column table in the lower middle (the number's
    value is the holder's, drawn with the holder's items)."""
    valid = (
        f"{_date_zh(data.valid_until)}  {_date_en(data.valid_until)}"
        if data.valid_until
        else "长期有效  No expiry"
    )
    rows = [
        ("证书编号", "Certificate No.", None),
        ("发证日期", "Date of issue", f"{_date_zh(data.issued_on)}  {_date_en(data.issued_on)}"),
        ("有效期至", "Valid until", valid),
    ]
    y = DETAILS_TOP
    value_width = DETAILS_RIGHT - DETAILS_VALUE_X
    for zh, en, value in rows:
        canvas.setFillColor(MUTED)
        canvas.setFont(font, 9)
        canvas.drawString(DETAILS_LABEL_X, y, f"{zh} {en}")
        if value is not None:
            canvas.setFillColor(INK)
            canvas.setFont(font, _fitted_size(value, font, 10, value_width, 6))
            canvas.drawString(DETAILS_VALUE_X, y, value)
        y -= 19
    if data.hours_total:
        canvas.setFillColor(MUTED)
        canvas.setFont(font, _fitted_size(data.hours_total, font, 9, value_width + 100, 6))
        canvas.drawString(DETAILS_LABEL_X, y, data.hours_total)


def _signatory_lines(data: CertificatePrint, font: str) -> tuple[float, tuple[str, ...]]:
    """The signatory's title and name on one line if they fit at a readable size, else the
    title (balanced over lines as needed) above the name."""
    one_line = f"{data.signatory_title}  {data.signatory_name}".strip()
    if pdfmetrics.stringWidth(one_line, font, 10) <= SIGN_TEXT_WIDTH:
        return 10, (one_line,)
    size = 9.0
    title = (
        _wrapped(data.signatory_title, font, size, SIGN_TEXT_WIDTH) if data.signatory_title else ()
    )
    lines = (*title, data.signatory_name) if data.signatory_name else title
    while size > 6 and len(lines) > 3:
        size -= 0.5
        title = _wrapped(data.signatory_title, font, size, SIGN_TEXT_WIDTH)
        lines = (*title, data.signatory_name) if data.signatory_name else title
    return size, tuple(lines)


def _body_name_lines(name: str, font: str) -> tuple[float, tuple[str, ...]]:
    """The issuing body's name in at most two balanced lines, smaller if it must be."""
    size = 13.0
    while size > 7 and len(_wrapped(name, font, size, BODY_TEXT_WIDTH)) > 2:
        size -= 0.5
    return size, _wrapped(name, font, size, BODY_TEXT_WIDTH)


def _draw_issuer(
    canvas: Canvas, font: str, data: CertificatePrint, *, signature: _PreparedImage | None
) -> None:
    """The signature over a rule with the signatory under it; beside it the 盖章 label, the
    body's name and the date, where the seal is stamped (``_draw_static_above``)."""
    if signature is not None:
        box_width, box_height = SIGNATURE_BOX
        # Ink on paper: multiply keeps the text under a signature legible, and makes a scanned
        # white background vanish even when the image has no transparency.
        canvas.saveState()
        canvas.setBlendMode("Multiply")
        _draw_fitted(
            canvas, signature, SIGN_CENTRE_X - box_width / 2, SIGN_LINE_Y + 1, box_width, box_height
        )
        canvas.restoreState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.6)
    half = SIGN_TEXT_WIDTH / 2
    canvas.line(SIGN_CENTRE_X - half, SIGN_LINE_Y, SIGN_CENTRE_X + half, SIGN_LINE_Y)
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawCentredString(SIGN_CENTRE_X, SIGN_LINE_Y - 12, "签发人 Signatory")
    size, lines = _signatory_lines(data, font)
    canvas.setFillColor(INK)
    canvas.setFont(font, size)
    y = SIGN_LINE_Y - 14 - size * 1.2
    for line in lines:
        canvas.drawCentredString(SIGN_CENTRE_X, y, line)
        y -= size * 1.3

    canvas.setFillColor(MUTED)
    canvas.setFont(font, 9)
    canvas.drawCentredString(BODY_CENTRE_X, SEAL_LABEL_Y, "发证机构（盖章）Issuing body (seal)")
    size, lines = _body_name_lines(data.body_name, font)
    canvas.setFillColor(INK)
    canvas.setFont(font, size)
    y = 129 if len(lines) > 1 else 121
    for line in lines:
        canvas.drawCentredString(BODY_CENTRE_X, y, line)
        y -= size * 1.35
    canvas.setFont(font, 11)
    canvas.drawCentredString(BODY_CENTRE_X, 85, _date_zh(data.issued_on))


# The holder's items -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """A line of text at a left baseline position, in one font or as runs of fonts."""

    runs: tuple[tuple[str, str], ...]  # (font, text)
    size: float
    x: float
    y: float
    colour: object


@dataclass(frozen=True)
class _HolderLayout:
    texts: tuple[_Text, ...]
    underline: tuple[float, float, float]  # x1, x2, y


def _holder_layout(data: CertificatePrint, fonts: _Fonts, text_left: float) -> _HolderLayout:
    """Where the holder's name, number and verification URL go: the same for both renderers."""
    font = fonts.text
    width = TEXT_RIGHT - text_left
    centre = text_left + width / 2
    runs = _name_runs(data.holder_name, fonts)
    natural = sum(pdfmetrics.stringWidth(text, f, NAME_SIZE) for f, text in runs)
    name_size = NAME_SIZE
    if natural > width - 40:
        name_size = max(8, NAME_SIZE * (width - 40) / natural)
    name_width = sum(pdfmetrics.stringWidth(text, f, name_size) for f, text in runs)
    underline = min(width, name_width + 60) / 2

    top = f"证书编号 No. {data.number}"
    top_size = 9
    top_x = TEXT_RIGHT - pdfmetrics.stringWidth(top, font, top_size)
    value_size = _fitted_size(data.number, font, 10, DETAILS_RIGHT - DETAILS_VALUE_X, 6)
    url_size = _fitted_size(data.verify_url, font, 6.5, 190, 4)
    x, y = QR_ORIGIN
    texts = (
        _Text(runs, name_size, centre - name_width / 2, NAME_Y, INK),
        _Text(((font, top),), top_size, top_x, PAGE_HEIGHT - 58, MUTED),
        _Text(((font, data.number),), value_size, DETAILS_VALUE_X, DETAILS_TOP, INK),
        _Text(
            ((font, data.verify_url),), url_size, x - QR_QUIET_ZONE, y - QR_QUIET_ZONE - 9, MUTED
        ),
    )
    return _HolderLayout(texts=texts, underline=(centre - underline, centre + underline, 361))


def _draw_holder(canvas: Canvas, layout: _HolderLayout) -> None:
    """The holder's name, number and URL, with ReportLab."""
    for text in layout.texts:
        canvas.setFillColor(text.colour)
        x = text.x
        for font, part in text.runs:
            canvas.setFont(font, text.size)
            canvas.drawString(x, text.y, part)
            x += pdfmetrics.stringWidth(part, font, text.size)
    x1, x2, y = layout.underline
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.line(x1, y, x2, y)


def _draw_photo_frame(canvas: Canvas) -> None:
    x, y, width, height = PHOTO_BOX
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(x - 3, y - 3, width + 6, height + 6, stroke=1, fill=0)


def _photo_placement(photo: _PreparedImage) -> tuple[float, float, float, float]:
    """Where the photo is drawn so that it fills the ID-photo box, cropped by a clip."""
    x, y, width, height = PHOTO_BOX
    scale = max(width / photo.width, height / photo.height)
    drawn_width, drawn_height = photo.width * scale, photo.height * scale
    return (
        x - (drawn_width - width) / 2,
        y - (drawn_height - height) / 2,
        drawn_width,
        drawn_height,
    )


def _draw_photo(canvas: Canvas, photo: _PreparedImage) -> None:
    """The photo fills the ID-photo box, cropped by a clip if its proportions differ."""
    x, y, width, height = PHOTO_BOX
    canvas.saveState()
    clip = canvas.beginPath()
    clip.rect(x, y, width, height)
    canvas.clipPath(clip, stroke=0, fill=0)
    _draw_image(canvas, photo, *_photo_placement(photo))
    canvas.restoreState()


# QR code ------------------------------------------------------------------------------------


def _qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules (error correction M, the smallest version that holds the URL), dark =
    True, without the quiet zone (the page draws that).

    Encoded by zxing-cpp, in C++: a tenth of a millisecond, where the pure-Python ``qrcode``
    package takes about three (most of it choosing the mask), a third of a whole page."""
    return [[bool(value) for value in row] for row in _qr_rows(url)]


# A pixel of zxing's image (0 dark, 255 light) to a module: 1 dark, 0 light.
_DARK_MODULES = bytes(1 if value == 0 else 0 for value in range(256))


def _qr_rows(url: str) -> list[bytes]:
    """``_qr_matrix`` as one ``bytes`` per row (1 dark, 0 light), what the page's path is made
    from, without building a list of booleans per module for every holder."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[1]
    modules = bytes(image).translate(_DARK_MODULES)  # one byte per module, row by row
    return [modules[row : row + size] for row in range(0, len(modules), size)]


def _draw_qr_quiet_zone(canvas: Canvas) -> None:
    """White square behind the code with the margin a scanner needs (four modules or more)."""
    x, y = QR_ORIGIN
    margin = QR_QUIET_ZONE
    canvas.setFillColor(white)
    canvas.rect(x - margin, y - margin, QR_SIZE + 2 * margin, QR_SIZE + 2 * margin, 0, 1)


_DARK_RUN = re.compile(rb"\x01+")


def _qr_path(matrix: list[list[bool]] | list[bytes]) -> str:
    """Each row's runs of dark modules as rectangles, all in one filled path, in module units
    (row 0 at the top): short integers instead of formatted coordinates. One path means one
    fill: no hairline seams between neighbouring rows when rasterised."""
    operators = [
        f"{run.start()} {row_index} {run.end() - run.start()} 1 re"
        for row_index, row in enumerate(matrix)
        for run in _DARK_RUN.finditer(bytes(row))
    ]
    return " ".join(operators) + " f"


def _draw_qr_fast(canvas: Canvas, matrix: list[list[bool]]) -> None:
    """The QR path under a scaling transform."""
    count = len(matrix)
    x0, y0 = QR_ORIGIN
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.translate(x0, y0 + QR_SIZE)
    canvas.scale(QR_SIZE / count, -QR_SIZE / count)  # row 0 at the top
    canvas.addLiteral(_qr_path(matrix))
    canvas.restoreState()


def _draw_qr_reportlab(canvas: Canvas, url: str) -> None:
    """ReportLab's own QR widget: the simple way, kept as the benchmark's baseline."""
    widget = QrCodeWidget(url, barLevel="M", barBorder=0, barWidth=QR_SIZE, barHeight=QR_SIZE)
    widget.barFillColor = INK
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, *QR_ORIGIN)


def _draw_qr_caption(canvas: Canvas, font: str) -> None:
    """扫码验证 above the code (the URL under it is the holder's)."""
    x, y = QR_ORIGIN
    canvas.setFillColor(MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(x, y + QR_SIZE + 13, "扫码验证 Scan to verify")


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


# The template and each holder's page ----------------------------------------------------------


class _NotAssemblable(Exception):
    """The holder's text needs a glyph the template's font subsets do not hold."""


@dataclass(frozen=True)
class _StaticFont:
    internal: str  # the PDF resource name's stem, "F1"
    assignments: dict  # code point -> code (subset number * 256 + byte)


@dataclass(frozen=True)
class _Template:
    """A batch's page without its holder: serialised PDF objects 1..count after the header."""

    objects: bytes  # the header and the static objects
    offsets: tuple[int, ...]  # of objects 1..count
    below: int  # object numbers of the static content streams, under and over the holder's
    above: int
    fonts: dict  # ReportLab font name -> _StaticFont
    font_resources: str
    xobject_resources: str
    extgstates: str
    text_left: float


_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
_PRODUCER = "ReportLab PDF Library - www.reportlab.com"


class _Objects:
    """Numbered PDF objects, serialised as they are added."""

    def __init__(self, first: int, start: int):
        self.next = first
        self.position = start
        self.parts: list[bytes] = []
        self.offsets: list[int] = []

    def add(self, body: bytes) -> int:
        number = self.next
        part = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        self.parts.append(part)
        self.offsets.append(self.position)
        self.position += len(part)
        self.next += 1
        return number

    def stream(self, data: bytes, entries: str = "", *, compressed: bytes | None = None) -> int:
        packed = zlib.compress(data) if compressed is None else compressed
        head = f"<< /Filter /FlateDecode /Length {len(packed)}{entries} >>\nstream\n"
        return self.add(head.encode("ascii") + packed + b"\nendstream")


def _template_key(data: CertificatePrint) -> CertificatePrint:
    """What a batch shares: everything but the holder's name, photo, number and URL."""
    return dataclasses.replace(data, number="", holder_name="", holder_photo=None, verify_url="")


@functools.lru_cache(maxsize=16)
def _template(key: CertificatePrint, has_photo: bool, preview: bool) -> _Template:
    """Draw the static layers once with ReportLab and serialise them (fonts, pictures, two
    content streams) as PDF objects that every holder's page of the batch copies."""
    fonts = _fonts()
    seal, signature = _overlays(key)
    with _render_lock:
        canvas = _canvas(io.BytesIO(), fonts)
        canvas._certificate_images = []
        start = len(canvas._code)
        _draw_static_below(canvas, fonts, key, has_photo=has_photo, signature=signature)
        below = " ".join(canvas._code[start:])
        del canvas._code[start:]
        _draw_static_above(canvas, fonts, seal=seal, preview=preview)
        above = " ".join(canvas._code[start:])
        doc = canvas._doc
        static_fonts, subsets = {}, []
        for font in doc.delayedFonts:
            state = font.state[doc]
            static_fonts[font.fontName] = _StaticFont(state.internalName, dict(state.assignments))
            for index, subset in enumerate(state.subsets):
                subsets.append(
                    (
                        state.internalName,
                        font.face,
                        index,
                        list(subset),
                        font.face.makeSubset(subset),
                    )
                )
            font.state.pop(doc, None)
        images = [(doc.getXObjectName(image.key), image) for image in canvas._certificate_images]
        gstates = dict(canvas._extgstate._c)

    objects = _Objects(1, len(_HEADER))
    below_number = objects.stream(below.encode("latin-1"))
    above_number = objects.stream(above.encode("latin-1"))
    font_resources = []
    for internal, face, index, subset, font_file in subsets:
        number = _font_objects(objects, face, index, subset, font_file, _deflate(font_file))
        font_resources.append(f"/{internal}+{index} {number} 0 R")
    xobjects = []
    for name, image in images:
        xobjects.append(f"/{name} {_image_object(objects, image)} 0 R")
    extgstates = " ".join(
        f"/{name} << /{attribute} {_pdf_value(value)} >>"
        for (attribute, value), name in gstates.items()
    )
    return _Template(
        objects=_HEADER + b"".join(objects.parts),
        offsets=tuple(objects.offsets),
        below=below_number,
        above=above_number,
        fonts=static_fonts,
        font_resources=" ".join(font_resources),
        xobject_resources=" ".join(xobjects),
        extgstates=extgstates,
        text_left=TEXT_LEFT_WITH_PHOTO if has_photo else TEXT_LEFT,
    )


def _pdf_value(value) -> str:
    return fp_str(value) if isinstance(value, int | float) else str(value)


def _font_objects(
    objects: _Objects, face, index: int, subset: list[int], font_file: bytes, packed: bytes
) -> int:
    """One subset of a TrueType face as ReportLab writes it (a simple TrueType font of up to
    256 glyphs, its ToUnicode map, descriptor and embedded file); returns the font's number."""
    base = (SUBSETN(index) + b"+" + face.name + face.subfontNameX).decode("latin-1")
    to_unicode = objects.stream(makeToUnicodeCMap(base, subset).encode("latin-1"))
    file = objects.stream(font_file, f" /Length1 {len(font_file)}", compressed=packed)
    flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
    descriptor = objects.add(
        (
            f"<< /Ascent {fp_str(face.ascent)} /CapHeight {fp_str(face.capHeight)} "
            f"/Descent {fp_str(face.descent)} /Flags {flags} /FontBBox [{fp_str(*face.bbox)}] "
            f"/FontFile2 {file} 0 R /FontName /{base} /ItalicAngle {fp_str(face.italicAngle)} "
            f"/MissingWidth {fp_str(face.defaultWidth)} /StemV {fp_str(face.stemV)} "
            "/Type /FontDescriptor >>"
        ).encode("latin-1")
    )
    widths = " ".join(fp_str(face.getCharWidth(code)) for code in subset)
    return objects.add(
        (
            f"<< /BaseFont /{base} /FirstChar 0 /FontDescriptor {descriptor} 0 R "
            f"/LastChar {len(subset) - 1} /Subtype /TrueType /ToUnicode {to_unicode} 0 R "
            f"/Type /Font /Widths [{widths}] >>"
        ).encode("latin-1")
    )


def _image_object(objects: _Objects, image: _PreparedImage) -> int:
    smask = ""
    if image.alpha is not None:
        mask = objects.add(
            b"<< /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /FlateDecode /Height %d "
            b"/Length %d /Subtype /Image /Type /XObject /Width %d >>\nstream\n%s\nendstream"
            % (image.height, len(image.alpha), image.width, image.alpha)
        )
        smask = f" /SMask {mask} 0 R"
    filters = " ".join(f"/{name}" for name in image.filters)
    head = (
        f"<< /BitsPerComponent 8 /ColorSpace /{image.colour_space} /Filter [{filters}] "
        f"/Height {image.height} /Length {len(image.stream)}{smask} /Subtype /Image "
        f"/Type /XObject /Width {image.width} >>\nstream\n"
    )
    return objects.add(head.encode("ascii") + image.stream + b"\nendstream")


def _pdf_text(text: str) -> str:
    """A PDF text string: literal when plain ASCII, else UTF-16 with a byte-order mark."""
    if text.isascii() and text.isprintable():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _colour(colour) -> str:
    return fp_str(colour.red, colour.green, colour.blue)


def _assembled(data: CertificatePrint, photo: _PreparedImage | None, preview: bool) -> bytes:
    """The holder's page: the batch's template plus the holder's own objects."""
    template = _template(_template_key(data), photo is not None, preview)
    fonts = _fonts()
    layout = _holder_layout(data, fonts, template.text_left)
    matrix = _qr_rows(data.verify_url)

    own_fonts: dict[str, tuple[str, dict[int, int]]] = {}  # name fonts: internal, codes
    operators = ["q"]
    for text in layout.texts:
        operators.append(f"{_colour(text.colour)} rg BT 1 0 0 1 {fp_str(text.x, text.y)} Tm")
        for font, part in text.runs:
            static = template.fonts.get(font)
            if static is not None:
                for subset, codes in _static_codes(static, part):
                    operators.append(
                        f"/{static.internal}+{subset} {fp_str(text.size)} Tf <{codes.hex()}> Tj"
                    )
                continue
            internal, codes = own_fonts.setdefault(
                font, (f"F{len(template.fonts) + len(own_fonts) + 1}", {})
            )
            face = pdfmetrics.getFont(font).face
            encoded = bytes(_own_code(codes, char, face) for char in part)
            operators.append(f"/{internal}+0 {fp_str(text.size)} Tf <{encoded.hex()}> Tj")
        operators.append("ET")
    x1, x2, y = layout.underline
    operators.append(f"{_colour(GOLD)} RG .8 w {fp_str(x1, y)} m {fp_str(x2, y)} l S")
    if photo is not None:
        x, y, width, height = PHOTO_BOX
        placed = _photo_placement(photo)
        operators.append(
            f"q {fp_str(x, y, width, height)} re W n q {fp_str(placed[2])} 0 0 "
            f"{fp_str(placed[3])} {fp_str(placed[0], placed[1])} cm /Photo Do Q Q"
        )
    scale = QR_SIZE / len(matrix)
    x0, y0 = QR_ORIGIN
    operators.append(
        f"q {_colour(INK)} rg 1 0 0 1 {fp_str(x0, y0 + QR_SIZE)} cm "
        f"{fp_str(scale)} 0 0 {fp_str(-scale)} 0 0 cm {_qr_path(matrix)} Q"
    )
    operators.append("Q")

    objects = _Objects(len(template.offsets) + 1, len(template.objects))
    content = objects.stream("\n".join(operators).encode("latin-1"))
    font_resources = [template.font_resources]
    with _render_lock:  # the face's file position is shared while it builds a subset
        subsets = [
            (internal, pdfmetrics.getFont(font).face, sorted(codes, key=codes.get))
            for font, (internal, codes) in own_fonts.items()
        ]
        files = [face.makeSubset([0, *chars]) for _internal, face, chars in subsets]
    for (internal, face, chars), font_file in zip(subsets, files, strict=True):
        number = _font_objects(objects, face, 0, [0, *chars], font_file, zlib.compress(font_file))
        font_resources.append(f"/{internal}+0 {number} 0 R")
    xobjects = template.xobject_resources
    if photo is not None:
        xobjects += f" /Photo {_image_object(objects, photo)} 0 R"
    resources = f"/Font << {' '.join(font_resources)} >>"
    if xobjects.strip():
        resources += f" /XObject << {xobjects.strip()} >>"
    if template.extgstates:
        resources += f" /ExtGState << {template.extgstates} >>"
    resources += " /ProcSet [/PDF /Text /ImageB /ImageC /ImageI]"

    pages = objects.next + 1
    page = objects.add(
        (
            f"<< /Contents [{template.below} 0 R {content} 0 R {template.above} 0 R] "
            f"/MediaBox [0 0 {fp_str(PAGE_WIDTH, PAGE_HEIGHT)}] /Parent {pages} 0 R "
            f"/Resources << {resources} >> /Rotate 0 /Trans << >> /Type /Page >>"
        ).encode("latin-1")
    )
    objects.add(f"<< /Count 1 /Kids [{page} 0 R] /Type /Pages >>".encode("ascii"))
    root = objects.add(
        f"<< /Lang (zh-CN) /PageMode /UseNone /Pages {pages} 0 R /Type /Catalog >>".encode()
    )
    stamp = _stamp(data)
    info = objects.add(
        (
            f"<< /Author {_pdf_text(data.body_name)} /CreationDate ({stamp}) "
            f"/Creator {_pdf_text(CREATOR)} /Keywords {_pdf_text(', '.join(_keywords(data)))} "
            f"/ModDate ({stamp}) /Producer {_pdf_text(_PRODUCER)} "
            f"/Subject {_pdf_text(_subject(data))} /Title {_pdf_text(_title(data))} "
            "/Trapped /False >>"
        ).encode("ascii")
    )
    body = template.objects + b"".join(objects.parts)
    offsets = template.offsets + tuple(objects.offsets)
    size = len(offsets) + 1
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    xref.extend(b"%010d 00000 n \n" % offset for offset in offsets)
    identifier = hashlib.md5(body, usedforsecurity=False).hexdigest()
    trailer = (
        f"trailer\n<< /ID [<{identifier}> <{identifier}>] /Info {info} 0 R /Root {root} 0 R "
        f"/Size {size} >>\nstartxref\n{len(body)}\n%%EOF\n"
    )
    return body + b"".join(xref) + trailer.encode("ascii")


def _static_codes(font: _StaticFont, text: str) -> list[tuple[int, bytes]]:
    """``text`` in the template's codes for ``font``, as runs per subset."""
    runs: list[tuple[int, bytearray]] = []
    assignments = font.assignments
    for char in text:
        code = assignments.get(32 if char == "\xa0" else ord(char))
        if code is None:
            raise _NotAssemblable(char)
        if not runs or runs[-1][0] != code >> 8:
            runs.append((code >> 8, bytearray()))
        runs[-1][1].append(code & 0xFF)
    return [(subset, bytes(codes)) for subset, codes in runs]


def _own_code(codes: dict[int, int], char: str, face) -> int:
    """A name font's code for ``char``: 1, 2, ... in order of first use; 0 (the empty glyph)
    for a character the face lacks, as ReportLab does."""
    point = ord(char)
    if point not in face.charToGlyph:
        return 0
    if point not in codes:
        if len(codes) >= 255:
            raise _NotAssemblable(char)
        codes[point] = len(codes) + 1
    return codes[point]


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
    drawn = getattr(canvas, "_certificate_images", None)
    if drawn is not None and image not in drawn:
        drawn.append(image)  # a template records its pictures (``_template``)


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
