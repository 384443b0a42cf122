"""Reads of the public pages and downloads: every item comes from ``opendata.released`` (the embargo),
never from the models directly, so nothing unreleased or withheld can reach a public answer.

The pages show the latest released round (or the released round chosen). Each function reads a fixed
number of queries whatever the number of countries (pinned in tests/opendata/test_queries.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from alliance_monitor.charts import Chart, Series, bar_chart, format_number
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
)
from commitments.templatetags.workspace import display_value
from focal.models import Reply

from . import released
from .models import Withholding
from .services import may_propose

COMPLETIONS = [choice for choice in CommitmentProgress.Completion]


def round_or_none(*, round_id: int | None = None, at: dt.datetime | None = None) -> EvaluationRound | None:
    """The released round ``round_id`` (None when it is not released or does not exist), or the latest."""
    rounds = released.rounds(at=at)
    if round_id is not None:
        return rounds.filter(pk=round_id).first()
    return rounds.last()


def value_of(indicator: Indicator, number, boolean, text) -> Any:
    if indicator.value_type == Indicator.ValueType.BOOLEAN:
        return boolean
    if indicator.value_type == Indicator.ValueType.TEXT:
        return text or None
    return number


def display(indicator: Indicator, value: Any) -> str:
    if value is None:
        return "—"
    if indicator.value_type == Indicator.ValueType.BOOLEAN:
        return _("yes") if value else _("no")
    if indicator.value_type == Indicator.ValueType.TEXT:
        return str(value)
    text = format_number(value)
    return f"{text}%" if indicator.value_type == Indicator.ValueType.PERCENTAGE else text


@dataclass
class Figures:
    """The round's released values: by (country id, indicator id) the baseline and evaluation values."""

    evaluation_round: EvaluationRound
    indicators: list[Indicator]
    countries: list[Country]
    cells: dict[tuple[int, int], list[Any]] = field(default_factory=dict)
    is_demo: bool = False  # any of the values is synthetic demo data (the pages say so)

    def pair(self, country_id: int, indicator_id: int) -> list[Any]:
        return self.cells.get((country_id, indicator_id), [None, None])


def figures(
    *,
    evaluation_round: EvaluationRound,
    country: Country | None = None,
    goal: Goal | None = None,
    at: dt.datetime | None = None,
) -> Figures:
    """The released values of the round's two periods. Queries: indicators (1), countries (1), values (1)."""
    baseline, evaluation = evaluation_round.baseline_period, evaluation_round.evaluation_period
    indicators = Indicator.objects.select_related("goal").order_by("goal__order", "order", "code")
    rows = released.values(at=at).filter(period_id__in=[baseline.pk, evaluation.pk])
    if country is not None:
        rows = rows.filter(country=country)
    if goal is not None:
        rows = rows.filter(indicator__goal=goal)
        indicators = indicators.filter(goal=goal)
    indicators = list(indicators)
    by_id = {indicator.pk: indicator for indicator in indicators}
    countries = Country.objects.participating_between(baseline.starts_on, evaluation.ends_on)
    if country is not None:
        countries = countries.filter(pk=country.pk)
    found = Figures(
        evaluation_round=evaluation_round,
        indicators=indicators,
        countries=sorted(countries, key=lambda item: item.sort_key),
    )
    for country_id, indicator_id, period_id, number, boolean, text, is_demo in rows.values_list(
        "country_id", "indicator_id", "period_id", "number_value", "boolean_value", "text_value", "is_demo"
    ):
        indicator = by_id.get(indicator_id)
        if indicator is None:
            continue
        found.is_demo = found.is_demo or is_demo
        pair = found.cells.setdefault((country_id, indicator_id), [None, None])
        pair[0 if period_id == baseline.pk else 1] = value_of(indicator, number, boolean, text)
    used = {indicator_id for _country, indicator_id in found.cells}
    found.indicators = [item for item in indicators if item.is_active or item.pk in used]
    return found


