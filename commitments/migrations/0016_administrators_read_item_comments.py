"""Administrators read the conversations about items in the admin (they are written in the workspace)."""

from django.db import migrations


def grant_administrators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    administrators, _ = Group.objects.get_or_create(name="Administrator")
    content_type, _ = ContentType.objects.get_or_create(app_label="commitments", model="itemcomment")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_itemcomment",
        defaults={"name": "Can view message about an item"},
    )
    administrators.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0015_merge_20261129_1701"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_administrators, migrations.RunPython.noop)]
