"""The right of reply in the real browser: the focal point of the Netherlands reads the draft chapter of
its country (styled by the site's own stylesheets, nothing blocked by the Content-Security-Policy),
writes the government's reply while the window is open; a reviewer has the country report made by the
real Celery worker, reads the reply printed in it, marked as the government's, and publishes the report.
Each page passes axe-core."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from commitments.models import EvaluationRound
from focal.models import Reply, ReplyWindow
from reporting.models import Report
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_focal_points import accessible
from tests.reporting.conftest import pdf_text, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPLY = "The government welcomes the chapter. The hotline's funding was extended to 2019 since."


def csp_violations(page: Page) -> list[str]:
    """What the browser refused under the Content-Security-Policy (Chromium says so on the console)."""
    messages: list[str] = []
    page.on(
        "console",
        lambda message: messages.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return messages


def test_the_focal_point_replies_to_the_draft_chapter_and_the_published_report_prints_it(
    open_page, celery_worker, report_media, focal_nl, reviewer, nl
):
    evaluation_round = EvaluationRound.objects.get(label="2012–2014")
    EvaluationRound.objects.filter(pk=evaluation_round.pk).update(released_at=None)
    today = timezone.localdate()
    # The secretariat set the round's window (the admin's ReplyWindow): open since yesterday.
    ReplyWindow.objects.create(
        evaluation_round=evaluation_round,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=13),
    )

    # --- the focal point reads the draft chapter ------------------------------------------------------
    focal = open_page()
    refused = csp_violations(focal)
    sign_in(focal, focal_nl.username)
    focal.goto("/focal/")
    reply_item = focal.get_by_role("listitem").filter(has_text="2012–2014")
    expect(reply_item.get_by_text("Open", exact=True)).to_be_visible()
    reply_item.get_by_role("link", name="2012–2014").click()
    expect(focal.get_by_role("heading", name="Netherlands: right of reply, 2012–2014")).to_be_visible()
    accessible(focal)
    focal.get_by_role("link", name="Read the draft chapter").click()
    expect(focal.get_by_text("Draft chapter, not published.")).to_be_visible()
    expect(focal.locator(".cover-subtitle")).to_have_text("Netherlands")
    # The report's stylesheet applies (the cover's dark band), and the browser refused nothing.
    band = focal.locator(".cover-band").evaluate("band => getComputedStyle(band).backgroundColor")
    assert band not in ("rgba(0, 0, 0, 0)", "transparent"), band
    assert refused == []
    screenshot(focal, "reply-01-draft-chapter", at=focal.locator(".chapter-banner"))
    accessible(focal, ".chapter-banner")  # (the report's own markup is checked by reporting's tests)

    # --- the reply, saved within the window --------------------------------------------------------
    focal.get_by_role("link", name="Back to your reply").click()
    focal.get_by_role("button", name="Save the reply").click()  # empty: refused, nothing saved
    expect(focal.locator(".errorlist")).to_be_visible()
    assert not Reply.objects.exists()
    focal.get_by_label("The government's reply").fill(REPLY)
    focal.get_by_role("button", name="Save the reply").click()
    expect(
        focal.get_by_text("Your reply is saved; you may change it until the window closes.")
    ).to_be_visible()
    expect(focal.get_by_label("The government's reply")).to_have_value(REPLY)
    accessible(focal)
    screenshot(focal, "reply-02-saved")
    reply = Reply.objects.get()
    assert (reply.country, reply.evaluation_round, reply.updated_by) == (nl, evaluation_round, focal_nl)

    # --- the reviewer has the report made, reads the reply in it and publishes it -----------------------
    rita = open_page()
    sign_in(rita, reviewer.username)
    rita.goto("/reports/")
    rita.get_by_label(re.compile(r"^Report:?$")).select_option("country")
    rita.get_by_label(re.compile(r"^Evaluation round:?$")).select_option(label="2012–2014")
    rita.get_by_label(re.compile(r"^Country:?$")).select_option(str(nl.pk))
    rita.get_by_role("button", name="Request the report").click()
    report = wait_for(Report.objects.get(country=nl, evaluation_round=evaluation_round))
    assert report.status == Report.Status.READY, report.error
    rita.reload()
    row = rita.get_by_role("row").filter(has_text="Netherlands")
    with rita.expect_download() as download:
        row.get_by_role("link", name=re.compile("^PDF")).click()
    text = " ".join(pdf_text(download.value.path()).split())
    assert "The government’s reply" in text
    assert "Written by the government of Netherlands under its right of reply, printed as sent" in text
    assert REPLY in text
    row.get_by_role("button", name=re.compile("^Publish")).click()
    if rita.locator("#confirm-publish").count():  # too little approved data in the test's round
        rita.get_by_label("Why publish it now").fill("The reply is in; the ministers meet next week.")
        rita.get_by_role("button", name="Publish with this reason").click()
    expect(rita.get_by_text(re.compile("is published: ministers and partners can download"))).to_be_visible()
    accessible(rita)
    report.refresh_from_db()
    assert report.published_at is not None and report.published_by == reviewer
