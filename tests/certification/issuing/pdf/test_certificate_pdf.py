"""The printed certificate, read back with poppler, pypdf and a QR decoder rather than trusted."""

import dataclasses
import hashlib
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from certification.issuing import pdf as certificate_module
from certification.issuing.pdf import certificate_pdf
from certification.issuing.statement import statement_en, statement_zh
from tests.certification.issuing.pdf import samples
from tests.requirements import missing

ROOT = Path(__file__).resolve().parents[4]
A4_LONG, A4_SHORT = 841.89, 595.28


# Reading the PDF back ------------------------------------------------------------------------


def poppler(tool: str, *args: str) -> str:
    binary = shutil.which(tool)
    if binary is None:
        missing(f"{tool} (poppler-utils) is not installed; cannot read the certificate back")
    result = subprocess.run([binary, *args], capture_output=True, check=True, timeout=60)
    return result.stdout.decode()


def saved(data: bytes, tmp_path: Path, name: str = "certificate.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def text_of(data: bytes, tmp_path: Path) -> str:
    """All text on the page with whitespace removed, so spacing and line breaks don't matter."""
    text = poppler("pdftotext", "-enc", "UTF-8", saved(data, tmp_path), "-")
    return "".join(text.split())


def words_with_boxes(data: bytes, tmp_path: Path) -> tuple[float, float, list[tuple]]:
    """Page width and height, and each word as (text, x_min, y_min, x_max, y_max) in points."""
    html = poppler("pdftotext", "-bbox", "-enc", "UTF-8", saved(data, tmp_path), "-")
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    word = re.compile(
        r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" '
        r'xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>'
    )
    words = [
        (text, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in word.findall(html)
    ]
    return float(page.group(1)), float(page.group(2)), words


def images_of(data: bytes, tmp_path: Path) -> list[dict]:
    """``pdfimages -list`` rows: type (image/smask), width, height, encoding."""
    listing = poppler("pdfimages", "-list", saved(data, tmp_path))
    rows = []
    for line in listing.splitlines()[2:]:
        fields = line.split()
        rows.append(
            {"type": fields[2], "width": int(fields[3]), "height": int(fields[4]), "enc": fields[8]}
        )
    return rows


def rendered(data: bytes, tmp_path: Path, dpi: int = 150) -> Image.Image:
    prefix = tmp_path / "page"
    poppler("pdftoppm", "-r", str(dpi), "-png", "-singlefile", saved(data, tmp_path), str(prefix))
    with Image.open(f"{prefix}.png") as page:
        return page.convert("RGB")


def qr_texts(page: Image.Image) -> list[str]:
    return [
        found.text for found in zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)
    ]


# What is printed -----------------------------------------------------------------------------


def test_the_certificate_reads_back_with_holder_number_level_body_and_dates(tmp_path):
    text = text_of(certificate_pdf(samples.certificate()), tmp_path)
    for expected in (
        "张三丰",
        "GD-J-2026-000123",
        "初级技术经纪人",
        "JuniorTechnologyBroker",
        "广东省技术转移培训基地",
        "技术经纪人培训",
        "主任李明",
        "2026年3月1日",
        "1March2026",
        "2029年2月28日",
        "28February2029",
        "培训学时64",
        "证书",
        "CERTIFICATE",
        "https://portal.example/verify/GD-J-2026-000123/",
    ):
        assert expected in text, expected


def test_the_statement_printed_is_the_one_given_and_the_old_wording_only_without_one(tmp_path):
    given = samples.certificate(
        statement_zh="已完成技术合同认定登记员培训课程共8学时（政策法规4学时、实务技能4学时），"
        "具有1年以上相关工作经历，具备技术合同认定登记员能力等级，特发此证。",
        statement_en="has completed 8 hours of the prescribed training programme (4 h policies "
        "and regulations, 4 h practical skills), has at least 1 year of relevant work "
        "experience and is hereby certified at the level of",
    )
    text = text_of(certificate_pdf(given), tmp_path)
    assert "共8学时（政策法规4学时、实务技能4学时）" in text
    assert "hascompleted8hoursoftheprescribedtrainingprogramme" in text
    assert "考核" not in text and "assessment" not in text
    text = text_of(certificate_pdf(samples.certificate()), tmp_path)
    assert "经考核合格" in text and "passedtheassessment" in text


def test_a_certificate_without_expiry_or_hours_says_no_expiry_and_prints_no_hours(tmp_path):
    data = samples.certificate(valid_until=None, hours_total="")
    text = text_of(certificate_pdf(data), tmp_path)
    assert "长期有效" in text and "Noexpiry" in text
    assert "学时" not in text
    assert "2029" not in text


def test_the_cjk_font_is_embedded_as_a_subset_and_no_font_is_left_out(tmp_path):
    listing = poppler("pdffonts", saved(certificate_pdf(samples.certificate()), tmp_path))
    rows = listing.splitlines()[2:]  # after the header and the dashes
    assert rows, "the PDF declares no fonts"
    assert any("WenQuanYi" in row for row in rows), listing
    for row in rows:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", name), row  # a subset tag such as AAAAAA+


def _font_files(data: bytes) -> dict[str, bytes]:
    """Each embedded font's name (without the subset tag) and its TrueType file."""
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    files = {}
    for font in fonts.values():
        font = font.get_object()
        name = str(font["/BaseFont"]).split("+", 1)[1]
        files[name] = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
    return files


def test_the_holders_name_has_its_own_font_and_the_rest_is_the_same_file_for_a_whole_class():
    # What makes a batch fast: everything but the name is the same font subsets, built once.
    first = certificate_pdf(samples.certificate(holder_name="张三丰", number="GD-J-2026-000123"))
    second = certificate_pdf(samples.certificate(holder_name="李四", number="GD-J-2026-000987"))
    a, b = _font_files(first), _font_files(second)
    assert sorted(a) == sorted(b) and len(a) == 3
    fixed = [name for name in a if not name.endswith("Name-0")]
    [names] = [name for name in a if name.endswith("Name-0")]
    assert len(fixed) == 2  # the sans-serif text and the serif title
    for name in fixed:
        assert a[name] == b[name]  # byte for byte, though the numbers and names differ
    assert a[names] != b[names]
    assert len(a[names]) < min(len(a[name]) for name in fixed) / 3  # just the name's glyphs
    for data, name in ((first, "张三丰"), (second, "李四")):
        assert name in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_page_is_one_a4_landscape_sheet():
    reader = PdfReader(io.BytesIO(certificate_pdf(samples.certificate())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_LONG, abs=0.5)
    assert float(box.height) == pytest.approx(A4_SHORT, abs=0.5)


def test_the_document_properties_name_the_certificate_and_its_issue_date():
    reader = PdfReader(io.BytesIO(certificate_pdf(samples.certificate())))
    info = reader.metadata
    assert "GD-J-2026-000123" in info.title
    assert info.author == "广东省技术转移培训基地"
    assert "初级技术经纪人" in info.subject and "张三丰" in info.subject
    assert info["/CreationDate"].startswith("D:20260301")


# The QR code ---------------------------------------------------------------------------------


@pytest.mark.parametrize("qr", ["fast", "reportlab"])
def test_the_qr_code_scans_to_the_verification_url(tmp_path, qr):
    url = "https://portal.example/verify/GD-J-2026-000123/"
    page = rendered(certificate_pdf(samples.certificate(verify_url=url), qr=qr), tmp_path)
    assert qr_texts(page) == [url]


def test_a_long_verification_url_still_scans(tmp_path):
    url = (
        "https://training.technology-transfer.example.org.cn/certificates/verify/GD-S-2026-004711/"
    )
    page = rendered(certificate_pdf(samples.certificate(verify_url=url)), tmp_path)
    assert qr_texts(page) == [url]


@pytest.mark.parametrize("length", [1, 17, 48, 90, 180, 400])
def test_the_qr_matrix_is_a_level_m_code_of_the_url_at_any_length(length):
    url = "https://portal.example/verify/" + "GD-J-2026-0123456789"[:length] * (length // 20 + 1)
    matrix = certificate_module._qr_matrix(url)
    size = len(matrix)
    assert all(len(row) == size for row in matrix) and (size - 17) % 4 == 0  # a QR version
    # Drawn at 4 px a module with a quiet zone, the way the page prints it, it scans back.
    picture = Image.new("L", (size + 8, size + 8), 255)
    picture.putdata([0 if dark else 255 for row in _quiet(matrix, 4) for dark in row])
    picture = picture.resize(((size + 8) * 4,) * 2, Image.NEAREST)
    (found,) = zxingcpp.read_barcodes(picture)
    assert (found.text, found.ec_level, found.format) == (url, "M", zxingcpp.BarcodeFormat.QRCode)


def _quiet(matrix, margin):
    size = len(matrix) + 2 * margin
    light = [False] * size
    return (
        [light] * margin
        + [[False] * margin + row + [False] * margin for row in matrix]
        + [light] * margin
    )


def test_an_unknown_qr_mode_is_refused():
    with pytest.raises(ValueError, match="qr must be one of"):
        certificate_pdf(samples.certificate(), qr="svg")


# Pictures ------------------------------------------------------------------------------------


def test_photo_seal_and_signature_are_each_embedded_once(tmp_path):
    rows = images_of(certificate_pdf(samples.certificate()), tmp_path)
    photos = [row for row in rows if row["enc"] == "jpeg"]
    assert [(row["width"], row["height"]) for row in photos] == [(413, 531)]
    # Seal and signature keep their transparency: each comes with a soft mask.
    assert sorted(row["type"] for row in rows) == ["image", "image", "image", "smask", "smask"]


def test_the_holder_photo_is_visible_on_the_page(tmp_path):
    def photo_pixels(data):
        page = rendered(data, tmp_path, dpi=50)
        colours = page.getcolors(page.width * page.height)
        return sum(count for count, rgb in colours if _near(rgb, samples.PHOTO_BACKGROUND))

    with_photo = photo_pixels(certificate_pdf(samples.certificate()))
    without_photo = photo_pixels(certificate_pdf(samples.certificate(holder_photo=None)))
    assert without_photo == 0
    assert with_photo > 500  # the photo box is about 70 x 90 pixels at 50 dpi


def _near(rgb, target, tolerance=25):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))


def test_without_photo_seal_or_signature_the_certificate_is_still_complete(tmp_path):
    data = samples.certificate(holder_photo=None, seal_image=None, signature_image=None)
    document = certificate_pdf(data)
    assert images_of(document, tmp_path) == []
    text = text_of(document, tmp_path)
    assert "张三丰" in text and "初级技术经纪人" in text and "主任李明" in text
    assert qr_texts(rendered(document, tmp_path)) == [data.verify_url]


def test_unreadable_pictures_are_left_out_instead_of_failing(tmp_path, caplog):
    junk = b"\x89PNG\r\n\x1a\n not really a picture"
    data = samples.certificate(holder_photo=junk, seal_image=b"GIF89a?", signature_image=b"")
    document = certificate_pdf(data)
    assert images_of(document, tmp_path) == []
    assert "张三丰" in text_of(document, tmp_path)
    assert "could not be read" in caplog.text


def _exif_rotated_jpeg() -> bytes:
    """A portrait stored on its side, with EXIF orientation 6 saying how to turn it upright."""
    sideways = samples.portrait().transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return samples.encoded(sideways, "JPEG", exif=exif)


@pytest.mark.parametrize(
    "photo",
    [
        pytest.param(lambda: samples.encoded(samples.portrait(), "PNG"), id="png"),
        pytest.param(
            lambda: samples.encoded(samples.portrait().convert("RGBA"), "PNG"), id="png-alpha"
        ),
        pytest.param(
            lambda: samples.encoded(samples.portrait().convert("CMYK"), "JPEG"), id="cmyk-jpeg"
        ),
        pytest.param(
            lambda: samples.encoded(samples.portrait().convert("L"), "JPEG"), id="grey-jpeg"
        ),
        pytest.param(_exif_rotated_jpeg, id="exif-rotated"),
        pytest.param(lambda: samples.portrait_jpeg(size=(3000, 4000)), id="12-megapixel"),
        pytest.param(lambda: samples.portrait_jpeg(size=(1200, 600)), id="landscape"),
    ],
)
def test_photos_of_any_common_kind_are_embedded_upright_and_at_print_resolution(tmp_path, photo):
    rows = images_of(certificate_pdf(samples.certificate(holder_photo=photo())), tmp_path)
    photos = [row for row in rows if row["enc"] == "jpeg"]
    assert len(photos) == 1
    width, height = photos[0]["width"], photos[0]["height"]
    assert width <= 640 and height <= 820  # no more than about 400 dpi in a 35 x 45 mm box
    assert min(width, height) >= 200  # and still sharp enough to print


def test_an_upright_photo_stays_upright(tmp_path):
    rows = images_of(
        certificate_pdf(samples.certificate(holder_photo=_exif_rotated_jpeg())), tmp_path
    )
    photo = next(row for row in rows if row["enc"] == "jpeg")
    assert photo["height"] > photo["width"]


def test_the_seal_and_signature_are_prepared_once_per_process(monkeypatch):
    calls = []
    original = certificate_module._decode_overlay

    def counting(data, max_pixels):
        calls.append(len(data))
        return original(data, max_pixels)

    monkeypatch.setattr(certificate_module, "_overlay_cache", {})
    monkeypatch.setattr(certificate_module, "_decode_overlay", counting)
    certificate_module._template.cache_clear()
    data = samples.certificate()
    first = certificate_pdf(data)
    second = certificate_pdf(dataclasses.replace(data, number="GD-J-2026-000124"))
    assert len(calls) == 2  # one seal, one signature
    assert first != second


# Layout --------------------------------------------------------------------------------------

FRAME = 34  # the inner red rule's distance from the page edge

# A statement naming every kind of requirement, with long names (certification.statement).
_SENIOR = {
    "version": 1,
    "hours": {"general": "44.5", "policy": "40.5", "practice": "52", "enhancement": "48.5"},
    "hours_total": "185.5",
    "exam": True,
    "experience_years": 5,
    "prerequisite": "中级技术经纪人（技术转移与成果转化方向）",
    "prerequisite_en": "Intermediate Technology Broker (Technology Transfer and "
    "Commercialisation of Research Results)",
}
LONGEST_STATEMENT = {
    "statement_zh": statement_zh(
        _SENIOR,
        level_name="高级技术经理人（技术转移与成果转化方向）",
        track_name="技术经理人（科技成果转化）",
    ),
    "statement_en": statement_en(_SENIOR),
}


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"holder_name": "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文"}, id="20-cjk"),
        pytest.param(
            {"holder_name": "Maximilian Alexander von Hohenzollern-Sigmaringen"}, id="latin"
        ),
        pytest.param(
            {
                "body_name": "粤港澳大湾区国家技术创新中心技术转移人才培训基地（广州）",
                "level_name": "高级技术经理人（技术转移与成果转化方向）",
                "level_name_en": "Senior Technology Manager (Technology Transfer and "
                "Commercialisation of Research Results)",
                "track_name": "技术经理人（科技成果转化）",
                "signatory_title": "粤港澳大湾区国家技术创新中心常务副主任",
                "signatory_name": "欧阳建国",
            },
            id="long-body-and-level",
        ),
        pytest.param({"holder_photo": None, "holder_name": "A" * 60}, id="no-photo-long"),
        pytest.param(
            {
                "level_name": "高级技术经理人（技术转移与成果转化方向）",
                "level_name_en": "Senior Technology Manager (Technology Transfer and "
                "Commercialisation of Research Results)",
                "track_name": "技术经理人（科技成果转化）",
                **LONGEST_STATEMENT,
            },
            id="every-requirement-stated",
        ),
    ],
)
def test_long_names_stay_inside_the_frame_clear_of_each_other_and_are_all_printed(
    tmp_path, changes
):
    data = samples.certificate(**changes)
    document = certificate_pdf(data)
    width, height, words = words_with_boxes(document, tmp_path)
    assert (width, height) == pytest.approx((A4_LONG, A4_SHORT), abs=0.5)
    for text, x0, y0, x1, y1 in words:
        assert x0 >= FRAME and x1 <= width - FRAME, (text, x0, x1)
        assert y0 >= FRAME and y1 <= height - FRAME, (text, y0, y1)
    for first, second in itertools.combinations(words, 2):
        assert not _overlap(first[1:], second[1:]), (first, second)
    printed = text_of(document, tmp_path)
    for value in changes.values():
        if isinstance(value, str):
            assert "".join(value.split()) in printed, value


