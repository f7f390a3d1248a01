# Imported certificates (H7): earlier and external certificates as Certificate rows with an
# origin; the import runs and the people they name; claims; each body's number pattern.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import certification.levels.models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0018_corrections_and_bulk_issue"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="origin",
            field=models.CharField(
                choices=[("portal", "issued by the portal"), ("imported", "imported record")],
                default="portal",
                max_length=8,
                verbose_name="origin",
            ),
        ),
        migrations.AddField(
            model_name="certifyingbody",
            name="imported_number_pattern",
            field=models.CharField(
                default="[0-9A-Za-z\\u4e00-\\u9fff][0-9A-Za-z\\u4e00-\\u9fff\\-/_.()（）〔〕]{3,39}",
                help_text="A regular expression the whole number must match when earlier certificates are imported. The default accepts 4–40 letters, digits, Chinese characters and - / _ . ( ).",
                max_length=200,
                validators=[certification.levels.models.validate_number_pattern],
                verbose_name="pattern of earlier certificate numbers",
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="application",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificate",
                to="certification.application",
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="holder",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="sequence",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="status_index",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="status_list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.statuslist",
            ),
        ),
        migrations.CreateModel(
            name="ImportBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "imported_as",
                    models.CharField(
                        choices=[
                            ("certifier", "a certifier of the body"),
                            ("admin", "the portal's administrators"),
                        ],
                        max_length=10,
                    ),
                ),
                ("filename", models.CharField(blank=True, max_length=200, verbose_name="file")),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="imported at")),
                (
                    "imported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "certificate import",
                "verbose_name_plural": "certificate imports",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="certificate",
            name="import_batch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.importbatch",
                verbose_name="import",
            ),
        ),
        migrations.CreateModel(
            name="ImportedHolder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                (
                    "email",
                    models.EmailField(
                        blank=True, db_index=True, max_length=254, verbose_name="e-mail address"
                    ),
                ),
                (
                    "phone",
                    models.CharField(
                        blank=True, db_index=True, max_length=20, verbose_name="phone"
                    ),
                ),
                ("province", models.CharField(blank=True, max_length=2, verbose_name="province")),
                (
                    "organisation",
                    models.CharField(blank=True, max_length=200, verbose_name="organisation"),
                ),
                (
                    "claimed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "claimed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="imported_records",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "imported holder",
                "verbose_name_plural": "imported holders",
                "ordering": ["pk"],
            },
        ),
        migrations.AddField(
            model_name="certificate",
            name="imported_holder",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.importedholder",
                verbose_name="imported holder",
            ),
        ),
        migrations.CreateModel(
            name="ClaimRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note for the certifier")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "awaiting review"),
                            ("approved", "approved"),
                            ("refused", "refused"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "certificate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="claim_requests",
                        to="certification.certificate",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("certificate", "user"),
                        name="one_pending_claim",
                    )
                ],
            },
        ),
    ]
