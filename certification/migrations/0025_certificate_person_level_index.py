# Issue 16, item 9: the dashboard's "first certificate of this level for this person" (an
# earlier certificate of the same holder, or unclaimed imported person, and level) found by an
# index instead of a scan of the whole table per certificate, which a bulk run's dashboard
# refresh paid while the run was issuing (minutes of PostgreSQL CPU at 10,000 certificates).

import django.db.models.expressions
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0024_recognition"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="certificate",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    models.F("holder"),
                    django.db.models.expressions.CombinedExpression(
                        models.Value(0), "-", models.F("imported_holder")
                    ),
                ),
                models.F("level"),
                models.F("issued_on"),
                name="certificate_person_level",
            ),
        ),
    ]
