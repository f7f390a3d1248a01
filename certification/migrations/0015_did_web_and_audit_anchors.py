# Reserved for H1 (did:web, audit anchors); operations are added by hand as models change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0014_identity_check"),
    ]

    operations = []
