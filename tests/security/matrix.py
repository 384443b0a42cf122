"""The permission matrix's data: every route of the project, who may do what on it, and the world it runs on.

Read ``TABLE`` as a sentence per route: "data_entry (the Netherlands, 2014): GET and POST are for the
editors of the Netherlands; ...". Each entry maps a method to the outcome each role gets. The routes
come from the URL configuration itself (``project_routes``), so a page or endpoint added to the project
and forgotten here fails ``test_every_route_of_the_project_is_in_the_table``, naming it. The admin's
routes follow one rule (``admin_expectation``) instead of a row each.

Outcomes are classes of HTTP answers, not exact codes:
- ``OK``: 2xx, or a redirect to anything but a sign-in page (a saved form redirects);
- ``INVALID``: 400 or 409, the view was reached and refused the input or the item's state;
- ``LOGIN``: a redirect to a sign-in page (the workspace's or the admin's);
- ``UNAUTHENTICATED`` (401), ``DENIED`` (403), ``HIDDEN`` (404: what one may not see does not exist),
  ``NOT_ALLOWED`` (405).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation
from commitments.access import Role
from commitments.models import (
    Commitment,
    CommitmentProgress,
    ConsistencyRule,
    Country,
    CountryAssignment,
    EvaluationRound,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    ItemComment,
    PartnerToken,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Status,
)
from commitments.views import seen_value
from focal import services as focal_services
from focal.models import (
    FocalPoint,
    Reply,
    ReplyWindow,
    SelfReportProgress,
    SelfReportResponse,
    SelfReportValue,
    SelfStatus,
)
from opendata import services as opendata_services
from reporting.models import Report, ReportDownload
from tests.commitments.api_fixtures import World, build_world, make_tokens, quick_user
from webhooks import services as webhook_services
from webhooks.models import WebhookDelivery, WebhookEndpoint

# --------------------------------------------------------------------------------------------------
# Roles and outcomes
# --------------------------------------------------------------------------------------------------

ROLES = (
    "anonymous",
    "staff_nl",  # staff of country A
    "staff_be",  # staff of country B
    "reviewer",
    "author",  # a reviewer who changed and submitted the items waiting for review (four eyes)
    "minister",
    "partner",  # API token, every country
    "limited",  # API token limited to Belgium
    "revoked",  # API token, revoked
    "expired",  # API token, past its expiry date
    "administrator",
    "focal_nl",  # the Netherlands' focal point (a government official): their country's self-report only
)
TOKENS = ("partner", "limited", "revoked", "expired")
PEOPLE = ("staff_nl", "staff_be", "reviewer", "author", "minister", "administrator", "focal_nl")

OK = "ok"
INVALID = "invalid"
LOGIN = "login"
UNAUTHENTICATED = "401"
DENIED = "403"
HIDDEN = "404"
NOT_ALLOWED = "405"
DENIALS = {LOGIN, UNAUTHENTICATED, DENIED, HIDDEN, NOT_ALLOWED}

STATUS_OUTCOMES = {
    400: INVALID,
    409: INVALID,
    401: UNAUTHENTICATED,
    403: DENIED,
    404: HIDDEN,
    405: NOT_ALLOWED,
}


def outcome_of(response) -> str:
    """The class of an HTTP answer (see the module's docstring)."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        return LOGIN if target in {reverse("login"), reverse("admin:login")} else OK
    if 200 <= code < 300:
        return OK
    return STATUS_OUTCOMES.get(code, f"HTTP {code}")


# What each role may read: texts planted in the world's rows (see ``plant_markers``). A role must never
# receive a marker of a country whose unapproved data it may not read, on any route, in any format.
DRAFT_MARKER = "SECRET-DRAFT-{scope}"
APPROVED_MARKER = "APPROVED-{scope}"
SCOPES = ("NL", "BE", "DE", "ALLIANCE")
_ALL_DRAFTS = {DRAFT_MARKER.format(scope=scope) for scope in SCOPES}
FORBIDDEN_TEXT: dict[str, set[str]] = {
    "anonymous": _ALL_DRAFTS | {APPROVED_MARKER.format(scope=scope) for scope in SCOPES},
    "revoked": _ALL_DRAFTS | {APPROVED_MARKER.format(scope=scope) for scope in SCOPES},
    "expired": _ALL_DRAFTS | {APPROVED_MARKER.format(scope=scope) for scope in SCOPES},
    "partner": _ALL_DRAFTS,
    "minister": _ALL_DRAFTS,
    "limited": _ALL_DRAFTS | {APPROVED_MARKER.format(scope="NL"), APPROVED_MARKER.format(scope="DE")},
    "staff_nl": _ALL_DRAFTS - {DRAFT_MARKER.format(scope="NL")},
    "staff_be": _ALL_DRAFTS - {DRAFT_MARKER.format(scope="BE")},
    "reviewer": set(),
    "author": set(),
    "administrator": set(),
    # A focal point reads their own country's self-report, and never the rapporteur's drafts (not even
    # their country's) nor another country's self-report.
    "focal_nl": _ALL_DRAFTS,
}
# What the public site (opendata/) shows everyone: the only approved text of a released round in this
# world is the cycle round's approved decision (released yesterday); every other approved marker belongs
# to the seeded round, which is not released, and stays forbidden to those without a role there too.
RELEASED_TEXT = {APPROVED_MARKER.format(scope="ALLIANCE")}
# The governments' self-reports (focal/): a marker per country, in every submitted and draft answer. They
# are for the secretariat (those who may read the country's drafts) and the country's own focal points;
# the matrix's round is not released, so partners, ministers and visitors read none.
GOV_MARKER = "GOV-SELF-{scope}"
_ALL_GOV = {GOV_MARKER.format(scope=scope) for scope in ("NL", "BE")}
_GOV_READERS = {
    "staff_nl": {"NL"},
    "staff_be": {"BE"},
    "focal_nl": {"NL"},
    "reviewer": {"NL", "BE"},
    "author": {"NL", "BE"},
    "administrator": {"NL", "BE"},
}
FORBIDDEN_TEXT = {
    role: forbidden | (_ALL_GOV - {GOV_MARKER.format(scope=code) for code in _GOV_READERS.get(role, ())})
    for role, forbidden in FORBIDDEN_TEXT.items()
}


# --------------------------------------------------------------------------------------------------
# Expectations, by the kind of route
# --------------------------------------------------------------------------------------------------


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def page(**people: str) -> dict[str, str]:
    """A workspace page: visitors and API tokens (which pages ignore) are sent to sign in; each person
    gets what is given here, OK unless said otherwise. A focal point gets what a minister gets unless said
    otherwise: neither edits nor reviews the rapporteur's work."""
    people.setdefault("focal_nl", people.get("minister", OK))
    return {"anonymous": LOGIN, **dict.fromkeys(TOKENS, LOGIN), **dict.fromkeys(PEOPLE, OK), **people}


def api(**callers: str) -> dict[str, str]:
    """An API endpoint: no credentials, a revoked or an expired token get 401; everyone else is OK unless
    said otherwise."""
    return {
        **dict.fromkeys(ROLES, OK),
        "anonymous": UNAUTHENTICATED,
        "revoked": UNAUTHENTICATED,
        "expired": UNAUTHENTICATED,
        # Focal points have no use of the partner API: it refuses them (403) like an account with no role.
        "focal_nl": DENIED,
        **callers,
    }


PUBLIC = everyone(OK)
ANY_ROLE_PAGE = page()
WORKSPACE_PAGE = page(minister=DENIED)  # staff and reviewers
EDIT_NL_PAGE = page(staff_be=DENIED, minister=DENIED)  # who may edit the Netherlands' data
REVIEW_PAGE = page(staff_nl=DENIED, staff_be=DENIED, minister=DENIED)
ADMINISTRATOR_PAGE = page(staff_nl=DENIED, staff_be=DENIED, reviewer=DENIED, author=DENIED, minister=DENIED)
# The focal point's own pages (questionnaire, reply): for focal points only.
FOCAL_PAGE = {
    **page(**dict.fromkeys(PEOPLE, DENIED)),
    "focal_nl": OK,
}
# The four-eyes column: approving or returning is refused to the reviewer who changed or submitted the
# item (403), and is for every other reviewer.
REVIEW_OTHERS_WORK = {**REVIEW_PAGE, "author": DENIED}

API_READ = api()
API_NL = api(limited=HIDDEN)  # a Dutch row: not there for the token limited to Belgium
API_DRAFT_NL = api(staff_be=HIDDEN, minister=HIDDEN, partner=HIDDEN, limited=HIDDEN)
# Writes: tokens are read-only and ministers change nothing (403, before any row is looked up).
API_WRITE = api(minister=DENIED, partner=DENIED, limited=DENIED)
API_WRITE_NL = {**API_WRITE, "staff_be": DENIED}  # the service refuses Belgian staff
API_WRITE_NL_DRAFT = {**API_WRITE, "staff_be": HIDDEN}  # Belgian staff do not even find the draft
# Approve and return: for reviewers other than the one who changed or submitted the item (four eyes).
API_REVIEW_NL = {**API_WRITE_NL_DRAFT, "staff_nl": DENIED, "author": DENIED}


# --------------------------------------------------------------------------------------------------
# The world the matrix runs on
# --------------------------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n% a stand-in file for the permission matrix\n%%EOF\n"


@dataclass
class MatrixWorld:
    """Everything the table's URLs and payloads name: the API tests' world plus people, tokens, reports."""

    data: World
    users: dict[str, Any]
    keys: dict[str, str]  # token roles -> key
    evaluation_round: EvaluationRound
    reports: dict[str, Report]
    device: TOTPDevice
    admin_objects: dict[tuple[str, str], models.Model] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # people -> session key (signed in)
    baseline: dict[str, str] = field(default_factory=dict)  # the guarded tables' state every cell starts from

    waiting: dict[str, models.Model] = field(default_factory=dict)  # the author's submitted items
    cycle: dict[str, models.Model] = field(default_factory=dict)  # a published round, its meeting, decisions

    @property
    def progress(self) -> ReportingPeriod:
        return self.data.progress

    def value(self, code: str, state: str) -> IndicatorValue:
        return self.data.values[code, state]

    def version_of(self, item: models.Model) -> int:
        return type(item).objects.values_list("version", flat=True).get(pk=item.pk)


def plant_markers(world: World) -> None:
    """Write a marker into the free text of every reviewable row: whose it is, and whether approved."""
    texts = [
        (IndicatorValue, "note", "country__code"),
        (CommitmentProgress, "narrative", "commitment__country__code"),
        (RecommendationFollowUp, "narrative", "recommendation__country__code"),
    ]
    for model, text_field, country_path in texts:
        for pk, status, code in model.objects.values_list("pk", "status", country_path):
            template = APPROVED_MARKER if status == Status.APPROVED else DRAFT_MARKER
            marker = template.format(scope=code or "ALLIANCE")
            model.objects.filter(pk=pk).update(**{text_field: f"{marker} ({status})"})
    # Reviewed texts: the approved revision carries an approved marker, a newer draft a draft marker.
    texts = [
        (Commitment, "description", "country__code"),
        (Recommendation, "text", "country__code"),
        (GovernmentResponse, "summary", "recommendation__country__code"),
    ]
    for model, text_field, country_path in texts:
        codes = dict(model.objects.values_list("pk", country_path))
        for item in model.objects.all():
            code = codes[item.pk] or "ALLIANCE"
            setattr(item, text_field, f"{APPROVED_MARKER.format(scope=code)} (approved text)")
            working = item.working_values()
            working[text_field] = f"{DRAFT_MARKER.format(scope=code)} (draft text)"
            model.objects.filter(pk=item.pk).update(
                **{text_field: getattr(item, text_field)},
                draft=item.encode_draft(working),
                status=Status.DRAFT,
                version=item.version + 1,
            )


def _report(**fields) -> Report:
    name = default_storage.save("reports/matrix/report.pdf", ContentFile(PDF_BYTES))
    return Report.objects.create(
        status=Report.Status.READY,
        file=name,
        sha256="0" * 64,
        page_count=1,
        size=len(PDF_BYTES),
        finished_at=timezone.now(),
        **fields,
    )


def build_matrix_world() -> MatrixWorld:
    """The rows every cell may name. Built once per test module, inside a transaction rolled back after it."""
    users = {
        "staff_nl": quick_user("matrix-staff-nl", Role.STAFF, ("NL",)),
        "staff_be": quick_user("matrix-staff-be", Role.STAFF, ("BE",)),
        "reviewer": quick_user("matrix-reviewer", Role.REVIEWER),
        "author": quick_user("matrix-author", Role.REVIEWER),
        "minister": quick_user("matrix-minister", Role.MINISTER),
        # As the seed makes administrators: the Administrator and Reviewer roles and admin access, but
        # not a superuser (whose permissions would prove nothing about the role).
        "administrator": quick_user("matrix-administrator", Role.ADMINISTRATOR),
        "focal_nl": quick_user("matrix-focal-nl", None),
    }
    focal_services.focal_point_add(user=users["focal_nl"], country=Country.objects.get(code="NL"))
    administrator = users["administrator"]
    administrator.groups.add(Group.objects.get(name=str(Role.REVIEWER)))
    administrator.is_staff = True
    administrator.save()
    data = build_world(users["reviewer"])
    waiting = _authors_work(data, users["author"])
    plant_markers(data)
    waiting.update(_authors_texts(users["author"]))
    waiting.update(_self_reports(data, users["focal_nl"]))
    # The author (a reviewer) asked to withhold the Netherlands' approved value: a proposal to decide on.
    waiting["withholding_NL"] = opendata_services.withholding_propose(
        kind="value", item_id=data.values["NL", "approved"].pk, reason="A court case", user=users["author"]
    )
    tokens = make_tokens()
    keys = {
        "partner": tokens.partner,
        "limited": tokens.limited,
        "revoked": tokens.revoked,
        "expired": tokens.expired,
    }
    evaluation_round = EvaluationRound.objects.get()
    cycle = _cycle_objects(users["author"])
    nl = Country.objects.get(code="NL")
    reports = {
        # Ready but not published, requested by a reviewer: reviewers only.
        "unpublished": _report(
            kind=Report.Kind.COUNTRY,
            evaluation_round=evaluation_round,
            country=nl,
            requested_by=users["reviewer"],
        ),
        # Published: every role and every valid token.
        "published": _report(
            kind=Report.Kind.ALLIANCE,
            evaluation_round=evaluation_round,
            requested_by=users["reviewer"],
            published_at=timezone.now(),
            published_by=users["reviewer"],
        ),
    }
    device_owner = quick_user("matrix-phone-owner", None)
    device = TOTPDevice.objects.create(user=device_owner, name="Authenticator app", confirmed=True)
    world = MatrixWorld(
        data=data,
        users=users,
        keys=keys,
        evaluation_round=evaluation_round,
        reports=reports,
        device=device,
        waiting=waiting,
        cycle=cycle,
    )
    world.admin_objects = _admin_objects(world)
    return world


def _authors_work(data: World, author) -> dict[str, models.Model]:
    """The items waiting for review that the author changed and submitted: the Netherlands' submitted
    value, and progress and a follow-up submitted in a period of their own (the 2014 ones stay drafts
    for the submit cells)."""
    value = data.values["NL", "submitted"]
    period = ReportingPeriod.objects.create(
        label="2015 progress (matrix)",
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 12, 31),
        deadline=dt.date(2016, 3, 31),
    )
    progress = CommitmentProgress(commitment=data.commitments["NL"], period=period, completion="complete")
    follow_up = RecommendationFollowUp(
        recommendation=data.recommendations["NL"], period=period, follow_up="implemented"
    )
    for item in (progress, follow_up):
        item.status, item.submitted_at = Status.SUBMITTED, timezone.now()
        item.save()
    for item in (value, progress, follow_up):
        type(item).objects.filter(pk=item.pk).update(edited_by=author, submitted_by=author)
    return {"value": value, "progress": progress, "follow_up": follow_up, "period": period}


