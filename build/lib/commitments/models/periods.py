"""When countries report (reporting periods) and when the alliance evaluates (evaluation rounds)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReportingPeriod(models.Model):
    """A period countries report on (the 2013 baseline, the 2014 progress report, ...)."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        PROGRESS = "progress", _("Progress")

    label = models.CharField(_("label"), max_length=50, unique=True)
    label_nl = models.CharField(_("label (Dutch)"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    deadline = models.DateField(_("submission deadline"))
    is_open = models.BooleanField(_("open for data entry"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="period_ends_after_start",
                violation_error_message=_("A period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("starts_on")),
                name="period_deadline_after_start",
                violation_error_message=_("The submission deadline cannot be before the period starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The label in the active language (``label`` is English and the key, ``label_nl`` Dutch)."""
        return self.label_nl if (get_language() or "en")[:2] == "nl" and self.label_nl else self.label

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.deadline


class EvaluationRoundQuerySet(models.QuerySet):
    def released(self, *, at: dt.datetime | None = None) -> EvaluationRoundQuerySet:
        """Rounds whose release moment has come: the one rule for what the public and ministers see."""
        return self.filter(released_at__isnull=False, released_at__lte=at or timezone.now())


class EvaluationRound(models.Model):
    """The two-year ministerial evaluation: a baseline period compared with an evaluation period.

    A round moves through its ``stage`` (planned → data collection → data frozen → reports drafted →
    reports published → ministerial meeting held → follow-up); ``released_at`` is the moment its
    approved data and published reports become public (the embargo), set by a reviewer.
    """

    class Stage(models.TextChoices):
        PLANNED = "planned", _("Planned")
        COLLECTION = "collection", _("Data collection")
        FROZEN = "frozen", _("Data frozen")
        DRAFTED = "drafted", _("Reports drafted")
        PUBLISHED = "published", _("Reports published")
        MEETING_HELD = "meeting_held", _("Ministerial meeting held")
        FOLLOW_UP = "follow_up", _("Follow-up")

    label = models.CharField(_("label"), max_length=50, unique=True)
    baseline_period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("baseline period")
    )
    evaluation_period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluation period")
    )
    ministerial_date = models.DateField(_("ministerial meeting"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.COLLECTION)
    released_at = models.DateTimeField(
        _("released at"),
        null=True,
        blank=True,
        help_text=_("The moment the round's approved data and published reports become public."),
    )

    objects = EvaluationRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["ministerial_date"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        constraints = [
            models.CheckConstraint(
                condition=~Q(baseline_period=F("evaluation_period")),
                name="round_two_distinct_periods",
                violation_error_message=_("The baseline and evaluation periods must differ."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if (
            self.baseline_period_id
            and self.evaluation_period_id
            and self.baseline_period.starts_on >= self.evaluation_period.starts_on
        ):
            raise ValidationError(
                {"evaluation_period": _("The evaluation period must come after the baseline.")}
            )
