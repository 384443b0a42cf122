"""The government's own voice: focal points, their self-report per reporting period, and their reply.

Two tracks: what a government reports (``SelfReportValue``, ``SelfReportProgress``,
``SelfReportResponse``) is kept here as the government's and never overwrites the rapporteur's
assessment (commitments' ``IndicatorValue``, ``CommitmentProgress``). Staff review a submission and
adopt a figure into the rapporteur's track, or enter their own with a reason (``decision``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import (
    NARRATIVE_LIMIT,
    NOTE_LIMIT,
    REASON_LIMIT,
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Indicator,
    Recommendation,
    ReportingPeriod,
    bounded_text,
)


class FocalPoint(models.Model):
    """A government official who speaks for one country (a country may have several)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="focal_point",
        verbose_name=_("account"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="focal_points", verbose_name=_("country")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["country__code", "user__username"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")

    def __str__(self) -> str:
        return f"{self.user} ({self.country.code})"


class SelfStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")


class Decision(models.TextChoices):
    """What the rapporteur's staff made of a submitted figure."""

    NONE = "", _("Not reviewed")
    ADOPTED = "adopted", _("Adopted by the rapporteur")
    DIVERGED = "diverged", _("The rapporteur assesses differently")


class SelfReport(models.Model):
    """What every row of the questionnaire has: its country and period, workflow, version and decision."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SelfStatus.choices, default=SelfStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    return_reason = bounded_text(REASON_LIMIT, verbose_name=_("reason for returning"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, blank=True, default=""
    )
    decision_reason = bounded_text(REASON_LIMIT, verbose_name=_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in (SelfStatus.DRAFT, SelfStatus.RETURNED)


def _self_report_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=~Q(decision="diverged") | ~Q(decision_reason=""),
            name=f"{prefix}_divergence_has_reason",
            violation_error_message=_("Say why the rapporteur assesses differently."),
        ),
        models.CheckConstraint(
            condition=Q(status="draft") | Q(status="returned") | Q(submitted_at__isnull=False),
            name=f"{prefix}_submitted_has_time",
            violation_error_message=_("A submitted answer says when it was submitted."),
        ),
    ]


class SelfReportValue(SelfReport):
    """An indicator value as the government reports it."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    number_value = models.DecimalField(_("number"), max_digits=20, decimal_places=4, null=True, blank=True)
    boolean_value = models.BooleanField(_("yes/no"), null=True, blank=True)
    text_value = bounded_text(NOTE_LIMIT, verbose_name=_("text"), blank=True)
    note = bounded_text(NOTE_LIMIT, verbose_name=_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["country__code", "indicator__code"]
        verbose_name = _("government-reported value")
        verbose_name_plural = _("government-reported values")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "indicator", "period"],
                name="selfreportvalue_one_per_indicator",
                violation_error_message=_("The government reports one value per indicator and period."),
            ),
            *_self_report_constraints("selfreportvalue"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id}/{self.indicator_id}/{self.period_id}"

    @property
    def shown(self) -> str:
        """The value as a reader sees it (typed by the indicator)."""
        from .selectors import show_value

        return show_value(self.indicator, self)


class SelfReportProgress(SelfReport):
    """A commitment's completion as the government sees it, with its narrative."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="+", verbose_name=_("commitment")
    )
    completion = models.CharField(
        _("completion"), max_length=12, choices=CommitmentProgress.Completion.choices, blank=True
    )
    narrative = bounded_text(NARRATIVE_LIMIT, verbose_name=_("narrative"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment_id"]
        verbose_name = _("government-reported progress")
        verbose_name_plural = _("government-reported progress")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period"],
                name="selfreportprogress_one_per_commitment",
                violation_error_message=_("The government reports once per commitment and period."),
            ),
            *_self_report_constraints("selfreportprogress"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}/{self.period_id}"


class SelfReportResponse(SelfReport):
    """The government's response to a recommendation, and what it will do."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PARTLY = "partly", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")
        NOTED = "noted", _("Noted")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="+", verbose_name=_("recommendation")
    )
    answer = models.CharField(_("response"), max_length=10, choices=Answer.choices, blank=True)
    action = bounded_text(NARRATIVE_LIMIT, verbose_name=_("what the government will do"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation_id"]
        verbose_name = _("government's response (self-report)")
        verbose_name_plural = _("government's responses (self-report)")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "period"],
                name="selfreportresponse_one_per_recommendation",
                violation_error_message=_("The government responds once per recommendation and period."),
            ),
            *_self_report_constraints("selfreportresponse"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id}/{self.period_id}"


class Reply(models.Model):
    """The government's reply to the draft chapter of its country, for one evaluation round."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    evaluation_round = models.ForeignKey(
        EvaluationRound, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluation round")
    )
    text = bounded_text(NARRATIVE_LIMIT, verbose_name=_("reply"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["evaluation_round_id", "country__code"]
        verbose_name = _("right of reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "evaluation_round"],
                name="reply_one_per_country_and_round",
                violation_error_message=_("A country has one reply per round; change it instead."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id}/{self.evaluation_round_id}"


class ReplyWindow(models.Model):
    """The dates a round's right of reply is open, when they differ from the default (settings)."""

    evaluation_round = models.OneToOneField(
        EvaluationRound,
        on_delete=models.CASCADE,
        related_name="reply_window",
        verbose_name=_("evaluation round"),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reply window")
        verbose_name_plural = _("reply windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="replywindow_closes_after_opening",
                violation_error_message=_("The window must close after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_round}: {self.opens_on} – {self.closes_on}"
