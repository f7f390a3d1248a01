# Issue 16 items 1 and 7: did:web issuers (status lists name their issuer DID) and the audit
# chain's signed checkpoints (with the platform's own key). Operations written by hand.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0014_identity_check"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(unique=True)),
                ("entry_id", models.PositiveBigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                ("at", models.DateTimeField()),
                ("document", models.JSONField(default=dict)),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["sequence"],
            },
        ),
        migrations.AddField(
            model_name="statuslist",
            name="issuer_did",
            field=models.CharField(blank=True, default="", max_length=300),
        ),
        migrations.CreateModel(
            name="PlatformKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_key", models.BinaryField(max_length=32)),
                ("private_key_sealed", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("retired_at", models.DateTimeField(blank=True, null=True)),
                ("active", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("active", True)),
                        fields=("active",),
                        name="one_active_platform_key",
                    )
                ],
            },
        ),
    ]
