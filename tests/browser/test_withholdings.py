"""Withholdings in the workspace, in real Chromium, checked by axe: the Netherlands' staff ask to withhold a
released value from the country page (a missing reason first: the choice is kept), a reviewer other than
them approves it, and the figure leaves the public page. The list and the form are photographed at 1366
and 390 px in English and Dutch (to /work/wt/shots/wh when that folder exists, and test-artifacts/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from commitments.access import Role
from commitments.models import EvaluationRound, IndicatorValue
from opendata.models import Withholding
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_work_queues import axe_clean
from tests.conftest import make_user
from tests.opendata.world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/work/wt/shots/wh")


@pytest.fixture
def released_world(tmp_path, settings, staff_be):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = build(proposer=staff_be, approver=make_user("sam-second-reviewer", Role.REVIEWER))
    EvaluationRound.objects.filter(pk=world.released.pk).update(
        released_at=timezone.now() - dt.timedelta(days=1)
    )
    return world


def look(page: Page, name: str, *, at=None) -> None:
    """Checked by axe, then photographed at both widths (the whole page, or the screen around ``at``)."""
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        axe_clean(page)
        path = screenshot(page, f"withholding-{name}-{width}", at=at)
        if SHOTS.is_dir():
            (SHOTS / path.name).write_bytes(path.read_bytes())
    page.set_viewport_size({"width": 1366, "height": 900})


def test_staff_ask_a_reviewer_approves_and_the_figure_leaves_the_public_page(
    open_page, live_server, released_world, staff_nl, reviewer
):
    value = IndicatorValue.objects.get(country__code="NL", period=released_world.released.evaluation_period)
    public = open_page()
    public.goto("/public/en/countries/NL/")
    expect(public.get_by_text("35,792").first).to_be_visible()

    anna = open_page()
    sign_in(anna, "anna-nl")
    anna.goto("/countries/NL/")
    # The link beside the figure opens the form with the figure chosen.
    beside = anna.get_by_role("link", name="Withhold: VI-2 35,792")
    look(anna, "country-link-en", at=beside)
    beside.click()
    expect(anna.get_by_label("Item on the public site")).to_have_value(f"value:{value.pk}")
    anna.get_by_role("button", name="Ask to withhold").click()
    # No reason: refused, the chosen item kept.
    expect(anna.get_by_role("alert")).to_contain_text("Not saved")
    expect(anna.get_by_label("Item on the public site")).to_have_value(f"value:{value.pk}")
    look(anna, "form-error-en")
    anna.get_by_label("Why it should be withheld").fill("A court case names the figure's source.")
    anna.get_by_role("button", name="Ask to withhold").click()
    expect(anna.get_by_text("Asked to withhold it")).to_be_visible()
    look(anna, "list-staff-en")

    rita = open_page()
    sign_in(rita, "rita-reviewer")
    rita.goto("/withholdings/?state=proposed")
    rita.get_by_role("link", name="Decide").click()
    rita.get_by_label("Approve: take it off the public site").check()
    rita.get_by_role("button", name="Record the decision").click()
    expect(rita.get_by_text("Approved: the item is off the public site.")).to_be_visible()
    assert Withholding.objects.get(kind="value", item_id=value.pk).state == "approved"
    look(rita, "list-reviewer-en")

    # A new visitor (the first one's browser may reuse its copy for a minute: Cache-Control max-age=60).
    visitor = open_page()
    visitor.goto("/public/en/countries/NL/")
    expect(visitor.locator("h1")).to_be_visible()
    expect(visitor.get_by_text("35,792")).to_have_count(0)

    # The same pages in Dutch.
    for page in (anna, rita):
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": live_server.url}]
        )
    # Anna asks to withhold the commitment from beside it (in Dutch); Rita rejects: "Afgewezen".
    anna.goto("/countries/NL/")
    beside = anna.get_by_role("link", name="Laten achterhouden: PUBLIC-commitment: expand the team")
    look(anna, "country-link-nl", at=beside)
    beside.click()
    anna.get_by_label("Waarom het moet worden achtergehouden").fill("Nog niet aangekondigd.")
    anna.get_by_role("button", name="Vragen om achter te houden").click()
    rita.goto("/withholdings/?state=proposed")
    rita.get_by_role("link", name="Beslissen").click()
    rita.get_by_label("Afwijzen").check()
    rita.get_by_label("Reden", exact=True).fill("Al aangekondigd door de minister.")
    rita.get_by_role("button", name="Besluit vastleggen").click()
    rita.goto("/withholdings/")
    expect(rita.locator("h1")).to_have_text("Achterhoudingen")
    expect(rita.locator("td .badge", has_text="Afgewezen")).to_have_count(1)
    expect(rita.locator("td .badge", has_text="Niet overgenomen")).to_have_count(0)
    look(rita, "list-reviewer-nl")
    anna.goto("/withholdings/countries/NL/new/")
    anna.get_by_role("button", name="Vragen om achter te houden").click()
    expect(anna.get_by_role("alert")).to_be_visible()
    look(anna, "form-error-nl")
