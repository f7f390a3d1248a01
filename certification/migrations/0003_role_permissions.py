"""Administrators define tracks, levels and certifying bodies in the Wagtail admin."""

from django.db import migrations

MODELS = ["track", "certificationlevel", "certifyingbody"]
GRANTS = {
    "Administrator": [
        f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")
    ]
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


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0002_seed_ladder"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
