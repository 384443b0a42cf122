"""The probe: every public answer compared with the set of released items, worked out here and not by
``opendata.released`` (the rule the site applies), so that a mistake in that rule cannot hide itself.

The expected set is read straight from the models, in plain Python: rounds whose release moment has
passed, approved items of those rounds, minus the items with an approved withholding. Then every public
route and download (found from the URL configuration, so a new route cannot be left out) is fetched with
the clock before, at and after the release, and after the next round's release:

- every item an answer shows (by its text, its number or its link) is in the expected set;
- every expected item shows on each page and in each file where it belongs (its country's page in both
  languages, its goal's page, the round's, country's and goal's CSV and XLSX, ...);
- the pages and files of a round not released yet are not there (404), and nothing else is refused.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections import defaultdict

import pytest
import time_machine
from django.urls import resolve, reverse
from django.utils import translation
from openpyxl import load_workbook

from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Finding,
    Goal,
    GovernmentResponse,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
)
from cycle.models import Decision
from focal.models import Reply
from opendata import urls as public_urls
from opendata.models import Withholding
from reporting.models import Report
from tests.opendata.world import NEXT_RELEASE, RELEASE

ONE_SECOND = dt.timedelta(seconds=1)
LANGUAGES = ("en", "nl")


# --- what should be public: the embargo written out again, from the models ------------------------------


def released_rounds(now: dt.datetime) -> list[EvaluationRound]:
    """Rounds whose release moment has passed (or is now), oldest first."""
    rounds = EvaluationRound.objects.select_related("baseline_period", "evaluation_period")
    found = [r for r in rounds if r.released_at is not None and r.released_at <= now]
    return sorted(found, key=lambda r: (r.evaluation_period.ends_on, r.ministerial_date, r.pk))


def expected_items(now: dt.datetime) -> dict[str, set[int]]:
    """The ids of the items the public may see at ``now``, by kind."""
    rounds = released_rounds(now)
    round_ids = {r.pk for r in rounds}
    periods = {r.baseline_period_id for r in rounds} | {r.evaluation_period_id for r in rounds}
    evaluation_periods = {r.evaluation_period_id for r in rounds}
    last_end = max((r.evaluation_period.ends_on for r in rounds), default=None)
    withheld = {(w.kind, w.item_id) for w in Withholding.objects.all() if w.state == "approved"}

    def kept(kind: str, pk: int) -> bool:
        return (kind, pk) not in withheld

    values = {
        v.pk
        for v in IndicatorValue.objects.all()
        if v.status == "approved" and v.period_id in periods and kept("value", v.pk)
    }
    commitments = {
        c.pk
        for c in Commitment.objects.all()
        if c.approved_at is not None
        and last_end is not None
        and c.committed_on <= last_end
        and kept("commitment", c.pk)
    }
    progress = {
        p.pk
        for p in CommitmentProgress.objects.all()
        if p.status == "approved"
        and p.period_id in periods
        and p.commitment_id in commitments
        and kept("progress", p.pk)
    }
    findings = {
        f.pk
        for f in Finding.objects.all()
        if f.status == "approved" and f.period_id in evaluation_periods and kept("finding", f.pk)
    }
    recommendations = {
        r.pk
        for r in Recommendation.objects.all()
        if r.approved_at is not None
        and any(rnd.baseline_period.starts_on <= r.issued_on <= rnd.ministerial_date for rnd in rounds)
    }
    responses = {
        g.pk
        for g in GovernmentResponse.objects.all()
        if g.approved_at is not None and g.recommendation_id in recommendations and kept("response", g.pk)
    }
    follow_ups = {
        f.pk
        for f in RecommendationFollowUp.objects.all()
        if f.status == "approved" and f.period_id in periods and f.recommendation_id in recommendations
    }
    replies = {
        r.pk for r in Reply.objects.all() if r.evaluation_round_id in round_ids and kept("reply", r.pk)
    }
    decisions = {
        d.pk
        for d in Decision.objects.select_related("meeting")
        if d.approved_at is not None and d.meeting.evaluation_round_id in round_ids
    }
    reports = {
        r.pk
        for r in Report.objects.all()
        if r.status == "ready" and r.published_at is not None and r.evaluation_round_id in round_ids
    }
    return {
        "value": values,
        "commitment": commitments,
        "progress": progress,
        "finding": findings,
        "recommendation": recommendations,
        "response": responses,
        "follow_up": follow_ups,
        "reply": replies,
        "decision": decisions,
        "report": reports,
    }


# --- every public route and download ------------------------------------------------------------------


def country_pages(code: str, evaluation_round, latest) -> list[str]:
    """The pages showing ``code`` in ``evaluation_round``: with ``?round=`` and, for the latest, without."""
    pages = []
    for language in LANGUAGES:
        url = reverse("public:country", args=[language, code])
        pages.append(f"{url}?round={evaluation_round.pk}")
        if evaluation_round == latest:
            pages.append(url)
    return pages


def goal_pages(code: str, evaluation_round, latest) -> list[str]:
    pages = []
    for language in LANGUAGES:
        url = reverse("public:goal", args=[language, code])
        pages.append(f"{url}?round={evaluation_round.pk}")
        if evaluation_round == latest:
            pages.append(url)
    return pages


def overview_pages(evaluation_round, latest) -> list[str]:
    pages = []
    for language in LANGUAGES:
        url = reverse("public:overview", args=[language])
        pages.append(f"{url}?round={evaluation_round.pk}")
        if evaluation_round == latest:
            pages.append(url)
    return pages


def data_files(evaluation_round, *, country: str | None = None, goal: str | None = None) -> list[str]:
    files = []
    for kind in ("csv", "xlsx"):
        if country:
            files.append(reverse("public:country_data", args=[evaluation_round.pk, country, kind]))
        elif goal:
            files.append(reverse("public:goal_data", args=[evaluation_round.pk, goal, kind]))
        else:
            files.append(reverse("public:round_data", args=[evaluation_round.pk, kind]))
    return files


def routes() -> list[str]:
    """Every public route and download: each page in both languages for every country and goal, bare and
    for every round (released or not), each file of every round, country and goal, every report."""
    # Every country that holds anything (the world's), and two that hold nothing: the other fifty pages
    # are the same route with the same empty answer, and each costs the suite a second.
    all_codes = list(Country.objects.order_by("code").values_list("code", flat=True))
    holding = set(IndicatorValue.objects.values_list("country__code", flat=True)) | set(
        Commitment.objects.values_list("country__code", flat=True)
    )
    countries = [code for code in all_codes if code in holding] + [
        code for code in all_codes if code not in holding
    ][:2]
    goals = list(Goal.objects.order_by("order").values_list("code", flat=True))
    rounds = list(EvaluationRound.objects.order_by("pk"))
    urls = [reverse("public:home"), reverse("public:catalogue"), reverse("sitemap"), reverse("robots")]
    for language in LANGUAGES:
        urls.append(reverse("public:overview", args=[language]))
        urls += [reverse("public:goal", args=[language, code]) for code in goals]
        urls += [reverse("public:country", args=[language, code]) for code in countries]
    for evaluation_round in rounds:
        urls += overview_pages(evaluation_round, None)
        for code in goals:
            urls += goal_pages(code, evaluation_round, None)
            urls += data_files(evaluation_round, goal=code)
        for code in countries:
            urls += country_pages(code, evaluation_round, None)
            urls += data_files(evaluation_round, country=code)
        urls += data_files(evaluation_round)
    urls += [reverse("public:report", args=[pk]) for pk in Report.objects.values_list("pk", flat=True)]
    return urls


# --- what an answer shows -----------------------------------------------------------------------------


def text_of(response) -> str:
    """What an answer says as text: pages (unescaped), CSV and JSON as they are, a workbook's cells."""
    if response.status_code != 200:
        return ""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if cell is None else str(cell) for cell in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = content.decode("utf-8", errors="replace")
    return html.unescape(text) if response["Content-Type"].startswith("text/html") else text


