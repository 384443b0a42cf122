"""Who takes part and what is measured: countries, goals, indicators, consistency rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import LocalizedMixin, collation_key


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
