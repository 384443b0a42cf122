"""seed_alliance is idempotent and never clobbers staff edits; seed_demo is synthetic and deterministic."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from commitments.models import (
    Commitment,
    Country,
    EvaluationRound,
    Goal,
    Indicator,
    IndicatorValue,
    Recommendation,
    ReportingPeriod,
)
from commitments.seeding import seed_alliance, seed_demo

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "synthetic-demo-password-2014"


def counts() -> dict[str, int]:
    models = (Country, Goal, Indicator, ReportingPeriod, EvaluationRound)
    return {model.__name__: model.objects.count() for model in models}


def test_the_alliance_data_is_complete():
    assert counts() == {"Country": 55, "Goal": 6, "Indicator": 35, "ReportingPeriod": 2, "EvaluationRound": 1}
    assert Indicator.objects.exclude(name_nl="").count() == 35
    assert Goal.objects.exclude(description_nl="").count() == 6


def test_running_it_twice_gives_the_same_rows():
    before = counts()
    report = seed_alliance()
    assert counts() == before
    assert (report.created, report.updated) == (0, 0)


def test_it_never_clobbers_a_staff_edit(staff_nl):
    item = Indicator.objects.get(code="RA-2")
    item.name_en = "Median takedown time (staff wording)"
    item._history_user = staff_nl
    item.save()
    report = seed_alliance()
    item.refresh_from_db()
    assert item.name_en == "Median takedown time (staff wording)"
    assert report.kept == 1


def test_it_restores_a_row_nobody_edited():
    Goal.objects.filter(code="PREVENTION").update(title_en="Changed outside the app")
    seed_alliance()
    assert Goal.objects.get(code="PREVENTION").title_en == "Prevention"


def test_it_keeps_periods_staff_added():
    ReportingPeriod.objects.create(label="2016 progress", starts_on="2015-01-01", ends_on="2015-12-31",
                                   deadline="2016-03-01")
    seed_alliance()
    assert ReportingPeriod.objects.filter(label="2016 progress").exists()


def test_demo_data_covers_every_participating_country_and_is_labelled():
    counts_first = seed_demo(password=DEMO_PASSWORD)
    participating = Country.objects.participating_between("2012-12-05", "2014-06-30").count()
    assert counts_first["countries"] == participating == 49
    assert IndicatorValue.objects.values("country").distinct().count() == 49
    assert not IndicatorValue.objects.filter(is_demo=False).exists()
    assert not Commitment.objects.exclude(title__startswith="[Demo]").exists()
    assert all("Synthetic" in text for text in Recommendation.objects.values_list("text", flat=True))


def test_demo_data_is_deterministic():
    seed_demo(password=DEMO_PASSWORD)
    first = list(IndicatorValue.objects.order_by("country__code", "indicator__code", "period__starts_on")
                 .values_list("country__code", "indicator__code", "number_value", "boolean_value", "status"))
    second_counts = seed_demo(password=DEMO_PASSWORD)
    second = list(IndicatorValue.objects.order_by("country__code", "indicator__code", "period__starts_on")
                  .values_list("country__code", "indicator__code", "number_value", "boolean_value", "status"))
    assert first == second
    assert second_counts["values"] == len(second)


def test_demo_values_respect_their_indicators():
    seed_demo(password=DEMO_PASSWORD)
    for value in IndicatorValue.objects.select_related("indicator")[:800]:
        value.full_clean()


def test_demo_accounts_have_the_demo_password():
    from django.contrib.auth import authenticate

    seed_demo(password=DEMO_PASSWORD)
    for username in ("staff-nl", "reviewer", "minister", "admin", "focal-nl", "focal-be"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None


def test_seed_demo_needs_a_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Set DEMO_PASSWORD"):
        call_command("seed_demo")


def test_seed_demo_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "1234")
    with pytest.raises(CommandError, match="too weak"):
        call_command("seed_demo")


def test_units_seeded_with_a_hyphen_get_the_en_dash_the_charts_use():
    """The data migration 0017 brings rows seeded before in line with the seed files: exactly the seeded
    texts change (one a person typed otherwise stays), with a history record and a sync change each."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from sync.models import Change

    migration = importlib.import_module("commitments.migrations.0017_units_en_dash")
    seeded, typed = Indicator.objects.get(code="VI-6"), Indicator.objects.get(code="VS-1")
    earlier = [(seeded, "level 0-4", "niveau 0-4"), (typed, "level 0-4 (self-assessed)", "")]
    for indicator, unit, unit_nl in earlier:
        indicator.unit, indicator.unit_nl = unit, unit_nl  # as an earlier seed (or a person) left them
        indicator.save()

    def trail(indicator):  # its history records and its changes in the sync outbox
        changes = Change.objects.filter(resource="indicator", key=indicator.code)
        return indicator.history.count(), changes.count()

    before_seeded, before_typed = trail(seeded), trail(typed)
    # The models as the migration sees them (no signals, no history manager): as when it runs.
    apps = MigrationLoader(connection).project_state(("commitments", "0017_units_en_dash")).apps
    migration.en_dash(apps, SimpleNamespace(connection=connection))

    seeded.refresh_from_db()
    typed.refresh_from_db()
    assert (seeded.unit, seeded.unit_nl) == ("level 0–4", "niveau 0–4")
    assert (typed.unit, typed.unit_nl) == ("level 0-4 (self-assessed)", "")
    assert trail(seeded) == (before_seeded[0] + 1, before_seeded[1] + 1)  # one of each for both fields
    assert seeded.history.first().history_change_reason == "seed_alliance"
    assert trail(typed) == before_typed