@pytest.mark.parametrize("width", range(60, 400, 9))
def test_wrapped_lines_keep_every_character_fit_and_never_start_with_closing_punctuation(width):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = certificate_module._fonts().text
    text = "已完成技术经理人（科技成果转化）培训课程，经考核合格，具备高级技术经理人能力等级。"
    lines = certificate_module._wrap(text, font, 14, width)
    assert "".join(lines) == text
    for line in lines:
        assert line[0] not in "，。）"
        assert stringWidth(line.rstrip("，。）"), font, 14) <= width


def test_latin_text_wraps_at_spaces_and_cuts_only_a_word_too_long_for_a_line():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = certificate_module._fonts().text
    text = "has completed the prescribed training programme https://portal.example/verify/X/"
    lines = certificate_module._wrap(text, font, 10, 120, balance=False)
    assert lines[:3] == ["has completed the", "prescribed training", "programme"]
    assert "".join(lines[3:]) == "https://portal.example/verify/X/"
    assert len(lines) > 4  # the address alone is wider than a line, so it was cut
    assert all(stringWidth(line, font, 10) <= 120 for line in lines)


def _overlap(a, b, tolerance=1.0) -> bool:
    """Whether two (x0, y0, x1, y1) boxes share more than a hairline."""
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > tolerance
        and min(a[3], b[3]) - max(a[1], b[1]) > tolerance
    )


