"""Names that are data and that administrators read in the admin as they are: each base's
editors and faculty groups ("Training base 5 editors (GD-HN)" -> "基地 5 编辑（GD-HN）") and
Wagtail's root page ("Root" -> "根目录"). A name someone already changed is kept."""

import re

from django.db import migrations

GROUP_NAMES = [
    (re.compile(r"^Training base (\d+) editors \((.+)\)$"), "基地 {} 编辑（{}）"),
    (re.compile(r"^Training base (\d+) faculty \((.+)\)$"), "基地 {} 师资（{}）"),
]
BACK = [
    (re.compile(r"^基地 (\d+) 编辑（(.+)）$"), "Training base {} editors ({})"),
    (re.compile(r"^基地 (\d+) 师资（(.+)）$"), "Training base {} faculty ({})"),
]
ROOT = ("Root", "根目录")


def _rename(apps, patterns, root_from, root_to):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    for group in Group.objects.filter(name__regex=r"^(Training base|基地) "):
        for pattern, template in patterns:
            match = pattern.match(group.name)
            if match:
                group.name = template.format(*match.groups())
                group.save(update_fields=["name"])
                break
    Page.objects.filter(depth=1, title=root_from).update(title=root_to, draft_title=root_to)


def forwards(apps, schema_editor):
    _rename(apps, GROUP_NAMES, *ROOT)


def backwards(apps, schema_editor):
    _rename(apps, BACK, ROOT[1], ROOT[0])


class Migration(migrations.Migration):
    dependencies = [("cms", "0007_workflow_names_in_chinese")]

    operations = [migrations.RunPython(forwards, backwards)]
