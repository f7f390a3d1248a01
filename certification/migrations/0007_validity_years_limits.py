"""A level's validity is 1 to 50 years, or empty for "never expires".

Before, 0 was accepted and silently meant "never expires" (the help text says only an empty
field means that), and a validity up to 32767 years made every approval at the level fail.
A stored 0 becomes empty, which is what it meant; a stored validity above 50 years is left
for an administrator to correct (approvals at such a level are refused with a message).
"""

import django.core.validators
from django.db import migrations, models


def zero_means_never(apps, schema_editor):
    CertificationLevel = apps.get_model("certification", "CertificationLevel")
    CertificationLevel.objects.filter(validity_years=0).update(validity_years=None)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0006_goal_permissions"),
    ]

    operations = [
        migrations.RunPython(zero_means_never, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="certificationlevel",
            name="validity_years",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Empty: never expires.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1,
                        "A certificate is valid for at least one year. Leave empty for no expiry.",
                    ),
                    django.core.validators.MaxValueValidator(
                        50, "A certificate can be valid for at most %(limit_value)s years."
                    ),
                ],
                verbose_name="validity (years)",
            ),
        ),
    ]
