"""A commitment's words in real Chromium: staff edit a draft beside the approved text and submit it; a
reviewer finds it on the home page and approves it; a minister reads the approved text before and after."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commitments.models import Commitment, Status
from tests.browser.conftest import screenshot, sign_in
from tests.factories import CommitmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_commitment_title_is_reviewed_before_ministers_read_it(
    open_page, staff_nl, reviewer, minister, nl, live_server
):
    commitment = CommitmentFactory(title="Double the victim-identification team", country=nl)

    anna = open_page()
    sign_in(anna, "anna-nl")
    anna.goto(f"/commitments/{commitment.pk}/edit/")
    anna.get_by_label("Title").fill("Triple the victim-identification team")
    anna.get_by_role("button", name="Save commitment").click()
    expect(anna.get_by_text("Commitment saved.")).to_be_visible()
    anna.goto(f"/commitments/{commitment.pk}/edit/")
    beside = anna.locator(".approved-text")
    expect(beside).to_contain_text("Double the victim-identification team")
    expect(beside).to_contain_text("Triple the victim-identification team")
    screenshot(anna, "reviewed-text-draft-beside-approved")
    anna.get_by_role("button", name="Submit for review").click()
    expect(anna.get_by_text("Submitted for review.")).to_be_visible()

    max_ = open_page()
    sign_in(max_, "max-minister")
    max_.goto("/countries/NL/")
    expect(max_.get_by_role("heading", name="Double the victim-identification team")).to_be_visible()
    expect(max_.get_by_text("Triple the victim-identification team")).to_have_count(0)

    rita = open_page()
    sign_in(rita, "rita-reviewer")
    expect(rita.get_by_role("heading", name="Texts waiting for review")).to_be_visible()
    rita.get_by_role("link", name="Triple the victim-identification team").click()
    rita.get_by_role("button", name="Approve").click()
    expect(rita.get_by_text("Approved: this is now the text everyone reads.")).to_be_visible()
    assert Commitment.objects.get(pk=commitment.pk).status == Status.APPROVED

    max_.reload()
    expect(max_.get_by_role("heading", name="Triple the victim-identification team")).to_be_visible()
