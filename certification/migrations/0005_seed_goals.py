"""Seed the two published national goals for certified technology-transfer talent.

1. The Ministry of Science and Technology's 13th Five-Year special plan for the technology
   market (《“十三五”技术市场发展专项规划》, 国科发火〔2017〕157号, issued 27 May 2017) aims for
   more than 10,000 technology brokers and intermediate or senior technology managers by 2020.
   "Technology brokers" are the broker rungs of our ladder, junior (J) and intermediate (M), and
   "intermediate or senior technology managers" adds senior (S): so the three levels of the
   broker track count. The registrar track (R) does not: registrars record technology
   contracts and the plan counts them elsewhere. The plan speaks of people brought into the
   profession, so the measure is "people ever certified". The goal starts on the plan's date
   of issue and ends on the last day of 2020, the end of the plan period.

2. The 14th Five-Year special plan for the technology-factor market
   (《“十四五”技术要素市场专项规划》) raises the bar to 30,000 technology managers by 2025.
   By then "technology manager" (技术经理人) names the whole profession at every rung, so J, M
   and S count again; counting only senior managers would set a target no ladder of our size
   could reach. A workforce is people able to practise, so the measure is "people holding a
   valid certificate": a certificate lapses unless renewed with continuing education. Our
   sources do not give the plan's date of issue, so the goal starts with the plan period on
   1 January 2021 and ends on 31 December 2025.

Both are national. Administrators can change any of this in the admin (Certification → Goals).
The levels are chosen one by one rather than as the whole track, so a rung added to the track
later does not silently start counting towards a goal set years earlier.
"""

import datetime

from django.db import migrations

GOALS = [
    {
        "name": "2020年技术经纪人和中高级技术经理人超过1万名",
        "source": "科技部《“十三五”技术市场发展专项规划》（国科发火〔2017〕157号）",
        "target": 10000,
        "measure": "ever",
        "start_date": datetime.date(2017, 5, 27),
        "deadline": datetime.date(2020, 12, 31),
        "levels": ["junior_broker", "intermediate_broker", "senior_manager"],
    },
    {
        "name": "2025年技术经理人达到3万名",
        "source": "《“十四五”技术要素市场专项规划》",
        "target": 30000,
        "measure": "valid",
        "start_date": datetime.date(2021, 1, 1),
        "deadline": datetime.date(2025, 12, 31),
        "levels": ["junior_broker", "intermediate_broker", "senior_manager"],
    },
]


def seed(apps, schema_editor):
    Goal = apps.get_model("certification", "Goal")
    Level = apps.get_model("certification", "CertificationLevel")
    for spec in GOALS:
        spec = dict(spec)
        codes = spec.pop("levels")
        goal, created = Goal.objects.get_or_create(name=spec.pop("name"), defaults=spec)
        if created:
            goal.levels.set(Level.objects.filter(code__in=codes))


def unseed(apps, schema_editor):
    Goal = apps.get_model("certification", "Goal")
    Goal.objects.filter(name__in=[spec["name"] for spec in GOALS]).delete()


class Migration(migrations.Migration):
    dependencies = [("certification", "0004_goals_and_registry")]
    operations = [migrations.RunPython(seed, unseed)]
