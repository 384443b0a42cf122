"""Who may do what with reports, in the browser and through /api/v1/reports/, role by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from commitments.access import Role
from commitments.models import CountryAssignment
from commitments.services import partner_token_create
from reporting import services
from reporting.models import Report, ReportDownload

PDF = b"%PDF-1.7\n% a test report\n"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def make_report(report_media, evaluation_round):
    def make(*, country=None, published=False, requested_by=None, status=Report.Status.READY) -> Report:
        report = Report.objects.create(
            kind=Report.Kind.COUNTRY if country else Report.Kind.ALLIANCE,
            evaluation_round=evaluation_round,
            country=country,
            requested_by=requested_by,
            status=Report.Status.QUEUED,
        )
        if status == Report.Status.READY:
            report.file.save("report.pdf", ContentFile(PDF), save=False)
            report.sha256, report.page_count, report.size = "0" * 64, 1, len(PDF)
        report.status = status
        report.published_at = timezone.now() if published else None
        report.save()
        return report

    return make


@pytest.fixture
def reports(make_report, nl, be, staff_nl):
    return {
        "published": make_report(published=True),
        "unpublished": make_report(),
        "published_be": make_report(country=be, published=True),
        "own_request": make_report(country=nl, requested_by=staff_nl),
        "queued": make_report(status=Report.Status.QUEUED),
    }


def test_the_reports_page_needs_a_signed_in_user_with_a_role(db, client):
    assert client.get("/reports/").status_code == 302  # to the sign-in page
    assert client.get("/reports/1/download/").status_code == 302


def test_ministers_see_and_download_only_published_reports(minister, reports):
    browser = signed_in(minister)
    page = browser.get("/reports/")
    assert page.status_code == 200
    assert {r.pk for r in page.context["reports"]} == {reports["published"].pk, reports["published_be"].pk}
    assert page.context["form"] is None and not page.context["can_publish"]

    response = browser.get(f"/reports/{reports['published'].pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="alliance-monitor-')
    assert browser.get(f"/reports/{reports['unpublished'].pk}/download/").status_code == 403
    assert browser.post(f"/reports/{reports['unpublished'].pk}/publish/").status_code == 403
    assert browser.post("/reports/request/", {"kind": "alliance"}).status_code == 403
    log = ReportDownload.objects.get()
    assert (log.report, log.user, log.channel) == (reports["published"], minister, "web")


def test_reviewers_see_everything_and_publish(reviewer, minister, reports):
    browser = signed_in(reviewer)
    page = browser.get("/reports/")
    assert len(page.context["reports"]) == len(reports) and page.context["can_publish"]
    assert browser.get(f"/reports/{reports['unpublished'].pk}/download/").status_code == 200

    # The round has no approved data at all: the reviewer is warned and confirms with a reason.
    warned = browser.post(f"/reports/{reports['unpublished'].pk}/publish/")
    assert warned.status_code == 200 and warned.context["confirm"]["report"] == reports["unpublished"]
    assert not Report.objects.get(pk=reports["unpublished"].pk).is_published
    confirmed = browser.post(f"/reports/{reports['unpublished'].pk}/publish/", {"reason": "Needed today."})
    assert confirmed.status_code == 302
    reports["unpublished"].refresh_from_db()
    assert reports["unpublished"].published_by == reviewer
    assert signed_in(minister).get(f"/reports/{reports['unpublished'].pk}/download/").status_code == 200

    browser.post(f"/reports/{reports['queued'].pk}/publish/")  # not ready: refused with a message
    assert not Report.objects.get(pk=reports["queued"].pk).is_published


def test_staff_request_reports_of_their_own_countries_only(staff_nl, nl, be, evaluation_round, reports):
    browser = signed_in(staff_nl)
    page = browser.get("/reports/")
    assert {r.pk for r in page.context["reports"]} == {
        reports["published"].pk,
        reports["published_be"].pk,
        reports["own_request"].pk,
    }
    assert browser.get(f"/reports/{reports['own_request'].pk}/download/").status_code == 200
    assert browser.post(f"/reports/{reports['own_request'].pk}/publish/").status_code == 403

    ask = {"evaluation_round": evaluation_round.pk, "language": "nl"}
    assert browser.post("/reports/request/", {**ask, "kind": "country", "country": nl.pk}).status_code == 302
    assert browser.post("/reports/request/", {**ask, "kind": "country", "country": be.pk}).status_code == 400
    assert browser.post("/reports/request/", {**ask, "kind": "alliance"}).status_code == 400
    created = Report.objects.get(requested_by=staff_nl, status=Report.Status.QUEUED)
    assert (created.country, created.language) == (nl, "nl")


@pytest.mark.parametrize("loses", ["role", "assignment"])
def test_a_requester_who_lost_the_right_can_no_longer_download(staff_nl, nl, reports, loses):
    """Rights are checked when the file is asked for, not when it was requested: in the browser and API."""
    own = reports["own_request"]
    browser = signed_in(staff_nl)
    assert browser.get(f"/reports/{own.pk}/download/").status_code == 200
    assert browser.get(f"/api/v1/reports/{own.pk}/download/").status_code == 200

    if loses == "role":
        staff_nl.groups.clear()
        staff_nl.groups.add(Group.objects.get(name=str(Role.MINISTER)))  # still signed in, another role
    else:
        CountryAssignment.objects.filter(user=staff_nl, country=nl).delete()

    assert browser.get(f"/reports/{own.pk}/download/").status_code == 403
    assert browser.get(f"/api/v1/reports/{own.pk}/download/").status_code == 404  # no longer listed
    assert own.pk not in {r.pk for r in browser.get("/reports/").context["reports"]}
    assert ReportDownload.objects.filter(report=own).count() == 2  # the refused ones hand nothing out
    # Published reports stay open to anyone with a role.
    if loses == "assignment":
        assert browser.get(f"/reports/{reports['published'].pk}/download/").status_code == 200


def test_a_requester_who_lost_the_right_still_gets_the_report_once_it_is_published(
    staff_nl, nl, reports, reviewer
):
    own = reports["own_request"]
    CountryAssignment.objects.filter(user=staff_nl, country=nl).delete()
    services.report_publish(report=own, user=reviewer, reason="Little data: published as it stands.")
    assert signed_in(staff_nl).get(f"/reports/{own.pk}/download/").status_code == 200


def test_the_reports_page_reads_a_fixed_number_of_queries(minister, reports, django_assert_num_queries):
    browser = signed_in(minister)
    browser.get("/reports/")  # warm up the session
    # session (1), user (1), the user's roles (1), the reports with round, country and people (1)
    with django_assert_num_queries(4):
        assert browser.get("/reports/").status_code == 200


# --- the API ----------------------------------------------------------------------------------------------


@pytest.fixture
def partner(db, nl):
    _token, key = partner_token_create(name="Rapporteur NL", countries=[nl])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_partners_list_and_download_published_reports(partner, reports):
    listing = partner.get("/api/v1/reports/")
    assert listing.status_code == 200
    results = listing.json()["results"]
    # Published only; the token is limited to the Netherlands: alliance-wide reports, no Belgian one.
    assert [row["id"] for row in results] == [reports["published"].pk]
    assert results[0]["download_url"].endswith(f"/api/v1/reports/{reports['published'].pk}/download/")

    response = partner.get(results[0]["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    log = ReportDownload.objects.get()
    assert (log.user, log.channel, log.client) == (
        None,
        "api",
        str(log.client),
    ) and "Rapporteur NL" in log.client

    assert partner.get(f"/api/v1/reports/{reports['unpublished'].pk}/download/").status_code == 404
    refused = partner.post(
        "/api/v1/reports/", {"kind": "alliance", "evaluation_round": 1}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["status"] == 403


def test_the_api_requests_reports_for_reviewers(reviewer, evaluation_round, nl):
    api = signed_in(reviewer)
    response = api.post(
        "/api/v1/reports/",
        {"kind": "country", "evaluation_round": evaluation_round.pk, "country": "NL", "language": "nl"},
        content_type="application/json",
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["country"] == "NL" and body["download_url"] is None
    assert response["Location"].endswith(f"/api/v1/reports/{body['id']}/")

    missing = api.post(
        "/api/v1/reports/",
        {"kind": "country", "evaluation_round": evaluation_round.pk},
        content_type="application/json",
    )
    assert missing.status_code == 400 and "country" in missing.json()["fields"]


def test_ministers_read_published_reports_through_the_api(minister, reports, django_assert_num_queries):
    api = signed_in(minister)
    api.get("/api/v1/reports/")
    # session (1), user (1), the user's roles (1), count (1), the page of reports with their relations (1)
    with django_assert_num_queries(5):
        listing = api.get("/api/v1/reports/")
    assert {row["id"] for row in listing.json()["results"]} == {
        reports["published"].pk,
        reports["published_be"].pk,
    }
    assert api.get(f"/api/v1/reports/{reports['unpublished'].pk}/").status_code == 404
    assert (
        api.post("/api/v1/reports/", {"kind": "alliance"}, content_type="application/json").status_code == 403
    )


def test_services_refuse_what_the_roles_do_not_allow(minister, staff_nl, be, reports, evaluation_round):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_publish(report=reports["unpublished"], user=staff_nl)
    with pytest.raises(PermissionDenied):
        services.report_request(user=minister, kind=Report.Kind.ALLIANCE, evaluation_round=evaluation_round)
    with pytest.raises(PermissionDenied):
        services.report_request(
            user=staff_nl, kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=be
        )
    with pytest.raises(PermissionDenied):
        services.report_download(report=reports["unpublished"], user=minister)
    assert not ReportDownload.objects.exists()
