"""The focal services: the questionnaire's drafts and submission, the staff's decisions, the reply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commitments import services as commitment_services
from commitments.models import CommitmentProgress, EvaluationRound, IndicatorValue, ReportingPeriod, Status
from commitments.services import EditConflict
from focal import selectors, services
from focal.models import Decision, SelfReportValue, SelfStatus

pytestmark = pytest.mark.django_db


def save_value(user, country, indicator, period, number, version=None):
    return services.self_value_save(
        country=country,
        indicator=indicator,
        period=period,
        user=user,
        number_value=Decimal(number),
        expected_version=version,
    )


def test_a_focal_point_saves_a_draft_of_their_country_and_a_change_needs_its_version(
    focal_nl, nl, indicator, open_period
):
    item = save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")
    assert (item.status, item.version, item.number_value) == (SelfStatus.DRAFT, 1, Decimal(12))

    with pytest.raises(ValidationError, match="which version"):
        save_value(focal_nl, nl, indicator("VI-2"), open_period, "13")
    changed = save_value(focal_nl, nl, indicator("VI-2"), open_period, "13", version=1)
    assert (changed.version, changed.number_value) == (2, Decimal(13))
    with pytest.raises(EditConflict):
        save_value(focal_nl, nl, indicator("VI-2"), open_period, "14", version=1)
    assert SelfReportValue.objects.get().number_value == Decimal(13)  # nothing lost, nothing overwritten


def test_nobody_but_the_countrys_focal_points_fills_in_its_self_report(
    focal_be, staff_nl, reviewer, nl, indicator, open_period
):
    for user in (focal_be, staff_nl, reviewer):
        with pytest.raises(PermissionDenied):
            save_value(user, nl, indicator("VI-2"), open_period, "12")
    assert not SelfReportValue.objects.exists()


def test_text_is_refused_in_a_number_and_a_list_in_a_text(
    focal_nl, nl, nl_commitment, indicator, open_period
):
    with pytest.raises(ValidationError):
        services.self_value_save(
            country=nl, indicator=indicator("VI-2"), period=open_period, user=focal_nl, number_value="many"
        )
    with pytest.raises(ValidationError, match="Enter text"):
        services.self_progress_save(
            commitment=nl_commitment, period=open_period, user=focal_nl, narrative=["a", "list"]
        )
    with pytest.raises(ValidationError):
        services.self_progress_save(
            commitment=nl_commitment, period=open_period, user=focal_nl, narrative="x" * 10001
        )


def test_after_the_deadline_the_self_report_no_longer_changes(focal_nl, nl, indicator, open_period):
    ReportingPeriod.objects.filter(pk=open_period.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    open_period.refresh_from_db()
    with pytest.raises(ValidationError, match="deadline"):
        save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")


def _submit(user, country, period, sections=None):
    sheet = selectors.questionnaire(country=country, period=period)
    seen = dict(entry.rsplit(":", 1) for entry in sheet.seen())
    return services.questionnaire_submit(
        country=country,
        period=period,
        user=user,
        seen={k: int(v) for k, v in seen.items()},
        sections=sections,
    )


def test_a_part_is_submitted_alone_then_locked_until_staff_return_it(
    focal_nl, staff_nl, nl, nl_commitment, indicator, open_period
):
    value = save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")
    progress = services.self_progress_save(
        commitment=nl_commitment, period=open_period, user=focal_nl, completion="substantial"
    )

    assert _submit(focal_nl, nl, open_period, sections=["values"]) == 1

    value.refresh_from_db()
    progress.refresh_from_db()
    assert (value.status, progress.status) == (SelfStatus.SUBMITTED, SelfStatus.DRAFT)
    with pytest.raises(ValidationError, match="locked"):
        save_value(focal_nl, nl, indicator("VI-2"), open_period, "13", version=value.version)
    returned = services.self_report_return(
        item=value, user=staff_nl, reason="Which year is this?", expected_version=value.version
    )
    assert returned.status == SelfStatus.RETURNED
    assert (
        save_value(focal_nl, nl, indicator("VI-2"), open_period, "13", version=returned.version).number_value
        == 13
    )


def test_a_submission_stops_when_an_answer_changed_since_the_page_was_loaded(
    focal_nl, nl, indicator, open_period
):
    value = save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")
    with pytest.raises(EditConflict):
        services.questionnaire_submit(
            country=nl,
            period=open_period,
            user=focal_nl,
            seen={f"values-{value.pk}": value.version - 1 or 99},
        )
    value.refresh_from_db()
    assert value.status == SelfStatus.DRAFT


def test_staff_adopt_one_figure_and_differ_on_another_without_touching_the_governments(
    focal_nl, staff_nl, nl, nl_commitment, indicator, open_period
):
    rapporteur = commitment_services.commitment_progress_save(
        commitment=nl_commitment, period=open_period, user=staff_nl, completion="limited"
    )
    value = save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")
    progress = services.self_progress_save(
        commitment=nl_commitment, period=open_period, user=focal_nl, completion="substantial"
    )
    _submit(focal_nl, nl, open_period)
    value.refresh_from_db()
    progress.refresh_from_db()

    services.self_report_adopt(item=value, user=staff_nl, expected_version=value.version)
    services.self_report_diverge(
        item=progress,
        user=staff_nl,
        reason="Only two of ten districts were trained.",
        expected_version=progress.version,
        rapporteur_version=rapporteur.version,
    )

    adopted = IndicatorValue.objects.get(country=nl, indicator__code="VI-2", period=open_period)
    assert (adopted.number_value, adopted.status, adopted.edited_by) == (Decimal(12), Status.DRAFT, staff_nl)
    assert CommitmentProgress.objects.get(pk=rapporteur.pk).completion == "limited"
    progress.refresh_from_db()
    assert (progress.completion, progress.decision) == ("substantial", Decision.DIVERGED)
    lines = {
        line.kind: line
        for line in selectors.divergences(country=nl, period=open_period, rapporteur_drafts=True)
    }
    assert not lines["value"].differs
    assert (
        lines["progress"].message == "The rapporteur rates limited where the government reports substantial."
    )
    # The government's track and the rapporteur's approved track: drafts do not count for readers outside.
    assert selectors.divergences(country=nl, period=open_period)[0].rapporteur == ""


def test_differing_needs_a_reason_and_staff_of_another_country_cannot(
    focal_nl, staff_be, staff_nl, nl, indicator, open_period
):
    value = save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")
    _submit(focal_nl, nl, open_period)
    value.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.self_report_adopt(item=value, user=staff_be, expected_version=value.version)
    with pytest.raises(ValidationError, match="why"):
        services.self_report_diverge(item=value, user=staff_nl, reason=" ", expected_version=value.version)
    value.refresh_from_db()
    assert value.decision == Decision.NONE


def test_the_reply_is_the_governments_and_only_while_its_window_is_open(focal_nl, focal_be, nl, open_period):
    baseline = ReportingPeriod.objects.get(label="2013 baseline")
    evaluation_round = EvaluationRound.objects.create(
        label="Test round",
        baseline_period=baseline,
        evaluation_period=open_period,
        ministerial_date=timezone.localdate() + dt.timedelta(days=60),
        stage=EvaluationRound.Stage.COLLECTION,
    )
    with pytest.raises(ValidationError, match="not open"):
        services.reply_save(country=nl, evaluation_round=evaluation_round, user=focal_nl, text="We agree.")
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(stage=EvaluationRound.Stage.DRAFTED)
    evaluation_round.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.reply_save(country=nl, evaluation_round=evaluation_round, user=focal_be, text="We agree.")
    reply = services.reply_save(
        country=nl, evaluation_round=evaluation_round, user=focal_nl, text="We agree."
    )
    assert selectors.reply_for(country=nl, evaluation_round=evaluation_round) == reply
    with pytest.raises(EditConflict):
        services.reply_save(
            country=nl, evaluation_round=evaluation_round, user=focal_nl, text="Hm.", expected_version=0
        )
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(released_at=timezone.now())
    evaluation_round.refresh_from_db()
    assert not services.reply_open(evaluation_round)


def test_partners_read_government_figures_only_of_released_rounds(focal_nl, nl, indicator, open_period):
    save_value(focal_nl, nl, indicator("VI-2"), open_period, "12")
    _submit(focal_nl, nl, open_period)
    assert not selectors.released_self_values().exists()
    EvaluationRound.objects.create(
        label="Released round",
        baseline_period=ReportingPeriod.objects.get(label="2013 baseline"),
        evaluation_period=open_period,
        ministerial_date=timezone.localdate(),
        released_at=timezone.now(),
    )
    assert [row.number_value for row in selectors.released_self_values()] == [Decimal(12)]
