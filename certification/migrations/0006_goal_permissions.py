"""Administrators define goals in the Wagtail admin, as they define levels.

Unlike levels, a goal can also be deleted: nothing else points at it, and a goal entered by
mistake should not have to stay on the dashboard.
"""

from django.db import migrations

GRANTS = {
    "Administrator": [f"{action}_goal" for action in ("add", "change", "delete", "view")],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            model = codename.split("_", 1)[1]
            content_type, _ = ContentType.objects.get_or_create(
                app_label="certification", model=model
            )
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": f"Can {codename.replace('_', ' ')}"},
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for role, codenames in GRANTS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="certification", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0005_seed_goals"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
