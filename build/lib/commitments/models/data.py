"""Evidence of progress per reporting period: indicator values and the progress of commitments."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import EVIDENCE_LIMIT, NARRATIVE_LIMIT, NOTE_LIMIT, bounded_text, validate_evidence_links
from .periods import ReportingPeriod
from .reference import Country, Indicator
from .texts import Commitment
from .workflow import Reviewable, reviewable_constraints


class IndicatorValue(Reviewable):
    """One country's value of one indicator for one reporting period, typed by the indicator."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="values", verbose_name=_("country")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="values", verbose_name=_("period")
    )
    number_value = models.DecimalField(_("number"), max_digits=20, decimal_places=4, null=True, blank=True)
    boolean_value = models.BooleanField(_("yes/no"), null=True, blank=True)
    text_value = bounded_text(NOTE_LIMIT, verbose_name=_("text"), blank=True)
    note = bounded_text(NOTE_LIMIT, verbose_name=_("note"), blank=True)
    evidence_links = bounded_text(
        EVIDENCE_LIMIT,
        verbose_name=_("evidence links"),
        blank=True,
        validators=[validate_evidence_links],
        help_text=_("One web address per line."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["country__code", "indicator__code", "period__starts_on"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "indicator", "period"],
                name="value_unique_country_indicator_period",
                violation_error_message=_("This country already has a value for this indicator and period."),
            ),
            models.CheckConstraint(
                condition=Q(number_value__isnull=True) | Q(boolean_value__isnull=True),
                name="value_one_typed_value",
                violation_error_message=_("A value is either a number or yes/no, not both."),
            ),
            *reviewable_constraints("value"),
        ]

    def __str__(self) -> str:
        return f"{self.country.code} {self.indicator.code} {self.period}"

    @property
    def value(self) -> Decimal | bool | str | None:
        """The typed value, as the indicator's type says."""
        kind = self.indicator.value_type
        if kind == Indicator.ValueType.BOOLEAN:
            return self.boolean_value
        if kind == Indicator.ValueType.TEXT:
            return self.text_value or None
        return self.number_value

    @property
    def has_value(self) -> bool:
        return self.value is not None

    def clean(self) -> None:
        """Check the typed value against the indicator's type and bounds."""
        if not self.indicator_id:
            return
        indicator = self.indicator
        kind = indicator.value_type
        errors: dict[str, str] = {}
        numeric_field_used = self.number_value is not None
        if kind == Indicator.ValueType.BOOLEAN:
            if numeric_field_used or self.text_value:
                errors["boolean_value"] = _("%(code)s takes yes or no, not a number or text.") % {
                    "code": indicator.code
                }
        elif kind == Indicator.ValueType.TEXT:
            if numeric_field_used or self.boolean_value is not None:
                errors["text_value"] = _("%(code)s takes text, not a number or yes/no.") % {
                    "code": indicator.code
                }
        else:
            if self.boolean_value is not None or self.text_value:
                errors["number_value"] = _("%(code)s takes a number, not yes/no or text.") % {
                    "code": indicator.code
                }
            elif numeric_field_used:
                message = self._numeric_error(indicator, self.number_value)
                if message:
                    errors["number_value"] = message
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _numeric_error(indicator: Indicator, number: Decimal) -> str | None:
        kind = indicator.value_type
        if kind == Indicator.ValueType.MATURITY and number != number.to_integral_value():
            return _("A maturity level is a whole number from 0 to 4.")
        low, high = indicator.bounds()
        if (
            kind == Indicator.ValueType.PERCENTAGE
            and indicator.min_value is None
            and indicator.max_value is None
        ):
            low, high = Decimal(0), Decimal(100)
        if (low is not None and number < low) or (high is not None and number > high):
            if kind == Indicator.ValueType.MATURITY:
                return _("A maturity level is a whole number from 0 to 4, not %(value)s.") % {"value": number}
            return _("%(value)s is outside the allowed range for %(code)s: %(low)s to %(high)s.") % {
                "value": _fmt(number),
                "code": indicator.code,
                "low": _fmt(low) if low is not None else "−∞",
                "high": _fmt(high) if high is not None else "∞",
            }
        return None


def _fmt(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


class CommitmentProgress(Reviewable):
    """How far a commitment got in one reporting period, with the narrative and evidence."""

    class Completion(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        LIMITED = "limited", _("Limited")
        SUBSTANTIAL = "substantial", _("Substantial")
        COMPLETE = "complete", _("Complete")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress", verbose_name=_("commitment")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="commitment_progress",
        verbose_name=_("period"),
    )
    completion = models.CharField(_("completion"), max_length=12, choices=Completion.choices)
    narrative = bounded_text(NARRATIVE_LIMIT, verbose_name=_("narrative"), blank=True)
    evidence_links = bounded_text(
        EVIDENCE_LIMIT,
        verbose_name=_("evidence links"),
        blank=True,
        validators=[validate_evidence_links],
        help_text=_("One web address per line."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment_id", "period__starts_on"]
        verbose_name = _("commitment progress")
        verbose_name_plural = _("commitment progress")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period"],
                name="progress_unique_commitment_period",
                violation_error_message=_("This commitment already has progress for this period."),
            ),
            *reviewable_constraints("progress"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} – {self.period}: {self.get_completion_display()}"
