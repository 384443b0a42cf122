"""Following up a ministerial decision in real Chromium, from the meeting to the next round's page.

The 2012–2014 round is published and its meeting held (set up through the services). The secretariat
records the ministers' decision for the Netherlands and Belgium, a second reviewer approves it (four
eyes) and it becomes each country's commitment; the next round is planned from it; staff of the
Netherlands report progress in the new round's period and submit it, a reviewer approves it; the minister
then reads the next round's page: its chapter "What became of the decisions" gives the Netherlands'
completion and Belgium's as missing; and the reviewer has the next round's alliance-wide report made by
the real worker, whose PDF carries the same chapter. axe-core checks every page a person works on.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from commitments.access import Role
from commitments.models import Commitment, CommitmentProgress, EvaluationRound, Status
from cycle.models import Decision
from reporting.models import Report
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import make_user
from tests.cycle.conftest import advance_to
from tests.reporting.conftest import pdf_text, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Axe()


def accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_decision_becomes_a_commitment_whose_progress_the_next_round_follows_up(
    open_page, staff_nl, reviewer, minister, celery_worker, report_media
):
    make_user("rob-reviewer", Role.REVIEWER)
    evaluation_round = advance_to(EvaluationRound.objects.get(label="2012–2014"), "meeting_held", reviewer)

    # --- the secretariat records the ministers' decision -----------------------------------------
    rita = open_page()
    sign_in(rita, "rita-reviewer")
    rita.goto(f"/rounds/{evaluation_round.pk}/")
    rita.get_by_role("link", name="Record a decision").click()
    rita.get_by_label("Decision number").fill("7")
    rita.get_by_label("What was decided").fill("Train every hotline analyst in victim identification")
    rita.locator("#id_goals").get_by_label("Victim identification").check()
    rita.locator("#id_countries").get_by_label("Netherlands").check()
    rita.locator("#id_countries").get_by_label("Belgium").check()
    rita.get_by_label("Who leads").fill("National hotlines")
    rita.get_by_label("By when").fill("2016-06-30")
    rita.get_by_role("button", name="Save as draft").click()
    expect(rita.get_by_text("Decision saved as a draft")).to_be_visible()
    rita.get_by_role("button", name="Submit for review").click()
    expect(rita.get_by_text("Submitted for review.")).to_be_visible()
    decision = Decision.objects.get()

    # --- a second reviewer approves it: one commitment per country concerned ---------------------
    rob = open_page()
    sign_in(rob, "rob-reviewer")
    rob.goto(f"/rounds/decisions/{decision.pk}/")
    accessible(rob)
    rob.get_by_role("button", name="Approve").click()
    expect(rob.get_by_text("The countries concerned now have 2 commitments from it.")).to_be_visible()
    commitments = {c.country.code: c for c in Commitment.objects.filter(decision=decision)}
    assert sorted(commitments) == ["BE", "NL"]

    # --- the next round, planned from the decisions ------------------------------------------------
    rita.goto(f"/rounds/{evaluation_round.pk}/")
    rita.get_by_role("link", name="Plan the next round").click()
    rita.get_by_role("button", name="Create the next round").click()
    expect(rita.get_by_text("The round 2014–2016 is planned.")).to_be_visible()
    new_round = EvaluationRound.objects.select_related("evaluation_period").get(label="2014–2016")
    period = new_round.evaluation_period

    # --- staff of the Netherlands report progress on it and submit ---------------------------------
    anna = open_page()
    sign_in(anna, "anna-nl")
    anna.goto(f"/commitments/{commitments['NL'].pk}/periods/{period.pk}/")
    expect(anna.get_by_role("heading", name=decision.title)).to_be_visible()
    anna.get_by_label("Substantial").check()
    anna.get_by_label("Narrative").fill("Forty of the fifty analysts trained (synthetic).")
    anna.get_by_role("button", name="Save", exact=True).click()
    expect(anna.get_by_text("Saved.", exact=True)).to_be_visible()
    accessible(anna)
    anna.goto(f"/countries/NL/periods/{period.pk}/")
    anna.get_by_role("button", name="Submit for review").click()
    expect(anna.get_by_text("1 item submitted for review.")).to_be_visible()

    # --- a reviewer approves the progress ------------------------------------------------------------
    rita.goto(f"/countries/NL/periods/{period.pk}/review/")
    accessible(rita)
    rita.get_by_role("button", name="Apply the decisions").click()
    expect(rita.get_by_text("1 item approved.")).to_be_visible()
    progress = CommitmentProgress.objects.get(commitment=commitments["NL"], period=period)
    assert (progress.status, progress.completion) == (Status.APPROVED, "substantial")

    # --- the minister reads what became of the decision ----------------------------------------------
    max_ = open_page()
    sign_in(max_, "max-minister")
    max_.goto(f"/rounds/{new_round.pk}/")
    chapter = max_.locator("section", has=max_.locator("#follow-up-heading"))
    expect(chapter.get_by_role("heading", level=2)).to_contain_text("What became of the decisions")
    expect(chapter.get_by_role("heading", level=3)).to_have_text(f"7. {decision.title}")
    expect(chapter.get_by_role("row", name=re.compile("^Netherlands"))).to_contain_text("Substantial")
    expect(chapter.get_by_role("row", name=re.compile("^Belgium"))).to_contain_text("Missing")
    expect(chapter).to_contain_text("1 missing")
    accessible(max_)
    screenshot(max_, "follow-up-minister-sees-the-decision")

    # --- the next round's alliance-wide report, made by the worker, carries the chapter --------------
    rita.goto("/reports/")
    rita.get_by_label(re.compile(r"^Report:?$")).select_option("alliance")
    rita.get_by_label(re.compile(r"^Evaluation round:?$")).select_option(label="2014–2016")
    rita.get_by_role("button", name="Request the report").click()
    report = wait_for(Report.objects.get(kind=Report.Kind.ALLIANCE, evaluation_round=new_round), timeout=300)
    assert report.status == Report.Status.READY, report.error
    rita.reload()
    row = rita.get_by_role("row").filter(has_text="2014–2016")
    with rita.expect_download() as download:
        row.get_by_role("link", name=re.compile("^PDF")).click()
    text = " ".join(pdf_text(download.value.path()).split())
    assert "What became of the decisions" in text
    assert f"7. {decision.title}" in text
    assert "Decision 7: completion per country (1 missing)" in text
