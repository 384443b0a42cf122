"""Work queues, the review page that decides and the thread per item, in real Chromium, checked by axe.

A reviewer's home starts with the queue; the reviewer opens the Netherlands' 2014 review, approves the
country's items at once with two exceptions (one returned with a reason, one left for later); staff of the
Netherlands answer the return from their home page, and the reviewer reads the answer on the review page.
The pages are measured (height at 1366 px) and photographed at 1366 and 390 px in English and Dutch.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page, expect

from commitments.models import IndicatorValue, ReportingPeriod, Status
from commitments.services import indicator_value_save, reviewable_transition
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOOKS = Path("/tmp/q14")
# The rules the issue holds the pages to: no critical, serious or moderate violation.
SERIOUS = {"critical", "serious", "moderate"}


def axe_clean(page: Page) -> None:
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert bad == [], bad


def look(page: Page, name: str) -> None:
    """Full-page screenshots at 1366 and 390 px: kept in test-artifacts/ and in /tmp/q14/ to look at."""
    LOOKS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        path = screenshot(page, f"q14-{name}-{width}")
        shutil.copy(path, LOOKS / path.name)
    page.set_viewport_size({"width": 1366, "height": 900})


def page_height(page: Page) -> int:
    page.set_viewport_size({"width": 1366, "height": 768})
    return page.evaluate("document.documentElement.scrollHeight")


@pytest.fixture
def submitted_country(nl, staff_nl, reviewer, indicator):
    """Every active indicator of the Netherlands for 2014 entered and submitted by its staff, against an
    approved 2013 baseline: a whole country's review."""
    from commitments.models import Indicator

    baseline = ReportingPeriod.objects.get(label="2013 baseline")
    progress = ReportingPeriod.objects.get(label="2014 progress")
    for period, factor in ((baseline, 1), (progress, 2)):
        for number, item in enumerate(Indicator.objects.filter(is_active=True).order_by("code")):
            typed = {}
            low, high = item.bounds()
            if item.value_type == "boolean":
                typed["boolean_value"] = True
            elif item.value_type == "text":
                typed["text_value"] = "A national strategy."
            elif item.value_type == "maturity":
                typed["number_value"] = min(4, factor + 1)
            else:
                figure = Decimal(10 * factor + number)
                high = (
                    high if high is not None else (Decimal(100) if item.value_type == "percentage" else None)
                )
                figure = min(figure, high) if high is not None else figure
                typed["number_value"] = max(figure, low) if low is not None else figure
            value = indicator_value_save(country=nl, indicator=item, period=period, user=staff_nl, **typed)
            value = reviewable_transition(
                item=value, expected_version=value.version, action="submit", user=staff_nl
            )
            if period == baseline:
                reviewable_transition(
                    item=value, expected_version=value.version, action="approve", user=reviewer
                )
    return progress


