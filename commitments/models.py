"""The alliance's data model: who takes part, what they aim for, and how progress is measured.

Two kinds of evidence of progress live here: indicator values (a typed figure per country, indicator and
reporting period) and commitments (a country's own actions with a completion status per period). The
rapporteur's recommendations, the government's response and the follow-up per period complete the cycle.

Business rules that span rows (permissions, workflow transitions) live in services.py; what a single row
must satisfy lives here, as constraints and in clean().
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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


# --------------------------------------------------------------------------------------------------
# Who takes part
# --------------------------------------------------------------------------------------------------


class CountryQuerySet(models.QuerySet):
    def participating_on(self, day: dt.date) -> CountryQuerySet:
        """Countries that were members of the alliance on ``day`` (observers never count)."""
        return self.participating_between(day, day)

    def participating_between(self, start: dt.date, end: dt.date) -> CountryQuerySet:
        """Countries that were members at any time from ``start`` to ``end`` inclusive."""
        return self.exclude(membership=Country.Membership.OBSERVER).filter(
            Q(joined_on__lte=end), Q(left_on__isnull=True) | Q(left_on__gt=start)
        )


class Country(LocalizedMixin, models.Model):
    """A country in (or once in, or observing) the alliance, identified by its ISO 3166 alpha-2 code.

    Membership changes over time, so participation is always asked for a date (``participating_on``),
    never read from a fixed list. ``left_on`` is the first day the country no longer took part.
    """

    class Region(models.TextChoices):
        AFRICA = "Africa", _("Africa")
        AMERICAS = "Americas", _("Americas")
        ASIA = "Asia", _("Asia")
        EUROPE = "Europe", _("Europe")
        OCEANIA = "Oceania", _("Oceania")

    class Membership(models.TextChoices):
        FOUNDING = "founding", _("Founding member")
        JOINED = "joined", _("Joined later")
        OBSERVER = "observer", _("Observer")
        LEFT = "left", _("Left")

    code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{2}$", _("Use the two capital letters of ISO 3166 alpha-2 (XK for Kosovo).")
            )
        ],
        help_text=_("ISO 3166-1 alpha-2; XK (Kosovo) is user-assigned and allowed."),
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_nl = models.CharField(_("name (Dutch)"), max_length=100)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    eu_member_since = models.DateField(_("EU member since"), null=True, blank=True)
    membership = models.CharField(_("membership"), max_length=10, choices=Membership.choices)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("First day no longer a member.")
    )
    membership_note = models.CharField(_("membership note"), max_length=300, blank=True)

    objects = CountryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gt=F("joined_on")),
                name="country_left_after_joined",
                violation_error_message=_("A country cannot leave before it joined."),
            ),
            models.CheckConstraint(
                condition=Q(membership="observer") | Q(joined_on__isnull=False),
                name="country_member_has_joined_on",
                violation_error_message=_("A member needs the date it joined (observers have none)."),
            ),
            models.CheckConstraint(
                condition=Q(membership="left") | Q(left_on__isnull=True),
                name="country_left_on_only_when_left",
                violation_error_message=_("Only a country whose membership is 'left' has a date it left."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def sort_key(self) -> str:
        """Sorts by the name in the reader's language as people expect: accents and case do not count."""
        return collation_key(self.name)

    def participates_on(self, day: dt.date) -> bool:
        if self.membership == self.Membership.OBSERVER or self.joined_on is None:
            return False
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)


# --------------------------------------------------------------------------------------------------
# What they aim for and how it is measured
# --------------------------------------------------------------------------------------------------


