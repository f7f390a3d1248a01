# Written for issue 18, item 3 (a national faculty pool): who teaches a lesson, faculty pages
# linked to their person's account, and invitations to teach another base's class.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cms", "0010_faculty_province_and_certificates"),
        ("courses", "0007_course_feedback"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="lessonpage",
            name="teacher",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Who teaches this lesson: a teacher of this base, or one who accepted this "
                    "base's invitation to teach the class."
                ),
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cms.facultymemberpage",
                verbose_name="teacher",
            ),
        ),
        migrations.CreateModel(
            name="FacultyAccountLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=[("pending", "waiting for the teacher's answer"), ("accepted", "linked"), ("declined", "declined")], default="pending", max_length=10, verbose_name="status")),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="requested at")),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                ("show_certificates", models.BooleanField(default=False, verbose_name="show my portal certificates on the faculty pool")),
                ("page", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cms.facultymemberpage", verbose_name="faculty page")),
                ("requested_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="faculty_links", to=settings.AUTH_USER_MODEL, verbose_name="account")),
            ],
            options={
                "verbose_name": "faculty account link",
                "verbose_name_plural": "faculty account links",
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("status", "accepted")), fields=("page",), name="one_account_per_faculty_page"),
                    models.UniqueConstraint(condition=models.Q(("status", "accepted")), fields=("user",), name="one_faculty_page_per_account"),
                    models.UniqueConstraint(condition=models.Q(("status", "pending")), fields=("page", "user"), name="one_pending_link_per_page_and_account"),
                ],
            },
        ),
        migrations.CreateModel(
            name="TeachingInvitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("message", models.TextField(blank=True, max_length=1000, verbose_name="message")),
                ("status", models.CharField(choices=[("pending", "waiting for an answer"), ("accepted", "accepted"), ("declined", "declined")], default="pending", max_length=10, verbose_name="status")),
                ("created", models.DateTimeField(default=django.utils.timezone.now, verbose_name="sent at")),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                ("course", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="teaching_invitations", to="courses.coursepage", verbose_name="class")),
                ("faculty_page", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cms.facultymemberpage", verbose_name="faculty member")),
                ("invited_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="teaching_invitations", to=settings.AUTH_USER_MODEL, verbose_name="teacher")),
            ],
            options={
                "verbose_name": "teaching invitation",
                "verbose_name_plural": "teaching invitations",
                "indexes": [models.Index(fields=["user", "status"], name="courses_teachinv_user_status")],
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("status__in", ["pending", "accepted"])), fields=("course", "user"), name="one_open_teaching_invitation_per_class"),
                ],
            },
        ),
    ]