def _authors_texts(author) -> dict[str, models.Model]:
    """Reviewed texts of the Netherlands waiting for review that the author changed and submitted: a
    commitment and a recommendation whose approved text readers see while a draft waits, and the
    government's response to that recommendation. Their texts carry the markers too."""
    nl = Country.objects.get(code="NL")
    goal = Goal.objects.get(code="PREVENTION")
    approved = APPROVED_MARKER.format(scope="NL") + " (approved text)"
    draft = DRAFT_MARKER.format(scope="NL") + " (draft text)"
    now = timezone.now()
    commitment = Commitment.objects.create(
        country=nl,
        goal=goal,
        title="Matrix: a commitment under review",
        description=approved,
        committed_on=dt.date(2013, 4, 15),
        status=Status.APPROVED,
        approved_at=now,
    )
    recommendation = Recommendation.objects.create(
        country=nl,
        goal=goal,
        number="M-1",
        source_document="Matrix monitor",
        text=approved,
        addressees="Ministry of Justice",
        issued_on=dt.date(2014, 10, 1),
        status=Status.APPROVED,
        approved_at=now,
    )
    response = GovernmentResponse.objects.create(
        recommendation=recommendation,
        response="adopted",
        responded_on=dt.date(2014, 12, 1),
        summary=approved,
        status=Status.APPROVED,
        approved_at=now,
    )
    items = {"commitment": (commitment, "description"), "recommendation": (recommendation, "text")}
    items["response"] = (response, "summary")
    for item, text_field in items.values():
        working = {**item.working_values(), text_field: draft}
        type(item).objects.filter(pk=item.pk).update(
            draft=item.encode_draft(working),
            status=Status.SUBMITTED,
            submitted_at=now,
            submitted_by=author,
            edited_by=author,
            version=item.version + 2,  # changed, then submitted
        )
    return {f"{name}_text": item for name, (item, _) in items.items()}


