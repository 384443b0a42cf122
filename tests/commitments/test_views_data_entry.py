"""The data-entry page: every indicator of a country and period on one page, saved through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commitments.models import Goal, Indicator, IndicatorValue, Status
from commitments.services import (
    commitment_progress_save,
    follow_up_save,
    period_set_open,
    reviewable_transition,
)
from tests.commitments.views_support import entry_post, give_value, signed_in
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def entry_url(country, period) -> str:
    return reverse("data_entry", args=[country.code, period.pk])


class TestThePage:
    def test_shows_every_active_indicator_grouped_by_goal(self, staff_nl, nl, progress_period):
        response = signed_in(staff_nl).get(entry_url(nl, progress_period))
        assert response.status_code == 200
        goals = response.context["entry"].goals
        assert [section.goal.code for section in goals] == list(Goal.objects.values_list("code", flat=True))
        assert len(response.context["forms"]) == Indicator.objects.filter(is_active=True).count()
        page = response.content.decode()
        assert 'id="goal-VICTIM_ID"' in page and 'id="indicator-RA-2"' in page

    def test_each_input_fits_its_type(self, staff_nl, nl, progress_period):
        page = signed_in(staff_nl).get(entry_url(nl, progress_period)).content.decode()
        assert 'name="VI-2-value" inputmode="decimal"' in page  # number
        assert "(victims/year)" in page  # with its unit
        assert 'type="radio" name="VI-1-value" value="yes"' in page  # yes/no
        assert "2 – developing: partly in place" in page  # maturity, with each level's meaning
        assert '<textarea name="VI-1-note"' in page and '<textarea name="VI-1-evidence_links"' in page

    def test_shows_the_previous_periods_value_beside_the_field(
        self, staff_nl, nl, indicator, baseline_period, progress_period
    ):
        give_value(
            country=nl, indicator=indicator("VI-2"), period=baseline_period, user=staff_nl, number="235"
        )
        response = signed_in(staff_nl).get(entry_url(nl, progress_period))
        row = next(row for row in response.context["entry"].rows if row.indicator.code == "VI-2")
        assert row.previous.number_value == Decimal(235)
        assert "<dt>2013 baseline</dt>" in response.content.decode()

    def test_staff_of_another_country_get_403(self, staff_be, nl, progress_period):
        response = signed_in(staff_be).get(entry_url(nl, progress_period))
        assert response.status_code == 403
        assert "You may not open this page" in response.content.decode()

    def test_ministers_get_403(self, minister, nl, progress_period):
        assert signed_in(minister).get(entry_url(nl, progress_period)).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, nl, progress_period):
        response = client.get(entry_url(nl, progress_period))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestSaving:
    def test_saves_the_values_typed_as_drafts(self, staff_nl, nl, progress_period):
        client = signed_in(staff_nl)
        page = client.get(entry_url(nl, progress_period))
        data = entry_post(
            page,
            **{"RA-2-value": "2.5", "RA-2-note": "INHOPE statistics", "VI-1-value": "yes", "PR-1-value": "3"},
        )
        response = client.post(entry_url(nl, progress_period), data)
        assert response.status_code == 302
        values = {
            v.indicator.code: v for v in IndicatorValue.objects.filter(country=nl).select_related("indicator")
        }
        assert set(values) == {"RA-2", "VI-1", "PR-1"}  # untouched indicators get no empty rows
        assert values["RA-2"].number_value == Decimal("2.5") and values["RA-2"].note == "INHOPE statistics"
        assert values["VI-1"].boolean_value is True
        assert values["PR-1"].number_value == 3
        assert all(value.status == Status.DRAFT and value.updated_by == staff_nl for value in values.values())

    def test_an_invalid_value_is_shown_at_its_field_and_what_was_typed_is_kept(
        self, staff_nl, nl, progress_period
    ):
        client = signed_in(staff_nl)
        page = client.get(entry_url(nl, progress_period))
        data = entry_post(page, **{"RA-3-value": "140", "RA-2-value": "abc", "VI-5-value": "12"})
        response = client.post(entry_url(nl, progress_period), data)
        assert response.status_code == 400  # as every form: refused input is a 400
        forms = {form.indicator.code: form for form in response.context["forms"].values()}
        assert "outside the allowed range" in forms["RA-3"].errors["value"][0]  # the model's own rule
        assert forms["RA-2"].errors["value"] == ["Enter a number."]
        html = response.content.decode()
        assert 'value="140"' in html and 'value="abc"' in html  # kept as typed
        assert 'aria-invalid="true"' in html and 'id="id_RA-3-value_error"' in html
        # The valid row was saved; the invalid ones were not.
        assert list(IndicatorValue.objects.filter(country=nl).values_list("indicator__code", flat=True)) == [
            "VI-5"
        ]

    def test_a_bad_evidence_link_is_refused_at_its_field(self, staff_nl, nl, progress_period):
        client = signed_in(staff_nl)
        data = entry_post(
            client.get(entry_url(nl, progress_period)),
            **{"VI-2-value": "5", "VI-2-evidence_links": "not a link"},
        )
        response = client.post(entry_url(nl, progress_period), data)
        form = next(form for form in response.context["forms"].values() if form.indicator.code == "VI-2")
        assert "is not a web address" in form.errors["evidence_links"][0]
        assert not IndicatorValue.objects.exists()

    def test_a_returned_value_shows_the_reviewers_reason_at_the_field(
        self, staff_nl, reviewer, nl, indicator, progress_period
    ):
        value = give_value(
            country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="9"
        )
        value = reviewable_transition(
            item=value, expected_version=value.version, action="submit", user=staff_nl
        )
        reviewable_transition(
            item=value,
            expected_version=value.version,
            action="return",
            user=reviewer,
            reason="9 days looks like the 2012 figure.",
        )
        html = signed_in(staff_nl).get(entry_url(nl, progress_period)).content.decode()
        row_start = html.index('id="indicator-RA-2"')
        assert "9 days looks like the 2012 figure." in html[row_start : row_start + 2000]
        assert "entry-row--returned" in html

    def test_submitted_values_are_locked_and_not_posted(self, staff_nl, nl, indicator, progress_period):
        value = give_value(
            country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="9"
        )
        reviewable_transition(item=value, expected_version=value.version, action="submit", user=staff_nl)
        client = signed_in(staff_nl)
        response = client.get(entry_url(nl, progress_period))
        assert 'name="RA-2-value"' not in response.content.decode()
        client.post(entry_url(nl, progress_period), {**entry_post(response), "RA-2-value": "1"})
        value.refresh_from_db()
        assert value.number_value == 9 and value.status == Status.SUBMITTED

    def test_a_closed_period_is_read_only(self, staff_nl, reviewer, nl, indicator, progress_period):
        give_value(country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="9")
        period_set_open(
            period=progress_period, is_open=False, user=reviewer, reason="All countries reported."
        )
        client = signed_in(staff_nl)
        response = client.get(entry_url(nl, progress_period))
        html = response.content.decode()
        assert "This period is closed" in html
        assert 'name="RA-2-value"' not in html and "Save values" not in html
        response = client.post(
            entry_url(nl, progress_period), {"RA-2-value": "1", "RA-2-expected_version": "1"}
        )
        assert response.status_code == 302
        assert IndicatorValue.objects.get().number_value == 9


class TestConcurrentEdits:
    def test_the_later_save_is_refused_showing_what_changed_and_keeping_what_was_typed(
        self, staff_nl, nl, indicator, progress_period
    ):
        colleague = staff_nl.__class__.objects.create(username="carla-nl", first_name="Carla")
        colleague.groups.set(staff_nl.groups.all())
        colleague.country_assignments.create(country=nl)
        give_value(country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="9")
        anna, carla = signed_in(staff_nl), signed_in(colleague)
        annas_page = anna.get(entry_url(nl, progress_period))
        carlas_page = carla.get(entry_url(nl, progress_period))

        assert (
            carla.post(
                entry_url(nl, progress_period), entry_post(carlas_page, **{"RA-2-value": "7"})
            ).status_code
            == 302
        )
        response = anna.post(entry_url(nl, progress_period), entry_post(annas_page, **{"RA-2-value": "4"}))

        assert response.status_code == 409  # a conflict, as on every other form and in the API
        html = response.content.decode()
        assert "carla-nl saved this item while you were editing it. Your change was not saved." in html
        assert '<th scope="row">Value</th><td>9</td><td>7</td>' in html  # what changed: 9 -> 7
        assert 'name="RA-2-value" value="4"' in html  # what Anna typed is kept
        assert IndicatorValue.objects.get().number_value == 7  # nothing overwritten silently
        # Having seen the change, Anna may save hers deliberately.
        again = anna.post(entry_url(nl, progress_period), entry_post(response))
        assert again.status_code == 302
        assert IndicatorValue.objects.get().number_value == 4

    def test_rows_the_user_did_not_touch_are_no_conflict(self, staff_nl, nl, indicator, progress_period):
        give_value(country=nl, indicator=indicator("RA-2"), period=progress_period, user=staff_nl, number="9")
        client = signed_in(staff_nl)
        stale_page = client.get(entry_url(nl, progress_period))
        give_value(
            country=nl,
            indicator=indicator("RA-2"),
            period=progress_period,
            user=staff_nl,
            number="7",
            expected_version=1,
        )
        response = client.post(entry_url(nl, progress_period), entry_post(stale_page, **{"VI-2-value": "30"}))
        assert response.status_code == 302
        assert IndicatorValue.objects.get(indicator__code="RA-2").number_value == 7
        assert IndicatorValue.objects.get(indicator__code="VI-2").number_value == 30

    def test_a_row_someone_else_created_meanwhile_is_a_conflict(
        self, staff_nl, reviewer, nl, indicator, progress_period
    ):
        client = signed_in(staff_nl)
        empty_page = client.get(entry_url(nl, progress_period))
        give_value(country=nl, indicator=indicator("RA-2"), period=progress_period, user=reviewer, number="7")
        response = client.post(entry_url(nl, progress_period), entry_post(empty_page, **{"RA-2-value": "4"}))
        assert response.status_code == 409
        assert "saved this item while you were editing it" in response.content.decode()
        assert IndicatorValue.objects.get().number_value == 7


class TestQueryCounts:
    """The page costs the same number of queries whatever the number of indicators, values and commitments."""

    # 1 session, 2 user, 3 country, 4 user's groups (roles), 5 user's country assignments, 6 period,
    # 7 periods in order (the previous period, links to the others), 8 values of this and the previous
    # period, 9 active indicators with their goals, 10 commitments, 11 their progress in this period,
    # 12 recommendations, 13 their follow-ups in this period; the government's track beside each item
    # (focal.selectors.divergences): 14 rapporteur's values, 15 rapporteur's progress, 16 submitted
    # government values, 17 submitted government progress.
    QUERIES = 17

    def add_work(self, *, nl, user, periods, number: int) -> None:
        goal = Goal.objects.get(code="PREVENTION")
        commitment = CommitmentFactory(goal=goal)
        recommendation = RecommendationFactory(goal=goal)
        for period in periods:
            commitment_progress_save(commitment=commitment, period=period, user=user, completion="limited")
            follow_up_save(recommendation=recommendation, period=period, user=user, follow_up="in_progress")
        for extra in range(number):
            indicator = Indicator.objects.create(
                code=f"XX-{number}-{extra}",
                goal=goal,
                name_en=f"Extra {extra}",
                value_type="number",
                order=90,
            )
            for period in periods:
                give_value(country=nl, indicator=indicator, period=period, user=user, number=str(extra))

    def test_the_data_entry_page(
        self, staff_nl, nl, baseline_period, progress_period, django_assert_num_queries
    ):
        periods = [baseline_period, progress_period]
        self.add_work(nl=nl, user=staff_nl, periods=periods, number=1)
        client = signed_in(staff_nl)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(entry_url(nl, progress_period)).status_code == 200

        self.add_work(nl=nl, user=staff_nl, periods=periods, number=12)
        with django_assert_num_queries(self.QUERIES):
            assert client.get(entry_url(nl, progress_period)).status_code == 200
