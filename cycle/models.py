"""The ministerial evaluation cycle: a round's life, the ministers' meeting, and what they decided.

An evaluation round moves through its stages (``EvaluationRound.stage``) by explicit transitions, each
one logged here with who, when and why (``RoundTransition``). After the reports are published the
ministers meet (``Meeting``), evaluate the policy effects per goal (``MeetingEvaluation``, a reviewed
text) and decide on additional actions (``Decision``, a reviewed text). An approved decision becomes the
commitments of the countries concerned, tracked per period in the next round like every other commitment.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import (
    NARRATIVE_LIMIT,
    REASON_LIMIT,
    Country,
    EvaluationRound,
    Goal,
    Revised,
    bounded_text,
    reviewable_constraints,
)

Stage = EvaluationRound.Stage

# The round's life, in order: each step goes only from the stage before it.
STAGE_ORDER: tuple[str, ...] = (
    Stage.PLANNED,
    Stage.COLLECTION,
    Stage.FROZEN,
    Stage.DRAFTED,
    Stage.PUBLISHED,
    Stage.MEETING_HELD,
    Stage.FOLLOW_UP,
)
# From data frozen on, nothing of the round's periods changes (unless a reviewer reopens the round).
FROZEN_STAGES = frozenset(STAGE_ORDER[STAGE_ORDER.index(Stage.FROZEN) :])


class RoundTransition(models.Model):
    """One step in a round's life: from which stage to which, who took it, when, and why.

    A log: rows are only ever added (by ``cycle.services.round_transition`` and ``round_reopen``).
    """

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Next step")
        REOPEN = "reopen", _("Reopened for data collection")
        RELEASE = "release", _("Release moment set")

    evaluation_round = models.ForeignKey(
        EvaluationRound,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("evaluation round"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ADVANCE)
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    reason = bounded_text(REASON_LIMIT, verbose_name=_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["evaluation_round_id", "at", "id"]
        verbose_name = _("round transition")
        verbose_name_plural = _("round transitions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="reopen") | ~Q(reason=""),
                name="roundtransition_reopen_has_reason",
                violation_error_message=_("Reopening a round needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_round}: {self.from_stage} → {self.to_stage}"


def validate_goal_codes(value) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Choose at least one goal."), code="invalid")


def validate_country_codes(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Give the countries as a list of ISO codes."), code="invalid")


class Meeting(models.Model):
    """The ministerial meeting that evaluates a round: when, where, and which countries took part."""

    evaluation_round = models.OneToOneField(
        EvaluationRound,
        on_delete=models.PROTECT,
        related_name="meeting",
        verbose_name=_("evaluation round"),
    )
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    # ISO codes, as a list: kept whole in the meeting's history.
    countries = models.JSONField(
        _("participating countries"), default=list, blank=True, validators=[validate_country_codes]
    )
    # The round the decisions are followed up in (set when the next round is planned).
    next_round = models.OneToOneField(
        EvaluationRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="previous_meeting",
        verbose_name=_("next round"),
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on"]
        verbose_name = _("ministerial meeting")
        verbose_name_plural = _("ministerial meetings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place=""),
                name="meeting_has_place",
                violation_error_message=_("Say where the meeting was held."),
            ),
            models.CheckConstraint(
                condition=~Q(next_round=models.F("evaluation_round")),
                name="meeting_next_round_differs",
                violation_error_message=_("The next round cannot be the round the meeting evaluated."),
            ),
        ]

    def __str__(self) -> str:
        # The date as the reader's language writes it ("30 September 2014", "30 september 2014").
        day = date_format(self.held_on, "DATE_FORMAT") if self.held_on else ""
        return _("Ministerial meeting of %(date)s, %(place)s") % {"date": day, "place": self.place}

    def clean(self) -> None:
        countries = self.countries if isinstance(self.countries, list) else []
        known = set(Country.objects.filter(code__in=countries).values_list("code", flat=True))
        if unknown := [code for code in countries if code not in known]:
            raise ValidationError(
                {"countries": _("Unknown countries: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}}
            )

    def country_rows(self) -> list[Country]:
        """The participating countries, in the reader's alphabetical order."""
        return sorted(Country.objects.filter(code__in=self.countries), key=lambda country: country.sort_key)


class MeetingEvaluation(Revised):
    """The ministers' evaluation of the policy effects under one goal: a reviewed text."""

    revised_fields = ("text",)
    is_alliance_wide = True  # no country: reviewers write and review it (commitments.services.country_of)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("meeting")
    )
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+", verbose_name=_("goal"))
    text = bounded_text(NARRATIVE_LIMIT, verbose_name=_("evaluation"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_id", "goal__order"]
        verbose_name = _("ministers' evaluation")
        verbose_name_plural = _("ministers' evaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "goal"],
                name="evaluation_unique_goal",
                violation_error_message=_("The meeting already has an evaluation of this goal."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="evaluation_has_text",
                violation_error_message=_("Write the evaluation before saving it."),
            ),
            *reviewable_constraints("evaluation"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – {self.goal}"


class Decision(Revised):
    """A decision of the ministers on additional actions: what, under which goals, which countries (all
    or some), who leads, by when. Reviewed (four eyes); on approval it becomes the commitments of the
    countries concerned (``Commitment.decision``), one per country and goal."""

    revised_fields = ("number", "title", "text", "goals", "countries", "lead", "due_on")
    is_alliance_wide = True  # no country: reviewers write and review it (commitments.services.country_of)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("what"), max_length=200)
    text = bounded_text(NARRATIVE_LIMIT, verbose_name=_("description"), blank=True)
    # Goal codes and ISO country codes, as lists: kept in the reviewed text (the draft is JSON).
    goals = models.JSONField(_("goals"), default=list, validators=[validate_goal_codes])
    countries = models.JSONField(
        _("countries"),
        default=list,
        blank=True,
        validators=[validate_country_codes],
        help_text=_("ISO codes of the countries that take it on; empty: all participating countries."),
    )
    lead = models.CharField(_("who leads"), max_length=200)
    due_on = models.DateField(_("by when"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "number"],
                name="decision_unique_number",
                violation_error_message=_("The meeting already has a decision with this number."),
            ),
            models.CheckConstraint(
                condition=~Q(title="") & ~Q(lead=""),
                name="decision_has_title_and_lead",
                violation_error_message=_("Say what was decided and who leads it."),
            ),
            *reviewable_constraints("decision"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def for_all_countries(self) -> bool:
        return not self.countries

    def clean(self) -> None:
        errors = {}
        goals = self.goals if isinstance(self.goals, list) else []
        known_goals = set(Goal.objects.filter(code__in=goals).values_list("code", flat=True))
        if unknown := [code for code in goals if code not in known_goals]:
            errors["goals"] = _("Unknown goals: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        countries = self.countries if isinstance(self.countries, list) else []
        known = set(Country.objects.filter(code__in=countries).values_list("code", flat=True))
        if unknown := [code for code in countries if code not in known]:
            errors["countries"] = _("Unknown countries: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        if self.meeting_id and self.due_on and self.due_on < self.meeting.held_on:
            errors["due_on"] = _("The deadline cannot be before the meeting.")
        if errors:
            raise ValidationError(errors)