def _cycle_objects(author) -> dict[str, models.Model]:
    """A round whose reports are published (released yesterday), its ministerial meeting, an approved
    evaluation, an approved decision (with the Dutch commitment it became) and a decision the author
    changed and submitted (four eyes). The decisions' texts carry the alliance's markers."""
    from cycle.models import Decision, Meeting, MeetingEvaluation, RoundTransition

    now = timezone.now()
    periods = [
        ReportingPeriod.objects.create(
            label=f"{year} progress (matrix cycle)",
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            deadline=dt.date(year + 1, 3, 31),
        )
        for year in (2016, 2017)
    ]
    evaluation_round = EvaluationRound.objects.create(
        label="Matrix cycle",
        baseline_period=periods[0],
        evaluation_period=periods[1],
        ministerial_date=dt.date(2018, 6, 1),
        stage="published",
        released_at=now - dt.timedelta(days=1),
    )
    meeting = Meeting.objects.create(
        evaluation_round=evaluation_round, held_on=dt.date(2018, 6, 1), place="Matrix"
    )
    approved = {"status": Status.APPROVED, "approved_at": now}
    evaluation = MeetingEvaluation.objects.create(
        meeting=meeting,
        goal=Goal.objects.get(code="VICTIM_ID"),
        text="The ministers' evaluation.",
        **approved,
    )
    decision = Decision.objects.create(
        meeting=meeting,
        number="1",
        title="Matrix: an approved decision",
        text=APPROVED_MARKER.format(scope="ALLIANCE") + " (approved text)",
        goals=["PREVENTION"],
        countries=["NL"],
        lead="Ministry of Justice",
        due_on=dt.date(2019, 6, 30),
        **approved,
    )
    Commitment.objects.create(
        country=Country.objects.get(code="NL"),
        goal=Goal.objects.get(code="PREVENTION"),
        decision=decision,
        title="Matrix: an approved decision",
        committed_on=dt.date(2018, 6, 1),
        **approved,
    )
    waiting = Decision.objects.create(
        meeting=meeting,
        number="2",
        title="Matrix: a decision under review",
        text=DRAFT_MARKER.format(scope="ALLIANCE") + " (draft text)",
        goals=["PREVENTION"],
        countries=[],
        lead="Ministry of Justice",
        due_on=dt.date(2019, 6, 30),
        status=Status.SUBMITTED,
        submitted_at=now,
        submitted_by=author,
        edited_by=author,
        version=3,
    )
    transition = RoundTransition.objects.create(
        evaluation_round=evaluation_round, from_stage="drafted", to_stage="published", user=author
    )
    return {
        "round": evaluation_round,
        "meeting": meeting,
        "evaluation": evaluation,
        "decision": decision,
        "waiting": waiting,
        "transition": transition,
    }


def cycle_round(world: MatrixWorld) -> dict[str, Any]:
    return {"pk": world.cycle["round"].pk}


def cycle_step(action: str, **fields) -> Callable[[MatrixWorld], dict]:
    """A review step on one of the cycle's texts, as its form's buttons post it."""

    def body(world: MatrixWorld) -> dict:
        item = world.cycle["waiting" if action in ("approve", "return") else "decision"]
        return {"action": action, "expected_version": world.version_of(item), **fields}

    return body


def decision_form(**extra) -> Callable[[MatrixWorld], dict]:
    return lambda world: {
        "number": "9",
        "title": "Run a campaign",
        "goals": ["PREVENTION"],
        "lead": "Ministry of Education",
        "due_on": "2019-12-31",
        **extra,
    }
def _self_reports(data: World, focal_point) -> dict[str, models.Model]:
    """The governments' self-reports of the Netherlands and Belgium (2014): a submitted value and a draft
    progress answer each, their texts carrying the country's marker."""
    rows = {}
    for code in ("NL", "BE"):
        country = Country.objects.get(code=code)
        marker = GOV_MARKER.format(scope=code)
        rows[f"self_value_{code}"] = SelfReportValue.objects.create(
            country=country,
            period=data.progress,
            indicator=Indicator.objects.get(code="VI-3"),
            number_value=7,
            note=f"{marker} (submitted)",
            status=SelfStatus.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=focal_point,
        )
        rows[f"self_progress_{code}"] = SelfReportProgress.objects.create(
            country=country,
            period=data.progress,
            commitment=data.commitments[code],
            completion="complete",
            narrative=f"{marker} (draft)",
        )
    return rows


def _admin_objects(world: MatrixWorld) -> dict[tuple[str, str], models.Model]:
    """One real row per model the admin shows: the object of its change, delete and history pages."""
    endpoint = webhook_services.endpoint_save(
        endpoint=WebhookEndpoint(
            name="Matrix partner", url="https://example.invalid/hooks", events=["value.approved"]
        )
    )
    attempt_fields = {
        "user_agent": "matrix",
        "ip_address": "10.9.9.9",  # not the test client's address: locks nobody out
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    rows = {
        ("auth", "group"): Group.objects.get(name=str(Role.MINISTER)),
        ("auth", "user"): world.users["minister"],
        ("axes", "accessattempt"): AccessAttempt.objects.create(
            username="someone-locked-out", get_data="", post_data="", failures_since_start=5, **attempt_fields
        ),
        ("axes", "accesslog"): AccessLog.objects.create(username="someone-signed-in", **attempt_fields),
        ("axes", "accessfailurelog"): AccessFailureLog.objects.create(
            username="someone-locked-out", locked_out=True, **attempt_fields
        ),
        ("otp_totp", "totpdevice"): world.device,
        ("commitments", "country"): Country.objects.get(code="NL"),
        ("commitments", "goal"): Goal.objects.get(code="VICTIM_ID"),
        ("commitments", "indicator"): Indicator.objects.get(code="VI-2"),
        ("commitments", "reportingperiod"): world.progress,
        ("commitments", "evaluationround"): world.evaluation_round,
        ("commitments", "indicatorvalue"): world.value("NL", "draft"),
        ("commitments", "commitment"): world.data.commitments["NL"],
        ("commitments", "commitmentprogress"): CommitmentProgress.objects.get(
            commitment=world.data.commitments["NL"], period=world.progress
        ),
        ("commitments", "recommendation"): world.data.recommendations["NL"],
        ("commitments", "governmentresponse"): GovernmentResponse.objects.get(
            recommendation=world.data.recommendations["NL"]
        ),
        ("commitments", "recommendationfollowup"): RecommendationFollowUp.objects.get(
            recommendation=world.data.recommendations["NL"], period=world.progress
        ),
        ("commitments", "countryassignment"): CountryAssignment.objects.get(user=world.users["staff_nl"]),
        ("commitments", "consistencyrule"): ConsistencyRule.objects.get(code="icse-change-agrees"),
        ("commitments", "finding"): Finding.objects.create(
            period=world.progress, country=Country.objects.get(code="NL"), text="Findings for the matrix."
        ),
        ("commitments", "partnertoken"): PartnerToken.objects.get(name="Interpol ICSE sync"),
        ("commitments", "itemcomment"): ItemComment.objects.create(
            item_kind=ItemComment.Kind.VALUE,
            item_id=world.value("NL", "draft").pk,
            item_version=1,
            country=Country.objects.get(code="NL"),
            period=world.progress,
            author=world.users["reviewer"],
            body="A message for the matrix.",
        ),
        ("reporting", "report"): world.reports["unpublished"],
        ("reporting", "reportdownload"): ReportDownload.objects.create(
            report=world.reports["published"], client="matrix partner", channel=ReportDownload.Channel.API
        ),
        ("webhooks", "webhookendpoint"): endpoint,
        ("cycle", "meeting"): world.cycle["meeting"],
        ("cycle", "meetingevaluation"): world.cycle["evaluation"],
        ("cycle", "decision"): world.cycle["decision"],
        ("cycle", "roundtransition"): world.cycle["transition"],
        ("accounts", "invitation"): Invitation.objects.create(
            email="invited@gov.example",
            role="Focal point",
            country=Country.objects.get(code="BE"),
            token_hash="1" * 64,
            expires_at=timezone.now() + dt.timedelta(days=1),
            invited_by=world.users["administrator"],
        ),
        ("focal", "focalpoint"): FocalPoint.objects.get(user=world.users["focal_nl"]),
        ("focal", "replywindow"): ReplyWindow.objects.create(
            evaluation_round=world.evaluation_round,
            opens_on=dt.date(2000, 1, 1),
            closes_on=dt.date(2000, 1, 31),  # long closed: the reply cells stay refused
        ),
        ("focal", "selfreportvalue"): world.waiting["self_value_NL"],
        ("focal", "selfreportprogress"): world.waiting["self_progress_NL"],
        ("focal", "selfreportresponse"): SelfReportResponse.objects.create(
            country=Country.objects.get(code="NL"),
            period=world.progress,
            recommendation=world.data.recommendations["NL"],
            answer="partly",
            action=GOV_MARKER.format(scope="NL") + " (response)",
        ),
        ("focal", "reply"): Reply.objects.create(
            country=Country.objects.get(code="NL"),
            evaluation_round=world.evaluation_round,
            text=GOV_MARKER.format(scope="NL") + " (reply)",
        ),
        ("webhooks", "webhookdelivery"): WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id="msg_matrix",
            event="value.approved",
            payload={"type": "value.approved"},
        ),
    }
    return rows


