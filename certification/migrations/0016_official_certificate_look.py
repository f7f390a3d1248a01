# Reserved for H2 (certificate look); operations are added by hand as models change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0015_did_web_and_audit_anchors"),
    ]

    operations = []
