# Reserved for H4 (certifier journey: corrections, bulk); operations are added by hand as models change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0017_transcripts_and_wallets"),
    ]

    operations = []