# --------------------------------------------------------------------------------------------------
# The table: every route outside the admin
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What one method of a route is sent (``body``, from the world) and what each role gets."""

    expect: dict[str, str]
    body: Callable[[MatrixWorld], dict] | None = None


@dataclass(frozen=True)
class Route:
    """One concrete URL of a route pattern (its converters filled from the world) and its methods."""

    methods: dict[str, Request]
    args: Callable[[MatrixWorld], dict[str, Any]] = lambda world: {}
    variant: str = ""


def route(args=None, *, variant: str = "", **methods) -> Route:
    """``route(args, GET=expectations, POST=(expectations, body))``."""
    requests = {}
    for method, spec in methods.items():
        expect, body = spec if isinstance(spec, tuple) else (spec, None)
        requests[method] = Request(expect=expect, body=body)
    return Route(methods=requests, args=args or (lambda world: {}), variant=variant)


def nl_progress(world: MatrixWorld) -> dict[str, Any]:
    return {"code": "NL", "period_id": world.progress.pk}


def nl_commitment(world: MatrixWorld) -> dict[str, Any]:
    return {"pk": world.data.commitments["NL"].pk}


def nl_recommendation(world: MatrixWorld) -> dict[str, Any]:
    return {"pk": world.data.recommendations["NL"].pk}


def goal_pk(code: str) -> int:
    return Goal.objects.values_list("pk", flat=True).get(code=code)


# Form bodies as the browser posts them (the test client does not check CSRF tokens).
def data_entry_form(world: MatrixWorld) -> dict:
    draft = world.value("NL", "draft")
    return {
        "VI-2-value": "45",
        "VI-2-note": "Checked again.",
        "VI-2-expected_version": world.version_of(draft),
    }


# Focal points change no values: refused (403) like ministers, before the body is read.
API_IMPORT = api(
    **{
        **dict.fromkeys(PEOPLE, "HTTP 415"),
        "minister": DENIED,
        "focal_nl": DENIED,
        "partner": DENIED,
        "limited": DENIED,
    }
)


def RESET_FORM(world: MatrixWorld) -> dict:  # noqa: N802 - read as a constant in the table
    return {"email": "nobody@example.invalid"}


def NEW_PASSWORDS(world: MatrixWorld) -> dict:  # noqa: N802 - read as a constant in the table
    return {"new_password1": "a-new-password-2015", "new_password2": "a-new-password-2015"}


# Only staff and reviewers upload: ministers and focal points are refused (403).
UPLOAD_PAGE = page(**{**dict.fromkeys(PEOPLE, INVALID), "minister": DENIED, "focal_nl": DENIED})


def NO_BODY(world: MatrixWorld) -> dict:  # noqa: N802 - read as a constant in the table
    return {}


def grid_form(world: MatrixWorld) -> dict:
    """The grid's form as a browser without JavaScript posts the Dutch draft's row."""
    draft = world.value("NL", "draft")
    return {
        "NL-VI-2-value": "45",
        "NL-VI-2-note": "Checked again.",
        "NL-VI-2-expected_version": world.version_of(draft),
    }


def unsubscribe_link(world: MatrixWorld) -> dict:
    from notifications.emails import unsubscribe_token

    return {"token": unsubscribe_token(user_id=world.users["staff_nl"].pk, kind="overdue_digest")}


def commitment_form(world: MatrixWorld) -> dict:
    return {
        "goal": goal_pk("PREVENTION"),
        "title": "Run a campaign in schools",
        "lead_organisation": "Ministry of Education",
        "committed_on": "2013-04-15",
    }


def commitment_edit_form(world: MatrixWorld) -> dict:
    """The commitment form on an existing commitment: with the version the change is based on."""
    return {**commitment_form(world), "expected_version": world.version_of(world.data.commitments["NL"])}


def progress_form(world: MatrixWorld) -> dict:
    item = CommitmentProgress.objects.get(commitment=world.data.commitments["NL"], period=world.progress)
    return {"completion": "complete", "narrative": "Done.", "expected_version": item.version}


def recommendation_form(world: MatrixWorld) -> dict:
    return {
        "source_document": "Monitor 2015",
        "number": "9",
        "goal": goal_pk("PREVENTION"),
        "text": "Fund prevention.",
        "addressees": "Ministry of Justice",
        "issued_on": "2014-10-01",
    }


def recommendation_edit_form(world: MatrixWorld) -> dict:
    version = world.version_of(world.data.recommendations["NL"])
    return {**recommendation_form(world), "expected_version": version}


def nl_response(world: MatrixWorld) -> GovernmentResponse:
    return GovernmentResponse.objects.get(recommendation=world.data.recommendations["NL"])


def text_step(name: str, action: str, **fields) -> Callable[[MatrixWorld], dict]:
    """A review step on one of the author's submitted texts, as its form's buttons post it."""
    return lambda world: {
        "action": action,
        "expected_version": world.version_of(world.waiting[f"{name}_text"]),
        **fields,
    }


def text_at(name: str) -> Callable[[MatrixWorld], dict[str, Any]]:
    """The URL arguments of the browser's review buttons for one of the author's submitted texts."""
    return lambda world: {"kind": name, "pk": world.waiting[f"{name}_text"].pk}


def follow_up_form(world: MatrixWorld) -> dict:
    item = RecommendationFollowUp.objects.get(
        recommendation=world.data.recommendations["NL"], period=world.progress
    )
    return {"follow_up": "implemented", "narrative": "Done.", "expected_version": item.version}


def report_form(world: MatrixWorld) -> dict:
    nl = Country.objects.get(code="NL")
    return {
        "kind": "country",
        "evaluation_round": world.evaluation_round.pk,
        "country": nl.pk,
        "language": "en",
    }


def in_progress_period(**fields) -> Callable[[MatrixWorld], dict]:
    return lambda world: {"period": world.progress.pk, **fields}


def nl_draft_progress(world: MatrixWorld) -> CommitmentProgress:
    return CommitmentProgress.objects.get(commitment=world.data.commitments["NL"], period=world.progress)


def nl_draft_follow_up(world: MatrixWorld) -> RecommendationFollowUp:
    return RecommendationFollowUp.objects.get(
        recommendation=world.data.recommendations["NL"], period=world.progress
    )


def at_version(item: Callable[[MatrixWorld], models.Model], **fields) -> Callable[[MatrixWorld], dict]:
    """A body that changes an existing item: with the version it is based on."""
    return lambda world: {**fields, "version": world.version_of(item(world))}


def in_progress_period_at(item, **fields) -> Callable[[MatrixWorld], dict]:
    return lambda world: {"period": world.progress.pk, **at_version(item, **fields)(world)}


def waiting(name: str, **fields) -> Callable[[MatrixWorld], dict]:
    """A review step on one of the author's submitted items (its period, its version)."""

    def body(world: MatrixWorld) -> dict:
        item = world.waiting[name]
        extra = {} if name == "value" else {"period": world.waiting["period"].pk}
        return {**extra, **fields, "version": world.version_of(item)}

    return body


# Approve and return a reviewed text through the API: its approved text is public, so Belgian staff find
# it and are refused (403) like the Netherlands' staff; the author who changed and submitted it is refused
# too (four eyes).
API_REVIEW_NL_TEXT = {**API_WRITE_NL, "staff_nl": DENIED, "author": DENIED}


def api_text_steps(name: str) -> list[Route]:
    """The API's approve and return cells for one of the author's submitted texts."""

    def args(world: MatrixWorld) -> dict[str, Any]:
        item = world.waiting[f"{name}_text"]
        return {"pk": item.recommendation_id if name == "response" else item.pk}

    def body(action: str, **fields) -> Callable[[MatrixWorld], dict]:
        return lambda world: {
            "action": action,
            **fields,
            "version": world.version_of(world.waiting[f"{name}_text"]),
        }

    return [
        route(args, variant="approve", POST=(API_REVIEW_NL_TEXT, body("approve"))),
        route(args, variant="return", POST=(API_REVIEW_NL_TEXT, body("return", reason="Which source?"))),
    ]


def review_step(action: str, **fields) -> Callable[[MatrixWorld], dict]:
    """The review page's form for one of the author's submitted items (the Netherlands' value)."""

    def body(world: MatrixWorld) -> dict:
        item = world.waiting["value"]
        key = f"value-{item.pk}"
        extra = {f"{key}-{name}": value for name, value in fields.items()}
        return {"item": key, "action": action, f"{key}-expected_version": world.version_of(item), **extra}

    return body


def decide_step(world: MatrixWorld) -> dict:
    """The review page's one form, naming one of the author's submitted items to approve (four eyes)."""
    item = world.waiting["value"]
    key = f"value-{item.pk}"
    return {"action": "decide", "seen": [f"{key}:{world.version_of(item)}"], f"decision-{key}": "approve"}


def submit_all(world: MatrixWorld) -> dict:
    """"Submit for review" as the data-entry page posts it: with every pending item it shows."""
    pending = [
        *IndicatorValue.objects.filter(country__code="NL", period=world.progress),
        *CommitmentProgress.objects.filter(commitment__country__code="NL", period=world.progress),
        *RecommendationFollowUp.objects.filter(recommendation__country__code="NL", period=world.progress),
    ]
    return {"seen": [seen_value(item) for item in pending if item.status in {Status.DRAFT, Status.RETURNED}]}


def approve_all(world: MatrixWorld) -> dict:
    """ "Approve all" as the review page posts it: with every submitted item it shows, at its version."""
    submitted = IndicatorValue.objects.filter(
        country__code="NL", period=world.progress, status=Status.SUBMITTED
    )
    return {"action": "approve_all", "seen": [f"value-{item.pk}:{item.version}" for item in submitted]}


