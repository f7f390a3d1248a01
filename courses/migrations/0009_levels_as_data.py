"""Courses, exams and questions point at ``cms.Level`` by its code (issue 17, item 6). The
column keeps its name and values, so every stored code maps 1:1 to the level seeded with it;
a code the seed does not know (none is expected) gets a level of its own first, named by its
code, for an administrator to rename."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ["CoursePage", "Exam", "Question"]


def levels_for_unknown_codes(apps, schema_editor):
    Level = apps.get_model("cms", "Level")
    known = set(Level.objects.values_list("code", flat=True))
    for name in TABLES:
        model = apps.get_model("courses", name)
        for code in set(model.objects.values_list("level", flat=True)) - known:
            if code:
                Level.objects.create(code=code, name=code, track="", rank=1, sort_order=99)
                known.add(code)


def level_field():
    return models.ForeignKey(
        db_column="level",
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="cms.level",
        to_field="code",
        verbose_name="level",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0011_levels_as_data"),
        ("courses", "0008_teachers_and_faculty_links"),
    ]

    operations = [
        migrations.RunPython(levels_for_unknown_codes, migrations.RunPython.noop),
        migrations.AlterField(model_name="coursepage", name="level", field=level_field()),
        migrations.AlterField(model_name="exam", name="level", field=level_field()),
        migrations.AlterField(model_name="question", name="level", field=level_field()),
    ]
