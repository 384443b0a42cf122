"""Loading the alliance's reference data and the synthetic demo dataset.

``seed_alliance`` is idempotent and never clobbers staff edits: a row is created when missing and
updated from the files only while no person has edited it (its history holds no change by a user).
``seed_demo`` builds a deterministic, plainly synthetic dataset: every demo row has ``is_demo`` set and
every narrative says it is synthetic.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cycle.seeding import seed_demo_cycle
from focal.seeding import reset_focal_demo, seed_focal_demo
from sync import changes

from .access import Role
from .models import (
    Commitment,
    CommitmentProgress,
    ConsistencyRule,
    Country,
    CountryAssignment,
    EvaluationRound,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Status,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_REASON = "seed_alliance"

PERIODS = [
    {
        "label": "2013 baseline",
        "label_nl": "nulmeting 2013",
        "kind": ReportingPeriod.Kind.BASELINE,
        "starts_on": dt.date(2012, 12, 5),
        "ends_on": dt.date(2013, 4, 30),
        "deadline": dt.date(2013, 4, 30),
        "is_open": True,
    },
    {
        "label": "2014 progress",
        "label_nl": "voortgang 2014",
        "kind": ReportingPeriod.Kind.PROGRESS,
        "starts_on": dt.date(2013, 5, 1),
        "ends_on": dt.date(2014, 6, 30),
        "deadline": dt.date(2014, 7, 31),
        "is_open": True,
    },
]
ROUND = {"label": "2012–2014", "ministerial_date": dt.date(2014, 9, 30)}


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    kept: int = 0  # rows a person has edited, left as they are

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.kept} kept as edited by staff"


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def _upsert(model: type[Model], lookup: dict[str, Any], fields: dict[str, Any], report: SeedReport) -> Model:
    """Create the row, or bring it in line with the files unless a person has edited it."""
    item = model.objects.filter(**lookup).first()
    if item is None:
        item = model(**lookup, **fields)
        item._change_reason = SEED_REASON
        item.full_clean()
        item.save()
        report.created += 1
        return item
    if item.history.filter(history_user__isnull=False).exists():
        report.kept += 1
        return item
    changed = {name: value for name, value in fields.items() if getattr(item, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(item, name, value)
        item._change_reason = SEED_REASON
        item.full_clean()
        item.save()
        report.updated += 1
    return item


@transaction.atomic
def seed_alliance() -> SeedReport:
    """Countries, goals, indicators, consistency rules, the 2013 baseline and 2014 progress periods, the
    2012-2014 round."""
    report = SeedReport()
    for row in _read_csv("countries.csv"):
        _upsert(
            Country,
            {"code": row["iso2"]},
            {
                "name_en": row["name_en"],
                "name_nl": row["name_nl"],
                "region": row["region"],
                "eu_member_since": _date(row["eu_member_since"]) if row["eu_member_2012"] == "yes" else None,
                "membership": row["membership"],
                "joined_on": _date(row["joined_on"]),
                "left_on": _date(row["left_on"]),
                "membership_note": row["verification"][:300],
            },
            report,
        )
    goals = {}
    for row in _read_csv("goals.csv"):
        goals[row["code"]] = _upsert(
            Goal,
            {"code": row["code"]},
            {
                "order": int(row["order"]),
                "policy_target": int(row["policy_target"]),
                "title_en": row["title_en"],
                "title_nl": row["title_nl"],
                "description_en": row["summary_en"],
                "description_nl": row.get("summary_nl", ""),
            },
            report,
        )
    for position, row in enumerate(_read_csv("indicators.csv"), start=1):
        _upsert(
            Indicator,
            {"code": row["code"]},
            {
                "goal": goals[row["goal"]],
                "order": int(row.get("order") or position),
                "value_type": row["value_type"],
                "unit": row["unit"],
                "unit_nl": row.get("unit_nl", ""),
                "direction": row["direction"],
                "min_value": _decimal(row.get("min_value")),
                "max_value": _decimal(row.get("max_value")),
                "name_en": row["name_en"],
                "name_nl": row.get("name_nl", ""),
                "definition": row.get("definition_en", ""),
                "definition_nl": row.get("definition_nl", ""),
                "source": row["source"],
                "source_nl": row.get("source_nl", ""),
            },
            report,
        )
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    for row in _read_csv("consistency_rules.csv"):
        _upsert(
            ConsistencyRule,
            {"code": row["code"]},
            {
                "kind": row["kind"],
                "indicator": indicators[row["indicator"]],
                "related_indicator": indicators.get(row["related_indicator"]),
                "low": _decimal(row["low"]),
                "high": _decimal(row["high"]),
                "tolerance": _decimal(row["tolerance"]),
                "description_en": row["description_en"],
                "description_nl": row["description_nl"],
            },
            report,
        )
    periods = [
        _upsert(
            ReportingPeriod, {"label": spec["label"]}, {k: v for k, v in spec.items() if k != "label"}, report
        )
        for spec in PERIODS
    ]
    _upsert(
        EvaluationRound,
        {"label": ROUND["label"]},
        {
            "baseline_period": periods[0],
            "evaluation_period": periods[1],
            "ministerial_date": ROUND["ministerial_date"],
        },
        report,
    )
    return report


# --------------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------------

DEMO_NOTE = "Synthetic demo value: invented for demonstration, not an official figure."
DEMO_USERS = [
    # username, role, assigned countries
    ("staff-nl", Role.STAFF, ["NL"]),
    ("staff-be", Role.STAFF, ["BE", "LU"]),
    ("staff-secretariat", Role.STAFF, "*"),
    ("reviewer", Role.REVIEWER, []),
    ("minister", Role.MINISTER, []),
    ("admin", Role.ADMINISTRATOR, []),
]
ORGANISATIONS = [
    "National police",
    "Public prosecution service",
    "Child protection board",
    "Ministry of Justice",
    "Ministry of Education",
    "National hotline",
    "Victim support services",
]


def _demo_number(indicator: Indicator, rng: random.Random, base: Decimal | None, growth: float) -> Decimal:
    low, high = indicator.bounds()
    if indicator.value_type == Indicator.ValueType.MATURITY:
        start = int(base) if base is not None else rng.randint(0, 3)
        return Decimal(min(4, start + (1 if growth > 1.0 and rng.random() < 0.6 else 0)))
    if indicator.value_type == Indicator.ValueType.PERCENTAGE:
        if base is None:
            number = Decimal(str(round(rng.uniform(5, 80), 1)))
        else:
            number = Decimal(str(round(float(base) * growth, 1)))
    else:
        if base is None:
            number = Decimal(rng.randint(1, 400))
        else:
            number = Decimal(round(float(base) * growth))
    if low is not None:
        number = max(number, low)
    if high is not None:
        number = min(number, high)
    return number


def _demo_values(country, indicator, periods, rng) -> list[IndicatorValue]:
    values = []
    base: Decimal | None = None
    flag: bool | None = None
    for index, period in enumerate(periods):
        # Countries improve at different speeds; "down" indicators fall when things get better.
        growth = (
            rng.uniform(0.95, 1.35)
            if indicator.direction != Indicator.Direction.DOWN
            else rng.uniform(0.6, 1.05)
        )
        value = IndicatorValue(
            country=country, indicator=indicator, period=period, note=DEMO_NOTE, is_demo=True
        )
        if indicator.value_type == Indicator.ValueType.BOOLEAN:
            flag = (rng.random() < 0.5) if flag is None else (flag or rng.random() < 0.4)
            value.boolean_value = flag
        elif indicator.value_type == Indicator.ValueType.TEXT:
            value.text_value = f"Synthetic demo text for {indicator.code}."
        else:
            if indicator.code == "VI-3" and index > 0 and values[0].number_value is not None:
                growth = rng.uniform(0.8, 1.4)
            base = _demo_number(indicator, rng, base if index else None, growth)
            value.number_value = base
        values.append(value)
    return values


# Countries whose synthetic reported change (VI-3) contradicts their synthetic counts (VI-2), so that the
# demo shows the consistency rules at work (the examples).
DEMO_CONTRADICTIONS = {"HR", "LV", "MT", "IE", "NO"}


def _demo_reported_change(country_code: str, values: list[IndicatorValue]) -> None:
    """Make the synthetic VI-3 agree with the synthetic VI-2 (within a point), except in a few countries.

    Uses its own random generator, so the rest of the demo data stays as it was."""
    rng = random.Random(f"alliance-demo-vi3-{country_code}")
    counts = sorted(
        (v for v in values if v.indicator.code == "VI-2" and v.number_value), key=lambda v: v.period.starts_on
    )
    for value in values:
        if value.indicator.code != "VI-3" or value.number_value is None or len(counts) < 2:
            continue
        if value.period_id != counts[-1].period_id:
            continue
        first, last = counts[0].number_value, counts[-1].number_value
        computed = 100 * (last - first) / first
        if country_code in DEMO_CONTRADICTIONS:
            reported = abs(computed) + Decimal(str(round(rng.uniform(12, 20), 1)))  # a rise the counts deny
        else:
            reported = computed + Decimal(str(round(rng.uniform(-1, 1), 1)))
        value.number_value = max(Decimal(-100), reported.quantize(Decimal("0.1")))


def _status_for(country_code: str, period_index: int, last_index: int, rng: random.Random) -> str | None:
    """Baselines are approved; of the latest period most is approved and some was never reported.

    The latest alliance period is the evaluation period of the demo's 2012–2014 round, which the demo
    takes through data frozen to follow-up (``cycle.seeding``): by then every item of it was either
    approved or never came in (missing from the evaluation, as the reports say). Nothing of a frozen round
    is left waiting for a step nobody may take any more (drafts, submissions, returned items): the demo's
    work in progress is in the next round's open period."""
    if period_index < last_index:
        return Status.APPROVED
    if country_code == "NL":
        return Status.APPROVED  # the model user reported everything on time
    if rng.random() < 0.16:
        return None  # not reported, or a draft never submitted, before the data was frozen
    return Status.APPROVED


