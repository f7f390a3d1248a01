"""Revocation reasons as codes with a public label; the free-text note becomes internal.

Certificates revoked before this migration get the code "other", shown publicly as "Revoked by
the issuing body": their free text was written for the public, but it is not shown any more.
"""

from django.db import migrations, models


def code_existing_revocations(apps, schema_editor):
    Certificate = apps.get_model("certification", "Certificate")
    Certificate.objects.filter(status="revoked", revocation_code="").update(revocation_code="other")


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0012_private_storage"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="revocation_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("issued_in_error", "Issued in error"),
                    ("holder_request", "At the holder's request"),
                    ("misconduct", "Misconduct or fraud found"),
                    ("corrected", "Replaced by a corrected certificate"),
                    ("other", "Revoked by the issuing body"),
                ],
                max_length=20,
                verbose_name="reason for revocation",
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="revocation_reason",
            field=models.TextField(blank=True, verbose_name="internal note on the revocation"),
        ),
        migrations.RunPython(code_existing_revocations, migrations.RunPython.noop),
    ]
