"""What a certificate says its holder did, built from the level's requirements at issue.

A certificate states only what is true: the training hours the level asked for (in total and
per module), the exam only where the level has one, the years of experience and the level
held before, where the level asks for them. The requirements are copied onto the certificate
when it is approved (``requirements_snapshot``), so editing the level later never changes the
text of a certificate already issued.

The statement is printed in Chinese and English whatever the reader's language, like the rest
of the certificate, so its wording is fixed here rather than translated.
"""

from decimal import Decimal

from certification.issuing.models import Certificate
from certification.levels.models import HOURS_FIELDS, CertificationLevel

SNAPSHOT_VERSION = 1

MODULES_ZH = {
    "general": "公共知识",
    "policy": "政策法规",
    "practice": "实务技能",
    "enhancement": "能力提升",
}
MODULES_EN = {
    "general": "general knowledge",
    "policy": "policies and regulations",
    "practice": "practical skills",
    "enhancement": "capability enhancement",
}

# What a re-issued imported record states (issuing/corrections.py): nothing the portal did not
# see (no hours, no exam), only that the body reviewed the holder against the level.
REISSUE_REQUIREMENTS = {
    "version": SNAPSHOT_VERSION,
    "hours": {},
    "hours_total": "0",
    "exam": False,
    "experience_years": 0,
    "prerequisite": "",
    "prerequisite_en": "",
}

# What credentials signed before the snapshot was kept say (their PDFs keep theirs too).
LEGACY_NARRATIVE = (
    "Completed the required training hours per module, passed the level's exam and "
    "met the level's other requirements, as reviewed by the certifying body."
)


def _amount(value) -> str:
    """Decimal("12.0") → "12", Decimal("4.5") → "4.5"."""
    text = f"{Decimal(str(value or 0)):.1f}"
    return text[:-2] if text.endswith(".0") else text


def requirements_snapshot(level: CertificationLevel) -> dict:
    """The level's requirements as plain JSON, to keep on a certificate at approval."""
    hours = {
        category: _amount(getattr(level, field))
        for category, field in HOURS_FIELDS.items()
        if getattr(level, field)
    }
    prerequisite = level.prerequisite
    return {
        "version": SNAPSHOT_VERSION,
        "hours": hours,
        "hours_total": _amount(sum((getattr(level, f) for f in HOURS_FIELDS.values()), Decimal(0))),
        "exam": bool(level.exam_required),
        "experience_years": int(level.experience_years or 0),
        "prerequisite": prerequisite.name if prerequisite else "",
        "prerequisite_en": (prerequisite.name_en or prerequisite.name) if prerequisite else "",
    }


def statement_zh(requirements: dict, *, level_name: str, track_name: str = "") -> str:
    """The Chinese sentence under the holder's name."""
    if not requirements:
        return ""  # issued before requirements were kept: the PDF keeps its first wording
    course = f"{track_name}培训课程" if track_name else "规定的培训课程"
    clauses = []
    hours = requirements.get("hours") or {}
    if hours:
        modules = "、".join(f"{MODULES_ZH.get(c, c)}{h}学时" for c, h in hours.items())
        clauses.append(f"已完成{course}共{requirements['hours_total']}学时（{modules}）")
    if requirements.get("exam"):
        clauses.append("通过本等级考试")
    if requirements.get("experience_years"):
        clauses.append(f"具有{requirements['experience_years']}年以上相关工作经历")
    if requirements.get("prerequisite"):
        clauses.append(f"持有{requirements['prerequisite']}证书")
    if not clauses:
        clauses.append("经审核符合等级要求")
    return "，".join(clauses) + f"，具备{level_name}能力等级，特发此证。"


def _hours_en(value: str) -> str:
    return f"{value} hour" if value == "1" else f"{value} hours"


def statement_en(requirements: dict) -> str:
    """The English sentence, which the level's English name follows on the certificate."""
    if not requirements:
        return ""
    clauses = []
    hours = requirements.get("hours") or {}
    if hours:
        modules = ", ".join(f"{h} h {MODULES_EN.get(c, c)}" for c, h in hours.items())
        clauses.append(
            f"has completed {_hours_en(requirements['hours_total'])} of the prescribed "
            f"training programme ({modules})"
        )
    if requirements.get("exam"):
        clauses.append("has passed the examination of the level")
    years = requirements.get("experience_years")
    if years:
        clauses.append(
            f"has at least {years} year{'s' if years != 1 else ''} of relevant work experience"
        )
    if requirements.get("prerequisite"):
        clauses.append(f"holds the {requirements['prerequisite_en']} certificate")
    if not clauses:
        clauses.append("has been found to meet the requirements of the level")
    return ", ".join(clauses) + " and is hereby certified at the level of"


def criteria_narrative(requirements: dict, *, level_name: str, level_name_en: str = "") -> str:
    """The credential's ``criteria.narrative``: what the level required, in English then in
    Chinese, so a verifier reads the same text whatever language the portal used to sign."""
    if not requirements:
        return LEGACY_NARRATIVE
    english, chinese = [], []
    hours = requirements.get("hours") or {}
    if hours:
        modules_en = ", ".join(f"{h} h {MODULES_EN.get(c, c)}" for c, h in hours.items())
        modules_zh = "、".join(f"{MODULES_ZH.get(c, c)}{h}学时" for c, h in hours.items())
        english.append(
            f"Completed {_hours_en(requirements['hours_total'])} of training ({modules_en})."
        )
        chinese.append(f"完成培训{requirements['hours_total']}学时（{modules_zh}）。")
    if requirements.get("exam"):
        english.append("Passed the level's examination.")
        chinese.append("通过本等级考试。")
    years = requirements.get("experience_years")
    if years:
        english.append(
            f"Has at least {years} year{'s' if years != 1 else ''} of relevant work experience, "
            "with proof reviewed by the certifying body."
        )
        chinese.append(f"具有{years}年以上相关工作经历，证明经认证机构审核。")
    if requirements.get("prerequisite"):
        english.append(f"Holds the {requirements['prerequisite_en']} certificate.")
        chinese.append(f"持有{requirements['prerequisite']}证书。")
    english.append(f"Awarded {level_name_en or level_name} after review by the certifying body.")
    chinese.append(f"经认证机构审核，授予{level_name}。")
    return " ".join(english) + " " + "".join(chinese)


def certificate_statement(certificate: Certificate) -> tuple[str, str]:
    """The (Chinese, English) statement printed on ``certificate``, from its snapshot."""
    requirements = certificate.requirements or {}
    return (
        statement_zh(
            requirements, level_name=certificate.level_name, track_name=certificate.track_name
        ),
        statement_en(requirements),
    )