class Goal(LocalizedMixin, models.Model):
    """One of the six goals, under one of the Declaration's four policy targets."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)
    policy_target = models.PositiveSmallIntegerField(
        _("policy target"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(policy_target__gte=1, policy_target__lte=4),
                name="goal_policy_target_1_to_4",
                violation_error_message=_("The Declaration has policy targets 1 to 4."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")


MATURITY_LEVELS = {
    0: _("0 – not in place"),
    1: _("1 – building: first steps taken"),
    2: _("2 – developing: partly in place"),
    3: _("3 – established: in place nationwide"),
    4: _("4 – mature: in place, evaluated and improving"),
}


class Indicator(LocalizedMixin, models.Model):
    """A measure of progress on a goal. Indicators are data: staff add, edit and retire them."""

    class ValueType(models.TextChoices):
        NUMBER = "number", _("Number")
        PERCENTAGE = "percentage", _("Percentage")
        BOOLEAN = "boolean", _("Yes/no")
        MATURITY = "maturity", _("Maturity level (0–4)")
        TEXT = "text", _("Text")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")
        NEUTRAL = "neutral", _("Context only (never ranked)")

    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9._-]*$")]
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("goal")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_nl = models.CharField(_("name (Dutch)"), max_length=300, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    definition_nl = models.TextField(_("definition (Dutch)"), blank=True)
    value_type = models.CharField(_("value type"), max_length=12, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    unit_nl = models.CharField(_("unit (Dutch)"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.UP
    )
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_nl = models.CharField(_("source (Dutch)"), max_length=300, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Retired indicators keep their values but are no longer asked for."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["goal__order", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=F("max_value")),
                name="indicator_min_not_above_max",
                violation_error_message=_("The minimum cannot be above the maximum."),
            ),
            models.CheckConstraint(
                condition=Q(value_type__in=["number", "percentage", "maturity"])
                | Q(min_value__isnull=True, max_value__isnull=True),
                name="indicator_bounds_only_for_numbers",
                violation_error_message=_(
                    "Only numeric indicators (number, percentage, maturity) have bounds."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.localized("name")

    def _in_language(self, english: str, dutch: str) -> str:
        return dutch if (get_language() or "en")[:2] == "nl" and dutch else english

    @property
    def unit_text(self) -> str:
        """The unit in the active language (``unit`` is English, ``unit_nl`` Dutch)."""
        return self._in_language(self.unit, self.unit_nl)

    @property
    def definition_text(self) -> str:
        return self._in_language(self.definition, self.definition_nl)

    @property
    def is_numeric(self) -> bool:
        return self.value_type in {self.ValueType.NUMBER, self.ValueType.PERCENTAGE, self.ValueType.MATURITY}

    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """The effective bounds: the indicator's own, within those its type imposes."""
        low, high = self.min_value, self.max_value
        if self.value_type == self.ValueType.MATURITY:
            low = max(low, Decimal(0)) if low is not None else Decimal(0)
            high = min(high, Decimal(4)) if high is not None else Decimal(4)
        return low, high


