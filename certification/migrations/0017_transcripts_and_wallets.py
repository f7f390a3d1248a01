# H3: OpenID4VCI offers and proof nonces (certification/wallet). Transcripts keep no table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0015_did_web_and_audit_anchors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WalletNonce",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value_digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "wallet proof nonce",
                "verbose_name_plural": "wallet proof nonces",
            },
        ),
        migrations.CreateModel(
            name="WalletOffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code_digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("expires_at", models.DateTimeField(verbose_name="offer expires at")),
                (
                    "redeemed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="code redeemed at"),
                ),
                (
                    "token_digest",
                    models.CharField(blank=True, max_length=64, null=True, unique=True),
                ),
                ("token_expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "issued_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="credential issued at"
                    ),
                ),
                (
                    "holder_did",
                    models.CharField(blank=True, max_length=200, verbose_name="holder's DID"),
                ),
                (
                    "certificate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="wallet_offers",
                        to="certification.certificate",
                    ),
                ),
                (
                    "holder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="wallet_offers",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "wallet offer",
                "verbose_name_plural": "wallet offers",
                "ordering": ["-created_at"],
            },
        ),
    ]
