"""Administrators unlock accounts and remove lost authenticators in the admin, as the README says they do.

Without these permissions only a superuser could: the Administrator role got 403 on Axes › Access
attempts and OTP_TOTP › TOTP devices (found by tests/security/test_permission_matrix.py). Administrators
see the sign-in logs, delete an access attempt (unlocks the account) and delete a device (its owner sets
up a new one); they add and change neither.
"""

from django.db import migrations

GRANTS = {
    ("axes", "accessattempt", "access attempt"): ("view", "delete"),
    ("axes", "accesslog", "access log"): ("view",),
    ("axes", "accessfailurelog", "access failure"): ("view",),
    ("otp_totp", "totpdevice", "TOTP device"): ("view", "delete"),
}


def grant_administrators(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    administrators, _ = Group.objects.get_or_create(name="Administrator")
    for (app_label, model, verbose_name), actions in GRANTS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            administrators.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0004_partner_token_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_administrators, migrations.RunPython.noop)]
