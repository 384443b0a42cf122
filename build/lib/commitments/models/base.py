"""What every model shares: localized fields, one set of text limits, evidence given as links."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LocalizedMixin:
    """Picks the Dutch or English variant of a field (``title_nl`` / ``title_en``) for the active language."""

    def localized(self, field: str) -> str:
        language = (get_language() or "en")[:2]
        value = getattr(self, f"{field}_{language}", "") if language == "nl" else ""
        return value or getattr(self, f"{field}_en")


# --- one set of limits ----------------------------------------------------------------------------------
# Every length a text may have is said here, once: the model's full_clean() (called by every service)
# enforces it, and the forms and the API take their sizes from these fields. A TextField's max_length
# alone only sizes a form's widget, so each carries the validator too (``bounded_text``).
NOTE_LIMIT = 5000
NARRATIVE_LIMIT = 10000
EVIDENCE_LIMIT = 10000
ADDRESSEES_LIMIT = 5000
REASON_LIMIT = 2000
TEXT_ONLY = _("Enter text, not a number, a list or an object.")


def bounded_text(limit: int, **kwargs):
    """A TextField of at most ``limit`` characters, enforced by full_clean() (not only by forms)."""
    validators = [MaxLengthValidator(limit), *kwargs.pop("validators", [])]
    return models.TextField(max_length=limit, validators=validators, **kwargs)


def collation_key(name: str) -> str:
    """A sort key for names in the reader's language (Åland beside Aland, België beside Belgi...): the
    letters without their accents, case folded. Dutch and English collate alike here (CLDR)."""
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_evidence_links(text: str) -> None:
    """Evidence is given as links, one per line; each must be an http(s) URL."""
    validator = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(split_lines(text), start=1):
        try:
            validator(line)
        except ValidationError:
            raise ValidationError(
                _("Line %(number)s is not a web address (http:// or https://): %(line)s"),
                code="invalid_link",
                params={"number": number, "line": line[:100]},
            ) from None
