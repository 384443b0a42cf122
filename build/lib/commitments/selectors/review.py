"""What a reviewer needs beside each item of a country and period to decide on it (reads only).

Per indicator value: the baseline and the previous period's approved values, the change and the change in
per cent, the bounds the indicator allows and the consistency rules the figures break (the same rules and
the same function as the reports: ``selectors.consistency_violations``), what changed since the item was
last returned (from its history), its note and evidence, and its thread. Per commitment progress and
follow-up: the previous period's approved state, what changed since the return, the narrative, evidence
and thread. Four eyes: an item the reviewer changed or submitted is marked as not theirs to judge, with
the reason. A fixed number of queries whatever the number of items (the tests pin them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from alliance_monitor.charts import format_number

from ..models import (
    CommitmentProgress,
    Country,
    Goal,
    Indicator,
    IndicatorValue,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Status,
)
from ..templatetags.workspace import display_value
from .consistency import active_rules, consistency_violations, rule_specs
from .entry import country_period_items
from .threads import ItemStory, ThreadEntry, kind_of, stories_for
from .workspace import period_before, periods_in_order, value_trend


@dataclass
class Difference:
    """One field that changed since the item was returned, as people read it."""

    label: str
    before: str
    after: str


@dataclass
class ReviewRow:
    """One item as the review page shows it, with everything needed to decide on it."""

    item: Reviewable
    key: str  # "value-12": the form's name for the item
    kind: str
    goal: Goal
    code: str
    title: str
    shown: str  # the value (or completion, follow-up state) as people read it
    unit: str = ""
    baseline: str = ""
    previous: str = ""
    change: str = ""  # signed, in the indicator's unit
    change_percent: str = ""
    trend: str = ""  # improved / worsened / unchanged / changed: for the mark beside the change
    bounds: str = ""
    violations: list = field(default_factory=list)  # selectors.Violation
    changes_since_return: list[Difference] = field(default_factory=list)
    returned_before: bool = False  # it was returned (or reopened) at least once
    note: str = ""
    evidence: list[str] = field(default_factory=list)
    thread: list[ThreadEntry] = field(default_factory=list)
    not_yours: str = ""  # why this reviewer may not judge it (four eyes); empty when they may

    @property
    def messages(self) -> int:
        return sum(1 for entry in self.thread if entry.is_message)

    @property
    def has_details(self) -> bool:
        """Whether there is more to read than the row shows: a note, evidence, what changed since it was
        returned, or a conversation (a submission alone says nothing new)."""
        said = any(entry.is_message or entry.step in {"return", "reopen"} for entry in self.thread)
        return bool(self.note or self.evidence or self.changes_since_return or said)


@dataclass
class GoalRows:
    goal: Goal
    rows: list[ReviewRow]


@dataclass
class ReviewContext:
    country: Country
    period: ReportingPeriod
    previous_period: ReportingPeriod | None
    baseline_period: ReportingPeriod | None
    waiting: list[GoalRows]  # submitted items, by goal
    approved: list[ReviewRow]
    returned: list[ReviewRow]
    drafts: list[ReviewRow]
    violations: list  # every rule the period's figures break

    @property
    def waiting_rows(self) -> list[ReviewRow]:
        return [row for group in self.waiting for row in group.rows]

    @property
    def waiting_count(self) -> int:
        return len(self.waiting_rows)

    @property
    def decidable_count(self) -> int:
        return sum(1 for row in self.waiting_rows if not row.not_yours)

    @property
    def not_yours_count(self) -> int:
        return sum(1 for row in self.waiting_rows if row.not_yours)

    @property
    def flagged_count(self) -> int:
        return sum(1 for row in self.waiting_rows if row.violations or row.changes_since_return)

    @property
    def all_rows(self) -> list[ReviewRow]:
        return [*self.waiting_rows, *self.returned, *self.drafts, *self.approved]


def _compact(value: IndicatorValue | None) -> str:
    """A value as the review table shows it: a maturity level as "3 / 4" (the words take a line each)."""
    if value is None:
        return ""
    if value.indicator.value_type == Indicator.ValueType.MATURITY and value.number_value is not None:
        return f"{format_number(value.number_value)} / 4"
    return display_value(value)


def _number(value: IndicatorValue | None) -> Decimal | None:
    if value is None:
        return None
    kind = value.indicator.value_type
    if kind == Indicator.ValueType.BOOLEAN:
        return None if value.boolean_value is None else Decimal(int(value.boolean_value))
    if kind == Indicator.ValueType.TEXT:
        return None
    return value.number_value


def _signed(value: Decimal) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{format_number(abs(value))}"


def bounds_text(indicator: Indicator) -> str:
    """The range a value of the indicator may take, as people read it ("0–100 %", "0–4", "≥ 0")."""
    if not indicator.is_numeric:
        return ""
    low, high = indicator.bounds()
    if indicator.value_type == Indicator.ValueType.PERCENTAGE and low is None and high is None:
        low, high = Decimal(0), Decimal(100)
    suffix = " %" if indicator.value_type == Indicator.ValueType.PERCENTAGE else ""
    if low is not None and high is not None:
        return f"{format_number(low)}–{format_number(high)}{suffix}"
    if low is not None:
        # "≥ 0" for a count says nothing a reviewer needs; other lower bounds are worth a glance.
        return "" if low == 0 else f"≥ {format_number(low)}{suffix}"
    if high is not None:
        return f"≤ {format_number(high)}{suffix}"
    return ""


def _readable(item: Reviewable, name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if name in {"number_value", "boolean_value", "text_value"} and isinstance(item, IndicatorValue):
        return display_value(IndicatorValue(indicator=item.indicator, **{name: value}))
    model_field = item._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    text = str(value)
    return text if len(text) <= 160 else text[:159] + "…"


def changes_since(item: Reviewable, story: ItemStory) -> list[Difference]:
    """The content fields that differ between the item as it was returned and as it is now."""
    from ..services import CONTENT_FIELDS  # the one list of what a person enters per kind

    record = story.returned_record
    if record is None:
        return []
    labels = {"number_value": _("Value"), "boolean_value": _("Value"), "text_value": _("Value")}
    lines = []
    for name in CONTENT_FIELDS.get(type(item), ()):
        before, after = getattr(record, name, None), getattr(item, name)
        if before == after or (before in (None, "") and after in (None, "")):
            continue
        label = labels.get(name) or str(item._meta.get_field(name).verbose_name).capitalize()
        lines.append(
            Difference(label=label, before=_readable(item, name, before), after=_readable(item, name, after))
        )
    return lines


def _four_eyes(item: Reviewable, user) -> str:
    from ..services import four_eyes_required  # the setting is read where the rule is enforced

    if not four_eyes_required() or user.pk is None:
        return ""
    if item.edited_by_id == user.pk:
        return _("You changed it yourself: another reviewer must approve or return it (four eyes).")
    if item.submitted_by_id == user.pk:
        return _("You submitted it yourself: another reviewer must approve or return it (four eyes).")
    return ""


def review_context(*, country: Country, period: ReportingPeriod, user) -> ReviewContext:
    """Everything the review page shows for a country and period.

    Queries: periods (1), the period's items (3, selectors.country_period_items), the baseline's and
    previous period's approved values (1), the previous period's approved progress and follow-ups (2),
    the rules in force (1), the items' history (1 per kind present) and messages (1).
    """
    periods = periods_in_order()
    previous_period = period_before(period=period, periods=periods)
    baseline_period = next(
        (p for p in periods if p.kind == ReportingPeriod.Kind.BASELINE and p.starts_on < period.starts_on),
        None,
    )
    if (
        baseline_period is not None
        and previous_period is not None
        and baseline_period.pk == previous_period.pk
    ):
        baseline_period = None  # the previous period is the baseline: one column says it
    items = country_period_items(country=country, period=period)
    earlier_ids = [p.pk for p in (baseline_period, previous_period) if p is not None]
    earlier: dict[tuple[int, int], IndicatorValue] = {}
    previous_progress: dict[int, CommitmentProgress] = {}
    previous_follow_ups: dict[int, RecommendationFollowUp] = {}
    if earlier_ids:
        for value in (
            IndicatorValue.objects.approved()
            .filter(country=country, period_id__in=earlier_ids)
            .select_related("indicator")
        ):
            earlier[(value.indicator_id, value.period_id)] = value
    if previous_period is not None:
        previous_progress = {
            p.commitment_id: p
            for p in CommitmentProgress.objects.approved().filter(
                commitment__country=country, period=previous_period
            )
        }
        previous_follow_ups = {
            f.recommendation_id: f
            for f in RecommendationFollowUp.objects.approved().filter(
                recommendation__country=country, period=previous_period
            )
        }

    # The rules, evaluated once for the period as the reports evaluate them.
    rules = rule_specs(active_rules())
    after = {
        item.indicator.code: item.number_value
        for item in items
        if isinstance(item, IndicatorValue) and item.number_value is not None
    }
    before = {
        value.indicator.code: value.number_value
        for (_indicator_id, period_id), value in earlier.items()
        if previous_period is not None and period_id == previous_period.pk and value.number_value is not None
    }
    violations = consistency_violations(rules=rules, before=before, after=after)

    stories = stories_for(items=items)
    rows: list[ReviewRow] = []
    for item in items:
        kind = kind_of(item)
        story = stories[(kind, item.pk)]
        row = ReviewRow(
            item=item,
            key=f"{kind}-{item.pk}",
            kind=kind,
            goal=None,  # set below
            code="",
            title="",
            shown="",
            thread=story.thread,
            returned_before=story.returned_record is not None,
            changes_since_return=changes_since(item, story),
            evidence=[line.strip() for line in item.evidence_links.splitlines() if line.strip()],
            not_yours=_four_eyes(item, user) if item.status == Status.SUBMITTED else "",
        )
        if isinstance(item, IndicatorValue):
            indicator = item.indicator
            row.goal, row.code, row.title = indicator.goal, indicator.code, indicator.name
            row.shown, row.note = _compact(item), item.note
            row.unit = indicator.unit_text if indicator.value_type == Indicator.ValueType.NUMBER else ""
            row.bounds = bounds_text(indicator)
            base = earlier.get((indicator.pk, baseline_period.pk)) if baseline_period else None
            prev = earlier.get((indicator.pk, previous_period.pk)) if previous_period else None
            for value in (base, prev):
                if value is not None:
                    value.indicator = indicator
            row.baseline, row.previous = _compact(base), _compact(prev)
            now, then = _number(item), _number(prev)
            if now is not None and then is not None and indicator.value_type != Indicator.ValueType.BOOLEAN:
                row.change = _signed(now - then)
                if then > 0:
                    row.change_percent = _signed((100 * (now - then) / then).quantize(Decimal("0.1"))) + " %"
            trend = value_trend(indicator=indicator, baseline=prev, latest=item) if prev else None
            row.trend = str(trend or "")
            row.violations = [v for v in violations if indicator.code in v.indicators]
        elif isinstance(item, CommitmentProgress):
            row.goal, row.title = item.commitment.goal, item.commitment.title
            row.shown, row.note = item.get_completion_display(), item.narrative
            prev = previous_progress.get(item.commitment_id)
            row.previous = prev.get_completion_display() if prev else ""
        else:
            row.goal = item.recommendation.goal
            row.code = item.recommendation.number
            row.title = _("Recommendation %(number)s") % {"number": item.recommendation.number}
            row.shown, row.note = item.get_follow_up_display(), item.narrative
            prev = previous_follow_ups.get(item.recommendation_id)
            row.previous = prev.get_follow_up_display() if prev else ""
        rows.append(row)

    waiting: dict[int, GoalRows] = {}
    for row in sorted(
        (r for r in rows if r.item.status == Status.SUBMITTED),
        key=lambda r: (r.goal.order, r.kind != "value"),
    ):
        waiting.setdefault(row.goal.pk, GoalRows(goal=row.goal, rows=[])).rows.append(row)
    return ReviewContext(
        country=country,
        period=period,
        previous_period=previous_period,
        baseline_period=baseline_period,
        waiting=list(waiting.values()),
        approved=[r for r in rows if r.item.status == Status.APPROVED],
        returned=[r for r in rows if r.item.status == Status.RETURNED],
        drafts=[r for r in rows if r.item.status == Status.DRAFT],
        violations=violations,
    )
