"""Hostile text into every form and API write: never a server error, and harmless wherever it is shown.

Property-based (hypothesis): the text is a known attack (script tags, an image that runs code, SQL,
template syntax, right-to-left overrides, spreadsheet formulas, NUL and other control characters),
such an attack inside random text, random text of any characters, or a string past the field's maximum
length. For each input:
- the answer is 2xx/3xx or a clear 4xx, never a 5xx (PostgreSQL refuses NUL in text: the forms and the
  API must refuse it first, as a validation error);
- every page that shows the text, and the form that gives it back, escapes it: a raw ``<`` never opens
  a tag of the attacker's (the attacks carry a ``data-xss`` attribute to find them by);
- the CSV export makes every formula inert;
- the PDF shows markup as text and fetches nothing.
Each example runs in a savepoint that is rolled back, so examples never see each other's rows.
"""

from __future__ import annotations

import collections
import csv
import http.server
import io
import json
import re
import subprocess
import threading
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commitments.api.renderers import PLAIN_NUMBER
from commitments.models import (
    Commitment,
    CommitmentProgress,
    EvaluationRound,
    Goal,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Status,
)
from reporting import document as report_document
from reporting import selectors as report_selectors
from reporting.content import Book
from reporting.models import Report
from reporting.pdf import render_pdf
from tests.factories import CommitmentFactory, RecommendationFactory

# --- the hostile texts ------------------------------------------------------------------------------