def self_value_form(world: MatrixWorld) -> dict:
    """The questionnaire as its page posts it: a new figure for VI-2."""
    indicator = Indicator.objects.get(code="VI-2")
    return {f"values-{indicator.pk}-value": "12", f"values-{indicator.pk}-expected_version": "0"}


def new_value(world: MatrixWorld) -> dict:
    return {"country": "NL", "indicator": "VI-3", "period": world.progress.pk, "number_value": "12.5"}


NEW_COMMITMENT = {
    "country": "NL",
    "goal": "PREVENTION",
    "title": "Run a campaign",
    "committed_on": "2013-04-15",
}
NEW_RECOMMENDATION = {
    "country": "NL",
    "number": "9",
    "source_document": "Monitor 2014",
    "goal": "PREVENTION",
    "text": "Fund prevention.",
    "addressees": ["Ministry of Justice"],
    "issued_on": "2014-10-01",
}
WRONG_PASSWORD = {"username": "nobody-at-all", "password": "not-a-password-of-anyone"}


TABLE: dict[str, list[Route]] = {
    # --- signing in: open to all; the code pages are for those signed in with a password ---------------
    "login": [
        route(GET=PUBLIC, POST=(PUBLIC, lambda w: WRONG_PASSWORD), PUT=(PUBLIC, lambda w: WRONG_PASSWORD))
    ],
    # Signing out always ends on the sign-in page.
    "logout": [route(POST=everyone(LOGIN))],
    # Without an authenticator (none of these people has one) the code page sends one on.
    "two_factor_verify": [route(GET=page(), POST=(page(), lambda w: {"token": "123456"}))],
    # Anyone signed in may set up an authenticator; a wrong code is refused (400).
    "two_factor_setup": [
        route(GET=page(), POST=(page(**dict.fromkeys(PEOPLE, INVALID)), lambda w: {"token": "123456"}))
    ],
    "audit_log": [route(GET=ADMINISTRATOR_PAGE)],
    # The audit as CSV for an outside auditor: administrators only, like the page.
    "audit_export": [route(GET=ADMINISTRATOR_PAGE)],
    "set_language": [route(POST=(PUBLIC, lambda w: {"language": "nl", "next": "/"}))],
    "healthz": [route(GET=PUBLIC)],
    # Readiness: the same answer for everyone, no sign-in (an orchestrator asks). No Celery beat runs in
    # the suite, so it says "unready" here (tests/operations/test_health.py follows it with real processes).
    "readyz": [route(GET=everyone("HTTP 503"))],
    # Prometheus metrics: administrators (and scrapers with METRICS_TOKEN, not set here) only.
    "metrics": [route(GET={**everyone(DENIED), "administrator": OK})],
    # The API's schema and docs are public: partners read them before they have a token.
    "api-schema": [route(GET=PUBLIC)],
    "api-docs": [route(GET=PUBLIC)],
    # SDMX: the API's readers, approved data only (what they see is tests/commitments/test_api_sdmx.py).
    "sdmx-structure": [route(GET=API_READ)],
    "sdmx-data": [route(GET=API_READ)],
    # --- the workspace --------------------------------------------------------------------------------
    "home": [route(GET=ANY_ROLE_PAGE)],
    "country_list": [route(GET=ANY_ROLE_PAGE)],
    # Everyone with a role reads a country's page; what it shows of drafts is checked by the markers.
    "country_detail": [route(lambda w: {"code": "NL"}, GET=ANY_ROLE_PAGE)],
    "data_entry": [route(nl_progress, GET=EDIT_NL_PAGE, POST=(EDIT_NL_PAGE, data_entry_form))],
    "submit_for_review": [route(nl_progress, POST=(EDIT_NL_PAGE, submit_all))],
    # Approving all: the author's own items are left for another reviewer (the page says so), so the
    # author gets the page back too; approving or returning one of them is refused (four eyes).
    "findings": [
        route(
            nl_progress,
            GET=EDIT_NL_PAGE,
            POST=(EDIT_NL_PAGE, lambda w: {"goal": "", "action": "save", "text": "Findings in words."}),
        )
    ],
    "review": [
        route(nl_progress, GET=REVIEW_PAGE, POST=(REVIEW_PAGE, approve_all)),
        route(nl_progress, variant="approve", POST=(REVIEW_OTHERS_WORK, review_step("approve"))),
        route(
            nl_progress,
            variant="return",
            POST=(REVIEW_OTHERS_WORK, review_step("return", reason="Which source?")),
        ),
        # The one form for a whole country and period: naming the author's own item is refused to them.
        route(nl_progress, variant="decide", POST=(REVIEW_OTHERS_WORK, decide_step)),
    ],
    "commitment_create": [
        route(lambda w: {"code": "NL"}, GET=EDIT_NL_PAGE, POST=(EDIT_NL_PAGE, commitment_form))
    ],
    "commitment_edit": [route(nl_commitment, GET=EDIT_NL_PAGE, POST=(EDIT_NL_PAGE, commitment_edit_form))],
    "progress_edit": [
        route(
            lambda w: {**nl_commitment(w), "period_id": w.progress.pk},
            GET=EDIT_NL_PAGE,
            POST=(EDIT_NL_PAGE, progress_form),
        )
    ],
    "recommendation_create": [
        route(lambda w: {"code": "NL"}, GET=EDIT_NL_PAGE, POST=(EDIT_NL_PAGE, recommendation_form))
    ],
    "recommendation_edit": [
        route(nl_recommendation, GET=EDIT_NL_PAGE, POST=(EDIT_NL_PAGE, recommendation_edit_form))
    ],
    "response_edit": [
        route(
            nl_recommendation,
            GET=EDIT_NL_PAGE,
            POST=(
                EDIT_NL_PAGE,
                lambda w: {
                    "response": "partially_adopted",
                    "responded_on": "2014-03-01",
                    "expected_version": w.version_of(nl_response(w)),
                },
            ),
        )
    ],
    "follow_up_edit": [
        route(
            lambda w: {**nl_recommendation(w), "period_id": w.progress.pk},
            GET=EDIT_NL_PAGE,
            POST=(EDIT_NL_PAGE, follow_up_form),
        )
    ],
    # The history of a Dutch draft: for those who may read the Netherlands' drafts.
    "item_history": [route(lambda w: {"kind": "value", "pk": w.value("NL", "draft").pk}, GET=EDIT_NL_PAGE)],
    # A message in an item's conversation: those who may edit the Netherlands (its staff, reviewers).
    "item_comment": [
        route(
            lambda w: {"kind": "value", "pk": w.value("NL", "draft").pk},
            POST=(EDIT_NL_PAGE, lambda w: {"body": "A message from the permission matrix."}),
        )
    ],
    # A reviewed text's workflow buttons: those who may read the Netherlands' drafts (the service then
    # decides which step each may take; the page answers with a message either way).
    "text_review": [
        route(
            lambda w: {"kind": "commitment", "pk": w.data.commitments["NL"].pk},
            POST=(
                EDIT_NL_PAGE,
                lambda w: {"action": "submit", "expected_version": w.version_of(w.data.commitments["NL"])},
            ),
        ),
        # Approve and return, on texts the author changed and submitted: four eyes.
        *(
            route(
                text_at(name),
                variant=f"{name}-{action}",
                POST=(REVIEW_OTHERS_WORK, text_step(name, action, **extra)),
            )
            for name in ("commitment", "recommendation", "response")
            for action, extra in (("approve", {}), ("return", {"reason": "Which source?"}))
        ),
    ],
    "period_list": [route(GET=WORKSPACE_PAGE)],
    "period_toggle": [
        route(
            lambda w: {"period_id": w.progress.pk}, POST=(REVIEW_PAGE, lambda w: {"open": "1", "reason": "-"})
        )
    ],
    "completeness": [route(GET=WORKSPACE_PAGE)],
    "completeness_period": [route(lambda w: {"period_id": w.progress.pk}, GET=WORKSPACE_PAGE)],
    # --- invitations and focal points ------------------------------------------------------------------
    # An invitation's link: an unknown token opens nothing, for anyone (used and expired ones neither).
    "invitation_accept": [
        route(
            lambda w: {"token": "no-such-invitation"},
            GET=everyone(HIDDEN),
            POST=(everyone(HIDDEN), lambda w: {"new_password1": "x", "new_password2": "x"}),
        )
    ],
    "focal_home": [route(GET=FOCAL_PAGE)],
    # The 2014 questionnaire: its deadline has passed, so the focal point's save is refused (400) and the
    # submission ends on the page with the reason; everyone else has no questionnaire (403).
    "focal_questionnaire": [
        route(
            lambda w: {"period_id": w.progress.pk},
            GET=FOCAL_PAGE,
            POST=({**FOCAL_PAGE, "focal_nl": INVALID}, self_value_form),
        )
    ],
    "focal_submit": [
        route(lambda w: {"period_id": w.progress.pk}, POST=(FOCAL_PAGE, lambda w: {"seen": []}))
    ],
    # The right of reply: the matrix's window is long closed (the reply is refused: 400).
    "focal_reply": [
        route(
            lambda w: {"round_id": w.evaluation_round.pk},
            GET=FOCAL_PAGE,
            POST=(
                {**FOCAL_PAGE, "focal_nl": INVALID},
                lambda w: {"text": "We agree.", "expected_version": 1},
            ),
        )
    ],
    "focal_chapter": [
        route(lambda w: {"round_id": w.evaluation_round.pk}, GET={**FOCAL_PAGE, "focal_nl": HIDDEN})
    ],
    # The staff's review of the Netherlands' submission: those who edit the Netherlands' data.
    "focal_review": [
        route(
            lambda w: {"code": "NL", "period_id": w.progress.pk},
            GET=EDIT_NL_PAGE,
            POST=(
                EDIT_NL_PAGE,
                lambda w: {
                    "kind": "value",
                    "item": w.waiting["self_value_NL"].pk,
                    "action": "return",
                    "reason": "Which year?",
                    "expected_version": w.version_of(w.waiting["self_value_NL"]),
                },
            ),
        )
    ],
    "api-self-reported-values": [route(GET=API_READ)],
    # --- the data-entry grid and the spreadsheet round-trip (g14) ----------------------------------------
    # "Enter data" sends the country's editors on to the grid of the period with work left.
    "enter_data": [route(lambda w: {"code": "NL"}, GET=EDIT_NL_PAGE)],
    "data_grid": [route(nl_progress, GET=EDIT_NL_PAGE, POST=(EDIT_NL_PAGE, grid_form))],
    # A goal across the countries each person edits: the Dutch row posted by Belgian staff is not in
    # their grid and is left alone (their grid answers "nothing changed").
    "goal_grid": [
        route(
            lambda w: {"goal": "VICTIM_ID", "period_id": w.progress.pk},
            GET=WORKSPACE_PAGE,
            POST=(WORKSPACE_PAGE, grid_form),
        )
    ],
    # The confirmation of chosen values: a value one may not submit is left out (the page says so).
    "grid_submit": [
        route(
            lambda w: {"period_id": w.progress.pk},
            POST=(page(minister=HIDDEN), lambda w: {"item": seen_value(w.value("NL", "draft"))}),
        )
    ],
    "spreadsheet_download": [route(GET=WORKSPACE_PAGE)],
    # Posting no file is refused with the form's error (400) for those who may upload.
    "spreadsheet_upload": [
        route(GET=WORKSPACE_PAGE, POST=(UPLOAD_PAGE, NO_BODY))
    ],
    # It takes a file (multipart/form-data): the matrix's JSON body is refused as such (415) for writers.
    "api-imports": [route(POST=(API_IMPORT, NO_BODY))],
    # --- forgot your password, email choices (g14) ---------------------------------------------------------
    # Django's form views take PUT as POST, as the sign-in page does.
    "password_reset": [route(GET=PUBLIC, POST=(PUBLIC, RESET_FORM), PUT=(PUBLIC, RESET_FORM))],
    "password_reset_done": [route(GET=PUBLIC)],
    # A link with a token that is not valid: the page that says so.
    "password_reset_confirm": [
        route(
            lambda w: {"uidb64": "MQ", "token": "not-a-token"},
            GET=PUBLIC,
            POST=(PUBLIC, NEW_PASSWORDS),
            PUT=(PUBLIC, NEW_PASSWORDS),
        )
    ],
    "password_reset_complete": [route(GET=PUBLIC)],
    "notification_preferences": [
        route(GET=ANY_ROLE_PAGE, POST=(ANY_ROLE_PAGE, lambda w: {"language": "", "returned_items": "on"}))
    ],
    # The signed link is the credential (RFC 8058 one-click): anyone holding it, signed in or not.
    "notification_unsubscribe": [route(unsubscribe_link, GET=PUBLIC, POST=(PUBLIC, lambda w: {}))],
    # --- reports (pages) ------------------------------------------------------------------------------
    "report_list": [route(GET=ANY_ROLE_PAGE)],
    # The ministers' view: read-only pages of approved data for everyone signed in (the matrix's round is
    # not released, so ministers get the page saying so; staff and reviewers may open it with ?round=).
    "overview": [route(GET=ANY_ROLE_PAGE)],
    "overview_map": [route(GET=ANY_ROLE_PAGE)],
    "overview_goal": [route(lambda w: {"code": "VICTIM_ID"}, GET=ANY_ROLE_PAGE)],
    "overview_country": [route(lambda w: {"code": "NL"}, GET=ANY_ROLE_PAGE)],
    # Belgian staff may not choose the Netherlands (the form's choices are their countries): 400.
    "report_request": [route(POST=(page(staff_be=INVALID, minister=DENIED), report_form))],
    "report_publish": [
        route(lambda w: {"report_id": w.reports["unpublished"].pk}, POST=(REVIEW_PAGE, lambda w: {}))
    ],
    "report_download": [
        route(
            lambda w: {"report_id": w.reports["unpublished"].pk},
            variant="unpublished",
            GET=REVIEW_PAGE,
        ),
        route(lambda w: {"report_id": w.reports["published"].pk}, variant="published", GET=ANY_ROLE_PAGE),
    ],
    # --- the partner API: reference data ---------------------------------------------------------------
    "api:country-list": [route(GET=API_READ)],
    "api:country-detail": [route(lambda w: {"code": "NL"}, GET=API_NL)],
    "api:goal-list": [route(GET=API_READ)],
    "api:goal-detail": [route(lambda w: {"code": "VICTIM_ID"}, GET=API_READ)],
    "api:indicator-list": [route(GET=API_READ)],
    "api:indicator-detail": [route(lambda w: {"code": "VI-2"}, GET=API_READ)],
    "api:period-list": [route(GET=API_READ)],
    "api:period-detail": [route(lambda w: {"pk": w.progress.pk}, GET=API_READ)],
    "api:round-list": [route(GET=API_READ)],
    "api-changes": [route(GET=API_READ)],  # the change feed: each reader sees their own view's changes
    "api:round-detail": [route(lambda w: {"pk": w.evaluation_round.pk}, GET=API_READ)],
    # --- the partner API: reviewable data ---------------------------------------------------------------
    "api:value-list": [route(GET=API_READ, POST=(API_WRITE_NL, new_value))],
    "api:value-detail": [
        route(
            lambda w: {"pk": w.value("NL", "draft").pk},
            GET=API_DRAFT_NL,
            PATCH=(API_WRITE_NL_DRAFT, at_version(lambda w: w.value("NL", "draft"), number_value="45")),
        )
    ],
    "api:value-transition": [
        route(
            lambda w: {"pk": w.value("NL", "draft").pk},
            POST=(API_WRITE_NL_DRAFT, at_version(lambda w: w.value("NL", "draft"), action="submit")),
        ),
        route(
            lambda w: {"pk": w.waiting["value"].pk},
            variant="approve",
            POST=(API_REVIEW_NL, waiting("value", action="approve")),
        ),
        route(
            lambda w: {"pk": w.waiting["value"].pk},
            variant="return",
            POST=(API_REVIEW_NL, waiting("value", action="return", reason="Which source?")),
        ),
    ],
    "api:commitment-list": [route(GET=API_READ, POST=(API_WRITE_NL, lambda w: NEW_COMMITMENT))],
    "api:commitment-detail": [
        route(
            nl_commitment,
            GET=API_NL,
            PATCH=(
                API_WRITE_NL,
                at_version(lambda w: w.data.commitments["NL"], lead_organisation="Ministry of Justice"),
            ),
        )
    ],
    "api:commitment-progress": [
        route(
            nl_commitment,
            POST=(API_WRITE_NL, in_progress_period_at(nl_draft_progress, completion="complete")),
        )
    ],
    # Belgian staff do not find the Dutch draft progress to move.
    "api:commitment-transition": [
        route(
            nl_commitment,
            POST=(API_WRITE_NL_DRAFT, in_progress_period_at(nl_draft_progress, action="submit")),
        ),
        route(nl_commitment, variant="approve", POST=(API_REVIEW_NL, waiting("progress", action="approve"))),
        route(
            nl_commitment,
            variant="return",
            POST=(API_REVIEW_NL, waiting("progress", action="return", reason="Which source?")),
        ),
    ],
    # A commitment's own words: submitted by its country's staff and reviewers.
    "api:commitment-review": [
        route(
            nl_commitment,
            POST=(API_WRITE_NL, at_version(lambda w: w.data.commitments["NL"], action="submit")),
        ),
        *api_text_steps("commitment"),
    ],
    "api:recommendation-list": [route(GET=API_READ, POST=(API_WRITE_NL, lambda w: NEW_RECOMMENDATION))],
    "api:recommendation-detail": [
        route(
            nl_recommendation,
            GET=API_NL,
            PATCH=(API_WRITE_NL, at_version(lambda w: w.data.recommendations["NL"], text="Invest more.")),
        )
    ],
    "api:recommendation-response": [
        route(
            nl_recommendation,
            PUT=(
                API_WRITE_NL,
                at_version(nl_response, response="partially_adopted", responded_on="2014-03-01"),
            ),
        )
    ],
    "api:recommendation-review": [
        route(
            nl_recommendation,
            POST=(API_WRITE_NL, at_version(lambda w: w.data.recommendations["NL"], action="submit")),
        ),
        *api_text_steps("recommendation"),
    ],
    "api:recommendation-response-review": [
        route(nl_recommendation, POST=(API_WRITE_NL, at_version(nl_response, action="submit"))),
        *api_text_steps("response"),
    ],
    "api:recommendation-follow-ups": [
        route(
            nl_recommendation,
            POST=(API_WRITE_NL, in_progress_period_at(nl_draft_follow_up, follow_up="not_implemented")),
        )
    ],
    "api:recommendation-transition": [
        route(
            nl_recommendation,
            POST=(API_WRITE_NL_DRAFT, in_progress_period_at(nl_draft_follow_up, action="submit")),
        ),
        route(
            nl_recommendation, variant="approve", POST=(API_REVIEW_NL, waiting("follow_up", action="approve"))
        ),
        route(
            nl_recommendation,
            variant="return",
            POST=(API_REVIEW_NL, waiting("follow_up", action="return", reason="Which source?")),
        ),
    ],
    # --- the evaluation cycle: everyone with a role reads a round; reviewers (the secretariat) act -------
    # --- the public open-data site: no sign-in, the same answer for everyone (opendata/) ----------------
    "public:home": [route(GET=PUBLIC)],
    "public:overview": [route(lambda w: {"language": "nl"}, GET=PUBLIC)],
    "public:goal": [route(lambda w: {"language": "en", "code": "VICTIM_ID"}, GET=PUBLIC)],
    "public:country": [route(lambda w: {"language": "en", "code": "NL"}, GET=PUBLIC)],
    "public:catalogue": [route(GET=PUBLIC)],
    # The matrix's cycle round is released (yesterday): its files are everyone's.
    "public:round_data": [route(lambda w: {"round_id": w.cycle["round"].pk, "kind": "csv"}, GET=PUBLIC)],
    "public:country_data": [
        route(lambda w: {"round_id": w.cycle["round"].pk, "code": "NL", "kind": "xlsx"}, GET=PUBLIC)
    ],
    "public:goal_data": [
        route(lambda w: {"round_id": w.cycle["round"].pk, "code": "VICTIM_ID", "kind": "csv"}, GET=PUBLIC)
    ],
    # The published report belongs to the seeded round, which is not released: not there, for anyone.
    "public:report": [route(lambda w: {"report_id": w.reports["published"].pk}, GET=everyone(HIDDEN))],
    "sitemap": [route(GET=PUBLIC)],
    "robots": [route(GET=PUBLIC)],
    # --- withholdings (opendata/workspace_views.py): those who speak for a country ask, reviewers decide --
    # Everyone who speaks for a country sees its withholdings (reviewers: all); ministers speak for none.
    "withholding_list": [route(GET=page(minister=DENIED, focal_nl=OK))],
    # The Netherlands' speakers: its staff, reviewers and its focal point. The draft value posted is not on
    # the public site, so the form refuses it (400) for them; the others are refused before (403).
    "withholding_propose": [
        route(
            lambda w: {"code": "NL"},
            GET=page(staff_be=DENIED, minister=DENIED, focal_nl=OK),
            POST=(
                page(**{**dict.fromkeys(PEOPLE, INVALID), "staff_be": DENIED, "minister": DENIED}),
                lambda w: {"item": f"value:{w.value('NL', 'draft').pk}", "reason": "Not public"},
            ),
        )
    ],
    # The author's proposal: the Netherlands' speakers read it; reviewers other than the author decide
    # (the author: four eyes, 403); whoever does not speak for the Netherlands finds nothing (404).
    "withholding_decide": [
        route(
            lambda w: {"pk": w.waiting["withholding_NL"].pk},
            GET=page(staff_be=HIDDEN, minister=HIDDEN, focal_nl=OK),
            POST=(
                page(staff_nl=DENIED, staff_be=HIDDEN, author=DENIED, minister=HIDDEN, focal_nl=DENIED),
                lambda w: {"decision": "approve", "reason": ""},
            ),
        )
    ],
    "cycle:round_list": [route(GET=ANY_ROLE_PAGE)],
    "cycle:round_detail": [route(cycle_round, GET=ANY_ROLE_PAGE)],
    # Any reviewer takes the next step (from the stage they saw) or reopens; a reopen of a published
    # round is refused with a message (the page answers either way).
    "cycle:round_step": [route(cycle_round, POST=(REVIEW_PAGE, lambda w: {"from_stage": "published"}))],
    # The round's reports are published, so its release moment can no longer change: reviewers reach the
    # service and are refused (409, with what they typed kept); everyone else is refused before that.
    "cycle:round_release": [
        route(
            cycle_round,
            POST=(
                {**REVIEW_PAGE, **dict.fromkeys(("reviewer", "author", "administrator"), INVALID)},
                lambda w: {"released_at": "2030-01-01T10:00", "reason": "-"},
            ),
        )
    ],
    "cycle:meeting_edit": [
        route(
            cycle_round,
            GET=REVIEW_PAGE,
            POST=(
                REVIEW_PAGE,
                # As the form posts it: with when the meeting the reviewer loaded was last saved.
                lambda w: {
                    "held_on": "2018-06-02",
                    "place": "The Hague",
                    "countries": ["NL"],
                    "loaded_at": w.cycle["meeting"].updated_at.isoformat(),
                },
            ),
        )
    ],
    "cycle:evaluation_edit": [
        route(
            lambda w: {**cycle_round(w), "goal": "VICTIM_ID"},
            GET=REVIEW_PAGE,
            POST=(
                REVIEW_PAGE,
                lambda w: {"text": "Revised.", "expected_version": w.version_of(w.cycle["evaluation"])},
            ),
        )
    ],
    "cycle:decision_create": [route(cycle_round, GET=REVIEW_PAGE, POST=(REVIEW_PAGE, decision_form()))],
    "cycle:decision_edit": [
        route(
            lambda w: {"pk": w.cycle["decision"].pk},
            GET=REVIEW_PAGE,
            POST=(
                REVIEW_PAGE,
                lambda w: decision_form(expected_version=w.version_of(w.cycle["decision"]))(w),
            ),
        )
    ],
    # Approving and returning a decision: any reviewer but the author who changed and submitted it.
    "cycle:text_review": [
        route(
            lambda w: {"kind": "decision", "pk": w.cycle["decision"].pk},
            POST=(REVIEW_PAGE, cycle_step("reopen", reason="Wrong goal")),
        ),
        *(
            route(
                lambda w: {"kind": "decision", "pk": w.cycle["waiting"].pk},
                variant=action,
                POST=(REVIEW_OTHERS_WORK, cycle_step(action, **extra)),
            )
            for action, extra in (("approve", {}), ("return", {"reason": "Which goal?"}))
        ),
    ],
    "cycle:plan_next": [route(cycle_round, GET=REVIEW_PAGE, POST=(REVIEW_PAGE, lambda w: {}))],
    # The meetings and decisions API: approved items of released rounds (reviewers also read drafts).
    "cycle-api:meeting-list": [route(GET=API_READ)],
    "cycle-api:meeting-detail": [route(lambda w: {"pk": w.cycle["meeting"].pk}, GET=API_READ)],
    "cycle-api:decision-list": [route(GET=API_READ)],
    "cycle-api:decision-detail": [
        route(lambda w: {"pk": w.cycle["decision"].pk}, variant="approved", GET=API_READ),
        route(
            lambda w: {"pk": w.cycle["waiting"].pk},
            variant="submitted",
            GET=api(staff_nl=HIDDEN, staff_be=HIDDEN, minister=HIDDEN, partner=HIDDEN, limited=HIDDEN),
        ),
    ],
    # --- the reports API --------------------------------------------------------------------------------
    "report-api-list": [
        route(
            GET=API_READ,
            POST=(
                api(staff_be=DENIED, minister=DENIED, partner=DENIED, limited=DENIED),
                lambda w: {"kind": "country", "evaluation_round": w.evaluation_round.pk, "country": "NL"},
            ),
        )
    ],
    # An unpublished report is not there for ministers, partners, or staff who did not request it.
    "report-api-detail": [
        route(
            lambda w: {"pk": w.reports["unpublished"].pk},
            variant="unpublished",
            GET=api(staff_nl=HIDDEN, staff_be=HIDDEN, minister=HIDDEN, partner=HIDDEN, limited=HIDDEN),
        ),
        route(lambda w: {"pk": w.reports["published"].pk}, variant="published", GET=API_READ),
    ],
    "report-api-download": [
        route(
            lambda w: {"pk": w.reports["unpublished"].pk},
            variant="unpublished",
            GET=api(staff_nl=HIDDEN, staff_be=HIDDEN, minister=HIDDEN, partner=HIDDEN, limited=HIDDEN),
        ),
        route(lambda w: {"pk": w.reports["published"].pk}, variant="published", GET=API_READ),
    ],
}