@transaction.atomic
def seed_demo(*, password: str, scale: int = 1) -> dict[str, int]:
    """The synthetic demo dataset for every participating country, and one account per role.

    Deterministic: the same database gets the same rows. Run on a database that has demo data already,
    it replaces the demo rows (rows entered by people are never touched).
    """
    seed_alliance()
    _create_demo_users(password)
    # The alliance's own periods: the demo's next round (cycle.seeding) has periods of its own.
    labels = [spec["label"] for spec in PERIODS]
    periods = list(ReportingPeriod.objects.filter(label__in=labels).order_by("starts_on"))
    first, last = periods[0], periods[-1]
    countries = list(Country.objects.participating_between(first.starts_on, last.ends_on).order_by("code"))
    indicators = list(Indicator.objects.filter(is_active=True).select_related("goal"))
    goals = list(Goal.objects.order_by("order"))
    reviewer = get_user_model().objects.get(username="reviewer")
    now = timezone.now()

    # Replace earlier demo rows; a person's rows (is_demo False) stay.
    reset_focal_demo()
    RecommendationFollowUp.objects.filter(is_demo=True).delete()
    GovernmentResponse.objects.filter(recommendation__is_demo=True).delete()
    Recommendation.objects.filter(is_demo=True).delete()
    CommitmentProgress.objects.filter(is_demo=True).delete()
    Commitment.objects.filter(is_demo=True).delete()
    Finding.objects.filter(is_demo=True).delete()
    IndicatorValue.objects.filter(is_demo=True).delete()

    values, commitments, progress = [], [], []
    for country in countries:
        rng = random.Random(f"alliance-demo-{country.code}")
        country_periods = [
            p for p in periods if country.participates_on(p.ends_on) or country.participates_on(p.starts_on)
        ]
        # A country's goal moves through the workflow as one piece of work, so the state is drawn per
        # (goal, period); within it, a few values may still be missing.
        goal_states = {
            (goal.pk, period.pk): _status_for(
                country.code,
                index,
                len(periods) - 1,
                random.Random(f"alliance-demo-{country.code}-{goal.code}-{index}"),
            )
            for goal in goals
            for index, period in enumerate(periods)
        }
        for indicator in indicators:
            for value in _demo_values(country, indicator, country_periods, rng):
                status = goal_states[(indicator.goal_id, value.period_id)]
                if status is None or (status != Status.APPROVED and rng.random() < 0.05):
                    continue
                _apply_status(value, status, reviewer, _demo_moment(value.period, rng))
                values.append(value)
        _demo_reported_change(country.code, [v for v in values if v.country_id == country.pk])
        for goal in goals:
            for number in range(1, 3):
                commitments.append(
                    Commitment(
                        country=country,
                        goal=goal,
                        title=f"[Demo] {goal.title_en}: action {number}",
                        description="Synthetic demo commitment, invented for demonstration.",
                        baseline="Synthetic baseline: situation at the time of the commitment (demo).",
                        lead_organisation=rng.choice(ORGANISATIONS),
                        committed_on=dt.date(2013, 4, 15),
                        target_date=dt.date(2014, 12, 31) if number == 1 else dt.date(2016, 6, 30),
                        is_demo=True,
                        status=Status.APPROVED,
                        submitted_at=now,
                        approved_at=now,
                        approved_by=reviewer,
                    )
                )
    bulk_create_with_history(values, IndicatorValue, batch_size=1000, default_change_reason="seed_demo")
    bulk_create_with_history(commitments, Commitment, batch_size=1000, default_change_reason="seed_demo")
    commitments = list(Commitment.objects.filter(is_demo=True).select_related("country"))
    changes.record_many([*values, *commitments])  # bulk_create sends no signals: the change feed's rows
    completions = list(CommitmentProgress.Completion)[:4]
    for commitment in commitments:
        rng = random.Random(f"alliance-demo-progress-{commitment.country.code}-{commitment.title}")
        level = 0
        for index, period in enumerate(periods):
            if not commitment.country.participates_on(period.ends_on):
                continue
            level = min(3, level + rng.choice([0, 1, 1, 2]))
            status = _status_for(commitment.country.code, index, len(periods) - 1, rng)
            if status is None:
                continue
            item = CommitmentProgress(
                commitment=commitment,
                period=period,
                completion=completions[level],
                narrative=f"Synthetic demo narrative for {period.label}: invented progress.",
                is_demo=True,
            )
            _apply_status(item, status, reviewer, _demo_moment(period, rng))
            progress.append(item)
    bulk_create_with_history(progress, CommitmentProgress, batch_size=1000, default_change_reason="seed_demo")
    recommendations = _demo_recommendations(countries, goals, periods, reviewer, now)
    _demo_texts_under_edit(now)
    findings = _demo_findings(countries, goals, last, reviewer)
    return {
        "countries": len(countries),
        "values": len(values),
        "commitments": len(commitments),
        "progress": len(progress),
        "recommendations": recommendations,
        "findings": findings,
        # The 2014 evaluation published, the ministers' meeting and decisions, the next round.
        **seed_demo_cycle(reviewer=reviewer, countries=countries),
        **seed_focal_demo(password=password),
    }


