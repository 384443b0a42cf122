"""The "Focal point" role (a group, like the other roles); administrators get the permissions the admin
needs for invitations, focal points and reply windows (the government's answers: view only)."""

from django.db import migrations

ADMIN_PERMISSIONS = {
    ("accounts", "invitation"): ("add", "delete", "view"),
    ("focal", "focalpoint"): ("add", "change", "delete", "view"),
    ("focal", "replywindow"): ("add", "change", "delete", "view"),
    ("focal", "selfreportvalue"): ("view",),
    ("focal", "selfreportprogress"): ("view",),
    ("focal", "selfreportresponse"): ("view",),
    ("focal", "reply"): ("view",),
}


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group.objects.get_or_create(name="Focal point")
    admin, _ = Group.objects.get_or_create(name="Administrator")
    for (app_label, model), actions in ADMIN_PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            admin.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("focal", "0001_f13_focal_points"),
        ("accounts", "0001_f13_invitations"),
        ("commitments", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