# --------------------------------------------------------------------------------------------------
# The admin: one rule for all its routes
# --------------------------------------------------------------------------------------------------

ADMIN_PREFIX = "admin/"
ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
# The model pages where administrators are refused (403), by (app, model, page, method); "*" is any
# method. Everything else in the admin is theirs.
_READ_ONLY = [
    ("commitments", "indicatorvalue"),
    ("commitments", "commitmentprogress"),
    ("commitments", "recommendationfollowup"),
    ("commitments", "finding"),
    ("commitments", "itemcomment"),  # the conversation about an item: only ever added, in the workspace
    # Reviewed texts: written, versioned and approved in the workspace (four eyes), read-only here.
    ("commitments", "commitment"),
    ("commitments", "recommendation"),
    ("commitments", "governmentresponse"),
    ("reporting", "report"),
    ("reporting", "reportdownload"),
    ("webhooks", "webhookdelivery"),  # a log: re-sent by an action, never added or deleted
    # The evaluation cycle changes only through its services (the round's page): shown read-only.
    ("cycle", "meeting"),
    ("cycle", "meetingevaluation"),
    ("cycle", "decision"),
    ("cycle", "roundtransition"),
    # The governments' answers and replies: written through the questionnaire and the review page only.
    ("focal", "selfreportvalue"),
    ("focal", "selfreportprogress"),
    ("focal", "selfreportresponse"),
    ("focal", "reply"),
]
ADMINISTRATOR_REFUSED = {
    # Workflow data, reviewed texts and reports change only through the services (workspace, pipeline):
    # the admin shows them, and adds and deletes none.
    *((app, model, page, "*") for app, model in _READ_ONLY for page in ("add", "delete")),
    # Tokens are revoked, never deleted: the requests logged with a token's id stay attributable.
    ("commitments", "partnertoken", "delete", "*"),
    # An endpoint's deliveries and attempts are a log that is never deleted: switch it off instead.
    ("webhooks", "webhookendpoint", "delete", "POST"),
    # Sign-in records are django-axes' own: administrators read them and delete an attempt (unlock).
    ("axes", "accessattempt", "add", "*"),
    *(
        ("axes", model, page, "*")
        for model in ("accesslog", "accessfailurelog")
        for page in ("add", "delete")
    ),
    # Authenticators are set up by their owners; administrators only remove a lost one.
    ("otp_totp", "totpdevice", "add", "*"),
}
# Admin pages that need a query to do anything: the autocomplete of a token's countries.
ADMIN_QUERIES = {"admin:autocomplete": "?app_label=commitments&model_name=partnertoken&field_name=countries"}


