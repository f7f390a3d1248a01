"""What each role may do with the question bank and exams (scoped to their bases in code)."""

from django.db import migrations

GRANTS = {
    "Faculty": ["add_question", "change_question", "delete_question", "view_question", "view_exam"],
    "Base editor": ["view_question", "add_exam", "change_exam", "delete_exam", "view_exam"],
    "Administrator": [
        "add_question", "change_question", "delete_question", "view_question",
        "add_exam", "change_exam", "delete_exam", "view_exam",
    ],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            model = codename.split("_", 1)[1]
            content_type, _ = ContentType.objects.get_or_create(app_label="courses", model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": f"Can {codename.replace('_', ' ')}"},
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
