"""Create the four roles as groups. Administrators get the model permissions the admin needs."""

from django.db import migrations

ROLES = ["Staff", "Reviewer", "Minister", "Administrator"]
ADMIN_MODELS = [
    "country", "goal", "indicator", "reportingperiod", "evaluationround", "countryassignment",
    "commitment", "recommendation", "governmentresponse",
    "indicatorvalue", "commitmentprogress", "recommendationfollowup",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    # Permissions are created after migrations; create the ones the administrators need here.
    admin = Group.objects.get(name="Administrator")
    for model in ADMIN_MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="commitments", model=model)
        for action in ("add", "change", "delete", "view"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            admin.permissions.add(permission)
    for model in ("user", "group"):
        content_type, _ = ContentType.objects.get_or_create(app_label="auth", model=model)
        for action in ("add", "change", "delete", "view"):
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            admin.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