def admin_methods(name: str) -> tuple[str, ...]:
    """Every admin route is checked with GET; deletions and signing out also with their POST."""
    if name.endswith("_delete") or name == "admin:logout":
        return ("GET", "POST")
    return ("GET",)


def admin_page(name: str, app: str, model: str) -> str:
    """The page a model's admin route is (changelist, add, change, delete, history, ...)."""
    prefix = f"admin:{app}_{model}_"
    return name.removeprefix(prefix) if name.startswith(prefix) else "view"


def admin_expectation(name: str, pattern: str, method: str) -> dict[str, str]:
    """What each role gets from an admin route: administrators use the admin, everybody else (tokens
    included: the admin ignores them) is sent to the admin's sign-in page."""
    if name == "admin:login":
        return everyone(OK)  # the sign-in form (administrators: on to the index)
    if name == "admin:logout":
        # Signing out is a POST (GET: 405) and ends on the sign-in page. The admin sends anyone else to
        # its index (and from there to sign in).
        return {**everyone(OK), "administrator": NOT_ALLOWED if method == "GET" else LOGIN}
    others = everyone(LOGIN)
    if name in ("admin:view_on_site", "admin:?catch-all"):
        return {**others, "administrator": HIDDEN}  # countries have no page of their own on the site
    model = ADMIN_MODEL.match(pattern)
    if model and name != "admin:app_list":
        page = admin_page(name, model["app"], model["model"])
        refused = {(model["app"], model["model"], page, m) for m in (method, "*")} & ADMINISTRATOR_REFUSED
        if refused:
            return {**others, "administrator": DENIED}
    return {**others, "administrator": OK}


