from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The ministers' view: the alliance at a glance, its map, a goal across countries, a country's trends."""

    name = "overview"
    verbose_name = _("Ministers' view")
    default_auto_field = "django.db.models.BigAutoField"
