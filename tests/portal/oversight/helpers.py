"""Shared builders for the oversight tests: a filled application, real files."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import png_bytes

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name="syllabus.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def picture(name="classroom.png"):
    return SimpleUploadedFile(name, png_bytes((300, 200)), content_type="image/png")


def fake_pdf(name="virus.pdf"):
    """An executable pretending to be a PDF by its name and the browser's claim."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")


def application_post(**changes) -> dict:
    data = {
        "institution": "华南技术转移学院",
        "short_code": "GD-HNJZ",
        "province": "44",
        "city": "广州",
        "accreditation": "provincial",
        "levels": ["junior_broker", "intermediate_broker"],
        "profile": "学院自2018年起举办技术转移培训，累计培训学员1200人。",
        "facilities": "多媒体教室4间，线上学习平台1套，实践基地3处。",
        "faculty": "王教授，教授，技术评估\n李老师，高级工程师，知识产权",
        "contact_name": "陈联系",
        "contact_phone": "020-12345678",
        "contact_email": "contact@hnjz.example.org",
        "website": "https://hnjz.example.org",
    }
    data.update(changes)
    return data


def bytes_io(data: bytes):
    return io.BytesIO(data)