def reporting_chart(data: Figures, goals: list[Goal]) -> Chart:
    """Per goal, how many countries have a released value in the baseline and in the evaluation period."""
    counts = {goal.pk: [set(), set()] for goal in goals}
    goal_of = {indicator.pk: indicator.goal_id for indicator in data.indicators}
    for (country_id, indicator_id), pair in data.cells.items():
        goal_id = goal_of.get(indicator_id)
        if goal_id in counts:
            for index in (0, 1):
                if pair[index] is not None:
                    counts[goal_id][index].add(country_id)
    round_ = data.evaluation_round
    return bar_chart(
        title=_("Countries with released figures per goal"),
        categories=[f"{goal.order}. {goal.title}" for goal in goals],
        series=[
            Series(round_.baseline_period.name, [len(counts[g.pk][0]) for g in goals], "baseline"),
            Series(round_.evaluation_period.name, [len(counts[g.pk][1]) for g in goals], "evaluation"),
        ],
        unit=_("countries"),
        axis="count",
        min_text=12,
    )


@dataclass
class CommitmentRow:
    commitment: Commitment
    completion: str  # the label of the latest released completion, or "" when none
    completions: list[tuple[str, str]]  # (period, completion label) of every released period


def commitments(
    *, evaluation_round: EvaluationRound, country: Country | None = None, at: dt.datetime | None = None
) -> list[CommitmentRow]:
    """Released commitments with their released progress. Queries: commitments (1), progress (1)."""
    items = (
        released.commitments(at=at)
        .select_related("goal", "country")
        .order_by("country__code", "goal__order", "committed_on", "pk")
    )
    if country is not None:
        items = items.filter(country=country)
    items = list(items)
    progress = defaultdict(list)
    labels = dict(CommitmentProgress.Completion.choices)
    for commitment_id, period_label, period_nl, completion in (
        released.progress(at=at)
        .filter(
            commitment__in=[item.pk for item in items],
            period__ends_on__lte=evaluation_round.evaluation_period.ends_on,
        )
        .order_by("commitment_id", "period__starts_on")
        .values_list("commitment_id", "period__label", "period__label_nl", "completion")
    ):
        progress[commitment_id].append(
            (_period_name(period_label, period_nl), str(labels[completion]), completion)
        )
    return [
        CommitmentRow(
            commitment=item,
            completion=progress[item.pk][-1][1] if progress[item.pk] else "",
            completions=[(period, label) for period, label, _code in progress[item.pk]],
        )
        for item in items
    ]


def _period_name(label: str, label_nl: str) -> str:
    from django.utils.translation import get_language

    return label_nl if (get_language() or "en")[:2] == "nl" and label_nl else label


def completion_chart(rows: list[CommitmentRow]) -> Chart:
    """Commitments by their latest released completion (one bar per status, with its table)."""
    labels = [str(label) for _code, label in CommitmentProgress.Completion.choices]
    counts = Counter(row.completion for row in rows)
    unreported = counts.pop("", 0)
    categories = [*labels, _("No released progress")]
    return bar_chart(
        title=_("Commitments by their latest released completion"),
        categories=categories,
        series=[Series(_("Commitments"), [counts.get(label, 0) for label in labels] + [unreported])],
        unit=_("commitments"),
        axis="count",
        missing_categories=[len(categories) - 1],
        min_text=12,
    )


def findings(
    *,
    evaluation_round: EvaluationRound,
    country: Country | None = None,
    goal: Goal | None = None,
    alliance: bool = False,
    at: dt.datetime | None = None,
):
    """Released findings of the round's evaluation period. Queries: 1."""
    items = released.findings(at=at).filter(period=evaluation_round.evaluation_period).select_related("goal")
    if country is not None:
        items = items.filter(country=country)
    if alliance:
        items = items.filter(country__isnull=True)
    if goal is not None:
        items = items.filter(goal=goal)
    return list(items.order_by("goal__order", "pk"))


