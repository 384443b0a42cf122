from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The sealed audit trail: history for the models of other apps, the hash chain over all history."""

    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from . import sealing, signals  # noqa: F401  (connects the receivers)

        # After every migrate (and every test flush): seal triggers on every history table, old and new.
        post_migrate.connect(sealing.install_after_migrate, sender=self)