class ConsistencyRule(LocalizedMixin, models.Model):
    """A rule that relates figures, checked wherever they are shown (the report, the review page).

    Rules are data: an administrator adds, edits and retires them (with history). Three kinds:
    ``change`` - a reported change in percent (VI-3) must agree, within ``tolerance`` percentage points and
    in sign, with the change computed from another indicator's values in two periods (VI-2);
    ``bounds`` - a value must lie within the plausible range ``low`` .. ``high``;
    ``jump`` - a value must not change by more than ``tolerance`` percent from one period to the next.
    All are evaluated by one function, ``selectors.consistency_violations``.
    """

    class Kind(models.TextChoices):
        CHANGE = "change", _("Reported change agrees with the values")
        BOUNDS = "bounds", _("Plausible range")
        JUMP = "jump", _("Implausible jump between periods")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="consistency_rules", verbose_name=_("indicator")
    )
    related_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("compared with indicator"),
        help_text=_("For a reported change: the indicator whose values the change is computed from."),
    )
    low = models.DecimalField(
        _("lowest plausible value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    high = models.DecimalField(
        _("highest plausible value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Change: percentage points the two may differ. Jump: the largest plausible change in %."),
    )
    description_en = models.CharField(_("description (English)"), max_length=300)
    description_nl = models.CharField(_("description (Dutch)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("consistency rule")
        verbose_name_plural = _("consistency rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="change") | Q(related_indicator__isnull=False, tolerance__isnull=False),
                name="rule_change_needs_related_and_tolerance",
                violation_error_message=_(
                    "A reported-change rule names the indicator it is computed from and a tolerance."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="bounds") | Q(low__isnull=False) | Q(high__isnull=False),
                name="rule_bounds_need_a_bound",
                violation_error_message=_("A plausible range needs a lowest or a highest value."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="jump") | Q(tolerance__gt=0),
                name="rule_jump_needs_tolerance",
                violation_error_message=_("A jump rule needs the largest plausible change in % (above 0)."),
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=F("high")),
                name="rule_low_not_above_high",
                violation_error_message=_("The lowest plausible value cannot be above the highest."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"

    @property
    def description(self) -> str:
        return self.localized("description")


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


# --------------------------------------------------------------------------------------------------
# Reviewable data: entered by staff, reviewed before anyone outside sees it
# --------------------------------------------------------------------------------------------------


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class ReviewableQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Status.APPROVED)

    def published(self):
        """Revised items (commitments, recommendations, responses) with an approved revision to show."""
        return self.filter(approved_at__isnull=False)


class Reviewable(models.Model):
    """Workflow state shared by everything a country reports: draft -> submitted -> approved (or returned).

    ``version`` counts saves, so that a form posted on stale data is refused rather than overwriting.
    """

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_reason = bounded_text(
        REASON_LIMIT,
        verbose_name=_("reason"),
        blank=True,
        help_text=_("Why it was returned or reopened; shown to the staff who enter it."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who last changed what the item says, and who submitted it: the two people who may not also approve
    # or return it (four eyes, services.reviewable_transition). ``updated_by`` also moves with each step.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("content last changed by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    objects = ReviewableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in {Status.DRAFT, Status.RETURNED}


# --------------------------------------------------------------------------------------------------
# Reviewed texts: what ministers, partners and reports read is the last approved revision
# --------------------------------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def revised_values(item: Any, model: type[Revised]) -> dict[str, Any]:
    """The working text of a revised item: its draft under review where there is one, else its columns.

    Works on a historical record too (simple_history's copies have the fields but not the methods), so
    that a conflict can say what changed between two versions of the draft.
    """
    draft = getattr(item, "draft", None) or {}
    values = {}
    for name in model.revised_fields:
        field = model._meta.get_field(name)
        if field.attname in draft:
            raw = draft[field.attname]
            values[field.attname] = None if raw is None else field.to_python(raw)
        else:
            values[field.attname] = getattr(item, field.attname)
    return values


class Revised(Reviewable):
    """A reviewable text with approved revisions: staff edit a draft, everyone else reads the approved one.

    The row's own columns hold the approved text, so every reader outside the workspace (the API for
    partners and ministers, the reports, the country page) reads reviewed words without knowing about
    drafts. A change to an approved item is kept in ``draft`` (the whole working text, as JSON) until a
    reviewer approves it; approval copies it into the columns. An item never approved
    (``approved_at`` empty) keeps its first draft in the columns and is shown to nobody outside the
    workspace (``ReviewableQuerySet.published``).
    """

    # The fields that make up the reviewed text (an FK by its field name; its id is stored).
    revised_fields: ClassVar[tuple[str, ...]] = ()

    draft = models.JSONField(
        _("draft under review"),
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("Changes to the approved text that wait for review; empty when there are none."),
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        """Whether a revision was ever approved (readers outside the workspace see the item)."""
        return self.approved_at is not None

    @property
    def has_pending_changes(self) -> bool:
        """Whether the working text differs from the approved one that readers see."""
        return self.is_published and bool(self.draft)

    def working_values(self) -> dict[str, Any]:
        return revised_values(self, type(self))

    def published_values(self) -> dict[str, Any]:
        return {
            self._meta.get_field(name).attname: getattr(self, self._meta.get_field(name).attname)
            for name in self.revised_fields
        }

    def encode_draft(self, values: dict[str, Any]) -> dict[str, Any]:
        """The ``draft`` to keep for working ``values`` (by attname); empty if they are the approved text."""
        if not self.is_published or values == self.published_values():
            return {}
        return {name: _to_json(value) for name, value in values.items()}

    def working_copy(self):
        """An unsaved copy carrying the working text: what the workspace forms and editors see."""
        shown = copy.copy(self)
        for name, value in self.working_values().items():
            setattr(shown, name, value)
        shown.draft = {}  # the copy's columns are the working text now
        return shown

    def publish_draft(self) -> None:
        """Make the working text the approved one (the approval step calls this)."""
        for name, value in self.working_values().items():
            setattr(self, name, value)
        self.draft = {}


def reviewable_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=~Q(status="returned") | ~Q(review_reason=""),
            name=f"{prefix}_returned_has_reason",
            violation_error_message=_("Returning needs a reason."),
        ),
        models.CheckConstraint(
            condition=~Q(status="approved") | Q(approved_at__isnull=False),
            name=f"{prefix}_approved_has_time",
            violation_error_message=_("Approved data records when it was approved."),
        ),
    ]


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


# --------------------------------------------------------------------------------------------------
# Who may work on which country
# --------------------------------------------------------------------------------------------------


class CountryAssignment(models.Model):
    """Gives a staff member the right to enter and edit one country's data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="country_assignments",
        verbose_name=_("user"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("country")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["user_id", "country__code"]
        verbose_name = _("country assignment")
        verbose_name_plural = _("country assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country"],
                name="assignment_unique",
                violation_error_message=_("This user is already assigned to this country."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.country.code}"


# --------------------------------------------------------------------------------------------------
# Partner systems reading the API
# --------------------------------------------------------------------------------------------------


class PartnerToken(models.Model):
    """A partner system's read-only key to the API (Interpol, INHOPE, a statistics office, ...).

    Only the SHA-256 hash of the key is stored: the key itself is shown once, when it is created
    (services.partner_token_create). A token reads approved data only, optionally of some countries only
    (no countries: all), until it expires or is revoked. Tokens are revoked, never deleted, so that every
    request logged with a token's id stays attributable to a named partner.
    """

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("Who uses it: a partner system.")
    )
    key_prefix = models.CharField(
        _("key prefix"),
        max_length=8,
        help_text=_("The key's first characters, to recognise it; not a secret."),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("Limit the token to these countries; leave empty for all countries."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    # Who created, limited, extended or revoked a token, and when; not each use (the request log has that).
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner token")
        verbose_name_plural = _("partner tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"),
                name="partnertoken_key_hash_is_sha256",
                violation_error_message=_("The key is stored as its SHA-256 hash, never as itself."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="partnertoken_has_name",
                violation_error_message=_("Name the partner that uses the token."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="partnertoken_revoked_after_created",
                violation_error_message=_("A token cannot be revoked before it was created."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        """The stored form of a key: keys are long random strings, so a plain SHA-256 suffices (no salt)."""
        return hashlib.sha256(key.encode()).hexdigest()

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
