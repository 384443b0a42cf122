from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FocalConfig(AppConfig):
    """Country focal points: the government's own self-report and reply, kept beside the rapporteur's."""

    name = "focal"
    verbose_name = _("Focal points")
    default_auto_field = "django.db.models.BigAutoField"
