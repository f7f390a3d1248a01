"""Levels become data (issue 17, item 6): the ``Level`` table, seeded with the three codes the
enum had, so every stored course, exam, question, textbook and faculty code maps 1:1; the
administrators may add, change and view levels."""

from django.db import migrations, models

LEVELS = [
    ("junior_broker", "初级技术经纪人", "Junior Technology Broker", 1),
    ("intermediate_broker", "中级技术经纪人", "Intermediate Technology Broker", 2),
    ("senior_manager", "高级技术经理人", "Senior Technology Manager", 3),
]
TRACK = "技术经纪人 / 技术经理人"
GRANTS = ["add_level", "change_level", "view_level"]


def seed(apps, schema_editor):
    Level = apps.get_model("cms", "Level")
    for code, name, name_en, rank in LEVELS:
        Level.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "track": TRACK,
                "rank": rank,
                "sort_order": rank,
            },
        )
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="level")
    group, _ = Group.objects.get_or_create(name="Administrator")
    for codename in GRANTS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": f"Can {codename.replace('_', ' ')}"},
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0010_faculty_province_and_certificates"),
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="Level",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.SlugField(
                        help_text="Letters, digits, - and _; used in links and imports, e.g. junior_broker.",
                        max_length=40,
                        unique=True,
                        verbose_name="code",
                    ),
                ),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=120, verbose_name="English name"),
                ),
                (
                    "track",
                    models.CharField(
                        help_text="The ladder it belongs to, e.g. 技术经纪人 / 技术经理人.",
                        max_length=80,
                        verbose_name="track",
                    ),
                ),
                (
                    "rank",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="1 for the lowest level.",
                        verbose_name="rank within the track",
                    ),
                ),
                (
                    "sort_order",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Lower numbers are listed first.",
                        verbose_name="order in lists",
                    ),
                ),
            ],
            options={
                "verbose_name": "level",
                "verbose_name_plural": "levels",
                "ordering": ["sort_order", "rank", "pk"],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
