"""Seed the national capability ladder and the registrar track.

The hours, years and validity below are illustrative defaults: the official per-level figures
are not published in a form we could check. Every level is marked ``values_are_defaults`` until
an administrator saves it in the admin.
"""

from decimal import Decimal

from django.db import migrations

TRACKS = [
    ("broker", "技术经纪人 / 技术经理人", "Technology broker and manager", 1),
    ("registrar", "技术合同认定登记员", "Technology-contract registrar", 2),
]

# code, track, letter, name, English, rank, course level, hours (general, policy, practice,
# enhancement), exam months, prerequisite, held months, experience years, validity, renewal,
# central filing, description
LEVELS = [
    (
        "junior_broker",
        "broker",
        "J",
        "初级技术经纪人",
        "Junior Technology Broker",
        1,
        "junior_broker",
        ("4", "4", "4", "0"),
        24,
        None,
        0,
        0,
        3,
        "24",
        False,
        "掌握技术转移基础知识与政策，能够在指导下开展技术交易撮合服务。",
    ),
    (
        "intermediate_broker",
        "broker",
        "M",
        "中级技术经纪人",
        "Intermediate Technology Broker",
        2,
        "intermediate_broker",
        ("4", "4", "5", "4"),
        24,
        "junior_broker",
        12,
        2,
        3,
        "32",
        True,
        "能够独立组织技术转移项目，开展价值评估、商务谈判与合同管理。",
    ),
    (
        "senior_manager",
        "broker",
        "S",
        "高级技术经理人",
        "Senior Technology Manager",
        3,
        "senior_manager",
        ("4.5", "4.5", "5", "4.5"),
        24,
        "intermediate_broker",
        24,
        5,
        3,
        "40",
        True,
        "能够统筹复杂技术转移项目与团队，开展科技金融、概念验证与跨境合作。",
    ),
    (
        "contract_registrar",
        "registrar",
        "R",
        "技术合同认定登记员",
        "Technology-Contract Registrar",
        1,
        "",
        ("0", "4", "4", "0"),
        None,
        None,
        0,
        1,
        3,
        "16",
        False,
        "熟悉技术合同认定规则与登记流程，能够审核技术合同并办理认定登记。",
    ),
]


def seed(apps, schema_editor):
    Track = apps.get_model("certification", "Track")
    Level = apps.get_model("certification", "CertificationLevel")
    AuditHead = apps.get_model("certification", "AuditHead")
    AuditHead.objects.get_or_create(pk=1)
    tracks = {}
    for code, name, name_en, order in TRACKS:
        tracks[code], _ = Track.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for (
        code,
        track,
        letter,
        name,
        name_en,
        rank,
        course_level,
        hours,
        exam_months,
        prerequisite,
        held_months,
        experience,
        validity,
        renewal,
        filing,
        description,
    ) in LEVELS:
        general, policy, practice, enhancement = (Decimal(h) for h in hours)
        Level.objects.get_or_create(
            code=code,
            defaults={
                "track": tracks[track],
                "number_code": letter,
                "name": name,
                "name_en": name_en,
                "rank": rank,
                "course_level": course_level,
                "hours_general": general,
                "hours_policy": policy,
                "hours_practice": practice,
                "hours_enhancement": enhancement,
                "exam_required": bool(course_level),
                "exam_valid_months": exam_months,
                "prerequisite": Level.objects.get(code=prerequisite) if prerequisite else None,
                "prerequisite_held_months": held_months,
                "experience_years": experience,
                "validity_years": validity,
                "renewal_hours": Decimal(renewal),
                "central_filing": filing,
                "values_are_defaults": True,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
