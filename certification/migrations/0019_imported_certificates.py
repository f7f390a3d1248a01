# Reserved for H7 (imported certificates); operations are added by hand as models change.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0018_corrections_and_bulk_issue"),
    ]

    operations = []
