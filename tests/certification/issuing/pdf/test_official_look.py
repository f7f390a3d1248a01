"""A certificate that looks issued by an authority (issue 16, item 8), read back from the PDF:
the serif face for the title and the name, the seal over the body's name and the date and clear
of the signatory, balanced statement lines, and the template path drawing the same page."""

import dataclasses
import io
import math
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from certification.demo.stories import seal_png, signature_png
from certification.issuing import pdf as certificate_module
from certification.issuing.pdf import certificate_pdf
from certification.issuing.statement import statement_en, statement_zh
from cms.api import cjk_serif_font_path
from tests.certification.issuing.pdf import samples
from tests.certification.issuing.pdf.test_certificate_pdf import (
    LONGEST_STATEMENT,
    poppler,
    rendered,
    saved,
    text_of,
    words_with_boxes,
)
from tests.requirements import missing

LONG_BODY = "华南技术转移人才培训基地评价中心（示例）"
# A character AR PL UMing CN does not draw and WenQuanYi Micro Hei does.
RARE = "刏"


@pytest.fixture(autouse=True)
def serif_font_installed():
    if cjk_serif_font_path() is None:
        missing("fonts-arphic-uming is not installed: certificates need their serif face")


def demo_certificate(**changes):
    values = {
        "body_name": LONG_BODY,
        "seal_image": seal_png(LONG_BODY),
        "signature_image": signature_png("黄志强", 2),
        "signatory_name": "黄志强",
        "signatory_title": "基地主任",
    }
    values.update(changes)
    return samples.certificate(**values)


def fonts_of_text(data: bytes) -> dict[str, set[str]]:
    """Each piece of text on the page and the fonts (BaseFont without subset tag) it is in."""
    found: dict[str, set[str]] = {}

    def visit(text, _cm, _tm, font, _size):
        if text.strip() and font is not None:
            name = str(font["/BaseFont"]).split("+", 1)[1]
            found.setdefault(text.strip(), set()).add(name)

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def font_of(found: dict[str, set[str]], text: str) -> set[str]:
    """The fonts of the pieces of text that make up ``text`` (pieces inside it)."""
    fonts = set()
    for piece, names in found.items():
        if "".join(piece.split()) in text:
            fonts |= names
    assert fonts, f"{text!r} not found on the page: {sorted(found)}"
    return fonts


# Type ---------------------------------------------------------------------------------------


def test_the_title_and_the_holders_name_are_in_the_serif_face_and_the_rest_is_not():
    found = fonts_of_text(certificate_pdf(demo_certificate()))
    assert all("UMing" in name for name in font_of(found, "证书"))
    assert all("UMing" in name for name in font_of(found, "张三丰"))
    assert all("WenQuanYi" in name for name in font_of(found, "兹证明Thisistocertifythat"))
    assert all("WenQuanYi" in name for name in font_of(found, "初级技术经纪人"))


def test_a_character_the_serif_face_lacks_is_printed_in_the_sans_serif_face_not_as_a_box(
    tmp_path,
):
    document = certificate_pdf(demo_certificate(holder_name=f"王{RARE}明"))
    found = fonts_of_text(document)
    assert any("WenQuanYi" in name and "Name" in name for name in font_of(found, RARE))
    assert any("UMing" in name and "Name" in name for name in font_of(found, "王"))
    assert f"王{RARE}明" in text_of(document, tmp_path)


def test_every_font_is_embedded_as_a_subset_serif_and_sans_serif(tmp_path):
    listing = poppler("pdffonts", saved(certificate_pdf(demo_certificate()), tmp_path))
    rows = listing.splitlines()[2:]
    assert any("UMingCN" in row for row in rows), listing
    assert any("WenQuanYi" in row for row in rows), listing
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


# The issuer's block -------------------------------------------------------------------------


def _boxes(document, tmp_path):
    _width, height, words = words_with_boxes(document, tmp_path)
    return height, words


def _seal_box(page_height):
    """The seal's square in pdftotext's coordinates (origin top left)."""
    x, y = certificate_module.SEAL_CENTRE
    half = certificate_module.SEAL_SIZE / 2
    return (x - half, page_height - (y + half), x + half, page_height - (y - half))


def _intersects(a, b):
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_the_full_body_name_is_printed_and_the_seal_covers_it_and_the_date(tmp_path):
    document = certificate_pdf(demo_certificate())
    assert LONG_BODY in text_of(document, tmp_path)
    height, words = _boxes(document, tmp_path)
    seal = _seal_box(height)
    body_words = [w for w in words if w[0] in LONG_BODY and len(w[0]) > 2]
    date = [w for w in words if w[0] == "2026年3月1日" and w[1] > 600]
    assert body_words and date
    for word in [*body_words, *date]:
        assert _intersects(word[1:], seal), word


