"""Two reviewers correct the ministers' meeting at once, in real Chromium: the second is told, keeps what
they typed, and saves it deliberately; a bad deadline on the planning page is explained in place. In
English and Dutch, wide and narrow; axe-core checks each page."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from commitments.access import Role
from commitments.models import EvaluationRound
from cycle import services
from cycle.models import Meeting
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Axe()
SHOTS = Path("/work/wt/shots/bad")


def accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def keep(page: Page, name: str) -> None:
    path = screenshot(page, name)
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)


@pytest.fixture
def meeting(reviewer) -> Meeting:
    evaluation_round = EvaluationRound.objects.get(label="2012–2014")
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(stage="published")
    evaluation_round.refresh_from_db()
    return services.meeting_save(
        evaluation_round=evaluation_round,
        user=reviewer,
        held_on=dt.date(2014, 9, 30),
        place="Brussels",
        countries=[],
    )


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", ["en-GB", "nl"])
def test_the_second_editor_of_the_meeting_is_told_and_keeps_their_words(
    open_page, reviewer, meeting, language, width
):
    make_user("rob-reviewer", Role.REVIEWER)
    url = f"/rounds/{meeting.evaluation_round_id}/meeting/"
    rita, rob = open_page(), open_page()
    sign_in(rita, "rita-reviewer")
    sign_in(rob, "rob-reviewer")
    for page in (rita, rob):
        page.set_viewport_size({"width": width, "height": 900})
        # The language the switch sets (signing in is done in English: the helper types English labels).
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language[:2], "url": page.url}]
        )
    rita.goto(url)
    rob.goto(url)
    place = rita.locator("#id_place")
    place.fill("The Hague")
    rita.locator("form.stack button[type=submit]").click()
    expect(rita).to_have_url(f"/rounds/{meeting.evaluation_round_id}/")

    rob.locator("#id_place").fill("Luxembourg")
    rob.locator("form.stack button[type=submit]").click()

    conflict = "saved the meeting while" if language == "en-GB" else "heeft de bijeenkomst opgeslagen"
    expect(rob.get_by_role("alert")).to_contain_text(conflict)
    expect(rob.locator("#id_place")).to_have_value("Luxembourg")
    accessible(rob)
    keep(rob, f"bad-meeting-conflict-{language}-{width}")
    assert Meeting.objects.get().place == "The Hague"

    rob.locator("form.stack button[type=submit]").click()  # deliberately, over Rita's save
    expect(rob).to_have_url(f"/rounds/{meeting.evaluation_round_id}/")
    assert Meeting.objects.get().place == "Luxembourg"

    rob.goto(f"/rounds/{meeting.evaluation_round_id}/next-round/?deadline=2015-01-01")
    message = "must be after the period ends" if language == "en-GB" else "moet na het einde van de periode"
    expect(rob.locator(".field--error")).to_contain_text(message)
    accessible(rob)
    keep(rob, f"bad-plan-deadline-{language}-{width}")