ATTACKS = [
    '<script data-xss>alert("xss")</script>',
    "<img src=x onerror=alert(1) data-xss>",
    '"><svg/onload=alert(1) data-xss>',
    "'><iframe src=javascript:alert(1) data-xss></iframe>",
    "</textarea><script data-xss>alert(1)</script>",
    "'; DROP TABLE commitments_commitment; --",
    "1' OR '1'='1' --",
    "Robert'); DELETE FROM auth_user WHERE ('1'='1",
    "{{ request.user.password }}{% debug %}",
    "%(name)s %s %d {0}",
    "\u202egnp.exe\u202c report",  # right-to-left override: shows as "report exe.png"
    "\u200f\u2067\u05e9\u05dc\u05d5\u05dd\u2069 mixed direction",
    '=HYPERLINK("http://evil.invalid","click")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "NUL \x00 in the middle",
    "\x00",
    "bell\x07 escape\x1b[31m red\x0c form feed\x7f delete",
    "line one\nline two\r\nline three",
    "\ufeffbyte order mark",
    "\uff1cscript\uff1e full-width brackets",
    "e\u0301\u0301\u0301 combining marks z\u0338\u0322",
    "\U0001f600 \U0001f1f3\U0001f1f1 emoji",
    "../../../../etc/passwd",
    "javascript:alert(1)",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Random text around an attack: no characters that HTML would escape, so that only the attack is markup.
filler = st.text(st.characters(exclude_characters="<>&\"'", exclude_categories=["Cs"]), max_size=20)
attacks = st.sampled_from(ATTACKS)


def _long(attack: str, length: int) -> str:
    return (attack * (length // len(attack) + 1))[:length]


hostile_text = st.one_of(
    attacks,
    st.builds(lambda before, attack, after: before + attack + after, filler, attacks, filler),
    st.text(max_size=40),  # any characters, control characters and NUL included
    # Past the maximum length of every text field (300, 2000, 5000, 10000): a validation error, no 500.
    st.builds(_long, attacks, st.sampled_from([301, 2001, 5001, 10001])),
)

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example store on disk: each run draws afresh (failures print their example)
    # The fixtures are set up once per test, not per example; each example undoes its own rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Markup is legitimate text (a report may quote it): this attack is always stored, then shown escaped.
STORED = "<img src=x onerror=alert(1) data-xss>"
TRIED: collections.Counter[str] = collections.Counter()


@pytest.fixture(autouse=True)
def count_the_inputs(request):
    """At the end of the run, how many hostile inputs each surface got, in the test run's output."""
    if not TRIED["(reported)"]:
        TRIED["(reported)"] = 1
        request.config.add_cleanup(lambda: report_the_count(request.config))


def report_the_count(config) -> None:
    tried = {target: count for target, count in TRIED.items() if target != "(reported)"}
    lines = [f"hostile inputs tried: {sum(tried.values())}"]
    lines += [f"  {target}: {count}" for target, count in sorted(tried.items())]
    reporter = config.pluginmanager.getplugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("\n".join(lines))


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- checks -------------------------------------------------------------------------------------------


def assert_no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: HTTP {response.status_code}"


class AttackFinder(HTMLParser):
    """Parses a page as a browser would and collects the elements an attack made: every attack's tag
    carries the attribute ``data-xss``, which only exists in the page as markup if the text was not
    escaped (escaped, it is text, or part of an attribute's value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.injected: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if any(name == "data-xss" for name, _value in attrs):
            self.injected.append(self.get_starttag_text())

    handle_startendtag = handle_starttag


def injected_markup(html: str) -> list[str]:
    finder = AttackFinder()
    finder.feed(html)
    finder.close()
    return finder.injected


def assert_escaped(response, what: str) -> None:
    """The page never contains an element the attacker's text made."""
    injected = injected_markup(response.content.decode())
    assert injected == [], f"{what}: the page runs the attacker's markup {injected}"


def assert_csv_inert(response, what: str) -> None:
    assert response.status_code == 200, f"{what}: HTTP {response.status_code}"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            runnable = cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell)
            assert not runnable, f"{what}: a spreadsheet would run the cell {cell[:60]!r}"


def pages(client: Client, *urls: str):
    for url in urls:
        response = client.get(url)
        assert_no_server_error(response, f"GET {url}")
        yield url, response


def test_the_finder_sees_every_attack_raw_and_none_escaped():
    tags = [attack for attack in ATTACKS if "data-xss" in attack]
    assert all(injected_markup(f"<p>{attack}</p>") for attack in tags)
    assert not any(
        injected_markup(f'<p title="{escape(a)}">{escape(a)}</p><textarea>{escape(a)}</textarea>')
        for a in tags
    )


# --- the world ------------------------------------------------------------------------------------------


@pytest.fixture
def place(db, nl, baseline_period, progress_period, reviewer, staff_nl):
    """The Netherlands with a draft value, a commitment with draft progress, a recommendation, and a
    reviewer's and a Dutch staff member's signed-in clients."""
    value = IndicatorValue.objects.create(
        country=nl, indicator=Indicator.objects.get(code="VI-2"), period=progress_period, number_value=44
    )
    submitted = IndicatorValue.objects.create(
        country=nl,
        indicator=Indicator.objects.get(code="VI-1"),
        period=progress_period,
        boolean_value=True,
        status=Status.SUBMITTED,
    )
    commitment = CommitmentFactory(country=nl)
    progress = CommitmentProgress.objects.create(
        commitment=commitment, period=progress_period, completion="limited"
    )
    recommendation = RecommendationFactory(country=nl)
    staff, review = Client(), Client()
    staff.force_login(staff_nl)
    review.force_login(reviewer)
    return {
        "value": value,
        "submitted": submitted,
        "commitment": commitment,
        "progress": progress,
        "recommendation": recommendation,
        "period": progress_period,
        "staff": staff,
        "reviewer": review,
    }


@pytest.fixture(autouse=True)
def unthrottled(settings):
    """Hundreds of requests in seconds: the API's budgets are tested elsewhere."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"partner": None, "user": None},
    }
    settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS = False


# --- the workspace's forms ---------------------------------------------------------------------------


@EXAMPLES
@given(text=hostile_text, field=st.sampled_from(["note", "evidence_links"]))
@example(text=STORED, field="note")
def test_a_value_note_or_evidence_is_refused_clearly_or_shown_escaped(place, text, field):
    staff, period, value = place["staff"], place["period"], place["value"]
    with rolled_back():
        TRIED["data entry: note, evidence links"] += 1
        response = staff.post(
            f"/countries/NL/periods/{period.pk}/",
            {"VI-2-value": "45", f"VI-2-{field}": text, "VI-2-expected_version": 1},
        )
        assert_no_server_error(response, "data entry")
        # Markup is text a note may hold (an evidence link must be a web address, so there it is refused).
        assert text != STORED or field != "note" or response.status_code == 302
        # Refused: the page comes back with the text in its field; saved: the history and review show it.
        assert_escaped(response, "data entry, as posted")
        if response.status_code == 302:
            for shown, page in pages(staff, f"/history/value/{value.pk}/"):
                assert_escaped(page, shown)
            for shown, page in pages(place["reviewer"], f"/countries/NL/periods/{period.pk}/review/"):
                assert_escaped(page, shown)


@EXAMPLES
@given(text=hostile_text)
@example(text=STORED)
def test_a_commitment_title_and_description_are_refused_clearly_or_shown_escaped(place, text):
    staff = place["staff"]
    goal = Goal.objects.get(code="PREVENTION")
    with rolled_back():
        TRIED["commitment form: title, description, lead organisation"] += 1
        response = staff.post(
            "/countries/NL/commitments/new/",
            {
                "goal": goal.pk,
                "title": text,
                "description": text,
                "lead_organisation": text[:200],
                "committed_on": "2013-04-15",
            },
        )
        assert_no_server_error(response, "new commitment")
        assert text != STORED or response.status_code == 302, "markup is text the form stores"
        assert_escaped(response, "new commitment, as posted")
        saved = Commitment.objects.filter(goal=goal).first()
        urls = ["/countries/NL/"]
        if saved is not None:
            assert response.status_code == 302
            urls += [
                f"/commitments/{saved.pk}/edit/",
                f"/commitments/{saved.pk}/periods/{place['period'].pk}/",
            ]
        for shown, page in pages(staff, *urls):
            assert_escaped(page, shown)


@EXAMPLES
@given(text=hostile_text)
@example(text=STORED)
def test_a_progress_narrative_is_refused_clearly_or_shown_escaped(place, text):
    staff, period, progress = place["staff"], place["period"], place["progress"]
    url = f"/commitments/{place['commitment'].pk}/periods/{period.pk}/"
    with rolled_back():
        TRIED["progress form: narrative"] += 1
        response = staff.post(url, {"completion": "substantial", "narrative": text, "expected_version": 1})
        assert_no_server_error(response, "progress")
        assert text != STORED or response.status_code == 302, "markup is text the form stores"
        assert_escaped(response, "progress, as posted")
        urls = [url, "/countries/NL/", f"/history/progress/{progress.pk}/"]
        for shown, page in pages(staff, *urls):
            assert_escaped(page, shown)
        for shown, page in pages(place["reviewer"], f"/countries/NL/periods/{period.pk}/review/"):
            assert_escaped(page, shown)


@EXAMPLES
@given(text=hostile_text)
@example(text=STORED)
def test_a_recommendation_text_is_refused_clearly_or_shown_escaped(place, text):
    staff = place["staff"]
    goal = Goal.objects.get(code="PREVENTION")
    with rolled_back():
        TRIED["recommendation form: text, addressees, source"] += 1
        response = staff.post(
            "/countries/NL/recommendations/new/",
            {
                "source_document": text[:300],
                "number": "9",
                "goal": goal.pk,
                "text": text,
                "addressees": text,
                "issued_on": "2014-10-01",
            },
        )
        assert_no_server_error(response, "new recommendation")
        assert text != STORED or response.status_code == 302, "markup is text the form stores"
        assert_escaped(response, "new recommendation, as posted")
        saved = Recommendation.objects.filter(number="9").first()
        urls = ["/countries/NL/"] + ([f"/recommendations/{saved.pk}/edit/"] if saved else [])
        for shown, page in pages(staff, *urls):
            assert_escaped(page, shown)


@EXAMPLES
@given(text=hostile_text)
@example(text=STORED)
def test_a_reviewers_reason_for_returning_is_refused_clearly_or_shown_escaped(place, text):
    submitted, period = place["submitted"], place["period"]
    with rolled_back():
        TRIED["review: reason for returning"] += 1
        response = place["reviewer"].post(
            f"/countries/NL/periods/{period.pk}/review/",
            {
                "action": "return",
                "item": f"value-{submitted.pk}",
                f"value-{submitted.pk}-reason": text,
                f"value-{submitted.pk}-expected_version": submitted.version,
            },
        )
        assert_no_server_error(response, "return with a reason")
        assert text != STORED or response.status_code == 302, "markup is text the form stores"
        assert_escaped(response, "review, as posted")
        for shown, page in pages(place["staff"], f"/history/value/{submitted.pk}/"):
            assert_escaped(page, shown)


@EXAMPLES
@given(
    text=hostile_text.map(lambda text: text.replace("\x00", "")),
    where=st.sampled_from(["indicator name", "indicator unit", "period label"]),
)
def test_names_administrators_give_are_escaped_in_tables_and_charts(place, nl, baseline_period, text, where):
    """Indicator names and units and period labels are typed in the admin; the country page draws them
    into its tables and its SVG charts (built as strings)."""
    indicator = Indicator.objects.get(code="VI-2")
    with rolled_back():
        TRIED["admin-typed names in charts: indicator name, unit, period label"] += 1
        IndicatorValue.objects.create(
            country=nl,
            indicator=indicator,
            period=baseline_period,
            number_value=40,
            status=Status.APPROVED,
            approved_at=timezone.now(),
        )
        if where == "indicator name":
            Indicator.objects.filter(pk=indicator.pk).update(name_en=text[:300] or "-")
        elif where == "indicator unit":
            Indicator.objects.filter(pk=indicator.pk).update(unit=text[:50])
        else:
            ReportingPeriod.objects.filter(pk=baseline_period.pk).update(label=text[:50] or "-")
        for shown, page in pages(
            place["staff"], "/countries/NL/", f"/countries/NL/periods/{place['period'].pk}/"
        ):
            assert_escaped(page, shown)


# --- the API's writes, and the CSV export ------------------------------------------------------------

API_WRITES = {
    "values: note": lambda place, text: (
        "POST",
        "/api/v1/values/",
        {
            "country": "NL",
            "indicator": "VI-3",
            "period": place["period"].pk,
            "number_value": "3",
            "note": text,
        },
        "/api/v1/values/?format=csv",
    ),
    "commitments: title, description, lead organisation": lambda place, text: (
        "POST",
        "/api/v1/commitments/",
        {
            "country": "NL",
            "goal": "PREVENTION",
            "title": text,
            "description": text,
            "lead_organisation": text,
            "committed_on": "2013-04-15",
        },
        "/api/v1/commitments/?format=csv",
    ),
    "commitment progress: narrative": lambda place, text: (
        "POST",
        f"/api/v1/commitments/{place['commitment'].pk}/progress/",
        {"period": place["period"].pk, "completion": "complete", "narrative": text, "version": 1},
        "/api/v1/commitments/?format=csv",
    ),
    "recommendations: text, source, addressees": lambda place, text: (
        "PATCH",
        f"/api/v1/recommendations/{place['recommendation'].pk}/",
        {"text": text, "source_document": text, "addressees": [text], "version": 1},
        "/api/v1/recommendations/?format=csv",
    ),
    "government response: reference, summary": lambda place, text: (
        "PUT",
        f"/api/v1/recommendations/{place['recommendation'].pk}/response/",
        {"response": "adopted", "responded_on": "2014-03-01", "reference": text, "summary": text},
        "/api/v1/recommendations/?format=csv",
    ),
    "recommendation follow-up: narrative": lambda place, text: (
        "POST",
        f"/api/v1/recommendations/{place['recommendation'].pk}/follow-ups/",
        {"period": place["period"].pk, "follow_up": "in_progress", "narrative": text},
        "/api/v1/recommendations/?format=csv",
    ),
}


@settings(EXAMPLES, max_examples=40)
@given(text=hostile_text, endpoint=st.sampled_from(sorted(API_WRITES)))
@example(text=STORED, endpoint="values: note")
@example(text=STORED, endpoint="commitments: title, description, lead organisation")
@example(text=STORED, endpoint="commitment progress: narrative")
@example(text=STORED, endpoint="recommendations: text, source, addressees")
@example(text=STORED, endpoint="government response: reference, summary")
@example(text=STORED, endpoint="recommendation follow-up: narrative")
def test_api_writes_refuse_clearly_or_store_text_that_stays_inert(place, text, endpoint):
    method, url, body, export = API_WRITES[endpoint](place, text)
    with rolled_back():
        TRIED[f"API: {endpoint}"] += 1
        response = place["staff"].generic(method, url, json.dumps(body), content_type="application/json")
        assert_no_server_error(response, f"{method} {url}")
        assert response["Content-Type"].startswith("application/json")
        assert text != STORED or response.status_code in (200, 201), response.content[:300]
        if response.status_code >= 400:
            assert response.json()["status"] == response.status_code  # the API's one error shape
            return
        assert_csv_inert(place["reviewer"].get(export), f"CSV {export}")
        for shown, page in pages(place["staff"], "/countries/NL/"):
            assert_escaped(page, shown)


@settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    cells=st.lists(
        st.sampled_from(ATTACKS[12:20]).map(lambda s: s.replace("\x00", "")), min_size=1, max_size=3
    )
)
def test_every_formula_in_a_stored_row_is_neutralised_in_every_export(place, cells):
    """Rows stored by any way (here straight into the table) export inertly, whatever the column."""
    with rolled_back():
        TRIED["CSV export: formulas stored in every text column"] += 1
        text = "\n".join(cells) if len(cells) > 1 else cells[0]
        Commitment.objects.filter(pk=place["commitment"].pk).update(
            title=cells[0], description=text, baseline=cells[-1], lead_organisation=cells[0]
        )
        CommitmentProgress.objects.filter(pk=place["progress"].pk).update(narrative=text)
        IndicatorValue.objects.filter(pk=place["value"].pk).update(note=cells[0], evidence_links=text)
        Recommendation.objects.filter(pk=place["recommendation"].pk).update(
            text=cells[0], number=cells[0][:20], source_document=cells[-1], addressees=text
        )
        for export in ("values", "commitments", "recommendations"):
            assert_csv_inert(place["reviewer"].get(f"/api/v1/{export}/?format=csv"), export)


# --- addresses and queries ---------------------------------------------------------------------------


@EXAMPLES
@given(text=hostile_text.map(lambda text: text[:300]))
@example(text="NUL \x00 in an address")  # was a server error: PostgreSQL refuses NUL in a query
@example(text="x" * 300)  # a sign-in name longer than django-axes stores was a server error
def test_hostile_addresses_queries_and_sign_in_names_get_clear_answers(place, text, administrator):
    segment = quote(text, safe="") or "-"
    admin = Client()
    admin.force_login(administrator)
    requests = [
        (place["staff"], "get", f"/countries/{segment}/", None),
        (place["staff"], "get", f"/countries/{segment}/periods/{place['period'].pk}/", None),
        (place["staff"], "get", f"/history/{segment}/1/", None),
        (
            place["staff"],
            "get",
            "/completeness/",
            {"region": text, "goal": text, "state": text, "overdue": text},
        ),
        (place["staff"], "get", "/api/v1/values/", {"country": text, "indicator": text, "status": text}),
        (
            place["staff"],
            "get",
            "/api/v1/commitments/",
            {"ordering": text, "goal": text, "updated_since": text},
        ),
        (place["staff"], "get", f"/api/v1/goals/{segment}/", None),
        (admin, "get", "/audit/", {"user": text, "country": text, "kind": text, "date_from": text}),
        (admin, "get", "/admin/commitments/commitment/", {"q": text}),
        (Client(), "post", "/accounts/login/", {"username": text, "password": text}),
    ]
    with rolled_back():
        for client, method, url, data in requests:
            TRIED["addresses, filters, search, sign-in names"] += 1
            response = getattr(client, method)(url, data)
            assert_no_server_error(response, f"{method.upper()} {url} {data}")
            if response.get("Content-Type", "").startswith("text/html"):
                assert_escaped(response, url)


# --- the PDF ------------------------------------------------------------------------------------------


@pytest.fixture
def listener():
    """A web server on 127.0.0.1 that counts the requests it gets (a report must make none)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def _approved(item):
    item.status, item.approved_at = Status.APPROVED, timezone.now()
    item.save()
    return item


def _squeezed(text: str) -> str:
    """Text as pdftotext gives it back, for comparing: no whitespace, no control characters."""
    return re.sub(r"[\s\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", "", text)


def test_a_country_report_shows_hostile_text_as_text_and_fetches_nothing(
    nl, baseline_period, progress_period, listener, tmp_path
):
    """One report with every attack in the free-text fields it prints (commitment titles, narratives,
    recommendation texts, follow-ups), plus markup pointing at a local server that must get no call."""
    address, hits = listener
    texts = [attack.replace("\x00", "") for attack in ATTACKS] + [
        f'<img src="{address}/pixel.png" data-xss>',
        f'<link rel="stylesheet" href="{address}/style.css" data-xss>',
        f"<style data-xss>@import url({address}/import.css);</style>",
    ]
    texts = [text for text in texts if text.strip()]
    goals = list(Goal.objects.order_by("order"))
    for number, text in enumerate(texts):
        goal = goals[number % len(goals)]
        commitment = Commitment.objects.create(
            country=nl,
            goal=goal,
            title=f"T{number} {text}"[:300],
            lead_organisation=text[:200],
            committed_on=baseline_period.starts_on,
            status="approved",
            approved_at=timezone.now(),
        )
        _approved(
            CommitmentProgress(
                commitment=commitment, period=progress_period, completion="limited", narrative=text
            )
        )
        recommendation = Recommendation.objects.create(
            number=str(number),
            source_document=f"Hostile {number}",
            country=nl,
            goal=goal,
            text=text,
            addressees="Police",
            issued_on=progress_period.starts_on,
            status="approved",
            approved_at=timezone.now(),
        )
        _approved(
            RecommendationFollowUp(
                recommendation=recommendation, period=progress_period, follow_up="in_progress", narrative=text
            )
        )
    TRIED["PDF country report: titles, narratives, recommendation texts"] += len(texts)
    evaluation_round = EvaluationRound.objects.get()
    report = Report(kind=Report.Kind.COUNTRY, evaluation_round=evaluation_round, country=nl, language="en")

    with translation.override("en"):
        data = report_selectors.report_data(evaluation_round=evaluation_round, country=nl)
        frozen = {
            "data": data,
            "snapshot": report_selectors.data_snapshot(data),
            "generated_at": timezone.now().isoformat(),
        }
        html = report_document.country_report_html(book=Book(data), frozen=frozen, report=report)
        rendered = render_pdf(html=html)

    assert injected_markup(html) == []
    assert rendered.refused == [] and hits == []
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered.pdf)
    shown = _squeezed(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    )
    markup = [text for text in texts if "data-xss" in text]
    assert [text for text in markup if _squeezed(text) not in shown] == []
