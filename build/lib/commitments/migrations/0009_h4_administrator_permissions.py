"""Administrators manage the consistency rules and read the findings in the admin (like the other models)."""

from django.db import migrations

MODELS = ["consistencyrule", "finding"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    admin, _ = Group.objects.get_or_create(name="Administrator")
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="commitments", model=model)
        for action in ("add", "change", "delete", "view"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            admin.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0008_h4_dutch_fields")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