def recommendations(*, country: Country, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The country's released recommendations with the government's released response. Queries: 2."""
    items = list(
        released.recommendations(at=at)
        .filter(country=country)
        .select_related("goal")
        .order_by("issued_on", "source_document", "number", "pk")
    )
    responses = {
        response.recommendation_id: response
        for response in released.responses(at=at).filter(recommendation__in=[item.pk for item in items])
    }
    return [{"recommendation": item, "response": responses.get(item.pk)} for item in items]


def reply(*, evaluation_round: EvaluationRound, country: Country, at: dt.datetime | None = None):
    """The government's released reply to its chapter of the round (None without one). Queries: 1."""
    return released.replies(at=at).filter(evaluation_round=evaluation_round, country=country).first()


def decisions(
    *, evaluation_round: EvaluationRound, country: Country | None = None, at: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The ministers' released decisions of the round's meeting and what became of them: the released
    commitments they became, with their latest released completion. Queries: decisions (1), commitments
    (1), progress (1)."""
    items = list(
        released.decisions(at=at).filter(meeting__evaluation_round=evaluation_round).order_by("number", "pk")
    )
    if country is not None:
        items = [item for item in items if not item.countries or country.code in item.countries]
    followed = (
        released.commitments(at=at).filter(decision__in=[item.pk for item in items]).select_related("country")
    )
    if country is not None:
        followed = followed.filter(country=country)
    followed = list(followed.order_by("country__code", "pk"))
    labels = dict(CommitmentProgress.Completion.choices)
    latest = {}
    for commitment_id, completion in (
        released.progress(at=at)
        .filter(commitment__in=[item.pk for item in followed])
        .order_by("commitment_id", "period__starts_on")
        .values_list("commitment_id", "completion")
    ):
        latest[commitment_id] = str(labels[completion])
    result = []
    for item in items:
        mine = [c for c in followed if c.decision_id == item.pk]
        result.append(
            {
                "decision": item,
                "commitments": [{"commitment": c, "completion": latest.get(c.pk, "")} for c in mine],
            }
        )
    return result


def reports(
    *, evaluation_round: EvaluationRound, country: Country | None = None, at: dt.datetime | None = None
):
    """The round's published reports: the alliance-wide ones and, for a country, its own. Queries: 1."""
    items = (
        released.reports(at=at)
        .filter(evaluation_round=evaluation_round)
        .select_related("evaluation_round", "country")
    )
    if country is None:
        items = items.filter(kind="alliance")
    else:
        from django.db.models import Q

        items = items.filter(Q(kind="alliance") | Q(country=country))
    return list(items.order_by("kind", "language", "-published_at"))


def goal_tables(data: Figures) -> list[dict[str, Any]]:
    """Per indicator of a goal: each participating country's baseline and evaluation value as printed."""
    tables = []
    for indicator in data.indicators:
        rows = []
        for country in data.countries:
            before, after = data.pair(country.pk, indicator.pk)
            if before is None and after is None:
                continue
            rows.append((country, display(indicator, before), display(indicator, after)))
        tables.append({"indicator": indicator, "rows": rows})
    return tables


def goal_chart(data: Figures) -> Chart:
    """How many countries have released values per indicator of the goal (baseline and evaluation)."""
    round_ = data.evaluation_round
    counts = [[0, 0] for _indicator in data.indicators]
    for index, indicator in enumerate(data.indicators):
        for country in data.countries:
            pair = data.pair(country.pk, indicator.pk)
            counts[index][0] += pair[0] is not None
            counts[index][1] += pair[1] is not None
    return bar_chart(
        title=_("Countries with released figures per indicator"),
        categories=[indicator.code for indicator in data.indicators],
        series=[
            Series(round_.baseline_period.name, [c[0] for c in counts], "baseline"),
            Series(round_.evaluation_period.name, [c[1] for c in counts], "evaluation"),
        ],
        unit=_("countries"),
        axis="count",
        min_text=12,
    )


def country_tables(data: Figures, goals: list[Goal]) -> list[dict[str, Any]]:
    """Per goal: the country's released values of each indicator, baseline and evaluation, as printed."""
    country = data.countries[0] if data.countries else None
    tables = []
    for goal in goals:
        rows = []
        for indicator in (item for item in data.indicators if item.goal_id == goal.pk):
            before, after = data.pair(country.pk, indicator.pk) if country else (None, None)
            rows.append((indicator, display(indicator, before), display(indicator, after)))
        tables.append({"goal": goal, "rows": rows})
    return tables


# --- the workspace's withholdings (opendata/workspace_views.py) ------------------------------------------


def withholding_countries(*, user) -> list[Country]:
    """The countries whose withholdings ``user`` sees and may ask for: reviewers every country, everyone
    else those they speak for (``services.may_propose``, the rule the service itself applies)."""
    countries = sorted(Country.objects.all(), key=lambda country: country.name)  # in the reader's language
    return [country for country in countries if may_propose(user, country)]


def withholding_list(
    *, countries: list[Country], state: str = "", pk: int | None = None
) -> list[Withholding]:
    """The withholdings of ``countries`` (all states, or one), newest first, with who proposed and decided
    (one query) and a label for each item (one query per kind named)."""
    rows = (
        Withholding.objects.filter(country__in=countries)
        .select_related("country", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )
    if state:
        rows = rows.filter(state=state)
    if pk is not None:
        rows = rows.filter(pk=pk)
    rows = list(rows)
    by_kind: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_kind[row.kind].add(row.item_id)
    labels = {
        (kind, pk): label
        for kind, ids in by_kind.items()
        for pk, label in _item_labels(kind, ITEM_QUERIES[kind]().filter(pk__in=ids))
    }
    for row in rows:
        row.item_label = labels.get((row.kind, row.item_id), _("(no longer exists)"))
    return rows


def _item_labels(kind: str, items) -> list[tuple[int, str]]:
    """Each item as people recognise it in a list: what it is and of which period or round."""
    Kind = Withholding.Kind
    labels = []
    for item in items:
        if kind == Kind.VALUE:
            label = f"{item.indicator.code} · {item.period.name}: {display_value(item)}"
        elif kind == Kind.PROGRESS:
            label = f"{item.commitment.title} · {item.period.name}"
        elif kind == Kind.COMMITMENT:
            label = item.title
        elif kind == Kind.FINDING:
            label = f"{item.goal.title if item.goal_id else _('All goals')} · {item.period.name}"
        elif kind == Kind.RESPONSE:
            label = _("Response to recommendation %(number)s") % {"number": item.recommendation.number}
        else:
            label = item.evaluation_round.label
        labels.append((item.pk, label))
    return labels


# The items of each kind with what their labels read (no query per item).
ITEM_QUERIES = {
    Withholding.Kind.VALUE: lambda: IndicatorValue.objects.select_related("indicator", "period").order_by(
        "period__starts_on", "indicator__code", "pk"
    ),
    Withholding.Kind.PROGRESS: lambda: CommitmentProgress.objects.select_related(
        "commitment", "period"
    ).order_by("period__starts_on", "commitment__title", "pk"),
    Withholding.Kind.COMMITMENT: lambda: Commitment.objects.order_by("title", "pk"),
    Withholding.Kind.FINDING: lambda: Finding.objects.select_related("goal", "period").order_by(
        "period__starts_on", "goal__code", "pk"
    ),
    Withholding.Kind.RESPONSE: lambda: GovernmentResponse.objects.select_related("recommendation").order_by(
        "recommendation__number", "pk"
    ),
    Withholding.Kind.REPLY: lambda: Reply.objects.select_related("evaluation_round").order_by("pk"),
}
# Each kind's released items (the embargo) and the path to their country.
RELEASED_OF = {
    Withholding.Kind.VALUE: (released.values, "country"),
    Withholding.Kind.PROGRESS: (released.progress, "commitment__country"),
    Withholding.Kind.COMMITMENT: (released.commitments, "country"),
    Withholding.Kind.FINDING: (released.findings, "country"),
    Withholding.Kind.RESPONSE: (released.responses, "recommendation__country"),
    Withholding.Kind.REPLY: (released.replies, "country"),
}


def withholdable_items(*, country: Country) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the public sees of ``country`` and nobody asked to withhold yet, grouped by kind for a select:
    [(kind label, [("kind:id", label), ...]), ...] (one query per kind, one for the open withholdings)."""
    taken = set(
        Withholding.objects.filter(
            country=country, state__in=[Withholding.State.PROPOSED, Withholding.State.APPROVED]
        ).values_list("kind", "item_id")
    )
    groups = []
    for kind in Withholding.Kind:
        public, country_path = RELEASED_OF[kind]
        items = ITEM_QUERIES[kind]().filter(pk__in=public().filter(**{country_path: country}).values("pk"))
        choices = [
            (f"{kind.value}:{pk}", label)
            for pk, label in _item_labels(kind, items)
            if (kind.value, pk) not in taken
        ]
        if choices:
            groups.append((str(kind.label), choices))
    return groups


def withholdable_ids(*, country: Country, kinds: tuple[str, ...]) -> dict[str, set[int]]:
    """The ids of ``country``'s items of ``kinds`` that the public sees and nobody asked to withhold yet:
    those a per-item "withhold" link may offer (the propose form accepts exactly these; one query a kind)."""
    found = {}
    for kind in kinds:
        public, country_path = RELEASED_OF[kind]
        taken = Withholding.objects.filter(
            kind=kind, state__in=[Withholding.State.PROPOSED, Withholding.State.APPROVED]
        ).values("item_id")
        found[kind] = set(
            public().filter(**{country_path: country}).exclude(pk__in=taken).values_list("pk", flat=True)
        )
    return found
