"""Demo certifying bodies with generated seals and signatures, keys, and a few stories.

Everything here is illustrative: the bodies, names and seals describe no real institution.
"""

import contextlib
import io
import math
import random

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from certification.applications.models import Application
from certification.applications.services import application_create, application_submit
from certification.credentials.keys import signing_key_create
from certification.demo.earlier import seed_earlier_certificates
from certification.demo.practice import seed_practice_demo
from certification.errors import CertificationError
from certification.issuing.models import Certificate
from certification.issuing.services import application_approve
from certification.levels.models import (
    QUESTIONS_FIELDS,
    CertificationLevel,
    CertifyingBody,
    ExamStandard,
)
from certification.registry.models import RegistryListing
from certification.registry.services import registry_join
from cms.api import cjk_font_path

NATIONAL = {
    "code": "CN",
    "name": "国家技术转移人才评价中心（示例）",
    "name_en": "National Technology Transfer Talent Evaluation Centre (demo)",
    "signatory_name": "周明远",
    "signatory_title": "主任",
    "levels": ["intermediate_broker", "senior_manager", "contract_registrar"],
}
# One body per demo base, keyed by the base's short code.
BASE_BODIES = {
    "GD-HN": ("GD", "华南技术转移人才培训基地评价中心（示例）", "黄志强"),
    "SH-CSJ": ("SH", "长三角技术转移人才培训基地评价中心（示例）", "沈嘉怡"),
    "SC-XB": ("SC", "西部技术转移人才培训基地评价中心（示例）", "李川"),
}
# Their English names: an English page shows these, never the Chinese name in an English frame.
BASE_BODIES_EN = {
    "GD-HN": "South China Technology Transfer Training Base Evaluation Centre (demo)",
    "SH-CSJ": "Yangtze River Delta Technology Manager Training Centre Evaluation Centre (demo)",
    "SC-XB": "Western China Technology Transfer Training Base Evaluation Centre (demo)",
}


def _font(size: int):
    path = cjk_font_path()
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default()


