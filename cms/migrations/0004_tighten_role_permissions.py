"""Keep each base's media to its own editors, and governance to administrators.

Wagtail's own migrations give every group that can open the admin "choose" permission on the
root collection, which would let any base editor pick another base's images and documents. They
also create generic "Editors" and "Moderators" groups with rights over every page. The portal's
roles replace both.
"""

from django.db import migrations

ROLE_GROUPS = ["Trainee", "Base editor", "Faculty", "Certifier"]
MEDIA_CODENAMES = [
    "add_image", "change_image", "delete_image", "choose_image",
    "add_document", "change_document", "delete_document", "choose_document",
]


def tighten(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    for group in Group.objects.filter(name__in=ROLE_GROUPS):
        GroupCollectionPermission.objects.filter(group=group).delete()
        group.permissions.remove(*Permission.objects.filter(codename__in=MEDIA_CODENAMES))
    Group.objects.filter(name__in=["Editors", "Moderators"]).delete()

    base_type, _ = ContentType.objects.get_or_create(app_label="cms", model="trainingbasepage")
    governance, _ = Permission.objects.get_or_create(
        content_type=base_type,
        codename="change_base_governance",
        defaults={"name": "Can change a training base's code, province and accreditation"},
    )
    administrators, _ = Group.objects.get_or_create(name="Administrator")
    administrators.permissions.add(governance)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_base_governance"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(tighten, migrations.RunPython.noop)]
