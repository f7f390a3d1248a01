"""Replace Wagtail's welcome page with the portal's home page, and let Administrators manage all
content."""

from django.db import migrations

PAGE_PERMISSIONS = [
    "add_page", "change_page", "publish_page", "delete_page", "lock_page", "unlock_page",
    "bulk_delete_page",
]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add_image", "change_image", "delete_image", "choose_image"]),
    ("wagtaildocs", "document", ["add_document", "change_document", "delete_document", "choose_document"]),
]


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ")}
    )
    return permission


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("cms", "HomePage")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    if not HomePage.objects.exists():
        locale = apps.get_model("wagtailcore", "Locale").objects.order_by("pk").first()
        home = HomePage.objects.create(
            locale=locale,
            title="技术转移人才培训平台",
            draft_title="技术转移人才培训平台",
            slug="home",
            content_type=home_type,
            path="00010001",
            depth=2,
            numchild=0,
            url_path="/home/",
            live=True,
            intro="<p>面向技术经纪人与技术经理人的培训、考试与能力等级认证平台。</p>",
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page_id": home.pk, "site_name": "技术转移人才培训平台"},
        )

    administrators, _ = Group.objects.get_or_create(name="Administrator")
    root_page = Page.objects.get(depth=1)
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=administrators, page=root_page,
            permission=_permission(apps, "wagtailcore", "page", codename),
        )
    root_collection = Collection.objects.get(depth=1)
    for app_label, model, codenames in COLLECTION_PERMISSIONS:
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=administrators, collection=root_collection,
                permission=_permission(apps, app_label, model, codename),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("accounts", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
