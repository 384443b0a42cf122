"""The ministers' view in a real browser: axe-core finds nothing, the map is used by keyboard and by
mouse, and the goal is chosen without JavaScript."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.overview.world import released_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = (
    "/overview/",
    "/overview/map/?goal=VICTIM_ID",
    "/overview/goals/VICTIM_ID/",
    "/overview/countries/NL/",
)


def violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{item['id']} ({item['impact']}): {item['help']} — {[node['target'] for node in item['nodes'][:3]]}"
        for item in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["en-GB", "nl"])
def test_every_page_of_the_ministers_view_passes_axe(open_page, minister, language):
    released_round()
    page = open_page(language=language)
    sign_in(page, "max-minister") if language == "en-GB" else _sign_in_dutch(page)
    for url in PAGES:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert violations(page) == [], url
    screenshot(page, f"60-overview-country-{language}")


def _sign_in_dutch(page) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("max-minister")
    page.locator("#id_password").fill("correct-horse-battery-staple-2014")
    page.locator("form [type=submit]").last.click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_the_map_by_keyboard_and_the_goal_without_javascript(open_page, minister):
    released_round()
    page = open_page(javascript=False)
    sign_in(page, "max-minister")
    page.goto("/overview/map/")
    page.get_by_label("Goal", exact=True).select_option("REDUCE_AVAILABILITY")
    page.get_by_role("button", name="Show on the map").click()
    expect(page).to_have_url(__import__("re").compile(r"goal=REDUCE_AVAILABILITY"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Goal 6")
    netherlands = page.get_by_role("link", name="Netherlands: cannot be compared")
    expect(netherlands).to_have_count(1)
    page.goto("/overview/map/?goal=VICTIM_ID")
    link = page.get_by_role("link", name="Netherlands: improved")
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Netherlands")
    screenshot(page, "61-overview-country-from-the-map")
