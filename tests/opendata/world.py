"""The public site's test world: one released round and one not yet released, with items of every kind
on both sides of the embargo, drafts beside approved items, and items a country asked to withhold.

Every text carries a marker (``PUBLIC-…`` for what must appear, ``SECRET-…`` for what must never appear
on the released round's pages) so that a probe can look for them in every answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

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
    Recommendation,
    ReportingPeriod,
)
from cycle.models import Decision, Meeting
from focal.models import Reply
from reporting.models import Report

PUBLIC_NUMBERS = (24681, 35792)
SECRET_NUMBERS = (97531, 86423, 75319)
RELEASE = dt.datetime(2031, 3, 1, 10, 0, 0, tzinfo=dt.UTC)
NEXT_RELEASE = dt.datetime(2033, 3, 1, 10, 0, 0, tzinfo=dt.UTC)


@dataclass
class World:
    released: EvaluationRound
    unreleased: EvaluationRound
    withheld: dict[str, int]


def _approved(model, **fields):
    return model.objects.create(status="approved", approved_at=timezone.now(), **fields)


def build(*, proposer, approver) -> World:
    """The world; ``proposer`` and ``approver`` are two different users (withholdings need four eyes)."""
    released = EvaluationRound.objects.select_related("baseline_period", "evaluation_period").get(
        label="2012–2014"
    )
    EvaluationRound.objects.filter(pk=released.pk).update(released_at=RELEASE)
    released.refresh_from_db()
    baseline, evaluation = released.baseline_period, released.evaluation_period
    later = [
        ReportingPeriod.objects.create(
            label=f"{year} later",
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            deadline=dt.date(year + 1, 3, 31),
        )
        for year in (2015, 2016)
    ]
    unreleased = EvaluationRound.objects.create(
        label="2015–2016",
        baseline_period=later[0],
        evaluation_period=later[1],
        ministerial_date=dt.date(2017, 9, 1),
        released_at=NEXT_RELEASE,
    )
    nl, be = Country.objects.get(code="NL"), Country.objects.get(code="BE")
    victims, goal = Indicator.objects.get(code="VI-2"), Goal.objects.get(code="VICTIM_ID")

    released_periods = (baseline, evaluation)

    def value(country, period, number, status="approved"):
        fields = {"approved_at": timezone.now()} if status == "approved" else {}
        return IndicatorValue.objects.create(
            country=country,
            indicator=victims,
            period=period,
            number_value=Decimal(number),
            status=status,
            note="PUBLIC-value" if status == "approved" and period in released_periods else "SECRET-value",
            **fields,
        )

    # Distinct numbers, so that a probe can look for them (as printed in English and Dutch, and in files).
    value(nl, baseline, PUBLIC_NUMBERS[0])
    value(nl, evaluation, PUBLIC_NUMBERS[1])
    value(be, baseline, SECRET_NUMBERS[0])  # withheld below
    value(be, evaluation, SECRET_NUMBERS[1], status="submitted")  # never approved
    value(nl, later[0], SECRET_NUMBERS[2])  # of the round not yet released

    commitment = _approved(
        Commitment,
        country=nl,
        goal=goal,
        title="PUBLIC-commitment: expand the team",
        committed_on=dt.date(2013, 4, 15),
    )
    CommitmentProgress.objects.create(
        commitment=commitment,
        period=evaluation,
        completion="complete",
        status="approved",
        approved_at=timezone.now(),
        narrative="PUBLIC-progress narrative",
    )
    CommitmentProgress.objects.create(
        commitment=commitment,
        period=later[0],
        completion="limited",
        status="approved",
        approved_at=timezone.now(),
        narrative="SECRET-progress of the unreleased round",
    )
    Commitment.objects.create(
        country=nl, goal=goal, title="SECRET-commitment draft", committed_on=dt.date(2013, 5, 1)
    )
    _approved(
        Commitment,
        country=nl,
        goal=goal,
        title="SECRET-commitment of the next round",
        committed_on=dt.date(2015, 6, 1),
    )
    withheld_commitment = _approved(
        Commitment,
        country=be,
        goal=goal,
        title="SECRET-commitment withheld",
        committed_on=dt.date(2013, 6, 1),
    )

    _approved(Finding, period=evaluation, country=nl, goal=goal, text="PUBLIC-finding on the Netherlands")
    withheld_finding = _approved(
        Finding, period=evaluation, country=be, goal=goal, text="SECRET-finding withheld"
    )
    Finding.objects.create(period=evaluation, country=nl, goal=None, text="SECRET-finding draft")
    _approved(Finding, period=later[1], country=nl, goal=goal, text="SECRET-finding of the next round")

    recommendation = _approved(
        Recommendation,
        number="1",
        source_document="Monitor 2013",
        country=nl,
        goal=goal,
        text="PUBLIC-recommendation to the Netherlands",
        addressees="National police",
        issued_on=dt.date(2013, 10, 1),
    )
    _approved(
        GovernmentResponse,
        recommendation=recommendation,
        response="adopted",
        responded_on=dt.date(2014, 1, 10),
        summary="PUBLIC-response",
    )
    be_recommendation = _approved(
        Recommendation,
        number="2",
        source_document="Monitor 2013",
        country=be,
        goal=goal,
        text="PUBLIC-recommendation to Belgium",
        addressees="Police",
        issued_on=dt.date(2013, 10, 1),
    )
    withheld_response = _approved(
        GovernmentResponse,
        recommendation=be_recommendation,
        response="rejected",
        responded_on=dt.date(2014, 1, 10),
        summary="SECRET-response withheld",
    )
    _approved(
        Recommendation,
        number="1",
        source_document="Monitor 2016",
        country=nl,
        goal=goal,
        text="SECRET-recommendation of the next round",
        addressees="Police",
        issued_on=dt.date(2016, 10, 1),
    )

    Reply.objects.create(country=nl, evaluation_round=released, text="PUBLIC-reply of the Netherlands")
    withheld_reply = Reply.objects.create(country=be, evaluation_round=released, text="SECRET-reply withheld")
    Reply.objects.create(country=nl, evaluation_round=unreleased, text="SECRET-reply of the next round")

    meeting = Meeting.objects.create(
        evaluation_round=released, held_on=dt.date(2014, 9, 30), place="Brussels", countries=["NL", "BE"]
    )
    decision = _approved(
        Decision,
        meeting=meeting,
        number="1",
        title="PUBLIC-decision: connect to ICSE",
        goals=["VICTIM_ID"],
        countries=["NL"],
        lead="Police",
        due_on=dt.date(2016, 6, 30),
    )
    Decision.objects.create(
        meeting=meeting,
        number="2",
        title="SECRET-decision draft",
        goals=["VICTIM_ID"],
        lead="Police",
        due_on=dt.date(2016, 6, 30),
    )
    # What became of the decision: a commitment of the next round (hidden until that round's release).
    _approved(
        Commitment,
        country=nl,
        goal=goal,
        title="SECRET-decision commitment of the next round",
        committed_on=dt.date(2014, 10, 1),
        decision=decision,
    )
    next_meeting = Meeting.objects.create(
        evaluation_round=unreleased, held_on=dt.date(2017, 9, 1), place="Rome", countries=["NL"]
    )
    _approved(
        Decision,
        meeting=next_meeting,
        number="1",
        title="SECRET-decision of the next round",
        goals=["VICTIM_ID"],
        lead="Police",
        due_on=dt.date(2019, 6, 30),
    )

    def report(evaluation_round, *, published: bool, country=None):
        item = Report(
            kind="country" if country else "alliance",
            country=country,
            evaluation_round=evaluation_round,
            status="ready",
            sha256=f"{evaluation_round.pk:064d}",
            page_count=1,
            size=20,
            published_at=timezone.now() if published else None,
        )
        item.file.save("report.pdf", ContentFile(b"%PDF-1.4 synthetic test report"), save=False)
        item.save()
        return item

    report(released, published=True)
    report(released, published=False, country=nl)  # ready, never published
    report(unreleased, published=True)  # published, but its round is not released

    from opendata import services

    withheld = {}
    targets = {
        "value": IndicatorValue.objects.get(country=be, period=baseline).pk,
        "commitment": withheld_commitment.pk,
        "finding": withheld_finding.pk,
        "response": withheld_response.pk,
        "reply": withheld_reply.pk,
    }
    for kind, item_id in targets.items():
        item = services.withholding_propose(
            kind=kind, item_id=item_id, reason="Ongoing investigation", user=proposer
        )
        services.withholding_decide(withholding=item, approve=True, user=approver)
        withheld[kind] = item_id
    return World(released=released, unreleased=unreleased, withheld=withheld)
