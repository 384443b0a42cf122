"""Administrators read the evaluation cycle in the admin (it changes only through cycle.services)."""

from django.db import migrations

GRANTS = {
    ("roundtransition", "round transition"): ("view",),
    ("meeting", "ministerial meeting"): ("view",),
    ("meetingevaluation", "ministers' evaluation"): ("view",),
    ("decision", "decision"): ("view",),
}


def grant_administrators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    administrators, _ = Group.objects.get_or_create(name="Administrator")
    for (model, verbose_name), actions in GRANTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="cycle", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            administrators.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("cycle", "0001_c12_cycle"),
        ("commitments", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_administrators, migrations.RunPython.noop)]
