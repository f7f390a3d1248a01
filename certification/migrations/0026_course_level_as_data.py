"""A certification level's course level points at ``cms.Level`` by its code (issue 17, item
6): the same level records courses and exams use. An empty course level ("count every course")
becomes NULL; the three seeded codes map 1:1."""

import django.db.models.deletion
from django.db import migrations, models


def empty_to_null(apps, schema_editor):
    CertificationLevel = apps.get_model("certification", "CertificationLevel")
    CertificationLevel.objects.filter(course_level="").update(course_level=None)


def null_to_empty(apps, schema_editor):
    CertificationLevel = apps.get_model("certification", "CertificationLevel")
    CertificationLevel.objects.filter(course_level=None).update(course_level="")


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0025_certificate_person_level_index"),
        ("cms", "0011_levels_as_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="certificationlevel",
            name="course_level",
            field=models.CharField(
                blank=True, max_length=30, null=True, verbose_name="course level"
            ),
        ),
        migrations.RunPython(empty_to_null, null_to_empty),
        migrations.AlterField(
            model_name="certificationlevel",
            name="course_level",
            field=models.ForeignKey(
                blank=True,
                db_column="course_level",
                help_text=(
                    "Training hours and the exam count only from courses of this level; "
                    "leave empty to count every course."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certification_levels",
                to="cms.level",
                to_field="code",
                verbose_name="course level",
            ),
        ),
    ]