def _demo_moment(period: ReportingPeriod, rng: random.Random) -> dt.datetime:
    """When a demo item was submitted: mostly in the weeks before the deadline, sometimes after it."""
    day = period.deadline - dt.timedelta(days=rng.randint(-20, 45))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _apply_status(item, status: str, reviewer, now) -> None:
    item.status = status
    if status in {Status.SUBMITTED, Status.APPROVED, Status.RETURNED}:
        item.submitted_at = now
    if status == Status.APPROVED:
        item.approved_at, item.approved_by = now, reviewer
    if status == Status.RETURNED:
        item.review_reason = "Synthetic demo: please check this figure against the source."


def _demo_recommendations(countries, goals, periods, reviewer, now) -> int:
    responses = list(GovernmentResponse.Response)
    follow_ups = list(RecommendationFollowUp.FollowUpStatus)[:4]
    created = 0
    targets = [None, *[c for c in countries if c.code in {"NL", "BE", "DE", "US", "PH", "GB"}]]
    for country in targets:
        rng = random.Random(f"alliance-demo-recommendations-{country.code if country else 'all'}")
        document = f"Synthetic demo monitor 2013 ({country.code if country else 'alliance-wide'})"
        for number, goal in enumerate(goals, start=1):
            recommendation = Recommendation(
                number=str(number),
                source_document=document,
                country=country,
                goal=goal,
                text=f"Synthetic demo recommendation on {goal.title_en.lower()}: invented for demonstration.",
                addressees="\n".join(rng.sample(ORGANISATIONS, 2)),
                issued_on=dt.date(2013, 10, 1),
                is_demo=True,
            )
            _apply_status(recommendation, Status.APPROVED, reviewer, now)
            recommendation._change_reason = "seed_demo"
            recommendation.save()
            created += 1
            response = rng.choice(responses)
            answer = GovernmentResponse(
                recommendation=recommendation,
                response=response,
                reference=f"DEMO-{31015 + number}-{rng.randint(100, 199)}"
                if response != "no_response"
                else "",
                responded_on=dt.date(2014, 2, 1) if response != "no_response" else None,
                summary="Synthetic demo response.",
                is_demo=True,
            )
            _apply_status(answer, Status.APPROVED, reviewer, now)
            answer.save()
            item = RecommendationFollowUp(
                recommendation=recommendation,
                period=periods[-1],
                follow_up=rng.choice(follow_ups),
                narrative="Synthetic demo follow-up.",
                is_demo=True,
            )
            # The period's round is frozen (cycle.seeding): its follow-ups were approved before.
            _apply_status(item, Status.APPROVED, reviewer, _demo_moment(periods[-1], rng))
            item.save()
    return created


