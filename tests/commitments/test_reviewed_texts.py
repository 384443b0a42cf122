"""Every published word is reviewed: commitments, recommendations and government responses go through
the values' workflow (draft -> submitted -> approved, returned, reopened, versions), and everyone outside
the workspace (ministers, partners, reports) reads the last approved revision while staff edit a draft."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from commitments import services
from commitments.models import Commitment, Goal, GovernmentResponse, Recommendation, Status
from reporting.selectors import report_data
from tests.commitments.api_fixtures import session_client, token_client
from tests.commitments.views_support import signed_in
from tests.factories import CommitmentFactory, RecommendationFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def send(client, method: str, path: str, body: dict):
    return client.generic(method, path, json.dumps(body), content_type="application/json")


def approve(item, *, staff, reviewer):
    """Submit (staff) and approve (reviewer): two people, as four eyes want."""
    item = services.reviewable_transition(
        item=item, action="submit", user=staff, expected_version=item.version
    )
    return services.reviewable_transition(
        item=item, action="approve", user=reviewer, expected_version=item.version
    )


@pytest.fixture
def partner():
    _, key = services.partner_token_create(name="Reviewed texts partner")
    return token_client(key)


# --- the three kinds, through the services ---------------------------------------------------------------

KINDS = {
    "commitment": dict(
        create=lambda user, nl: services.commitment_save(
            user=user,
            country=nl,
            goal=Goal.objects.get(code="PREVENTION"),
            title="Campaign in schools",
            committed_on=dt.date(2013, 4, 15),
        ),
        edit=lambda user, item, **kw: services.commitment_save(user=user, commitment=item, **kw),
        field="title",
    ),
    "recommendation": dict(
        create=lambda user, nl: services.recommendation_save(
            user=user,
            country=nl,
            number="9",
            source_document="Monitor 2014",
            goal=Goal.objects.get(code="VICTIM_ID"),
            text="Train more identification specialists.",
            addressees="National police",
            issued_on=dt.date(2014, 10, 1),
        ),
        edit=lambda user, item, **kw: services.recommendation_save(user=user, recommendation=item, **kw),
        field="text",
    ),
    "response": dict(
        create=lambda user, nl: services.government_response_save(
            user=user,
            recommendation=RecommendationFactory(country=nl),
            response="under_study",
            responded_on=dt.date(2014, 2, 1),
            summary="The minister will answer parliament.",
        ),
        edit=lambda user, item, **kw: services.government_response_save(
            user=user, recommendation=item.recommendation, **kw
        ),
        field="summary",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_text_is_a_draft_nobody_outside_sees_until_approved(kind, staff_nl, reviewer, nl):
    spec = KINDS[kind]
    item = spec["create"](staff_nl, nl)
    model = type(item)
    assert (item.status, item.version, item.is_published) == (Status.DRAFT, 1, False)
    assert not model.objects.published().filter(pk=item.pk).exists()
    item = approve(item, staff=staff_nl, reviewer=reviewer)
    assert item.status == Status.APPROVED and item.is_published and item.approved_by == reviewer
    assert model.objects.published().filter(pk=item.pk).exists()
    assert [h.history_change_reason for h in item.history.order_by("history_id")] == [
        "created",
        "submit",
        "approve",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_readers_keep_the_approved_text_while_a_newer_draft_waits(kind, staff_nl, reviewer, nl):
    spec, name = KINDS[kind], KINDS[kind]["field"]
    item = approve(spec["create"](staff_nl, nl), staff=staff_nl, reviewer=reviewer)
    approved_text = getattr(item, name)
    edited = spec["edit"](staff_nl, item, **{name: "A newer draft.", "expected_version": item.version})
    assert edited.status == Status.DRAFT and edited.version == item.version + 1
    assert getattr(type(item).objects.get(pk=item.pk), name) == approved_text  # the columns: readers
    assert edited.working_values()[name] == "A newer draft." and edited.has_pending_changes
    edited = services.reviewable_transition(
        item=edited, action="submit", user=staff_nl, expected_version=edited.version
    )
    with pytest.raises(ValidationError, match="locked"):
        spec["edit"](
            staff_nl, edited, **{name: "Changed while under review.", "expected_version": edited.version}
        )
    returned = services.reviewable_transition(
        item=edited, action="return", user=reviewer, reason="Cite it.", expected_version=edited.version
    )
    assert returned.status == Status.RETURNED and getattr(returned, name) == approved_text
    again = spec["edit"](
        staff_nl, returned, **{name: "A newer draft, cited.", "expected_version": returned.version}
    )
    published = approve(again, staff=staff_nl, reviewer=reviewer)
    assert getattr(published, name) == "A newer draft, cited." and published.draft == {}
    assert not published.has_pending_changes
    reopened = services.reviewable_transition(
        item=published, action="reopen", user=reviewer, reason="Typo.", expected_version=published.version
    )
    assert reopened.status == Status.RETURNED and getattr(reopened, name) == "A newer draft, cited."


@pytest.mark.parametrize("kind", KINDS)
def test_a_save_on_a_stale_version_is_refused_with_what_changed(kind, staff_nl, reviewer, nl):
    spec, name = KINDS[kind], KINDS[kind]["field"]
    item = approve(spec["create"](staff_nl, nl), staff=staff_nl, reviewer=reviewer)
    loaded = item.version
    spec["edit"](staff_nl, item, **{name: "First person's change.", "expected_version": loaded})
    with pytest.raises(services.EditConflict) as conflict:
        spec["edit"](reviewer, item, **{name: "Second person's change.", "expected_version": loaded})
    assert conflict.value.changes[name] == (getattr(item, name), "First person's change.")
    # A reviewer cannot approve a text that changed after they looked at it either.
    current = services.reviewable_transition(
        item=item, action="submit", user=staff_nl, expected_version=loaded + 1
    )
    with pytest.raises(services.EditConflict):
        services.reviewable_transition(item=current, action="approve", user=reviewer, expected_version=loaded)


def test_saving_the_approved_text_again_leaves_no_draft(staff_nl, reviewer, nl):
    item = approve(KINDS["commitment"]["create"](staff_nl, nl), staff=staff_nl, reviewer=reviewer)
    title = item.title
    edited = services.commitment_save(
        user=staff_nl, commitment=item, title="Other", expected_version=item.version
    )
    back = services.commitment_save(
        user=staff_nl, commitment=edited, title=title, expected_version=edited.version
    )
    assert back.draft == {} and not back.has_pending_changes
    unchanged = services.commitment_save(
        user=staff_nl, commitment=back, title=title, expected_version=back.version
    )
    assert unchanged.version == back.version


def test_a_draft_is_checked_against_other_approved_texts_and_never_moves_country(staff_nl, reviewer, nl, be):
    first = CommitmentFactory(title="Hotline")
    second = CommitmentFactory(title="Helpline")
    with pytest.raises(ValidationError, match="already has a commitment with this title"):
        services.commitment_save(
            user=staff_nl, commitment=second, title="Hotline", expected_version=second.version
        )
    with pytest.raises(ValidationError) as error:
        services.commitment_save(user=reviewer, commitment=first, country=be, expected_version=first.version)
    assert "country" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.commitment_save(user=staff_nl, commitment=first, title="", expected_version=first.version)
    assert "title" in error.value.message_dict
    assert Commitment.objects.get(pk=first.pk).draft == {}


def test_staff_of_another_country_may_not_edit_or_submit(staff_be, nl):
    item = CommitmentFactory()
    with pytest.raises(services.PermissionDenied):
        services.commitment_save(
            user=staff_be, commitment=item, title="Not mine", expected_version=item.version
        )
    with pytest.raises(services.PermissionDenied):
        services.reviewable_transition(
            item=item, action="reopen", user=staff_be, reason="x", expected_version=item.version
        )


# --- the API ---------------------------------------------------------------------------------------------


def test_partners_read_the_approved_text_and_staff_their_draft_through_the_api(
    staff_nl, reviewer, partner, nl
):
    commitment = CommitmentFactory(title="Approved title")
    staff = session_client(staff_nl)
    response = send(
        staff, "PATCH", f"{V1}/commitments/{commitment.pk}/", {"title": "Draft title", "version": 1}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["status"], body["version"]) == ("Draft title", "draft", 2)
    assert body["approved"]["title"] == "Approved title"

    seen = partner.get(f"{V1}/commitments/{commitment.pk}/").json()
    assert (seen["title"], seen["status"], seen["approved"]) == ("Approved title", "approved", None)
    listed = partner.get(f"{V1}/commitments/?country=NL").json()["results"]
    assert [row["title"] for row in listed if row["id"] == commitment.pk] == ["Approved title"]

    stale = send(staff, "PATCH", f"{V1}/commitments/{commitment.pk}/", {"title": "Late", "version": 1})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2

    unversioned = send(staff, "POST", f"{V1}/commitments/{commitment.pk}/review/", {"action": "submit"})
    assert unversioned.status_code == 400  # a step needs the version it was based on
    submitted = send(
        staff, "POST", f"{V1}/commitments/{commitment.pk}/review/", {"action": "submit", "version": 2}
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    refused = send(
        staff, "POST", f"{V1}/commitments/{commitment.pk}/review/", {"action": "approve", "version": 3}
    )
    assert refused.status_code == 403
    approved = send(
        session_client(reviewer),
        "POST",
        f"{V1}/commitments/{commitment.pk}/review/",
        {"action": "approve", "version": 3},
    )
    assert approved.status_code == 200, approved.content
    assert partner.get(f"{V1}/commitments/{commitment.pk}/").json()["title"] == "Draft title"


def test_a_never_approved_text_is_invisible_to_partners_and_ministers_but_not_to_its_staff(
    staff_nl, minister, partner, nl
):
    created = send(
        session_client(staff_nl),
        "POST",
        f"{V1}/recommendations/",
        {
            "country": "NL",
            "number": "77",
            "source_document": "Monitor 2015",
            "goal": "VICTIM_ID",
            "text": "Not reviewed yet.",
            "addressees": ["National police"],
            "issued_on": "2015-10-01",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    for reader in (partner, session_client(minister)):
        assert reader.get(f"{V1}/recommendations/{pk}/").status_code == 404
        assert pk not in [row["id"] for row in reader.get(f"{V1}/recommendations/").json()["results"]]
    assert session_client(staff_nl).get(f"{V1}/recommendations/{pk}/").status_code == 200


def test_a_government_response_is_reviewed_before_partners_see_it(staff_nl, reviewer, partner, nl):
    recommendation = RecommendationFactory()
    staff = session_client(staff_nl)
    path = f"{V1}/recommendations/{recommendation.pk}"
    saved = send(staff, "PUT", f"{path}/response/", {"response": "adopted", "responded_on": "2014-02-01"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["status"] == "draft"
    assert partner.get(f"{path}/").json()["response"] is None
    submitted = send(staff, "POST", f"{path}/response/review/", {"action": "submit", "version": 1})
    assert submitted.status_code == 200
    done = send(
        session_client(reviewer), "POST", f"{path}/response/review/", {"action": "approve", "version": 2}
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert partner.get(f"{path}/").json()["response"]["response"] == "adopted"

    changed = send(
        staff,
        "PUT",
        f"{path}/response/",
        {"response": "rejected", "responded_on": "2014-03-01", "version": 3},
    )
    assert changed.status_code == 200 and changed.json()["response"] == "rejected"
    assert changed.json()["approved"]["response"] == "adopted"
    assert partner.get(f"{path}/").json()["response"]["response"] == "adopted"
    stale = send(staff, "PUT", f"{path}/response/", {"response": "under_study", "version": 3})
    assert stale.status_code == 409


# --- the browser -----------------------------------------------------------------------------------------


def form_data(page, /, **changes) -> dict[str, str]:
    form = page.context["form"]
    data = {bound.html_name: "" if bound.value() is None else str(bound.value()) for bound in form}
    return {**data, **changes}


def test_the_workspace_form_saves_a_draft_beside_the_approved_text(staff_nl, reviewer, minister, nl):
    commitment = CommitmentFactory(title="Approved title")
    client = signed_in(staff_nl)
    edit = reverse("commitment_edit", args=[commitment.pk])
    page = client.get(edit)
    saved = client.post(edit, form_data(page, title="Draft title"))
    assert saved.status_code == 302
    page = client.get(edit)
    html = page.content.decode()
    assert 'value="Draft title"' in html
    assert "The approved text beside the draft" in html and "Approved title" in html
    assert [line.before for line in page.context["approved_lines"]] == ["Approved title"]

    country = reverse("country_detail", args=["NL"])
    assert "Approved title" in signed_in(minister).get(country).content.decode()
    assert "Draft title" not in signed_in(minister).get(country).content.decode()
    assert "Draft title" in client.get(country).content.decode()

    review = reverse("text_review", args=["commitment", commitment.pk])
    client.post(review, {"action": "submit", "expected_version": 2})
    assert Commitment.objects.get(pk=commitment.pk).status == Status.SUBMITTED
    locked = client.post(edit, form_data(page, title="While submitted"))
    assert locked.status_code == 200 and Commitment.objects.get(pk=commitment.pk).version == 3
    signed_in(reviewer).post(review, {"action": "approve", "expected_version": 3})
    assert Commitment.objects.get(pk=commitment.pk).title == "Draft title"
    assert "Draft title" in signed_in(minister).get(country).content.decode()


def test_a_stale_form_answers_409_with_what_changed(staff_nl, nl):
    commitment = CommitmentFactory(title="Approved title")
    client = signed_in(staff_nl)
    edit = reverse("commitment_edit", args=[commitment.pk])
    page = client.get(edit)
    services.commitment_save(
        user=staff_nl, commitment=commitment, title="Someone else's title", expected_version=1
    )
    response = client.post(edit, form_data(page, title="My title"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else&#x27;s title" in html and 'value="My title"' in html
    assert response.context["form"]["expected_version"].value() == 2
    again = client.post(edit, form_data(response, title="My title"))
    assert again.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).working_values()["title"] == "My title"


def test_the_return_button_needs_a_reason_and_the_recommendation_and_response_forms_work(
    staff_nl, reviewer, nl
):
    recommendation = RecommendationFactory(text="Approved recommendation.")
    client = signed_in(staff_nl)
    edit = reverse("recommendation_edit", args=[recommendation.pk])
    page = client.get(edit)
    assert client.post(edit, form_data(page, text="Draft recommendation.")).status_code == 302
    review = reverse("text_review", args=["recommendation", recommendation.pk])
    client.post(review, {"action": "submit", "expected_version": 2})
    signed_in(reviewer).post(review, {"action": "return", "reason": "", "expected_version": 3})
    assert Recommendation.objects.get(pk=recommendation.pk).status == Status.SUBMITTED
    signed_in(reviewer).post(
        review, {"action": "return", "reason": "Quote the report.", "expected_version": 3}
    )
    returned = Recommendation.objects.get(pk=recommendation.pk)
    assert returned.status == Status.RETURNED and returned.text == "Approved recommendation."
    assert "Quote the report." in client.get(edit).content.decode()

    answer_page = reverse("response_edit", args=[recommendation.pk])
    page = client.get(answer_page)
    saved = client.post(answer_page, form_data(page, response="adopted", responded_on="2014-02-01"))
    assert saved.status_code == 302
    answer = GovernmentResponse.objects.get(recommendation=recommendation)
    assert answer.status == Status.DRAFT and not answer.is_published
    assert "Submit for review" in client.get(answer_page).content.decode()


# --- reports ---------------------------------------------------------------------------------------------


def test_reports_show_approved_texts_only(staff_nl, reviewer, nl):
    from commitments.models import EvaluationRound

    evaluation_round = EvaluationRound.objects.order_by("ministerial_date").first()
    shown = CommitmentFactory(title="Approved title")
    services.commitment_save(user=staff_nl, commitment=shown, title="Draft title", expected_version=1)
    never = services.commitment_save(
        user=staff_nl,
        country=nl,
        goal=Goal.objects.get(code="PREVENTION"),
        title="Never approved",
        committed_on=dt.date(2013, 4, 15),
    )
    recommendation = RecommendationFactory(text="Approved recommendation.")
    services.recommendation_save(
        user=staff_nl, recommendation=recommendation, text="Draft recommendation.", expected_version=1
    )
    services.government_response_save(user=staff_nl, recommendation=recommendation, response="adopted",
                                      responded_on=dt.date(2014, 2, 1))  # fmt: skip
    data = report_data(evaluation_round=evaluation_round, country=nl)
    titles = {row["id"]: row["title"] for row in data["commitments"]}
    assert titles[shown.pk] == "Approved title" and never.pk not in titles
    row = next(row for row in data["recommendations"] if row["id"] == recommendation.pk)
    assert row["text"] == "Approved recommendation." and row["response"] is None


# --- the data migration ----------------------------------------------------------------------------------


def test_the_migration_makes_existing_texts_approved_revisions_of_themselves(nl):
    migration = importlib.import_module("commitments.migrations.0006_h3_reviewed_texts")
    commitment = CommitmentFactory(status="draft", approved_at=None)
    recommendation = RecommendationFactory(status="draft", approved_at=None)
    answer = GovernmentResponse.objects.create(recommendation=recommendation, response="no_response")
    migration.approve_existing_texts(apps, None)
    for item in (commitment, recommendation, answer):
        item.refresh_from_db()
        assert item.status == Status.APPROVED and item.approved_at == item.updated_at and item.draft == {}
    assert answer.created_at == answer.updated_at
    assert Commitment.objects.published().filter(pk=commitment.pk).exists()


# --- who is told to act -------------------------------------------------------------------------------


def test_reviewers_and_staff_find_the_texts_waiting_for_them_on_the_home_page(
    staff_nl, reviewer, nl, django_assert_num_queries
):
    from commitments.selectors import texts_needing_attention

    commitment = CommitmentFactory(title="Approved title")
    edited = services.commitment_save(
        user=staff_nl, commitment=commitment, title="Draft title", expected_version=commitment.version
    )
    services.reviewable_transition(
        item=edited, action="submit", user=staff_nl, expected_version=edited.version
    )
    # Three queries: submitted commitments, recommendations, responses.
    with django_assert_num_queries(3 + 1):  # + the reviewer's groups (access.can_review)
        waiting = texts_needing_attention(user=reviewer)
    assert [item.pk for item in waiting] == [commitment.pk]
    home = signed_in(reviewer).get(reverse("home")).content.decode()
    assert "Draft title" in home and reverse("commitment_edit", args=[commitment.pk]) in home

    services.reviewable_transition(
        item=commitment, action="return", user=reviewer, reason="Shorter, please.", expected_version=3
    )
    home = signed_in(staff_nl).get(reverse("home")).content.decode()
    assert "Draft title" in home and "Shorter, please." in home


def test_the_response_form_buttons_take_it_through_review(staff_nl, reviewer, partner, nl):
    recommendation = RecommendationFactory()
    client = signed_in(staff_nl)
    page_url = reverse("response_edit", args=[recommendation.pk])
    page = client.get(page_url)
    client.post(page_url, form_data(page, response="adopted", responded_on="2014-02-01", summary="Yes."))
    answer = GovernmentResponse.objects.get(recommendation=recommendation)
    review = reverse("text_review", args=["response", answer.pk])
    assert client.post(review, {"action": "submit", "expected_version": 1}).status_code == 302
    assert client.post(review, {"action": "approve"}).status_code == 403  # staff do not approve
    signed_in(reviewer).post(review, {"action": "approve", "expected_version": 2})
    answer.refresh_from_db()
    assert answer.status == Status.APPROVED and answer.summary == "Yes."
    assert partner.get(f"{V1}/recommendations/{recommendation.pk}/").json()["response"]["summary"] == "Yes."


def test_seed_demo_gives_approved_texts_and_a_few_drafts_under_edit():
    from commitments.seeding import seed_demo

    seed_demo(password="demo-password-long-enough-2014")
    for model in (Commitment, Recommendation, GovernmentResponse):
        demo = model.objects.filter(is_demo=True)
        assert demo.exists() and not demo.filter(approved_at__isnull=True).exists()
        under_edit = [item for item in demo if item.has_pending_changes]
        assert under_edit, model.__name__
        for item in under_edit:
            shown = item.published_values()
            assert shown != item.working_values()
            assert not any("demo draft" in str(value) for value in shown.values())
    assert Commitment.objects.filter(is_demo=True, status=Status.SUBMITTED).exists()


@pytest.mark.parametrize("endpoint", ["commitments", "recommendations"])
def test_drafts_under_edit_cost_no_extra_queries_in_the_staff_lists(
    world, staff_nl, endpoint, django_assert_num_queries, settings
):
    from tests.commitments.test_api_lists import PARTNER_QUERIES, STAFF_EXTRA_QUERIES

    settings.API_CACHE_SECONDS = 0
    commitment = Commitment.objects.get(pk=world.commitments["NL"].pk)
    services.commitment_save(
        user=staff_nl, commitment=commitment, title="Draft title", expected_version=commitment.version
    )
    recommendation = Recommendation.objects.get(pk=world.recommendations["NL"].pk)
    services.recommendation_save(
        user=staff_nl,
        recommendation=recommendation,
        text="Draft text",
        expected_version=recommendation.version,
    )
    services.government_response_save(
        user=staff_nl,
        recommendation=recommendation,
        response="rejected",
        responded_on=dt.date(2014, 5, 1),
        expected_version=GovernmentResponse.objects.get(recommendation=recommendation).version,
    )
    client = session_client(staff_nl)
    with django_assert_num_queries(PARTNER_QUERIES[endpoint] + STAFF_EXTRA_QUERIES):
        rows = client.get(f"{V1}/{endpoint}/", {"page_size": 100}).json()["results"]
    drafts = [row for row in rows if row["approved"] is not None]
    assert len(drafts) == 1
    if endpoint == "recommendations":
        assert drafts[0]["text"] == "Draft text" and drafts[0]["response"]["response"] == "rejected"
        assert drafts[0]["response"]["approved"]["response"] == "adopted"


def test_the_response_filter_knows_only_approved_responses(staff_nl, partner, nl):
    recommendation = RecommendationFactory()
    services.government_response_save(
        user=staff_nl, recommendation=recommendation, response="rejected", responded_on=dt.date(2014, 5, 1)
    )
    rows = partner.get(f"{V1}/recommendations/", {"response": "rejected"}).json()["results"]
    assert recommendation.pk not in [row["id"] for row in rows]


def test_a_conflict_names_a_changed_goal_by_its_title(staff_nl, nl):
    commitment = CommitmentFactory(title="Approved title")
    client = signed_in(staff_nl)
    edit = reverse("commitment_edit", args=[commitment.pk])
    page = client.get(edit)
    prevention = Goal.objects.get(code="PREVENTION")
    services.commitment_save(
        user=staff_nl, commitment=commitment, goal=prevention, expected_version=commitment.version
    )
    response = client.post(edit, form_data(page, title="My title"))
    assert response.status_code == 409
    lines = {line.label: line.after for line in response.context["conflict"]["lines"]}
    assert lines["Goal"] == str(prevention)


@pytest.mark.parametrize("kind", ["commitment", "recommendation", "response"])
def test_a_form_post_with_some_fields_changes_only_those(kind, staff_nl, nl):
    """A partial client (a script, an extension that drops fields) never blanks what it did not send."""
    recommendation = RecommendationFactory(text="Approved recommendation.")
    if kind == "commitment":
        item = CommitmentFactory(title="Approved title", description="Kept description.")
        url, name = reverse("commitment_edit", args=[item.pk]), "title"
    elif kind == "recommendation":
        item, name = recommendation, "number"
        url = reverse("recommendation_edit", args=[item.pk])
    else:
        item = GovernmentResponse.objects.create(
            recommendation=recommendation,
            response="adopted",
            reference="31015-158",
            responded_on=dt.date(2014, 2, 1),
            summary="Kept summary.",
        )
        url, name = reverse("response_edit", args=[recommendation.pk]), "reference"
    before = item.working_values()
    client = signed_in(staff_nl)
    without_version = client.post(url, {name: "42"})
    assert without_version.status_code == 400
    assert type(item).objects.get(pk=item.pk).working_values() == before
    assert client.post(url, {name: "42", "expected_version": item.version}).status_code == 302
    after = type(item).objects.get(pk=item.pk).working_values()
    assert after == {**before, name: "42"}


@pytest.mark.parametrize("kind", KINDS)
def test_four_eyes_the_reviewer_who_last_changed_a_text_may_not_approve_or_return_it(
    kind, staff_nl, reviewer, nl, settings
):
    from commitments.access import Role
    from tests.conftest import make_user

    spec, name = KINDS[kind], KINDS[kind]["field"]
    item = approve(spec["create"](staff_nl, nl), staff=staff_nl, reviewer=reviewer)
    edited = spec["edit"](
        reviewer, item, **{name: "The reviewer's own words.", "expected_version": item.version}
    )
    assert edited.edited_by == reviewer
    submitted = services.reviewable_transition(
        item=edited, action="submit", user=staff_nl, expected_version=edited.version
    )
    for action, reason in (("approve", ""), ("return", "Mine.")):
        with pytest.raises(services.FourEyesRefused, match="four eyes"):
            services.reviewable_transition(
                item=submitted,
                action=action,
                user=reviewer,
                reason=reason,
                expected_version=submitted.version,
            )
    assert type(item).objects.get(pk=item.pk).status == Status.SUBMITTED
    other = make_user("second-reviewer", Role.REVIEWER)
    approved = services.reviewable_transition(
        item=submitted, action="approve", user=other, expected_version=submitted.version
    )
    assert approved.status == Status.APPROVED and getattr(approved, name) == "The reviewer's own words."
    # A deployment with one reviewer may turn four eyes off; the history then says so.
    settings.FOUR_EYES_REQUIRED = False
    again = spec["edit"](reviewer, approved, **{name: "Alone.", "expected_version": approved.version})
    again = services.reviewable_transition(
        item=again, action="submit", user=reviewer, expected_version=again.version
    )
    alone = services.reviewable_transition(
        item=again, action="approve", user=reviewer, expected_version=again.version
    )
    assert alone.history.first().history_change_reason == f"approve ({services.FOUR_EYES_OFF})"


def test_alliance_wide_recommendations_are_edited_by_reviewers_in_the_workspace(staff_nl, reviewer, nl):
    """The admin shows reviewed texts read-only, so the workspace is where reviewers keep them."""
    recommendation = RecommendationFactory(country=None, text="Approved alliance text.")
    edit = reverse("recommendation_edit", args=[recommendation.pk])
    assert signed_in(staff_nl).get(edit).status_code == 403
    client = signed_in(reviewer)
    page = client.get(edit)
    assert page.status_code == 200
    saved = client.post(edit, form_data(page, text="Draft alliance text."))
    assert saved.status_code == 302 and saved["Location"] == f"/#recommendation-{recommendation.pk}"
    item = Recommendation.objects.get(pk=recommendation.pk)
    assert item.text == "Approved alliance text." and item.working_values()["text"] == "Draft alliance text."
    assert item.edited_by == reviewer and item.country is None


def test_the_review_button_tells_the_author_why_four_eyes_refuse(staff_nl, reviewer, nl):
    commitment = CommitmentFactory(title="Approved title")
    edited = services.commitment_save(
        user=reviewer, commitment=commitment, title="The reviewer's title", expected_version=1
    )
    services.reviewable_transition(item=edited, action="submit", user=staff_nl, expected_version=2)
    review = reverse("text_review", args=["commitment", commitment.pk])
    refused = signed_in(reviewer).post(review, {"action": "approve", "expected_version": 3})
    assert refused.status_code == 403
    assert "another reviewer must approve it (four eyes)" in refused.content.decode()
    assert Commitment.objects.get(pk=commitment.pk).status == Status.SUBMITTED
