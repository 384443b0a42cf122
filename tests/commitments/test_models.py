"""Every constraint and validation rule of the domain model, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from commitments.models import (
    Commitment,
    Country,
    EvaluationRound,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    ReportingPeriod,
)
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def value_for(indicator, country, period, **typed) -> IndicatorValue:
    return IndicatorValue(country=country, indicator=indicator, period=period, **typed)


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


class TestCountryMembership:
    def test_48_countries_took_part_at_the_launch(self):
        assert Country.objects.participating_on(dt.date(2012, 12, 5)).count() == 48

    def test_nobody_took_part_before_the_launch(self):
        assert not Country.objects.participating_on(dt.date(2012, 12, 4)).exists()

    def test_canada_joined_on_17_june_2013(self):
        canada = Country.objects.get(code="CA")
        assert not canada.participates_on(dt.date(2013, 6, 16))
        assert canada.participates_on(dt.date(2013, 6, 17))
        assert Country.objects.participating_on(dt.date(2013, 6, 17)).count() == 49

    def test_54_countries_on_the_later_list_without_viet_nam(self):
        later = Country.objects.participating_on(dt.date(2014, 9, 30))
        assert later.count() == 54
        assert not later.filter(code="VN").exists()
        assert later.filter(code="XK").exists()

    def test_a_country_that_left_took_part_during_a_period_it_overlapped(self):
        assert (
            Country.objects.participating_between(dt.date(2014, 1, 1), dt.date(2014, 12, 31))
            .filter(code="VN")
            .exists()
        )

    def test_observers_never_take_part(self):
        Country.objects.create(
            code="ZZ", name_en="Observerland", name_nl="Waarnemerland", region="Europe", membership="observer"
        )
        assert not Country.objects.participating_on(dt.date(2014, 1, 1)).filter(code="ZZ").exists()

    def test_a_country_cannot_leave_before_it_joined(self):
        country = Country.objects.get(code="VN")
        country.left_on = dt.date(2012, 1, 1)
        with pytest.raises(ValidationError, match="cannot leave before it joined"):
            country.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            country.save()

    def test_a_member_needs_its_join_date(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Country.objects.create(code="ZY", name_en="X", name_nl="X", region="Asia", membership="joined")

    def test_only_a_country_that_left_has_a_left_date(self):
        country = Country.objects.get(code="NL")
        country.left_on = dt.date(2015, 1, 1)
        with pytest.raises(ValidationError, match="Only a country whose membership is 'left'"):
            country.full_clean()

    @pytest.mark.parametrize("code", ["nl", "NLD", "N1", ""])
    def test_codes_are_two_capital_letters(self, code):
        country = Country(code=code, name_en="X", name_nl="X", region="Asia", membership="observer")
        with pytest.raises(ValidationError) as error:
            country.full_clean()
        assert "code" in error.value.message_dict

    def test_kosovo_user_assigned_code_is_allowed(self):
        Country.objects.get(code="XK").full_clean()

    def test_country_codes_are_unique(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Country.objects.create(
                code="NL", name_en="Again", name_nl="Weer", region="Europe", membership="observer"
            )

    def test_names_follow_the_language(self):
        from django.utils import translation

        country = Country.objects.get(code="DE")
        with translation.override("nl"):
            assert country.name == "Duitsland"
        with translation.override("en"):
            assert country.name == "Germany"


class TestGoalsAndIndicators:
    def test_policy_targets_are_1_to_4(self):
        goal = Goal.objects.get(code="PREVENTION")
        goal.policy_target = 5
        with pytest.raises(ValidationError):
            goal.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            goal.save()

    def test_indicator_minimum_cannot_exceed_maximum(self, indicator):
        item = indicator("VS-2")
        item.min_value, item.max_value = Decimal(50), Decimal(10)
        with pytest.raises(ValidationError, match="minimum cannot be above the maximum"):
            item.full_clean()

    def test_only_numeric_indicators_have_bounds(self, indicator):
        item = indicator("VI-1")
        item.min_value = Decimal(0)
        with pytest.raises(IntegrityError), transaction.atomic():
            item.save()

    def test_staff_can_add_an_indicator_without_a_deploy(self):
        goal = Goal.objects.get(code="PREVENTION")
        Indicator(
            code="PR-7", goal=goal, name_en="Schools with a programme", value_type="percentage"
        ).full_clean()


class TestPeriodsAndRounds:
    def test_a_period_cannot_end_before_it_starts(self):
        period = ReportingPeriod(
            label="Bad",
            starts_on=dt.date(2015, 1, 1),
            ends_on=dt.date(2014, 1, 1),
            deadline=dt.date(2015, 2, 1),
        )
        with pytest.raises(ValidationError, match="cannot end before it starts"):
            period.full_clean()

    def test_a_deadline_cannot_precede_the_start(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReportingPeriod.objects.create(
                label="Bad",
                starts_on=dt.date(2015, 1, 1),
                ends_on=dt.date(2015, 6, 1),
                deadline=dt.date(2014, 1, 1),
            )

    def test_a_round_compares_two_different_periods(self, baseline_period):
        with pytest.raises(IntegrityError), transaction.atomic():
            EvaluationRound.objects.create(
                label="Same",
                baseline_period=baseline_period,
                evaluation_period=baseline_period,
                ministerial_date=dt.date(2014, 9, 30),
            )

    def test_the_evaluation_comes_after_the_baseline(self, baseline_period, progress_period):
        round_ = EvaluationRound(
            label="Backwards",
            baseline_period=progress_period,
            evaluation_period=baseline_period,
            ministerial_date=dt.date(2014, 9, 30),
        )
        with pytest.raises(ValidationError, match="must come after the baseline"):
            round_.full_clean()

    def test_the_seeded_round_is_2012_2014(self):
        round_ = EvaluationRound.objects.get()
        assert (round_.baseline_period.label, round_.evaluation_period.label) == (
            "2013 baseline",
            "2014 progress",
        )


class TestIndicatorValueValidation:
    def test_a_percentage_of_140_is_refused_with_the_range(self, indicator, nl, progress_period):
        value = value_for(indicator("RA-3"), nl, progress_period, number_value=Decimal(140))
        with pytest.raises(ValidationError) as error:
            value.full_clean()
        assert error.value.message_dict["number_value"] == [
            "140 is outside the allowed range for RA-3: 0 to 100."
        ]

    def test_a_percentage_within_bounds_is_accepted(self, indicator, nl, progress_period):
        value_for(indicator("RA-3"), nl, progress_period, number_value=Decimal("87.5")).full_clean()

    def test_a_negative_change_is_allowed_where_the_bounds_say_so(self, indicator, nl, progress_period):
        value_for(indicator("VI-3"), nl, progress_period, number_value=Decimal(-12)).full_clean()

    @pytest.mark.parametrize("level", [Decimal(5), Decimal(-1), Decimal("2.5")])
    def test_maturity_is_a_whole_level_from_0_to_4(self, indicator, nl, progress_period, level):
        value = value_for(indicator("VI-6"), nl, progress_period, number_value=level)
        with pytest.raises(ValidationError) as error:
            value.full_clean()
        assert "maturity level is a whole number from 0 to 4" in messages_of(error.value)

    def test_a_number_for_a_yes_no_indicator_is_refused(self, indicator, nl, progress_period):
        value = value_for(indicator("VI-1"), nl, progress_period, number_value=Decimal(1))
        with pytest.raises(ValidationError, match="VI-1 takes yes or no"):
            value.full_clean()

    def test_yes_no_for_a_number_indicator_is_refused(self, indicator, nl, progress_period):
        value = value_for(indicator("VI-2"), nl, progress_period, boolean_value=True)
        with pytest.raises(ValidationError, match="VI-2 takes a number"):
            value.full_clean()

    def test_a_count_cannot_be_negative(self, indicator, nl, progress_period):
        value = value_for(indicator("SU-2"), nl, progress_period, number_value=Decimal(-3))
        with pytest.raises(ValidationError, match="outside the allowed range"):
            value.full_clean()

    def test_a_duplicate_country_indicator_period_is_refused(self, indicator, nl, progress_period):
        value_for(indicator("VI-2"), nl, progress_period, number_value=Decimal(10)).save()
        duplicate = value_for(indicator("VI-2"), nl, progress_period, number_value=Decimal(11))
        with pytest.raises(ValidationError, match="already has a value for this indicator and period"):
            duplicate.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()

    def test_a_value_cannot_be_both_number_and_yes_no_in_the_database(self, indicator, nl, progress_period):
        with pytest.raises(IntegrityError), transaction.atomic():
            value_for(
                indicator("VI-2"), nl, progress_period, number_value=Decimal(1), boolean_value=True
            ).save()

    def test_returning_needs_a_reason_in_the_database(self, indicator, nl, progress_period):
        with pytest.raises(IntegrityError), transaction.atomic():
            value_for(
                indicator("VI-2"), nl, progress_period, number_value=Decimal(1), status="returned"
            ).save()

    def test_approval_records_its_time(self, indicator, nl, progress_period):
        with pytest.raises(IntegrityError), transaction.atomic():
            value_for(
                indicator("VI-2"), nl, progress_period, number_value=Decimal(1), status="approved"
            ).save()

    def test_evidence_links_must_be_web_addresses(self, indicator, nl, progress_period):
        value = value_for(
            indicator("VI-2"),
            nl,
            progress_period,
            number_value=Decimal(1),
            evidence_links="https://example.org/report.pdf\nfile:///etc/passwd",
        )
        with pytest.raises(ValidationError, match="Line 2 is not a web address"):
            value.full_clean()

    def test_the_typed_value_follows_the_indicator(self, indicator, nl, progress_period):
        assert value_for(indicator("VI-1"), nl, progress_period, boolean_value=False).value is False
        assert value_for(indicator("VI-2"), nl, progress_period, number_value=Decimal(7)).value == 7


class TestCommitmentsAndRecommendations:
    def test_a_target_date_cannot_precede_the_commitment(self):
        commitment = CommitmentFactory.build(
            committed_on=dt.date(2014, 1, 1), target_date=dt.date(2013, 1, 1)
        )
        with pytest.raises(ValidationError, match="target date cannot be before"):
            commitment.full_clean()

    def test_commitment_titles_are_unique_per_country_and_goal(self):
        first = CommitmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            CommitmentFactory(title=first.title)

    def test_recommendation_numbers_are_unique_per_report(self):
        RecommendationFactory(number="7")
        with pytest.raises(IntegrityError), transaction.atomic():
            RecommendationFactory(number="7")

    def test_a_recommendation_names_its_addressees(self):
        recommendation = RecommendationFactory.build(addressees=" \n ")
        with pytest.raises(ValidationError, match="at least one organisation"):
            recommendation.full_clean()

    def test_alliance_wide_recommendations_have_no_country(self):
        RecommendationFactory.build(country=None).full_clean()

    def test_a_response_needs_its_date_unless_there_was_none(self):
        recommendation = RecommendationFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            GovernmentResponse.objects.create(recommendation=recommendation, response="adopted")
        GovernmentResponse.objects.create(recommendation=recommendation, response="no_response")


class TestHistory:
    def test_every_data_model_keeps_a_history(self):
        from django.apps import apps

        without = [
            model.__name__
            for model in apps.get_app_config("commitments").get_models()
            if not model.__name__.startswith("Historical") and not hasattr(model, "history")
        ]
        assert without == []

    def test_a_change_records_who_when_and_what(self, staff_nl):
        commitment = CommitmentFactory()
        commitment.title = "Triple the victim-identification team"
        commitment._history_user = staff_nl
        commitment.save()
        latest, first = commitment.history.all()[:2]
        delta = latest.diff_against(first)
        assert latest.history_user == staff_nl
        assert latest.history_date is not None
        assert [(c.field, c.new) for c in delta.changes] == [
            ("title", "Triple the victim-identification team")
        ]

    def test_deleted_rows_stay_in_the_history(self):
        commitment = CommitmentFactory()
        pk = commitment.pk
        commitment.delete()
        assert Commitment.history.filter(id=pk, history_type="-").exists()


def test_models_and_migrations_agree():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_model_is_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    missing = [
        model.__name__
        for model in apps.get_app_config("commitments").get_models()
        if not model.__name__.startswith("Historical") and model not in admin.site._registry
    ]
    assert missing == []


def test_recommendation_model_lists_addressees():
    assert RecommendationFactory.build(addressees="Police\n\n Prosecution ").addressee_list == [
        "Police",
        "Prosecution",
    ]