def number_forms(number) -> list[str]:
    whole = int(number)
    return [str(whole), f"{whole:,}", f"{whole:,}".replace(",", ".")]


def markers() -> dict[tuple[str, int], list[str]]:
    """Each item of every kind (public or not) and the words that give it away in an answer."""
    found: dict[tuple[str, int], list[str]] = {}
    for kind, model, field in (
        ("commitment", Commitment, "title"),
        ("finding", Finding, "text"),
        ("recommendation", Recommendation, "text"),
        ("response", GovernmentResponse, "summary"),
        ("reply", Reply, "text"),
        ("decision", Decision, "title"),
    ):
        for pk, words in model.objects.values_list("pk", field):
            found[(kind, pk)] = [words]
    for pk in Report.objects.values_list("pk", flat=True):
        found[("report", pk)] = [reverse("public:report", args=[pk])]
    # The test world gives each value a distinct number of five digits, so that it can be told apart.
    numbers = IndicatorValue.objects.filter(number_value__isnull=False).values_list("number_value", flat=True)
    assert all(number >= 10000 for number in numbers) and len(set(numbers)) == len(numbers)
    for pk, number in IndicatorValue.objects.filter(number_value__isnull=False).values_list(
        "pk", "number_value"
    ):
        found[("value", pk)] = number_forms(number)
    return found


