"""The words of the cycle: commitments, recommendations, government responses, follow-ups, findings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import (
    ADDRESSEES_LIMIT,
    EVIDENCE_LIMIT,
    NARRATIVE_LIMIT,
    bounded_text,
    split_lines,
    validate_evidence_links,
)
from .periods import ReportingPeriod
from .reference import Country, Goal
from .workflow import Reviewable, Revised, reviewable_constraints


class Commitment(Revised):
    """An action a country committed to under a goal, with the situation when it committed.

    Its words are reviewed (``Revised``): readers outside the workspace see the last approved revision.
    """

    revised_fields = (
        "goal",
        "title",
        "description",
        "baseline",
        "lead_organisation",
        "committed_on",
        "target_date",
    )

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("country")
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("goal")
    )
    title = models.CharField(_("title"), max_length=300)
    description = bounded_text(NARRATIVE_LIMIT, verbose_name=_("description"), blank=True)
    baseline = bounded_text(NARRATIVE_LIMIT, verbose_name=_("baseline at commitment"), blank=True)
    lead_organisation = models.CharField(_("lead organisation"), max_length=200, blank=True)
    committed_on = models.DateField(_("committed on"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # Set when the commitment is one the ministers decided on (cycle.services.decision_commitments_create).
    decision = models.ForeignKey(
        "cycle.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("ministers' decision"),
        help_text=_("The ministers' decision this commitment carries out, if any."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["country__code", "goal__order", "committed_on", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=F("committed_on")),
                name="commitment_target_after_commitment",
                violation_error_message=_("The target date cannot be before the date of the commitment."),
            ),
            models.UniqueConstraint(
                fields=["country", "goal", "title"],
                name="commitment_unique_title",
                violation_error_message=_(
                    "This country already has a commitment with this title under this goal."
                ),
            ),
            *reviewable_constraints("commitment"),
        ]

    def __str__(self) -> str:
        return f"{self.country.code}: {self.title}"


class Recommendation(Revised):
    """A numbered recommendation from a rapporteur's report, to one country or to the whole alliance.

    Its words are reviewed (``Revised``): readers outside the workspace see the last approved revision.
    """

    revised_fields = ("number", "source_document", "goal", "text", "addressees", "issued_on")

    number = models.CharField(pgettext_lazy("recommendation", "number"), max_length=20)
    source_document = models.CharField(_("source document"), max_length=300)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="recommendations",
        null=True,
        blank=True,
        verbose_name=_("country"),
        help_text=_("Empty for a recommendation to the whole alliance."),
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("goal")
    )
    text = bounded_text(NARRATIVE_LIMIT, verbose_name=_("text"))
    addressees = bounded_text(
        ADDRESSEES_LIMIT, verbose_name=_("addressed to"), help_text=_("One organisation per line.")
    )
    issued_on = models.DateField(_("issued on"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["issued_on", "source_document", "number"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["source_document", "number"],
                name="recommendation_unique_number",
                violation_error_message=_("This report already has a recommendation with this number."),
            ),
            *reviewable_constraints("recommendation"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.source_document})"

    @property
    def addressee_list(self) -> list[str]:
        return split_lines(self.addressees)

    def clean(self) -> None:
        if not self.addressee_list:
            raise ValidationError({"addressees": _("Name at least one organisation it is addressed to.")})


class GovernmentResponse(Revised):
    """The government's answer to a recommendation, usually a policy response sent to parliament.

    Its words are reviewed (``Revised``): readers outside the workspace see the last approved revision.
    """

    revised_fields = ("response", "reference", "responded_on", "summary")

    class Response(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        PARTIALLY_ADOPTED = "partially_adopted", _("Partially adopted")
        REJECTED = "rejected", _("Rejected")
        UNDER_STUDY = "under_study", _("Under study")
        NO_RESPONSE = "no_response", _("No response")

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.CASCADE, related_name="response", verbose_name=_("recommendation")
    )
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("For example a parliamentary paper: 31015-158."),
    )
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    summary = bounded_text(NARRATIVE_LIMIT, verbose_name=_("summary"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation_id"]
        verbose_name = _("government response")
        verbose_name_plural = _("government responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(response="no_response") | Q(responded_on__isnull=False),
                name="response_has_date",
                violation_error_message=_("A response needs the date it was given."),
            ),
            *reviewable_constraints("response"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.get_response_display()}"


class RecommendationFollowUp(Reviewable):
    """What became of a recommendation by the end of a later reporting period."""

    class FollowUpStatus(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
        SUPERSEDED = "superseded", _("Superseded")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("recommendation")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("period")
    )
    follow_up = models.CharField(_("follow-up"), max_length=20, choices=FollowUpStatus.choices)
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
        ordering = ["recommendation_id", "period__starts_on"]
        verbose_name = _("recommendation follow-up")
        verbose_name_plural = _("recommendation follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "period"],
                name="followup_unique_recommendation_period",
                violation_error_message=_("This recommendation already has a follow-up for this period."),
            ),
            *reviewable_constraints("followup"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} – {self.period}: {self.get_follow_up_display()}"


FINDING_EXISTS = _("There are already findings for this period, country and goal.")


class Finding(Reviewable):
    """The rapporteur's findings in words for a reporting period: on one goal or on the whole, for one
    country or for the alliance (no country). Reviewed like the data; reports print approved findings
    as the opening of their chapters."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="findings", verbose_name=_("period")
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="findings",
        null=True,
        blank=True,
        verbose_name=_("country"),
        help_text=_("Empty for findings on the whole alliance."),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.PROTECT,
        related_name="findings",
        null=True,
        blank=True,
        verbose_name=_("goal"),
        help_text=_("Empty for findings on all goals together."),
    )
    text = models.TextField(_("findings"), max_length=10000)

    history = HistoricalRecords()

    class Meta:
        # No ordering through the nullable foreign keys: a save locks the row (FOR UPDATE), which
        # PostgreSQL refuses on the nullable side of an outer join.
        ordering = ["period_id", "country_id", "goal_id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            # One finding per period, country (or the alliance) and goal (or all goals). Four partial
            # constraints rather than NULLS NOT DISTINCT, which SQLite (``make run``) does not have.
            *[
                models.UniqueConstraint(
                    fields=["period", *fields],
                    condition=condition,
                    name=f"finding_unique_{suffix}",
                    violation_error_message=FINDING_EXISTS,
                )
                for fields, condition, suffix in [
                    (["country", "goal"], Q(country__isnull=False, goal__isnull=False), "country_goal"),
                    (["country"], Q(country__isnull=False, goal__isnull=True), "country"),
                    (["goal"], Q(country__isnull=True, goal__isnull=False), "alliance_goal"),
                    ([], Q(country__isnull=True, goal__isnull=True), "alliance"),
                ]
            ],
            models.CheckConstraint(
                condition=~Q(text=""),
                name="finding_has_text",
                violation_error_message=_("Write the findings before saving them."),
            ),
            *reviewable_constraints("finding"),
        ]

    def __str__(self) -> str:
        where = self.country.code if self.country_id else "alliance"
        return f"{where} – {self.goal.code if self.goal_id else 'all goals'} – {self.period}"
