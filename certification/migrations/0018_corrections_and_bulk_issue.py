# H4 (certifier journey): corrected re-issues are later versions under the same number lineage.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0017_transcripts_and_wallets"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="certificate",
            name="one_number",
        ),
        migrations.AddField(
            model_name="certificate",
            name="correction_reason",
            field=models.TextField(blank=True, verbose_name="reason for the correction"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="corrects",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corrections",
                to="certification.certificate",
                verbose_name="corrects",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="version"),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                fields=("numbering_body", "level", "year", "sequence", "version"),
                name="one_number_version",
            ),
        ),
    ]
