"""Two people approve where a level asks for it, and nobody decides on their own record.

Levels get ``approvers_required`` (1 or 2); the seeded senior level of the broker/manager
ladder (its highest rank) asks for two. Applications get the first approval's who and when,
and the status "awaiting a second approval" (``confirm``), which counts as open.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SENIOR_CODES = ("senior_manager",)


def senior_levels_need_two(apps, schema_editor):
    """The senior level, by its seeded code or as the top rank (3 and above) of the broker
    ladder, is approved by two people."""
    Level = apps.get_model("certification", "CertificationLevel")
    Level.objects.filter(
        models.Q(code__in=SENIOR_CODES) | models.Q(track__code="broker", rank__gte=3)
    ).update(approvers_required=2)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0009_exam_standards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="application",
            name="one_open_application_per_level",
        ),
        migrations.AddField(
            model_name="application",
            name="first_approved_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first approval at"),
        ),
        migrations.AddField(
            model_name="application",
            name="first_approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="first_approved_applications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="first approval by",
            ),
        ),
        migrations.AddField(
            model_name="certificationlevel",
            name="approvers_required",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "one certifier"), (2, "two different certifiers")],
                default=1,
                help_text=(
                    "With two, one certifier's approval is confirmed by a different certifier "
                    "of the same body before the certificate is issued."
                ),
                verbose_name="certifiers who must approve",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "draft"),
                    ("submitted", "submitted"),
                    ("review", "under review"),
                    ("confirm", "awaiting a second approval"),
                    ("returned", "returned for changes"),
                    ("rejected", "rejected"),
                    ("approved", "approved"),
                    ("issued", "issued"),
                    ("withdrawn", "withdrawn"),
                ],
                default="draft",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        ["draft", "submitted", "review", "confirm", "returned", "approved"],
                    )
                ),
                fields=("applicant", "level"),
                name="one_open_application_per_level",
            ),
        ),
        migrations.RunPython(senior_levels_need_two, migrations.RunPython.noop),
    ]