def test_the_seal_leaves_the_signatory_and_the_seal_label_uncovered(tmp_path):
    data = demo_certificate(signatory_title="粤港澳大湾区国家技术创新中心常务副主任")
    document = certificate_pdf(data)
    height, words = _boxes(document, tmp_path)
    seal = _seal_box(height)
    kept_clear = [
        w
        for w in words
        if w[0].startswith("发证机构") or "黄志强" in w[0] or "主任" in w[0] or "签发人" in w[0]
    ]
    assert len(kept_clear) >= 3, words
    for word in kept_clear:
        assert not _intersects(word[1:], seal), word
    printed = text_of(document, tmp_path)
    assert "粤港澳大湾区国家技术创新中心常务副主任" in printed and "黄志强" in printed


def test_the_text_under_the_seal_stays_dark_and_legible(tmp_path):
    """Multiplied and translucent: where the date's strokes are, the page is near black, not
    seal red."""
    dpi = 150
    document = certificate_pdf(demo_certificate())
    height, words = _boxes(document, tmp_path)
    page = rendered(document, tmp_path, dpi=dpi)
    [date] = [w for w in words if w[0] == "2026年3月1日" and w[1] > 600]
    scale = dpi / 72
    crop = page.crop(tuple(round(v * scale) for v in date[1:]))
    darkest = min(sum(pixel) for pixel in crop.get_flattened_data())
    assert darkest < 200, darkest  # ink under the seal, not red (about 230 at best) or paper
    reds = sum(1 for r, g, b in crop.get_flattened_data() if r > 150 and g < 110 and b < 110)
    assert reds > 0  # and the seal really is over it


def test_the_signature_is_the_bodys_image_and_no_typed_name_stands_in_for_it(tmp_path):
    with_image = certificate_pdf(demo_certificate())
    without = certificate_pdf(demo_certificate(signature_image=None))
    rows = poppler("pdfimages", "-list", saved(with_image, tmp_path)).splitlines()[2:]
    sizes = {tuple(map(int, row.split()[3:5])) for row in rows}
    assert any(width > 2 * height for width, height in sizes)  # the wide signature picture
    # The signatory's name is printed once, under the rule, in both.
    for document in (with_image, without):
        assert text_of(document, tmp_path).count("黄志强") == 1


# The statement's lines ----------------------------------------------------------------------

_JUNIOR = {
    "version": 1,
    "hours": {"general": "16", "policy": "16", "practice": "24", "enhancement": "8"},
    "hours_total": "64",
    "exam": True,
    "experience_years": 0,
    "prerequisite": "",
    "prerequisite_en": "",
}


@pytest.mark.parametrize("photo", [True, False], ids=["photo", "no-photo"])
@pytest.mark.parametrize(
    "statement",
    [
        pytest.param({}, id="legacy"),
        pytest.param(
            {
                "statement_zh": statement_zh(
                    _JUNIOR, level_name="初级技术经纪人", track_name="技术经纪人"
                )
            },
            id="junior",
        ),
        pytest.param({"statement_zh": LONGEST_STATEMENT["statement_zh"]}, id="longest"),
    ],
)
def test_no_line_of_the_chinese_statement_is_a_stranded_character(tmp_path, photo, statement):
    data = demo_certificate(**statement)
    if not photo:
        data = dataclasses.replace(data, holder_photo=None)
    chinese = data.statement_zh or certificate_module._legacy_statement_zh(data)
    _height, words = _boxes(certificate_pdf(data), tmp_path)
    # The statement's lines: between 兹证明 and the level's name, below the title.
    lines = [
        w[0]
        for w in words
        if w[0] in chinese
        and 220 < w[2] < 400
        and w[0] != data.level_name
        and len(w[0]) > 0
        and any("\u4e00" <= char <= "\u9fff" for char in w[0])
    ]
    assert "".join(lines) == chinese, lines
    assert all(len(line) >= 2 for line in lines), lines
    if len(lines) > 1:  # balanced: the last line is not much shorter than the others
        assert len(lines[-1]) >= len(lines[0]) / 3, lines


@pytest.mark.parametrize("width", range(120, 640, 7))
def test_balanced_wrapping_keeps_every_character_and_fits_and_strands_none(width):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = certificate_module._fonts().text
    text = statement_zh(_JUNIOR, level_name="初级技术经纪人", track_name="技术经纪人")
    lines = certificate_module._wrap(text, font, 14, width)
    greedy = certificate_module._wrap(text, font, 14, width, balance=False)
    assert "".join(lines) == text
    assert len(lines) == len(greedy)  # balancing never costs a line
    hanging = certificate_module._HANGING
    for line in lines:
        assert line[0] not in hanging
        assert stringWidth(line.rstrip(hanging), font, 14) <= width
    if len(lines) > 1:
        assert len(lines[-1].rstrip("。")) >= 2, lines


# The template path --------------------------------------------------------------------------


