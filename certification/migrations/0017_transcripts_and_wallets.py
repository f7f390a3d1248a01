# Reserved for H3 (CLR, OID4VCI); operations are added by hand as models change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0016_official_certificate_look"),
    ]

    operations = []