def _demo_texts_under_edit(now) -> None:
    """A few Dutch demo texts with a newer draft under review, so that the workspace shows the approved
    text beside the draft while partners and reports still read the approved one."""
    staff = get_user_model().objects.filter(username="staff-nl").first()
    edits = [
        (
            Commitment.objects.filter(is_demo=True, country__code="NL").order_by("goal__order", "id")[:2],
            "title",
        ),
        (Recommendation.objects.filter(is_demo=True, country__code="NL").order_by("number")[:1], "text"),
        (GovernmentResponse.objects.filter(is_demo=True, recommendation__country__code="NL")[:1], "summary"),
    ]
    for queryset, name in edits:
        for number, item in enumerate(queryset):
            working = item.working_values()
            working[name] = f"{working[name]} (demo draft: a change waiting for review)"
            item.draft = item.encode_draft(working)
            item.status = Status.SUBMITTED if number == 0 else Status.DRAFT
            item.submitted_at = now if number == 0 else item.submitted_at
            item.version += 1
            item.updated_by = staff
            item._change_reason = "seed_demo: draft under edit"
            item.save()


def _demo_findings(countries, goals, period, reviewer) -> int:
    """Synthetic findings in words for the latest period: per country and goal, per country, and for the
    alliance; all approved (the period's round is frozen by ``cycle.seeding``)."""
    items = []
    for country in [None, *countries]:
        where = country.name_en if country else "the alliance"
        for goal in [None, *goals]:
            topic = goal.title_en.lower() if goal else "all goals together"
            item = Finding(
                period=period,
                country=country,
                goal=goal,
                text=(
                    f"Synthetic demo finding on {topic} for {where}: invented for demonstration, "
                    "not the rapporteur's assessment."
                ),
                is_demo=True,
            )
            moment = _demo_moment(period, random.Random(f"finding-{where}"))
            _apply_status(item, Status.APPROVED, reviewer, moment)
            items.append(item)
    bulk_create_with_history(items, Finding, batch_size=1000, default_change_reason="seed_demo")
    return len(items)


def _create_demo_users(password: str) -> None:
    User = get_user_model()
    all_countries = list(Country.objects.all())
    # One hash for every demo account: a password hash costs seconds by design, and they share the password.
    encoded = make_password(password)
    for username, role, countries in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": username.replace("-", " ").title(), "email": f"{username}@demo.invalid"},
        )
        user.password = encoded
        user.is_staff = role == Role.ADMINISTRATOR  # may use the admin site
        user.save()
        user.groups.add(Group.objects.get(name=str(role)))
        if role == Role.ADMINISTRATOR:
            user.groups.add(Group.objects.get(name=str(Role.REVIEWER)))
        chosen = all_countries if countries == "*" else [c for c in all_countries if c.code in countries]
        for country in chosen:
            CountryAssignment.objects.get_or_create(user=user, country=country)
