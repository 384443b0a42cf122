"""The workspace's withholding pages (opendata/workspace_views.py): the list with its filters, asking to
withhold an item, and a reviewer's decision; four eyes, bad input, and the public site after approval."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from commitments.models import IndicatorValue
from opendata import services
from opendata.models import Withholding
from tests.opendata.world import RELEASE

pytestmark = pytest.mark.django_db
AFTER = RELEASE + dt.timedelta(days=1)
LIST = "/withholdings/"


def nl_value(world) -> IndicatorValue:
    return IndicatorValue.objects.get(country__code="NL", period=world.released.evaluation_period)


def propose_url(code: str = "NL") -> str:
    return reverse("withholding_propose", args=[code])


def signed_in(client, user):
    client.force_login(user)
    return client


# --- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_every_state_and_filters_by_country_and_state(client, world, reviewer):
    signed_in(client, reviewer)
    page = client.get(LIST)
    assert page.status_code == 200
    # The world has approved withholdings of Belgium (tests/opendata/world.py).
    withheld = Withholding.objects.filter(state="approved")
    assert withheld.exists()
    assert all(reverse("withholding_decide", args=[w.pk]) in page.text for w in withheld)
    assert client.get(LIST, {"country": "NL"}).context["rows"] == []
    rows = client.get(LIST, {"country": "BE", "state": "approved"}).context["rows"]
    assert {row.pk for row in rows} == set(withheld.filter(country__code="BE").values_list("pk", flat=True))
    assert client.get(LIST, {"state": "rejected"}).context["rows"] == []


def test_bad_filters_are_named_and_not_a_server_error(client, world, reviewer):
    signed_in(client, reviewer)
    page = client.get(LIST, {"country": "ZZ\x00", "state": "gone"})
    assert page.status_code == 400
    assert "A filter was not understood" in page.text
    assert len(page.context["rows"]) == Withholding.objects.count()


def test_staff_see_their_countries_only_and_ministers_none(client, world, staff_nl, minister):
    signed_in(client, staff_nl)
    page = client.get(LIST, {"country": "BE"})
    assert page.status_code == 400  # Belgium is not one of staff_nl's countries: not a choice
    assert page.context["rows"] == []  # and none of its withholdings is shown
    signed_in(client, minister)
    assert client.get(LIST).status_code == 403


def test_the_list_reads_a_fixed_number_of_queries(
    client, world, reviewer, staff_nl, django_assert_num_queries
):
    signed_in(client, reviewer)
    client.get(LIST)  # warm: the session's first read
    # More rows of a kind already on the page: no more queries.
    services.withholding_propose(kind="value", item_id=nl_value(world).pk, reason="More", user=staff_nl)
    # session, user, the user's roles (groups), countries, withholdings (with country, proposer and
    # decider), then one label query per kind on the page: value, commitment, finding, response, reply
    with django_assert_num_queries(10):
        page = client.get(LIST)
    assert page.status_code == 200
    assert len(page.context["rows"]) == Withholding.objects.count() == 6
    assert all(row.item_label != "(no longer exists)" for row in page.context["rows"])


# --- asking to withhold --------------------------------------------------------------------------------


def test_staff_ask_to_withhold_and_the_item_stays_public_until_approved(client, world, staff_nl):
    value = nl_value(world)
    with time_machine.travel(AFTER, tick=False):
        signed_in(client, staff_nl)
        form = client.get(propose_url(), {"item": f"value:{value.pk}"})
        assert form.status_code == 200
        assert f'value="value:{value.pk}" selected' in form.text
        answer = client.post(propose_url(), {"item": f"value:{value.pk}", "reason": "A court case"})
    assert answer.status_code == 302
    withholding = Withholding.objects.get(kind="value", item_id=value.pk)
    assert (withholding.state, withholding.proposed_by, withholding.reason) == (
        "proposed",
        staff_nl,
        "A court case",
    )


def test_a_missing_reason_keeps_the_choice_and_says_so(client, world, staff_nl):
    value = nl_value(world)
    with time_machine.travel(AFTER, tick=False):
        signed_in(client, staff_nl)
        page = client.post(propose_url(), {"item": f"value:{value.pk}", "reason": "   "})
    assert page.status_code == 400
    assert "This field is required" in page.text
    assert f'value="value:{value.pk}" selected' in page.text
    assert not Withholding.objects.filter(kind="value", item_id=value.pk).exists()


@pytest.mark.parametrize(
    "item", ["", "value", "value:abc", "value:999999999", "nothing:1", "value:-1", "value:1:2", "\x00"]
)
def test_unknown_items_get_a_clear_error_and_the_reason_is_kept(client, world, staff_nl, item):
    before = Withholding.objects.count()
    with time_machine.travel(AFTER, tick=False):
        signed_in(client, staff_nl)
        page = client.post(propose_url(), {"item": item, "reason": "Typed with care"})
    assert page.status_code == 400
    assert "Typed with care" in page.text
    assert Withholding.objects.count() == before


def test_another_countrys_item_is_refused_even_for_a_reviewer(client, world, reviewer):
    be_value = IndicatorValue.objects.filter(country__code="BE", status="approved").first()
    with time_machine.travel(AFTER, tick=False):
        signed_in(client, reviewer)
        page = client.post(propose_url("NL"), {"item": f"value:{be_value.pk}", "reason": "Wrong country"})
    assert page.status_code == 400
    assert "not one of the items of Netherlands" in page.text
    assert not Withholding.objects.filter(kind="value", item_id=be_value.pk, state="proposed").exists()


def test_a_double_submit_makes_one_withholding(client, world, staff_nl):
    value = nl_value(world)
    fields = {"item": f"value:{value.pk}", "reason": "Twice"}
    with time_machine.travel(AFTER, tick=False):
        signed_in(client, staff_nl)
        assert client.post(propose_url(), fields).status_code == 302
        again = client.post(propose_url(), fields)
    assert again.status_code == 400
    assert "already withheld or proposed" in again.text
    assert Withholding.objects.filter(kind="value", item_id=value.pk).count() == 1


def test_those_who_do_not_speak_for_the_country_are_refused(client, world, staff_be, minister):
    for user in (staff_be, minister):
        signed_in(client, user)
        assert client.get(propose_url("NL")).status_code == 403
        assert client.post(propose_url("NL"), {"item": "value:1", "reason": "x"}).status_code == 403
    assert client.get(propose_url("QQ")).status_code == 404
    assert client.get(propose_url("N\x00")).status_code == 404


def test_a_focal_point_may_ask_for_their_own_country(client, world, focal_nl):
    value = nl_value(world)
    with time_machine.travel(AFTER, tick=False):
        signed_in(client, focal_nl)
        assert client.get(propose_url()).status_code == 200
        answer = client.post(propose_url(), {"item": f"value:{value.pk}", "reason": "Ministry asks"})
        assert answer.status_code == 302
        assert client.get(propose_url("BE")).status_code == 403


# --- deciding -------------------------------------------------------------------------------------------


@pytest.fixture
def proposal(world, staff_nl):
    return services.withholding_propose(
        kind="value", item_id=nl_value(world).pk, reason="Court", user=staff_nl
    )


def decide_url(withholding) -> str:
    return reverse("withholding_decide", args=[withholding.pk])


def test_approval_takes_the_item_off_the_public_site_and_its_cached_pages(client, world, proposal, reviewer):
    public = reverse("public:country", args=["en", "NL"])
    figure = "35,792"  # the NL evaluation value (tests/opendata/world.py), as printed in English
    with time_machine.travel(AFTER, tick=False):
        first = client.get(public)
        assert figure in first.text
        assert client.get(public)["ETag"] == first["ETag"]  # served from the cache
        signed_in(client, reviewer)
        answer = client.post(decide_url(proposal), {"decision": "approve", "reason": ""})
        assert answer.status_code == 302
        client.logout()
        after = client.get(public)
    assert after["ETag"] != first["ETag"]
    assert figure not in after.text
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == ("approved", reviewer)


def test_the_proposer_is_refused_with_the_four_eyes_reason(client, world, reviewer):
    mine = services.withholding_propose(
        kind="value", item_id=nl_value(world).pk, reason="Mine", user=reviewer
    )
    signed_in(client, reviewer)
    page = client.get(decide_url(mine))
    assert "another reviewer must decide on it (four eyes)" in page.text
    assert "<form" not in page.text.split("<main", 1)[-1].split("</main>")[0]
    refused = client.post(decide_url(mine), {"decision": "approve"})
    assert refused.status_code == 403
    assert "four eyes" in refused.text
    assert Withholding.objects.get(pk=mine.pk).state == "proposed"


def test_a_rejection_needs_a_reason_and_keeps_the_choice(client, world, proposal, reviewer):
    signed_in(client, reviewer)
    page = client.post(decide_url(proposal), {"decision": "reject", "reason": " "})
    assert page.status_code == 400
    assert "Give a reason for rejecting it." in page.text
    assert 'value="reject" required id="id_decision_1" checked' in page.text
    assert (
        client.post(decide_url(proposal), {"decision": "reject", "reason": "Public interest"}).status_code
        == 302
    )
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decision_reason) == ("rejected", "Public interest")


def test_a_decision_on_a_decided_withholding_is_refused_and_the_reason_kept(
    client, world, proposal, reviewer, second_reviewer
):
    services.withholding_decide(withholding=proposal, approve=True, user=second_reviewer)
    signed_in(client, reviewer)
    page = client.post(decide_url(proposal), {"decision": "reject", "reason": "Too late, typed anyway"})
    assert page.status_code == 409
    assert "already approved" in page.text
    assert "Too late, typed anyway" in page.text
    assert Withholding.objects.get(pk=proposal.pk).decided_by == second_reviewer


def test_bad_decisions_and_unknown_ids_are_no_server_error(
    client, world, proposal, reviewer, staff_nl, staff_be
):
    signed_in(client, reviewer)
    assert client.post(decide_url(proposal), {"decision": "maybe"}).status_code == 400
    assert client.post(decide_url(proposal), {}).status_code == 400
    assert client.get(reverse("withholding_decide", args=[999999999])).status_code == 404
    signed_in(client, staff_nl)  # speaks for NL but does not review
    assert client.post(decide_url(proposal), {"decision": "approve"}).status_code == 403
    signed_in(client, staff_be)  # another country: as if it did not exist
    assert client.get(decide_url(proposal)).status_code == 404
    assert Withholding.objects.get(pk=proposal.pk).state == "proposed"


def test_the_country_page_links_to_the_withholdings_for_those_who_speak_for_it(
    client, world, staff_nl, minister
):
    signed_in(client, staff_nl)
    assert propose_url("NL") in client.get(reverse("country_detail", args=["NL"])).text
    signed_in(client, minister)
    assert propose_url("NL") not in client.get(reverse("country_detail", args=["NL"])).text


def test_the_country_page_offers_to_withhold_each_public_item_beside_it(client, world, staff_nl, minister):
    from commitments.models import Commitment, CommitmentProgress, GovernmentResponse

    value = nl_value(world)
    commitment = Commitment.objects.get(title="PUBLIC-commitment: expand the team")
    progress = CommitmentProgress.objects.get(commitment=commitment, period=world.released.evaluation_period)
    # The page shows each commitment's latest progress: make the released one the latest.
    CommitmentProgress.objects.filter(commitment=commitment).exclude(pk=progress.pk).delete()
    response = GovernmentResponse.objects.get(summary="PUBLIC-response")
    draft = Commitment.objects.get(title="SECRET-commitment draft")
    links = {
        key: f"{propose_url('NL')}?item={key}"
        for key in (f"value:{value.pk}", f"commitment:{commitment.pk}", f"progress:{progress.pk}")
        + (f"response:{response.pk}",)
    }
    page = reverse("country_detail", args=["NL"])
    with time_machine.travel(RELEASE - dt.timedelta(seconds=1), tick=False):
        # Not public yet: nothing to withhold from the public site.
        text = signed_in(client, staff_nl).get(page).text
        assert not any(link in text for link in links.values())
    with time_machine.travel(AFTER, tick=False):
        text = signed_in(client, staff_nl).get(page).text
        for key, link in links.items():
            assert link.replace("&", "&amp;") in text, key
        assert f"?item=commitment:{draft.pk}" not in text  # a draft is not on the public site
        # The link leads to the form with the item chosen, and the proposal goes through.
        form = client.get(links[f"value:{value.pk}"])
        assert form.status_code == 200 and form.context["form"]["item"].value() == f"value:{value.pk}"
        assert (
            client.post(
                links[f"value:{value.pk}"], {"item": f"value:{value.pk}", "reason": "Court"}
            ).status_code
            == 302
        )
        text = client.get(page).text
        assert links[f"value:{value.pk}"] not in text  # proposed: no second proposal offered
        assert links[f"commitment:{commitment.pk}"] in text
        # Those who do not speak for the country see no such link.
        text = signed_in(client, minister).get(page).text
        assert "?item=" not in text


def test_a_rejected_withholding_reads_afgewezen_in_dutch_and_a_rejected_recommendation_keeps_its_word(
    client, world, reviewer, staff_nl
):
    from django.utils import translation

    from commitments.models import GovernmentResponse

    with translation.override("nl"):
        assert str(Withholding.State.REJECTED.label) == "Afgewezen"
        assert str(GovernmentResponse.Response("rejected").label) == "Niet overgenomen"
    proposal = services.withholding_propose(
        kind="value", item_id=nl_value(world).pk, reason="Court", user=staff_nl
    )
    services.withholding_decide(withholding=proposal, approve=False, reason="Public interest", user=reviewer)
    signed_in(client, reviewer)
    client.post(reverse("set_language"), {"language": "nl", "next": LIST})
    page = client.get(LIST, {"state": "rejected"})
    assert "Afgewezen" in page.text and "Niet overgenomen" not in page.text