# Reproducibility and concurrency -------------------------------------------------------------


def test_the_same_input_gives_byte_identical_output():
    data = samples.certificate()
    assert certificate_pdf(data) == certificate_pdf(samples.certificate())
    assert certificate_pdf(data, qr="reportlab") == certificate_pdf(data, qr="reportlab")


def test_a_fresh_process_reproduces_the_same_sha256(monkeypatch):
    """What issuing stores must be recomputable later: no time, hash seed or cache in it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # ReportLab would fold it into /ID
    expected = hashlib.sha256(certificate_pdf(samples.certificate())).hexdigest()
    script = (
        "import django, hashlib, sys; django.setup();"
        "from certification.issuing.pdf import certificate_pdf;"
        "from tests.certification.issuing.pdf import samples;"
        "sys.stdout.write(hashlib.sha256(certificate_pdf(samples.certificate())).hexdigest())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONHASHSEED": "12345",
        "TZ": "America/New_York",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.decode() == expected


def test_rendering_in_several_threads_at_once_gives_the_same_bytes_as_one_at_a_time():
    inputs = [
        samples.certificate(number=f"GD-J-2026-{i:06d}", holder_name=name)
        for i, name in enumerate(["张三", "李四", "王五六", "Zoë Müller", "赵钱孙李周吴", "陈"])
    ]
    expected = [certificate_pdf(data) for data in inputs]
    results = [None] * len(inputs)

    def render(index):
        for _ in range(3):
            results[index] = certificate_pdf(inputs[index])

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected
