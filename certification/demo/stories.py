"""Demo certifying bodies with generated seals and signatures, keys, and a few stories.

Everything here is illustrative: the bodies, names and seals describe no real institution.
"""

import contextlib
import functools
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
from cms.api import cjk_font_path, cjk_serif_font_path

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


@functools.lru_cache(maxsize=16)
def _font(size: int, *, serif: bool = False):
    found = cjk_serif_font_path() if serif else None
    if found is not None:
        path, index = found
        return ImageFont.truetype(str(path), size, index=index)
    path = cjk_font_path()
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default()


SEAL_RED = (200, 22, 30, 255)


def seal_png(label: str, *, size: int = 480) -> bytes:
    """A round red 公章 as Chinese bodies stamp it: a heavy ring, the body's full name in Song
    type around the upper arc (smaller and condensed as the name grows, never cut), a
    five-pointed star in the middle and 认证专用章 under it, on a transparent ground."""
    big = size * 2  # drawn at twice the size and scaled down: smooth edges
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = big / 2
    ring = big * 0.032
    draw.ellipse((ring, ring, big - ring, big - ring), outline=SEAL_RED, width=int(ring * 1.1))
    # The star: ten corners alternating between the outer and inner radius, one point up.
    outer = big * 0.155
    inner = outer * 0.382
    star = [
        (
            centre + (outer if k % 2 == 0 else inner) * math.cos(math.radians(-90 + 36 * k)),
            centre + (outer if k % 2 == 0 else inner) * math.sin(math.radians(-90 + 36 * k)),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=SEAL_RED)
    _seal_arc_text(image, label, centre=centre, outer_radius=big / 2 - ring * 2.3)
    bottom = _font(int(big * 0.068), serif=True)
    draw.text(
        (centre, big * 0.735),
        "认证专用章",
        font=bottom,
        fill=SEAL_RED,
        anchor="mm",
        stroke_width=max(1, big // 400),
        stroke_fill=SEAL_RED,
    )
    image = _one_ink(image.resize((size, size), Image.Resampling.LANCZOS), SEAL_RED)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _one_ink(image: Image.Image, ink: tuple) -> Image.Image:
    """One colour of ink everywhere, its shape only in the alpha channel: what a stamp or a pen
    leaves, and an image that compresses to almost nothing but its outline."""
    colour = Image.new("RGB", image.size, ink[:3])
    return Image.merge("RGBA", (*colour.split(), image.getchannel("A")))


def _seal_arc_text(image: Image.Image, label: str, *, centre: float, outer_radius: float) -> None:
    """Every character of ``label`` upright along the upper arc, spread over at most 250°."""
    if not label:
        return
    max_span = math.radians(250)
    size = image.width * 0.115
    condense = 1.0
    # Shrink the type, condensing it first (seals narrow their characters before shrinking).
    while True:
        radius = outer_radius - size * 0.62
        advance = (size * condense * 1.06) / radius
        if advance * len(label) <= max_span or size < image.width * 0.035:
            break
        if condense > 0.62:
            condense -= 0.04
        else:
            size *= 0.95
    font = _font(int(size), serif=True)
    span = advance * len(label)
    cell = int(size * 1.4)
    weight = max(1, int(size / 28))
    for i, char in enumerate(label):
        angle = -math.pi / 2 - span / 2 + advance * (i + 0.5)
        glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (cell / 2, cell / 2),
            char,
            font=font,
            fill=SEAL_RED,
            anchor="mm",
            stroke_width=weight,
            stroke_fill=SEAL_RED,
        )
        if condense < 1:
            narrow = glyph.resize((max(1, int(cell * condense)), cell), Image.Resampling.LANCZOS)
            glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
            glyph.alpha_composite(narrow, ((cell - narrow.width) // 2, 0))
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(angle)
        y = centre + radius * math.sin(angle)
        image.alpha_composite(glyph, (int(x - cell / 2), int(y - cell / 2)))


def signature_png(name: str, seed: int) -> bytes:
    """A signature as a pen leaves it: for each character of ``name`` a few quick strokes run
    together (行草), slanted, thick in the middle of a stroke and thin where the pen lands and
    lifts, joined by hairlines, with a closing flourish. Drawn, not typed: no font is used."""
    rng = random.Random(f"{name}-{seed}")
    scale = 2
    width, height = 420 * scale, 150 * scale
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (22, 32, 88, 255)
    count = max(1, len(name))
    cell = (width - 90 * scale) / count
    strokes: list[list[tuple[float, float]]] = []
    previous_end = None
    for i in range(count):
        left = 30 * scale + i * cell
        top, bottom = 28 * scale, 112 * scale
        for s in range(rng.randint(2, 3)):
            kind = rng.choice(("loop", "hook", "zigzag", "sweep"))
            points = _scrawl(rng, kind, left, top, cell, bottom - top)
            if previous_end is not None and (s == 0 or rng.random() < 0.5):
                strokes.append([previous_end, points[0]])  # the pen drags: a hairline join
            strokes.append(points)
            previous_end = points[-1]
    end_x, end_y = previous_end
    strokes.append(
        [
            (end_x, end_y),
            (end_x + 20 * scale, 118 * scale),
            (width * 0.55, 132 * scale),
            (40 * scale, 124 * scale + rng.uniform(-6, 6) * scale),
        ]
    )
    hairline = {id(s) for s in strokes if len(s) == 2}
    for points in strokes:
        thin = id(points) in hairline
        curve = _catmull_rom(points, steps=28)
        last = None
        for k, (x, y) in enumerate(curve):
            t = k / max(1, len(curve) - 1)
            pressure = math.sin(math.pi * t) ** 0.7
            radius = (0.7 if thin else 1.0 + 3.4 * pressure) * scale
            x += (bottom - y) * 0.22  # the slant of a quick hand
            if last is not None:
                draw.line((last, (x, y)), fill=ink, width=max(1, round(2 * radius)))
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
            last = (x, y)
    image = _one_ink(image.resize((width // scale, height // scale), Image.Resampling.LANCZOS), ink)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _scrawl(rng, kind, left, top, cell, height) -> list[tuple[float, float]]:
    """The control points of one quick stroke inside a character's cell."""

    def at(u, v):
        return (left + u * cell, top + v * height)

    j = rng.uniform
    if kind == "loop":
        return [
            at(j(0.0, 0.2), j(0.3, 0.5)),
            at(j(0.4, 0.6), j(0.0, 0.15)),
            at(j(0.7, 0.9), j(0.3, 0.45)),
            at(j(0.35, 0.55), j(0.6, 0.8)),
            at(j(0.15, 0.3), j(0.35, 0.5)),
            at(j(0.6, 0.95), j(0.5, 0.7)),
        ]
    if kind == "hook":
        return [
            at(j(0.3, 0.5), j(0.0, 0.15)),
            at(j(0.35, 0.55), j(0.5, 0.7)),
            at(j(0.3, 0.5), j(0.85, 1.0)),
            at(j(0.1, 0.25), j(0.7, 0.85)),
        ]
    if kind == "zigzag":
        return [
            at(j(0.0, 0.15), j(0.2, 0.35)),
            at(j(0.8, 1.0), j(0.1, 0.25)),
            at(j(0.2, 0.4), j(0.5, 0.65)),
            at(j(0.85, 1.0), j(0.45, 0.6)),
        ]
    return [
        at(j(0.0, 0.2), j(0.7, 0.9)),
        at(j(0.4, 0.6), j(0.35, 0.55)),
        at(j(0.8, 1.0), j(0.1, 0.3)),
    ]


def _catmull_rom(points, *, steps: int) -> list[tuple[float, float]]:
    """A smooth curve through ``points`` (a Catmull-Rom spline), ``steps`` points a segment."""
    if len(points) < 3:
        (x1, y1), (x2, y2) = points[0], points[-1]
        return [(x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps) for k in range(steps + 1)]
    padded = [points[0], *points, points[-1]]
    curve = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for k in range(steps):
            t = k / steps
            t2, t3 = t * t, t * t * t
            curve.append(
                tuple(
                    0.5
                    * (
                        2 * p1[d]
                        + (-p0[d] + p2[d]) * t
                        + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t2
                        + (-p0[d] + 3 * p1[d] - 3 * p2[d] + p3[d]) * t3
                    )
                    for d in (0, 1)
                )
            )
    curve.append(points[-1])
    return curve


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