def test_queue_review_with_exceptions_and_a_reply(open_page, submitted_country, staff_nl, reviewer):
    period = submitted_country
    review_url = f"/countries/NL/periods/{period.pk}/review/"
    vi3 = IndicatorValue.objects.get(indicator__code="VI-3", period=period)
    pr1 = IndicatorValue.objects.get(indicator__code="PR-1", period=period)

    # --- the reviewer's home starts with the queue ----------------------------------------------------
    rita = open_page()
    sign_in(rita, "rita-reviewer")
    queue = rita.locator("#review-queue")
    expect(queue.get_by_role("heading", name=re.compile("^Waiting for your review"))).to_be_visible()
    top = rita.evaluate("document.querySelector('#review-queue').getBoundingClientRect().top")
    assert top < 400, top  # the queue is at the top of the page, not 3,400 px down
    axe_clean(rita)
    look(rita, "reviewer-home-en")
    queue.get_by_role("link", name="Netherlands · 2014 progress").click()
    expect(rita).to_have_url(re.compile(re.escape(review_url) + "$"))

    # --- one form for the whole country, with exceptions ----------------------------------------------
    expect(rita.locator(f"#value-{vi3.pk}").get_by_text("Rule broken")).to_be_visible()
    axe_clean(rita)
    height = page_height(rita)
    count = IndicatorValue.objects.filter(period=period).count()
    print(f"\nreview page height at 1366 px, {count} values: {height} px")
    look(rita, "review-en")
    assert height < 5 * 768, height  # a few screens, not 15,000 px
    rita.get_by_label(f"Decision: {vi3.indicator.name}").select_option("return")
    rita.get_by_label(f"Reason: {vi3.indicator.name}").fill("VI-3 and VI-2 disagree: recompute the change.")
    rita.get_by_label(f"Decision: {pr1.indicator.name}").select_option("later")
    rita.get_by_role("button", name="Apply the decisions").click()
    waiting = IndicatorValue.objects.filter(period=period).count()
    expect(rita.get_by_text(f"{waiting - 2} items approved, 1 returned.")).to_be_visible()
    assert IndicatorValue.objects.get(pk=vi3.pk).status == Status.RETURNED
    assert IndicatorValue.objects.get(pk=pr1.pk).status == Status.SUBMITTED

    # --- staff answer the return from their home --------------------------------------------------------
    anna = open_page()
    sign_in(anna, "anna-nl")
    returned = anna.locator("#returned-queue")
    expect(returned.get_by_text("VI-3 and VI-2 disagree: recompute the change.")).to_be_visible()
    axe_clean(anna)
    look(anna, "staff-home-en")
    returned.get_by_role("link", name=re.compile("^Answer the reviewer")).click()
    anna.get_by_label(re.compile("^Your message")).fill("VI-3 counts cases, not victims; see the note.")
    anna.get_by_role("button", name=re.compile("^Send")).click()
    expect(anna.get_by_text("Your message is in the conversation.")).to_be_visible()
    expect(
        anna.locator("#thread").get_by_text("VI-3 counts cases, not victims; see the note.")
    ).to_be_visible()
    axe_clean(anna)
    look(anna, "thread-en")

    # --- the reviewer reads the answer where they decide --------------------------------------------------
    rita.goto(review_url)
    row = rita.locator(f"#value-{vi3.pk}")  # returned: listed under "Not submitted", with its thread
    row.get_by_role("link", name=re.compile("^1 message")).click()
    expect(
        rita.locator("#thread").get_by_text("VI-3 counts cases, not victims; see the note.")
    ).to_be_visible()
    rita.goto(f"/completeness/{period.pk}/")
    expect(rita.get_by_role("heading", name=re.compile("^Who has reported"))).to_be_visible()
    axe_clean(rita)
    look(rita, "matrix-en")


def test_the_matrix_and_dutch_pages(open_page, submitted_country, reviewer, live_server):
    period = submitted_country
    rita = open_page()
    sign_in(rita, "rita-reviewer")
    rita.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": live_server.url}])
    rita.goto(f"/completeness/{period.pk}/")
    axe_clean(rita)
    # The header row and the country column stay in view (sticky), the states agree with the counts.
    sticky = rita.evaluate(
        "[getComputedStyle(document.querySelector('table.matrix thead th')).position,"
        " getComputedStyle(document.querySelector('table.matrix tbody th.country')).position]"
    )
    assert sticky == ["sticky", "sticky"]
    look(rita, "matrix-nl")
    rita.set_viewport_size({"width": 390, "height": 800})
    visible = rita.evaluate(
        """() => { const box = document.querySelector('.matrix-scroll').getBoundingClientRect();
        return [...document.querySelectorAll('table.matrix thead th.goal')]
          .filter(th => th.getBoundingClientRect().right <= box.right + 1).length; }"""
    )
    assert visible >= 4, visible  # at 390 px at least four goals fit beside the country column
    rita.goto(f"/countries/NL/periods/{period.pk}/review/")
    axe_clean(rita)
    look(rita, "review-nl")
    rita.goto("/")
    look(rita, "reviewer-home-nl")
