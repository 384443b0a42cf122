"""The spreadsheet round-trip's shared parts: layout, limits, the refusal, the import's history reason."""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from ..models import IndicatorValue

# Bumped whenever the layout changes: an upload of an older template is refused, not misread.
TEMPLATE_FORMAT = "alliance-values-2"
VALUES_SHEET = "values"
META_SHEET = "meta"
COLUMNS = (
    "country",
    "country_name",
    "indicator",
    "indicator_name",
    "type",
    "allowed",
    "previous",
    "value",
    "note",
    "status",
    "version",
)
VALUE_COL = COLUMNS.index("value") + 1
NOTE_COL = COLUMNS.index("note") + 1
VERSION_COL = COLUMNS.index("version") + 1
YES = {"yes", "ja", "true", "1", "y", "j"}
NO = {"no", "nee", "false", "0", "n"}
IMPORT_REASON = "import"

# Set while an import writes: each history record it makes says "import" (who: the history's user).
_importing: contextvars.ContextVar[str | None] = contextvars.ContextVar("spreadsheet_import", default=None)


@receiver(pre_create_historical_record, dispatch_uid="commitments.spreadsheet.import_reason")
def _import_reason(sender, instance, history_instance, **kwargs) -> None:
    reason = _importing.get()
    if reason and isinstance(instance, IndicatorValue):
        history_instance.history_change_reason = reason


def max_bytes() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_BYTES", 20 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "SPREADSHEET_MAX_UNPACKED_BYTES", 100 * 1024 * 1024))


class SpreadsheetRefused(ValidationError):
    """The file as a whole is refused (not a template of ours, unsafe, wrong period); nothing changes."""


def refuse(message: str, code: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(message, code=code)
