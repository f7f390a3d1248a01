# H8: practice records (项目实绩), talent filing and evaluation (入库备案与评价).

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import certification.practice.models
import portal.accounts.storage


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0019_imported_certificates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="certificationlevel",
            name="practice_min_amount",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                help_text="0: no amount required.",
                max_digits=14,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                verbose_name="total contract amount of confirmed projects, at least (CNY)",
            ),
        ),
        migrations.AddField(
            model_name="certificationlevel",
            name="practice_min_kinds",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Of technology demand discovery, evaluation and valuation of research results, intellectual property operation and technology transaction. 0: any.",
                validators=[
                    django.core.validators.MaxValueValidator(
                        4, "There are only four named kinds of service."
                    )
                ],
                verbose_name="different kinds of service, at least",
            ),
        ),
        migrations.AddField(
            model_name="certificationlevel",
            name="practice_min_projects",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Projects confirmed by the counterpart or a certifier. 0: none required.",
                validators=[
                    django.core.validators.MaxValueValidator(
                        100, "Ask for at most %(limit_value)s projects."
                    )
                ],
                verbose_name="confirmed practice projects, at least",
            ),
        ),
        migrations.AddField(
            model_name="certificationlevel",
            name="practice_within_years",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Leave empty if a project ended at any time counts.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1, "Count at least one year, or leave empty for any time."
                    ),
                    django.core.validators.MaxValueValidator(50, "At most %(limit_value)s years."),
                ],
                verbose_name="projects ended within (years)",
            ),
        ),
        migrations.AddField(
            model_name="registrylisting",
            name="show_filing",
            field=models.BooleanField(
                default=False,
                help_text="When you are filed with the national body, the registry shows that you are filed and the grade of your latest yearly evaluation.",
                verbose_name="show my filing and latest evaluation",
            ),
        ),
        migrations.CreateModel(
            name="PracticeRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="project")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("demand", "technology demand discovery"),
                            ("evaluation", "evaluation and valuation of research results"),
                            ("ip", "intellectual property operation"),
                            ("transaction", "technology transaction"),
                            ("other", "other service"),
                        ],
                        max_length=12,
                        verbose_name="kind of service",
                    ),
                ),
                (
                    "kind_other",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="other kind of service"
                    ),
                ),
                ("role", models.CharField(max_length=200, verbose_name="your role")),
                ("counterparties", models.CharField(max_length=400, verbose_name="counterparties")),
                (
                    "contract_number",
                    models.CharField(
                        blank=True,
                        max_length=60,
                        verbose_name="technology-contract registration number",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=14,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(10000000000),
                        ],
                        verbose_name="amount (CNY)",
                    ),
                ),
                ("started_on", models.DateField(verbose_name="started on")),
                ("ended_on", models.DateField(verbose_name="ended on")),
                ("outcome", models.TextField(verbose_name="outcome")),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("contact", "a contact at the counterpart confirms by e-mail"),
                            ("certifier", "a certifier reviews the proof"),
                        ],
                        max_length=10,
                        verbose_name="confirmed by",
                    ),
                ),
                (
                    "contact_name",
                    models.CharField(blank=True, max_length=60, verbose_name="contact's name"),
                ),
                (
                    "contact_organisation",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="contact's organisation"
                    ),
                ),
                (
                    "contact_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="contact's e-mail"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "awaiting confirmation"),
                            ("confirmed", "confirmed"),
                            ("disputed", "disputed by the contact"),
                            ("rejected", "rejected by a certifier"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "link_nonce",
                    models.CharField(
                        default=certification.practice.models._nonce, editable=False, max_length=24
                    ),
                ),
                (
                    "link_sent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="link sent at"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("decision_comment", models.TextField(blank=True, verbose_name="comment")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                (
                    "body",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="practice_records",
                        to="certification.certifyingbody",
                        verbose_name="certifying body to review it",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decided_practice_records",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="certifier",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="practice_records",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="trainee",
                    ),
                ),
            ],
            options={
                "verbose_name": "practice record",
                "verbose_name_plural": "practice records",
                "ordering": ["-ended_on", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="PracticeProof",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        storage=portal.accounts.storage.private_storage,
                        upload_to=certification.practice.models.proof_upload_to,
                        verbose_name="file",
                    ),
                ),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                ("content_type", models.CharField(max_length=60, verbose_name="content type")),
                ("size", models.PositiveIntegerField(verbose_name="size")),
                (
                    "uploaded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="uploaded at"),
                ),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proofs",
                        to="certification.practicerecord",
                    ),
                ),
            ],
            options={
                "verbose_name": "proof of practice",
                "verbose_name_plural": "proofs of practice",
                "ordering": ["uploaded_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="TalentFiling",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("submitted", "submitted"),
                            ("review", "under review"),
                            ("filed", "filed"),
                            ("returned", "returned for changes"),
                        ],
                        default="submitted",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("organisation", models.CharField(max_length=200, verbose_name="organisation")),
                (
                    "specialties",
                    models.CharField(blank=True, max_length=300, verbose_name="specialties"),
                ),
                (
                    "statement",
                    models.TextField(max_length=4000, verbose_name="statement of practice"),
                ),
                ("comment", models.TextField(blank=True, verbose_name="officer's comments")),
                (
                    "reference",
                    models.CharField(blank=True, max_length=60, verbose_name="filing reference"),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                ("filed_at", models.DateTimeField(blank=True, null=True, verbose_name="filed at")),
                (
                    "certificate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="talent_filings",
                        to="certification.certificate",
                        verbose_name="certificate",
                    ),
                ),
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="talent_filing",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="holder",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviewed_talent_filings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="officer",
                    ),
                ),
            ],
            options={
                "verbose_name": "talent filing",
                "verbose_name_plural": "talent filings",
                "ordering": ["-submitted_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="TalentEvaluation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("figures", models.JSONField(default=dict, verbose_name="figures")),
                ("scores", models.JSONField(default=dict, verbose_name="scores")),
                ("rule", models.JSONField(default=dict, verbose_name="rule")),
                (
                    "total",
                    models.DecimalField(decimal_places=1, max_digits=5, verbose_name="total"),
                ),
                (
                    "grade",
                    models.CharField(
                        choices=[
                            ("excellent", "excellent"),
                            ("good", "good"),
                            ("pass", "pass"),
                            ("fail", "fail"),
                        ],
                        max_length=10,
                        verbose_name="grade",
                    ),
                ),
                (
                    "capped",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="grade capped because"
                    ),
                ),
                ("evaluated_at", models.DateTimeField(verbose_name="evaluated at")),
                (
                    "evaluated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="evaluated by",
                    ),
                ),
                (
                    "filing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evaluations",
                        to="certification.talentfiling",
                    ),
                ),
            ],
            options={
                "verbose_name": "talent evaluation",
                "verbose_name_plural": "talent evaluations",
                "ordering": ["-year", "filing"],
            },
        ),
        migrations.AddIndex(
            model_name="practicerecord",
            index=models.Index(fields=["owner", "status"], name="certificati_owner_i_585d8d_idx"),
        ),
        migrations.AddIndex(
            model_name="practicerecord",
            index=models.Index(fields=["body", "status"], name="certificati_body_id_aa7dfa_idx"),
        ),
        migrations.AddIndex(
            model_name="talentfiling",
            index=models.Index(fields=["status"], name="certificati_status_587780_idx"),
        ),
        migrations.AddConstraint(
            model_name="talentevaluation",
            constraint=models.UniqueConstraint(
                fields=("filing", "year"), name="one_talent_evaluation_a_year"
            ),
        ),
    ]