ROW = re.compile(r'<tr><th scope="row">(?P<title>[^<]*)</th><td>[^<]*</td><td>(?P<progress>[^<]*)</td></tr>')


def progress_shown(text: str, language: str) -> set[int]:
    """The progress items a country page shows in its commitments table ("period: completion; ...")."""
    cells = {html.unescape(m["title"]): html.unescape(m["progress"]) for m in ROW.finditer(text)}
    if not cells:
        return set()
    found = set()
    with translation.override(language):
        for p in CommitmentProgress.objects.select_related("commitment", "period"):
            shown = cells.get(p.commitment.title, "")
            words = f"{p.period.name}: {CommitmentProgress.Completion(p.completion).label}"
            if words in shown.split("; "):
                found.add(p.pk)
    return found


# --- where each public item belongs --------------------------------------------------------------------


def places(expected: dict[str, set[int]], now: dt.datetime) -> dict[tuple[str, int], set[str]]:
    """For each expected item, the answers that must show it."""
    rounds = released_rounds(now)
    latest = rounds[-1] if rounds else None
    where: dict[tuple[str, int], set[str]] = defaultdict(set)
    by_period = defaultdict(list)
    for r in rounds:
        by_period[r.baseline_period_id].append(r)
        by_period[r.evaluation_period_id].append(r)
    for v in IndicatorValue.objects.filter(pk__in=expected["value"]).select_related(
        "indicator__goal", "country"
    ):
        for r in by_period[v.period_id]:
            code, goal = v.country.code, v.indicator.goal.code
            where[("value", v.pk)] |= {
                *country_pages(code, r, latest),
                *goal_pages(goal, r, latest),
                *data_files(r),
                *data_files(r, country=code),
                *data_files(r, goal=goal),
            }
    for c in Commitment.objects.filter(pk__in=expected["commitment"]).select_related("country", "goal"):
        xlsx = [
            url
            for url in data_files(latest) + data_files(latest, country=c.country.code)
            if url.endswith("x")
        ]
        xlsx += [url for url in data_files(latest, goal=c.goal.code) if url.endswith("x")]
        where[("commitment", c.pk)] |= {*country_pages(c.country.code, latest, latest), *xlsx}
    for p in CommitmentProgress.objects.filter(pk__in=expected["progress"]).select_related(
        "commitment__country", "period"
    ):
        for r in rounds:
            if p.period.ends_on <= r.evaluation_period.ends_on:
                where[("progress", p.pk)] |= set(country_pages(p.commitment.country.code, r, latest))
    for f in Finding.objects.filter(pk__in=expected["finding"]).select_related("country", "goal"):
        for r in (r for r in rounds if r.evaluation_period_id == f.period_id):
            if f.country_id:
                where[("finding", f.pk)] |= set(country_pages(f.country.code, r, latest))
            else:
                where[("finding", f.pk)] |= set(overview_pages(r, latest))
                if f.goal_id:
                    where[("finding", f.pk)] |= set(goal_pages(f.goal.code, r, latest))
    for r in Recommendation.objects.filter(pk__in=expected["recommendation"]).select_related("country"):
        where[("recommendation", r.pk)] |= set(country_pages(r.country.code, latest, latest))
    for g in GovernmentResponse.objects.filter(pk__in=expected["response"]).select_related(
        "recommendation__country"
    ):
        where[("response", g.pk)] |= set(country_pages(g.recommendation.country.code, latest, latest))
    for reply in Reply.objects.filter(pk__in=expected["reply"]).select_related("country", "evaluation_round"):
        where[("reply", reply.pk)] |= set(country_pages(reply.country.code, reply.evaluation_round, latest))
    for d in Decision.objects.filter(pk__in=expected["decision"]).select_related("meeting__evaluation_round"):
        r = d.meeting.evaluation_round
        where[("decision", d.pk)] |= set(overview_pages(r, latest))
        for code in d.countries:
            where[("decision", d.pk)] |= set(country_pages(code, r, latest))
    for report in Report.objects.filter(pk__in=expected["report"]).select_related(
        "country", "evaluation_round"
    ):
        r = report.evaluation_round
        pages = (
            country_pages(report.country.code, r, latest) if report.country_id else overview_pages(r, latest)
        )
        where[("report", report.pk)] |= {*pages, reverse("public:report", args=[report.pk])}
    return where


# --- the probe ---------------------------------------------------------------------------------------------


