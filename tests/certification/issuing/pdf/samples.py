"""A certificate to print in tests, with pictures drawn by Pillow: portrait, seal, signature."""

import datetime
import io

from PIL import Image, ImageDraw

from certification.issuing.pdf import CertificatePrint

# A colour no other part of the certificate uses, so a test can find the photo on the page.
PHOTO_BACKGROUND = (40, 170, 90)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def portrait(size=(413, 531), background=PHOTO_BACKGROUND) -> Image.Image:
    """A head-and-shoulders ID photo: face, hair and jacket on a plain background."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    face = (width * 0.3, height * 0.17, width * 0.7, height * 0.55)
    draw.ellipse(
        (face[0] - 6, face[1] - 14, face[2] + 6, face[3] - height * 0.12), fill=(35, 25, 20)
    )
    draw.ellipse(face, fill=(238, 200, 170))
    draw.rectangle((width * 0.18, height * 0.62, width * 0.82, height), fill=(30, 35, 70))
    draw.polygon(
        [(width * 0.42, height * 0.62), (width * 0.58, height * 0.62), (width / 2, height * 0.8)],
        fill=(245, 245, 245),
    )
    return image


def portrait_jpeg(**kwargs) -> bytes:
    return encoded(portrait(**kwargs), "JPEG", quality=90)


def seal_png(size=400) -> bytes:
    """A red round 公章: ring, star and inner ring on a transparent background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (210, 25, 35, 235)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=size // 22)
    draw.ellipse((size * 0.16, size * 0.16, size * 0.84, size * 0.84), outline=red, width=3)
    draw.regular_polygon((size / 2, size / 2, size * 0.17), 5, rotation=180, fill=red)
    return encoded(image, "PNG")


def signature_png() -> bytes:
    """One dark-blue pen stroke on a transparent background."""
    image = Image.new("RGBA", (600, 180), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    stroke = [(20, 120), (90, 40), (150, 140), (230, 50), (320, 130), (420, 60), (560, 100)]
    draw.line(stroke, fill=(20, 30, 90, 255), width=8, joint="curve")
    return encoded(image, "PNG")


def certificate(**changes) -> CertificatePrint:
    """A junior technology broker's certificate with photo, seal and signature."""
    values = {
        "number": "GD-J-2026-000123",
        "holder_name": "张三丰",
        "holder_photo": portrait_jpeg(),
        "track_name": "技术经纪人",
        "level_name": "初级技术经纪人",
        "level_name_en": "Junior Technology Broker",
        "body_name": "广东省技术转移培训基地",
        "signatory_name": "李明",
        "signatory_title": "主任",
        "seal_image": seal_png(),
        "signature_image": signature_png(),
        "issued_on": datetime.date(2026, 3, 1),
        "valid_until": datetime.date(2029, 2, 28),
        "verify_url": "https://portal.example/verify/GD-J-2026-000123/",
        "hours_total": "培训学时 64",
    }
    values.update(changes)
    return CertificatePrint(**values)
