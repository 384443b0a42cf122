from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People invited by an administrator: a one-time link to set a password, then two-factor set-up."""

    name = "accounts"
    verbose_name = _("Invitations")
    default_auto_field = "django.db.models.BigAutoField"