def probe(
    client, moment: dt.datetime, *, every_link: bool = False
) -> tuple[dict[str, dict[str, set[int]]], dict[str, int], dict]:
    """Fetch every route at ``moment``: what each answer shows (by URL and kind), each status, and the
    expected items."""
    with time_machine.travel(moment, tick=False):
        expected = expected_items(moment)
        marks = markers()
        shown: dict[str, dict[str, set[int]]] = {}
        statuses: dict[str, int] = {}
        for url in routes():
            response = client.get(url)
            statuses[url] = response.status_code
            text = text_of(response)
            found: dict[str, set[int]] = defaultdict(set)
            for (kind, pk), words in marks.items():
                if kind == "report" and url == words[0] and response.status_code == 200:
                    found[kind].add(pk)
                elif any(word in text for word in words):
                    found[kind].add(pk)
            if "/countries/" in url and response.status_code == 200:
                found["progress"] = progress_shown(text, language=url.split("/")[2])
            shown[url] = found
        # Each link of the catalogue and the sitemap is an answer the probe fetched, and it is there.
        catalogue = json.loads(client.get(reverse("public:catalogue")).content)
        links = [
            distribution["dcat:downloadURL"].removeprefix("http://testserver")
            for dataset in catalogue["dcat:dataset"]
            for distribution in dataset["dcat:distribution"]
        ]
        links += re.findall(
            r"<loc>http://testserver([^<]+)</loc>", client.get(reverse("sitemap")).content.decode()
        )
        for link in links:
            if link not in statuses and every_link:
                # A country the probe left out (it holds nothing): its link answers all the same.
                assert client.get(link).status_code == 200, (moment, link)
            elif link not in statuses:
                assert resolve(link).namespace in {"public", ""}, (moment, link)
            else:
                assert statuses[link] == 200, (moment, link)
    return shown, statuses, expected


# The kinds of item the public site shows (follow-ups are not on it).
SHOWN = (
    "value",
    "commitment",
    "progress",
    "finding",
    "recommendation",
    "response",
    "reply",
    "decision",
    "report",
)


def check(client, world, moment: dt.datetime, *, every_link: bool = False) -> dict[str, set[int]]:
    shown, statuses, expected = probe(client, moment, every_link=every_link)
    released_ids = {r.pk for r in released_rounds(moment)}
    for url, status in statuses.items():
        round_id = re.search(r"round[=-](\d+)", url)
        if url == reverse("public:home"):
            assert status == 302, url
        elif round_id and int(round_id[1]) not in released_ids:
            assert status == 404, (moment, url, status)  # a round not released: not there at all
        elif "/reports/" in url:
            assert status in {200, 404}, (moment, url, status)
        else:
            assert status == 200, (moment, url, status)
    # Nothing outside the expected set, in any answer.
    for url, found in shown.items():
        for kind, ids in found.items():
            assert ids <= expected[kind], (moment, url, kind, ids - expected[kind])
    # Every expected item where it belongs (and each kind the site shows has a place: none goes unchecked).
    where = places(expected, moment)
    for (kind, pk), urls in where.items():
        missing = sorted(url for url in urls if pk not in shown[url][kind])
        assert not missing, (moment, kind, pk, missing)
    for kind in SHOWN:
        assert all(where.get((kind, pk)) for pk in expected[kind]), (moment, kind)
    return expected


@pytest.mark.django_db
def test_the_routes_cover_every_public_url_pattern(world):
    named = {resolve(url.split("?")[0]).view_name for url in routes()}
    patterns = {f"public:{pattern.name}" for pattern in public_urls.urlpatterns}
    assert patterns | {"sitemap", "robots"} <= named


@pytest.mark.django_db
def test_the_probe_finds_every_released_item_where_it_belongs_and_nothing_else(client, world):
    # After the release first, then a second before it and the moment itself (the server's cache is never
    # cleared: a page cached on one side of the release must not be served on the other), then after the
    # next round's release.
    moments = (RELEASE + dt.timedelta(days=1), RELEASE - ONE_SECOND, RELEASE, NEXT_RELEASE + ONE_SECOND)
    seen = {}
    for moment in moments:
        # Every link of the catalogue and the sitemap is fetched once, when both rounds are out.
        seen[moment] = check(client, world, moment, every_link=moment == moments[-1])
    before, at = seen[RELEASE - ONE_SECOND], seen[RELEASE]
    assert all(not ids for ids in before.values())
    # The world holds items of every kind the site shows on the public side, so the probe compares
    # something real.
    assert all(at[kind] for kind in SHOWN), {kind: at[kind] for kind in SHOWN}
    for kind, item_id in world.withheld.items():
        assert item_id not in seen[NEXT_RELEASE + ONE_SECOND][kind]
    after_next = seen[NEXT_RELEASE + ONE_SECOND]
    assert after_next["value"] > at["value"] and after_next["decision"] > at["decision"]
