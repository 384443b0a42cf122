"""The data-entry grid: one row per indicator, a plain form without JavaScript, submitting chosen values,
the secretariat's grid across countries, and the "Enter data" entry point."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import Country, Indicator, IndicatorValue, Status
from commitments.services import reviewable_transition
from tests.commitments.views_support import give_value, signed_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def grid_url(country, period) -> str:
    return reverse("data_grid", args=[country.code, period.pk])


def grid_post(response, **changes: str) -> dict[str, str]:
    """The grid form as a browser without JavaScript posts it: every editable row's value, note, version."""
    data: dict[str, str] = {}
    for row in response.context["grid"].rows:
        if row.is_editable:
            for name in ("value", "note", "expected_version"):
                value = row.form[name].value()
                data[row.form[name].html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


class TestTheGrid:
    def test_one_row_per_active_indicator_with_the_previous_value(
        self, staff_nl, nl, indicator, baseline_period, progress_period
    ):
        give_value(
            country=nl, indicator=indicator("VI-2"), period=baseline_period, user=staff_nl, number="235"
        )
        response = signed_in(staff_nl).get(grid_url(nl, progress_period))
        assert response.status_code == 200
        rows = response.context["grid"].rows
        assert len(rows) == Indicator.objects.filter(is_active=True).count()
        row = next(row for row in rows if row.indicator.code == "VI-2")
        assert row.previous.number_value == Decimal(235)
        page = response.content.decode()
        assert 'name="NL-VI-2-value"' in page and 'name="NL-VI-1-value"' in page
        assert '<select name="NL-VI-1-value"' in page  # yes/no as a compact select
        assert 'src="/static/js/grid.js"' in page and "<script>" not in page  # CSP: no inline script

    def test_queries_stay_the_same_however_many_values(
        self, staff_nl, nl, indicator, baseline_period, progress_period, django_assert_num_queries
    ):
        client = signed_in(staff_nl)
        client.get(grid_url(nl, progress_period))
        # session, user, roles, assignments, country, period, periods, values, indicators (the goals'
        # links are only for those who edit several countries)
        with django_assert_num_queries(9):
            client.get(grid_url(nl, progress_period))
        for code in ("VI-2", "VI-5", "RA-2"):
            give_value(
                country=nl, indicator=indicator(code), period=progress_period, user=staff_nl, number="7"
            )
            give_value(
                country=nl, indicator=indicator(code), period=baseline_period, user=staff_nl, number="6"
            )
        with django_assert_num_queries(9):
            client.get(grid_url(nl, progress_period))

    def test_without_javascript_only_the_changed_rows_are_saved(
        self, staff_nl, nl, indicator, progress_period
    ):
        kept = give_value(
            country=nl,
            indicator=indicator("VI-5"),
            period=progress_period,
            user=staff_nl,
            number="4",
            note="Kept",
        )
        client = signed_in(staff_nl)
        page = client.get(grid_url(nl, progress_period))
        response = client.post(grid_url(nl, progress_period), grid_post(page, **{"NL-VI-2-value": "45"}))
        assert response.status_code == 302
        assert (
            IndicatorValue.objects.get(
                country=nl, indicator__code="VI-2", period=progress_period
            ).number_value
            == 45
        )
        kept.refresh_from_db()
        assert (kept.version, kept.note) == (1, "Kept")  # untouched rows are not saved again
        assert IndicatorValue.objects.filter(country=nl, period=progress_period).count() == 2

    def test_a_row_changed_meanwhile_is_a_conflict_and_the_others_are_saved(
        self, staff_nl, nl, indicator, progress_period
    ):
        value = give_value(
            country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="4"
        )
        client = signed_in(staff_nl)
        page = client.get(grid_url(nl, progress_period))
        other = make_user("olga-nl", "Staff", [nl])
        give_value(
            country=nl,
            indicator=indicator("VI-5"),
            period=progress_period,
            user=other,
            number="9",
            expected_version=value.version,
        )
        response = client.post(
            grid_url(nl, progress_period), grid_post(page, **{"NL-VI-5-value": "5", "NL-VI-2-value": "45"})
        )
        assert response.status_code == 409
        assert "Someone else saved this while you were editing" in response.content.decode()
        assert IndicatorValue.objects.get(pk=value.pk).number_value == 9  # theirs stays
        assert (
            IndicatorValue.objects.get(
                country=nl, indicator__code="VI-2", period=progress_period
            ).number_value
            == 45
        )

    def test_an_existing_row_without_its_version_is_refused(self, staff_nl, nl, indicator, progress_period):
        value = give_value(
            country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="4"
        )
        response = signed_in(staff_nl).post(
            grid_url(nl, progress_period), {"NL-VI-5-value": "5", "NL-VI-5-note": ""}
        )
        assert response.status_code == 400
        assert "say which version" in response.content.decode()
        assert IndicatorValue.objects.get(pk=value.pk).number_value == 4

    def test_staff_of_another_country_get_403(self, staff_be, nl, progress_period):
        assert signed_in(staff_be).get(grid_url(nl, progress_period)).status_code == 403


class TestSubmittingChosenValues:
    def test_a_confirmation_lists_the_chosen_values_then_submits_only_those(
        self, staff_nl, nl, indicator, progress_period
    ):
        chosen = give_value(
            country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="4"
        )
        left = give_value(
            country=nl, indicator=indicator("VI-5"), period=progress_period, user=staff_nl, number="5"
        )
        client = signed_in(staff_nl)
        url = reverse("grid_submit", args=[progress_period.pk])
        back = grid_url(nl, progress_period)
        item = f"value-{chosen.pk}:{chosen.version}"
        confirm = client.post(url, {"item": [item], "back": back})
        assert confirm.status_code == 200
        page = confirm.content.decode()
        assert "Submit 1 value for review?" in page and "VI-2" in page and "VI-5" not in page
        assert IndicatorValue.objects.get(pk=chosen.pk).status == Status.DRAFT  # nothing yet
        done = client.post(url, {"item": [item], "back": back, "confirm": "yes"})
        assert done.status_code == 302 and done.url == back
        assert IndicatorValue.objects.get(pk=chosen.pk).status == Status.SUBMITTED
        assert IndicatorValue.objects.get(pk=left.pk).status == Status.DRAFT

    def test_a_value_changed_since_the_page_was_loaded_is_not_submitted(
        self, staff_nl, nl, indicator, progress_period
    ):
        value = give_value(
            country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="4"
        )
        give_value(
            country=nl,
            indicator=indicator("VI-2"),
            period=progress_period,
            user=staff_nl,
            number="6",
            expected_version=value.version,
        )
        client = signed_in(staff_nl)
        client.post(
            reverse("grid_submit", args=[progress_period.pk]),
            {"item": [f"value-{value.pk}:{value.version}"], "confirm": "yes"},
        )
        assert IndicatorValue.objects.get(pk=value.pk).status == Status.DRAFT

    def test_another_countrys_value_cannot_be_chosen(
        self, staff_nl, staff_be, be, indicator, progress_period
    ):
        value = give_value(
            country=be, indicator=indicator("VI-2"), period=progress_period, user=staff_be, number="4"
        )
        signed_in(staff_nl).post(
            reverse("grid_submit", args=[progress_period.pk]),
            {"item": [f"value-{value.pk}:{value.version}"], "confirm": "yes"},
        )
        assert IndicatorValue.objects.get(pk=value.pk).status == Status.DRAFT


class TestTheGoalGrid:
    def test_the_secretariat_sees_every_country_it_edits_for_one_goal(
        self, nl, be, progress_period, django_assert_num_queries
    ):
        secretariat = make_user("sam-secretariat", "Staff", [nl, be])
        client = signed_in(secretariat)
        url = reverse("goal_grid", args=["VICTIM_ID", progress_period.pk])
        response = client.get(url)
        assert response.status_code == 200
        assert [section.title for section in response.context["grid"].sections] == ["Belgium", "Netherlands"]
        assert {row.indicator.goal.code for row in response.context["grid"].rows} == {"VICTIM_ID"}
        # session, user, roles, goal, period, assignments, countries, periods, values, indicators, goals (nav)
        with django_assert_num_queries(11):
            client.get(url)
        secretariat.country_assignments.create(country=Country.objects.get(code="DE"))
        with django_assert_num_queries(11):  # a third country: the same queries
            assert len(client.get(url).context["grid"].sections) == 3

    def test_staff_see_only_their_own_countries(self, staff_nl, progress_period):
        response = signed_in(staff_nl).get(reverse("goal_grid", args=["VICTIM_ID", progress_period.pk]))
        assert [section.title for section in response.context["grid"].sections] == ["Netherlands"]

    def test_ministers_get_403(self, minister, progress_period):
        response = signed_in(minister).get(reverse("goal_grid", args=["VICTIM_ID", progress_period.pk]))
        assert response.status_code == 403


class TestEnterData:
    def test_a_fully_approved_period_is_not_offered_first(
        self, staff_nl, nl, baseline_period, progress_period
    ):
        now = timezone.now()
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                country=nl,
                indicator=indicator,
                period=baseline_period,
                number_value=1
                if indicator.value_type != "boolean" and indicator.value_type != "text"
                else None,
                status=Status.APPROVED,
                approved_at=now,
            )
            for indicator in Indicator.objects.filter(is_active=True)
        )
        progress_period.starts_on, progress_period.ends_on = (
            baseline_period.starts_on.replace(year=2010),
            (baseline_period.starts_on.replace(year=2010)),
        )
        response = signed_in(staff_nl).get(reverse("enter_data", args=["NL"]))
        assert response.url == grid_url(nl, progress_period)

    def test_the_latest_open_period_with_work_left_is_chosen(self, staff_nl, nl, progress_period):
        response = signed_in(staff_nl).get(reverse("enter_data", args=["NL"]))
        assert response.url == grid_url(nl, progress_period)


def test_a_returned_value_shows_its_reason_in_the_grid(staff_nl, reviewer, nl, indicator, progress_period):
    value = give_value(
        country=nl, indicator=indicator("VI-2"), period=progress_period, user=staff_nl, number="4"
    )
    value = reviewable_transition(item=value, action="submit", user=staff_nl, expected_version=value.version)
    reviewable_transition(
        item=value, action="return", user=reviewer, reason="Which source?", expected_version=value.version
    )
    page = signed_in(staff_nl).get(grid_url(nl, progress_period)).content.decode()
    assert "Which source?" in page and "grid-row--returned" in page