def admin_values(pattern: str, world: MatrixWorld) -> tuple[dict[str, Any], list[Any]]:
    """The converter values (by name, and positional groups) of an admin route, from the world."""
    model = ADMIN_MODEL.match(pattern)
    named: dict[str, Any] = {
        "app_label": "commitments",
        "url": "no-such-page/",
        "content_type_id": ContentType.objects.get_for_model(Country).pk,
        "id": world.users["minister"].pk,  # a user's password page
        "pk": world.device.pk,  # an authenticator's configuration and QR code
    }
    positional: list[Any] = []
    if model and (model["app"], model["model"]) in world.admin_objects:
        instance = world.admin_objects[model["app"], model["model"]]
        named["object_id"] = instance.pk
        history = getattr(instance, "history", None)
        # (Objects made by a migration, such as the roles' groups, have no history row yet.)
        latest = history.order_by("-history_id").values_list("history_id", flat=True)[:1] if history else []
        if latest:
            positional = [instance.pk, latest[0]]
    elif "object_id" in pattern:
        named["object_id"] = Country.objects.get(code="NL").pk  # view_on_site: any object
    return named, positional


# --------------------------------------------------------------------------------------------------
# The URL configuration, walked
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRoute:
    """One pattern of the URL configuration: its name (or a stand-in), full pattern and view."""

    key: str
    pattern: str
    callback: Callable

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith(ADMIN_PREFIX)


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name, namespace, entry.callback


def project_routes() -> list[ProjectRoute]:
    """Every route of the project, the admin's and the API routers' included, in URLconf order."""
    routes = []
    for pattern, name, namespace, callback in _walk(get_resolver().url_patterns):
        if name:
            key = f"{namespace}:{name}" if namespace else name
        elif pattern.startswith(ADMIN_PREFIX) and pattern.endswith("(?P<url>.*)$"):
            key = "admin:?catch-all"
        else:
            key = f"{namespace + ':' if namespace else ''}?{pattern}"  # unnamed: known by its pattern
        routes.append(ProjectRoute(key=key, pattern=pattern, callback=callback))
    return routes


def accepted_methods(callback: Callable) -> set[str] | None:
    """The methods a view accepts, when the view says so itself (DRF actions, class-based views,
    ``require_http_methods``); None for a function view that takes any method."""
    ignored = {"HEAD", "OPTIONS", "TRACE"}
    actions = getattr(callback, "actions", None)
    if actions:
        allowed = callback.cls.http_method_names
        return {method.upper() for method in actions if method in allowed} - ignored
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            method.upper() for method in view_class.http_method_names if hasattr(view_class, method)
        } - ignored
    function = callback
    while function is not None:
        try:
            names = inspect.getclosurevars(function).nonlocals
        except TypeError:
            names = {}
        if "request_method_list" in names:
            return {method.upper() for method in names["request_method_list"]} - ignored
        function = getattr(function, "__wrapped__", None)
    return None


_CONVERTER = re.compile(r"<(?:\w+:)?(?P<path>\w+)>|\(\?P<(?P<regex>\w+)>[^)]*\)|(?P<group>\([^)]*\))")


def fill(pattern: str, named: dict[str, Any], positional: list[Any] = ()) -> str:
    """A concrete URL for a pattern: its path converters and regex groups filled in, anchors dropped."""
    values = iter(positional)

    def value(match: re.Match) -> str:
        name = match["path"] or match["regex"]
        if name is not None:
            if name not in named:
                raise KeyError(f"no value for <{name}> in {pattern!r}")
            return str(named[name])
        try:
            return str(next(values))
        except StopIteration:
            raise KeyError(f"no value for the group {match['group']} in {pattern!r}") from None

    return "/" + _CONVERTER.sub(value, pattern).replace("^", "").replace("$", "")


def url_for(project_route: ProjectRoute, named: dict[str, Any], positional: list[Any] = ()) -> str:
    """The URL, checked to lead back to the same view (so a wrong filling cannot test another route)."""
    url = fill(project_route.pattern, named, positional)
    match = resolve(urlsplit(url).path)
    if match.func is not project_route.callback:
        raise AssertionError(f"{url} resolves to {match.view_name or match.func}, not {project_route.key}")
    return url


# --------------------------------------------------------------------------------------------------
# Cells: route x method x role
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    route: ProjectRoute
    variant: str
    method: str
    role: str
    expected: str

    @property
    def id(self) -> str:
        name = self.route.key + (f"@{self.variant}" if self.variant else "")
        return f"{name}-{self.method}-{self.role}"


def cells() -> list[Cell]:
    """Every cell of the matrix, from the URL configuration (routes missing from TABLE have none: the
    coverage test names them)."""
    result = []
    for project_route in project_routes():
        if project_route.is_admin:
            for method in admin_methods(project_route.key):
                expect = admin_expectation(project_route.key, project_route.pattern, method)
                result += [Cell(project_route, "", method, role, expect[role]) for role in ROLES]
            continue
        for entry in TABLE.get(project_route.key, []):
            for method, request in entry.methods.items():
                result += [
                    Cell(project_route, entry.variant, method, role, request.expect[role]) for role in ROLES
                ]
    return result


def route_entry(cell: Cell) -> Route | None:
    if cell.route.is_admin:
        return None
    return next(entry for entry in TABLE[cell.route.key] if entry.variant == cell.variant)


def url_of(cell: Cell, world: MatrixWorld) -> str:
    if cell.route.is_admin:
        named, positional = admin_values(cell.route.pattern, world)
        return url_for(cell.route, named, positional) + ADMIN_QUERIES.get(cell.route.key, "")
    return url_for(cell.route, route_entry(cell).args(world))


def body_of(cell: Cell, world: MatrixWorld) -> dict | None:
    if cell.route.is_admin:
        return {"post": "yes"} if cell.method == "POST" else None
    body = route_entry(cell).methods[cell.method].body
    return body(world) if body is not None else None