def seal_png(label: str) -> bytes:
    """A round red seal: a ring, a star and the body's name, on a transparent ground."""
    size = 360
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (196, 24, 28, 235)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=16)
    draw.regular_polygon((size / 2, size / 2, 56), 5, rotation=-90, fill=red)
    font = _font(34)
    text = label[:12]
    # The name runs around the upper arc, one character at a time.
    radius, span = size / 2 - 58, math.radians(220)
    for i, char in enumerate(text):
        angle = math.radians(-200) + span * (i + 0.5) / len(text) + math.radians(-0)
        x = size / 2 + radius * math.cos(angle)
        y = size / 2 + radius * math.sin(angle)
        glyph = Image.new("RGBA", (44, 44), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((22, 22), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        image.alpha_composite(glyph, (int(x - 22), int(y - 22)))
    draw.text((size / 2, size * 0.74), "认证专用章", font=_font(30), fill=red, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def signature_png(name: str, seed: int) -> bytes:
    """A hand-written looking signature: the name in flowing ink strokes."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (420, 140), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (20, 30, 70, 255)
    draw.text((20, 20), name, font=_font(84), fill=ink)
    points = [(20 + i * 38, 118 + rng.randint(-10, 10)) for i in range(10)]
    draw.line(points, fill=ink, width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _body(code, name, name_en, kind, signatory, title, levels, *, training_base=None, seed=0):
    body = CertifyingBody.objects.filter(code=code).first()
    if body is None:
        body = CertifyingBody(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            signatory_name=signatory,
            signatory_title=title,
            training_base=training_base,
            province=training_base.province if training_base else "11",
        )
        body.seal.save(f"{code.lower()}-seal.png", ContentFile(seal_png(name)), save=False)
        body.signature.save(
            f"{code.lower()}-signature.png", ContentFile(signature_png(signatory, seed)), save=False
        )
        body.save()
        body.levels.set(CertificationLevel.objects.filter(code__in=levels))
    elif not body.name_en or _has_chinese(body.name_en):
        # Demo data seeded before the English names were written gets them on the next run.
        body.name_en = name_en
        body.save(update_fields=["name_en"])
    signing_key_create(body=body)
    return body


def seed_bodies(bases, certifier) -> dict[str, CertifyingBody]:
    bodies = {}
    national = _body(
        NATIONAL["code"],
        NATIONAL["name"],
        NATIONAL["name_en"],
        CertifyingBody.Kind.NATIONAL,
        NATIONAL["signatory_name"],
        NATIONAL["signatory_title"],
        NATIONAL["levels"],
        seed=1,
    )
    bodies["CN"] = national
    for n, base in enumerate(bases, start=2):
        code, name, signatory = BASE_BODIES.get(
            base.short_code, (f"B{n:02d}", f"{base.title}评价中心", "王主任")
        )
        bodies[code] = _body(
            code,
            name,
            BASE_BODIES_EN.get(base.short_code, f"Training base {n} evaluation centre (demo)"),
            CertifyingBody.Kind.TRAINING_BASE,
            signatory,
            "基地主任",
            ["junior_broker"],
            training_base=base,
            seed=n,
        )
    # The demo certifier reviews for the first base and files for the national body.
    national.certifiers.add(certifier)
    first = next(iter(b for code, b in bodies.items() if code != "CN"))
    first.certifiers.add(certifier)
    seed_exam_standards(bodies.values())
    return bodies


# Illustrative exam standards, marked as editable defaults: the papers a body accepts have at
# least this many questions in each module the level trains, a pass mark of at least 60 % and
# a time limit of at most two hours. Not official figures.
DEMO_STANDARD = {
    "questions": 5,
    "min_pass_mark": 60,
    "max_time_limit_minutes": 120,
    "max_attempts": 3,
}


def seed_exam_standards(bodies) -> None:
    """Each body's exam standard for every level it awards that has an exam (kept if set)."""
    for body in bodies:
        for level in body.levels.filter(exam_required=True):
            per_module = {
                QUESTIONS_FIELDS[category]: DEMO_STANDARD["questions"] if hours else 0
                for category, hours in level.hours_required().items()
            }
            ExamStandard.objects.get_or_create(
                body=body,
                level=level,
                defaults={
                    **per_module,
                    "min_pass_mark": DEMO_STANDARD["min_pass_mark"],
                    "max_time_limit_minutes": DEMO_STANDARD["max_time_limit_minutes"],
                    "max_attempts": DEMO_STANDARD["max_attempts"],
                    "values_are_defaults": True,
                },
            )


def seed_stories(*, bodies, certifier, holder, applicant) -> None:
    """The demo trainee holds a junior certificate; another learner waits for review."""
    junior = CertificationLevel.objects.get(code="junior_broker")
    first = next(b for code, b in bodies.items() if code != "CN")
    if not Certificate.objects.filter(holder=holder, level=junior).exists():
        application = application_create(applicant=holder, level=junior, body=first)
        if application.status in Application.EDITABLE:
            application_submit(application_id=application.pk, actor=holder)
        application_approve(application_id=application.pk, actor=certifier)
    if not Application.objects.filter(applicant=applicant, level=junior).exists():
        application = application_create(applicant=applicant, level=junior, body=first)
        application_submit(application_id=application.pk, actor=applicant)
    # The holder has chosen to appear in the public talent registry, once the certificate
    # is made (after the commit, like the task that makes it).
    if not RegistryListing.objects.filter(user=holder, listed=True).exists():
        transaction.on_commit(lambda: _registry_join_demo(holder))
    # Practice records of the demo trainee, and the higher levels' illustrative requirements.
    seed_practice_demo(holder=holder)
    # Certificates issued before the portal (2017–2020), imported as the bodies' records.
    seed_earlier_certificates(bodies=bodies, actor=certifier)


def _registry_join_demo(holder) -> None:
    with contextlib.suppress(CertificationError):  # no valid certificate (no worker running)
        registry_join(
            user=holder,
            organisation="华南技术转移中心",
            specialties="新材料, 专利运营, 技术合同",
            public_contact="合作洽谈请经平台留言",
        )
