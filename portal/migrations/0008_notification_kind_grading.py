from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_notification_texts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("enrolled", "Enrolment in a class"),
                    ("class_tomorrow", "A class tomorrow"),
                    ("exam_graded", "Exam results"),
                    ("application", "Decisions on my applications"),
                    ("certificate", "Certificates issued"),
                    ("expiry", "Certificate expiry reminders"),
                    ("grading", "Written answers waiting for my grade"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
