# Reserved for H8 (practice records, filing); operations are added by hand as models change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0019_imported_certificates"),
    ]

    operations = []
