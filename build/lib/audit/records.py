"""HistoricalRecords that skip saves which touch only columns the history leaves out."""

from __future__ import annotations

from typing import Any, ClassVar

from simple_history.models import HistoricalRecords


class AuditedRecords(HistoricalRecords):
    """django-simple-history's records, remembered per model, quiet for saves of excluded columns only.

    A sign-in saves ``last_login`` and a two-factor check saves the device's counters: not changes worth
    a history row (the database would drop them as no-ops anyway; this saves the round trip).
    """

    by_model: ClassVar[dict[type, AuditedRecords]] = {}

    def finalize(self, sender, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if self.cls is sender:
            AuditedRecords.by_model[sender] = self

    def post_save(self, instance, created, using=None, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)
