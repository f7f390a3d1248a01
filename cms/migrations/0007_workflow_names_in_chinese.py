"""The moderation workflow and task Wagtail creates are data, named in English
("Moderators approval"); base editors read them in the admin ("提交给 Moderators approval").
Give the untouched defaults Chinese names. A name an administrator already changed is kept."""

from django.db import migrations

WORKFLOW = ("Moderators approval", "审核")
TASK = ("Moderators approval", "管理员审核")


def rename(apps, schema_editor, *, forward=True):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for model, (english, chinese) in ((Workflow, WORKFLOW), (Task, TASK)):
        old, new = (english, chinese) if forward else (chinese, english)
        model.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_news_date_defaults_to_today"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
