"""The ministerial evaluation cycle in real Chromium: a reviewer freezes the 2012–2014 round, sets its
release moment and publishes it, records the ministers' meeting and a decision; a second reviewer
approves the decision (four eyes), which becomes the Netherlands' commitment; the reviewer plans the next
round, whose page follows the decision up ("missing" until progress is approved); staff of the
Netherlands enter progress on the new commitment in the new round's period. axe-core checks each page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from commitments.access import Role
from commitments.models import Commitment, CommitmentProgress, EvaluationRound
from cycle.models import Decision, RoundTransition
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Axe()


def accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def next_step(page: Page, stage: str, reason: str = "") -> None:
    if reason:
        page.get_by_label("Reason (kept in the history)").fill(reason)
    page.get_by_role("button", name=re.compile(f"^Next step: {stage}")).click()
    expect(page.locator(".round-stage__now")).to_contain_text(stage)


def test_freeze_publish_meet_decide_approve_and_follow_up(open_page, staff_nl, reviewer):
    make_user("rob-reviewer", Role.REVIEWER)
    evaluation_round = EvaluationRound.objects.get(label="2012–2014")

    # --- the reviewer takes the round through its steps -----------------------------------------
    rita = open_page()
    sign_in(rita, "rita-reviewer")
    rita.goto("/rounds/")
    expect(rita.locator(".stage-step--current")).to_have_text("Data collection")
    accessible(rita)
    rita.get_by_role("link", name="2012–2014").click()
    next_step(rita, "Data frozen", "All countries have reported")
    next_step(rita, "Reports drafted")
    # Publishing needs the release moment first.
    rita.get_by_role("button", name=re.compile("^Next step: Reports published")).click()
    expect(rita.get_by_text("Set the release moment before publishing the reports.")).to_be_visible()
    rita.get_by_label("Release moment").fill("2014-09-16T10:00")
    rita.get_by_role("button", name="Set the release moment").click()
    expect(rita.get_by_text("Release moment saved.")).to_be_visible()
    next_step(rita, "Reports published")
    accessible(rita)
    screenshot(rita, "cycle-01-round-published")
    assert list(
        RoundTransition.objects.filter(evaluation_round=evaluation_round).values_list("to_stage", flat=True)
    ) == [
        "frozen",
        "drafted",
        "drafted",  # the release moment, set at the step the round was in
        "published",
    ]

    # --- the meeting and a decision --------------------------------------------------------------
    rita.get_by_role("link", name="Record the meeting").click()
    rita.get_by_label("Place").fill("Brussels")
    rita.get_by_label("Netherlands").check()
    rita.get_by_label("Belgium").check()
    accessible(rita)
    rita.get_by_role("button", name="Save the meeting").click()
    expect(rita.get_by_text("Held on")).to_contain_text("Brussels")
    rita.get_by_role("link", name="Record a decision").click()
    rita.get_by_label("Decision number").fill("1")
    rita.get_by_label("What was decided").fill("Run an awareness campaign in schools")
    rita.locator("#id_goals").get_by_label("Prevention").check()
    rita.locator("#id_countries").get_by_label("Netherlands").check()
    rita.get_by_label("Who leads").fill("Ministry of Education")
    rita.get_by_label("By when").fill("2016-06-30")
    accessible(rita)
    rita.get_by_role("button", name="Save as draft").click()
    expect(rita.get_by_text("Decision saved as a draft")).to_be_visible()
    rita.get_by_role("button", name="Submit for review").click()
    expect(rita.get_by_text("Submitted for review.")).to_be_visible()
    decision = Decision.objects.get()
    # Four eyes: the reviewer who entered it sees no approve button.
    expect(rita.get_by_role("button", name="Approve")).to_have_count(0)

    # --- a second reviewer approves it: the Netherlands' commitment ----------------------------------
    rob = open_page()
    sign_in(rob, "rob-reviewer")
    rob.goto(f"/rounds/decisions/{decision.pk}/")
    rob.get_by_role("button", name="Approve").click()
    expect(rob.get_by_text("The countries concerned now have 1 commitments from it.")).to_be_visible()
    screenshot(rob, "cycle-02-decision-approved")
    commitment = Commitment.objects.get(decision=decision)
    assert (commitment.country.code, commitment.goal.code) == ("NL", "PREVENTION")

    # --- the next round, planned in one step from a preview ------------------------------------------
    rita.goto(f"/rounds/{evaluation_round.pk}/")
    rita.get_by_role("link", name="Plan the next round").click()
    expect(rita.get_by_role("rowheader", name="2016 progress")).to_be_visible()
    accessible(rita)
    screenshot(rita, "cycle-03-plan-preview")
    rita.get_by_role("button", name="Create the next round").click()
    expect(rita.get_by_text("The round 2014–2016 is planned.")).to_be_visible()
    expect(rita.locator("#follow-up-heading")).to_contain_text("What became of the decisions")
    expect(rita.get_by_role("row", name=re.compile("Netherlands"))).to_contain_text("Missing")
    accessible(rita)
    new_round = EvaluationRound.objects.get(label="2014–2016")

    # --- staff of the Netherlands report progress on the new commitment ------------------------------
    anna = open_page()
    sign_in(anna, "anna-nl")
    anna.goto(f"/commitments/{commitment.pk}/periods/{new_round.evaluation_period.pk}/")
    expect(anna.get_by_role("heading", name="Run an awareness campaign in schools")).to_be_visible()
    anna.get_by_label("Substantial").check()
    anna.get_by_label("Narrative").fill("Campaign material sent to all schools.")
    anna.get_by_role("button", name="Save", exact=True).click()
    progress = CommitmentProgress.objects.get(commitment=commitment, period=new_round.evaluation_period)
    assert progress.completion == "substantial"
