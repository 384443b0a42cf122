"""A focal point's first day, in the real browser: the invitation's email (over SMTP), the password, the
two-factor set-up, the questionnaire filled in and submitted; then the secretariat adopts one figure and
differs on another, and the divergence shows on the country page. Each page passes axe-core."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts import services as invitations
from commitments import services as commitment_services
from commitments.models import CommitmentProgress, IndicatorValue, ReportingPeriod
from focal.models import Decision, SelfReportProgress, SelfReportValue, SelfStatus
from tests.browser.conftest import screenshot, sign_in
from tests.factories import CommitmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a long and unusual passphrase 81"


def accessible(page: Page, context: str | None = None) -> None:
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def test_a_focal_points_first_questionnaire_and_the_secretariats_review(
    open_page, mailbox, administrator, staff_nl, nl, indicator
):
    today = timezone.localdate()
    period = ReportingPeriod.objects.create(
        label="Self-report period (browser)",
        starts_on=dt.date(today.year - 1, 1, 1),
        ends_on=dt.date(today.year - 1, 12, 31),
        deadline=today + dt.timedelta(days=30),
    )
    commitment = CommitmentFactory(country=nl, title="Train every police district in victim identification")
    commitment_services.commitment_progress_save(
        commitment=commitment, period=period, user=staff_nl, completion="limited"
    )
    invitations.invitation_send(
        email="official@gov.example",
        role="Focal point",
        country=nl,
        invited_by=administrator,
        language="en",
        base_url="http://invitation.example",
    )
    [message] = mailbox.wait_for(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"http://invitation\.example(/accounts/invitation/\S+/)", body).group(1)

    # The invitee: a password, then the authenticator before anything else.
    focal = open_page()
    focal.goto(path)
    accessible(focal)
    focal.get_by_label(re.compile(r"^New password:?$")).fill(PASSWORD)
    focal.get_by_label(re.compile(r"^New password confirmation:?$")).fill(PASSWORD)
    focal.get_by_role("button", name="Save and continue").click()
    expect(focal).to_have_url(re.compile(r"/accounts/two-factor/"))
    device = TOTPDevice.objects.get(user__username="official@gov.example", confirmed=False)
    focal.get_by_label("Code from your authenticator app").fill(code_for(device))
    focal.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(focal).to_have_url(re.compile(r"/focal/$"))

    # The questionnaire: a figure and a rating, saved as drafts, then submitted.
    focal.get_by_role("link", name=period.label).click()
    accessible(focal)
    vi2 = focal.locator(f"#values-{indicator('VI-2').pk}")
    vi2.get_by_label("Value").fill("12")
    progress = focal.locator(f"#progress-{commitment.pk}")
    progress.get_by_label("Substantial").check()
    progress.get_by_label("Narrative").fill("Seven of ten districts trained.")
    focal.get_by_role("button", name="Save drafts").click()
    expect(focal.get_by_text("2 answers saved as drafts.")).to_be_visible()
    focal.get_by_role("button", name="Submit the whole questionnaire").click()
    expect(focal.get_by_text("2 answers submitted to the secretariat.")).to_be_visible()
    screenshot(focal, "focal-questionnaire-submitted")
    assert set(SelfReportValue.objects.values_list("status", flat=True)) == {SelfStatus.SUBMITTED}

    # The secretariat: adopt the figure, keep its own rating with a reason.
    staff = open_page()
    sign_in(staff, staff_nl.username)
    staff.goto(f"/focal/countries/NL/periods/{period.pk}/review/")
    accessible(staff)
    value_row = staff.locator(f"#value-{SelfReportValue.objects.get().pk}")
    value_row.get_by_role("button", name="Adopt the government's figure").click()
    expect(staff.get_by_text("The government's figure is now the rapporteur's draft.")).to_be_visible()
    progress_row = staff.locator(f"#progress-{SelfReportProgress.objects.get().pk}")
    expect(
        progress_row.get_by_text("The rapporteur rates limited where the government reports substantial.")
    ).to_be_visible()
    progress_row.get_by_label("Reason (to differ or to return)").fill(
        "Only two districts show trained staff."
    )
    progress_row.get_by_role("button", name="Keep the rapporteur's assessment").click()
    expect(staff.get_by_text("The rapporteur's own assessment is recorded, with the reason.")).to_be_visible()

    adopted = IndicatorValue.objects.get(country=nl, indicator__code="VI-2", period=period)
    assert adopted.number_value == Decimal(12) and adopted.edited_by == staff_nl
    assert CommitmentProgress.objects.get(commitment=commitment, period=period).completion == "limited"
    assert SelfReportProgress.objects.get().decision == Decision.DIVERGED

    # Both tracks side by side on the country page, the divergence flagged.
    staff.goto("/countries/NL/")
    tracks = staff.locator("#two-tracks")
    expect(
        tracks.get_by_text("The rapporteur rates limited where the government reports substantial.")
    ).to_be_visible()
    expect(tracks.get_by_text("Only two districts show trained staff.")).to_be_visible()
    accessible(staff, "#two-tracks")  # (the rest of the country page is not this feature's)
    screenshot(staff, "focal-country-page-two-tracks", at=tracks)