def _difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference per channel, 0..255."""
    a, b = first.tobytes(), second.tobytes()
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


@pytest.mark.parametrize("photo", [True, False], ids=["photo", "no-photo"])
def test_the_batch_template_draws_the_same_page_as_drawing_everything_per_holder(tmp_path, photo):
    data = demo_certificate(holder_name=f"欧阳{RARE}娜")
    if not photo:
        data = dataclasses.replace(data, holder_photo=None)
    prepared = certificate_module._prepare_photo(data.holder_photo) if photo else None
    assembled = certificate_pdf(data)
    drawn = certificate_module._drawn(data, prepared, qr="fast", preview=False)
    assert assembled != drawn  # two different writers...
    (tmp_path / "drawn").mkdir()
    first = rendered(assembled, tmp_path, 60)
    second = rendered(drawn, tmp_path / "drawn", 60)
    assert first.size == second.size
    assert _difference(first, second) < 0.2  # ...and the same page
    assert text_of(assembled, tmp_path) == text_of(drawn, tmp_path)


def test_a_number_with_a_character_the_template_lacks_is_drawn_in_full(tmp_path):
    data = demo_certificate(number="粤J-2026-000123")
    document = certificate_pdf(data)
    assert "粤J-2026-000123" in text_of(document, tmp_path)


def test_holders_of_one_batch_share_the_template_and_differ_only_in_their_own_items():
    certificate_module._template.cache_clear()
    first = certificate_pdf(demo_certificate(holder_name="张三", number="GD-J-2026-000001"))
    second = certificate_pdf(demo_certificate(holder_name="李四", number="GD-J-2026-000002"))
    info = certificate_module._template.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert PdfReader(io.BytesIO(first)).metadata.title.endswith("000001")
    assert "李四" in PdfReader(io.BytesIO(second)).pages[0].extract_text()


def test_a_preview_is_still_marked_on_the_template_path():
    marked = fonts_of_text(certificate_pdf(demo_certificate(), preview=True))
    assert "样张" in marked and "PREVIEW" in marked
    assert "样张" not in fonts_of_text(certificate_pdf(demo_certificate()))


# The demo's seal and signature --------------------------------------------------------------


def test_the_demo_seal_has_a_five_pointed_star_not_a_pentagon():
    size = 600
    seal = Image.open(io.BytesIO(seal_png(LONG_BODY, size=size))).convert("RGBA")
    centre = size / 2
    outer = size * 0.155

    def alpha_at(radius, degrees):
        angle = math.radians(degrees)
        return seal.getpixel(
            (round(centre + radius * math.cos(angle)), round(centre + radius * math.sin(angle)))
        )[3]

    assert alpha_at(outer * 0.9, -90) > 200  # the top point is inked
    # Between two points, beyond the star's inner corners, a pentagon would still be inked.
    assert alpha_at(outer * 0.6, -90 + 36) < 40
    assert alpha_at(outer * 0.2, 0) > 200  # the middle is solid


def test_the_demo_seal_prints_the_whole_name_however_long():
    # The old seal cut the name at 12 characters: two names differing after that looked alike.
    long = "粤港澳大湾区国家技术创新中心技术转移人才培训基地"
    assert seal_png(long + "甲") != seal_png(long + "乙")


def test_the_demo_signature_is_strokes_that_differ_per_signatory():
    first = Image.open(io.BytesIO(signature_png("黄志强", 2))).convert("RGBA")
    second = Image.open(io.BytesIO(signature_png("沈嘉怡", 3))).convert("RGBA")
    assert first.tobytes() != second.tobytes()
    inked = sum(1 for pixel in first.get_flattened_data() if pixel[3] > 128)
    assert 0.04 < inked / (first.width * first.height) < 0.4  # pen strokes, not a filled box


# Pictures to look at ------------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"


@pytest.mark.parametrize("photo", [True, False], ids=["photo", "no-photo"])
def test_the_demo_certificates_are_rendered_into_test_artifacts_to_look_at(tmp_path, photo):
    """certificate-demo-photo.png / certificate-demo-no-photo.png, at 150 dpi (and the PDFs)."""
    from certification.demo.stories import BASE_BODIES

    _code, body, signatory = BASE_BODIES["GD-HN"]
    data = demo_certificate(
        body_name=body,
        seal_image=seal_png(body),
        signature_image=signature_png(signatory, 2),
        signatory_name=signatory,
        statement_zh=statement_zh(_JUNIOR, level_name="初级技术经纪人", track_name="技术经纪人"),
        statement_en=statement_en(_JUNIOR),
    )
    if not photo:
        data = dataclasses.replace(data, holder_photo=None, holder_name="欧阳明月")
    document = certificate_pdf(data)
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"certificate-demo-{'photo' if photo else 'no-photo'}"
    (ARTIFACTS / f"{name}.pdf").write_bytes(document)
    page = rendered(document, tmp_path, dpi=150)
    page.save(ARTIFACTS / f"{name}.png")
    assert abs(page.width - 1754) <= 1 and abs(page.height - 1240) <= 1  # A4 landscape


def test_without_the_serif_font_rendering_stops_with_a_message_naming_the_package(monkeypatch):
    from cms import fonts

    monkeypatch.setattr(fonts, "cjk_serif_font_path", lambda: None)
    with pytest.raises(RuntimeError, match="fonts-arphic-uming"):
        fonts.reportlab_cjk_serif_font("CertificateSerifMissing", document="certificate PDF")
