"""The public site's pages and files: thin views over opendata/selectors.py (reads only, no sign-in).

The language is part of the path (``/public/en/``, ``/public/nl/``) rather than the workspace's
cookie and POST switch, so that a page has one URL per language, carries no cookie, no CSRF token and
nothing per reader, and can be cached and linked. Every answer goes through ``caching.cached_public``.
"""

from __future__ import annotations

import json

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from commitments.models import Country, Goal

from . import catalogue as dcat
from . import downloads, released, selectors, services
from .caching import cached_public

LANGUAGES = ("en", "nl")


def _language(code: str) -> None:
    if code not in LANGUAGES:
        raise Http404
    translation.activate(code)


def _round_id(request: HttpRequest) -> int | None:
    text = request.GET.get("round", "")
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def _round(request: HttpRequest):
    round_id = _round_id(request)
    evaluation_round = selectors.round_or_none(round_id=round_id)
    if round_id is not None and evaluation_round is None:
        raise Http404  # not released (or not there): the public site does not know it
    return evaluation_round


def _common(request: HttpRequest, language: str, evaluation_round, **extra) -> dict:
    path = request.path
    other = "nl" if language == "en" else "en"
    query = f"?round={evaluation_round.pk}" if evaluation_round and request.GET.get("round") else ""
    return {
        "language": language,
        "round": evaluation_round,
        "rounds": list(released.rounds()),
        "query": query,
        "other_language": other,
        "other_url": path.replace(f"/public/{language}/", f"/public/{other}/", 1) + query,
        "licence": downloads.LICENCE,
        **extra,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """``/public/``: to the reader's language (browser or chosen earlier), English otherwise."""
    language = translation.get_language_from_request(request)[:2]
    response = HttpResponseRedirect(
        reverse("public:overview", args=[language if language in LANGUAGES else "en"])
    )
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@require_safe
@cached_public
def overview(request: HttpRequest, language: str) -> HttpResponse:
    _language(language)
    evaluation_round = _round(request)
    if evaluation_round is None:
        return render(request, "public/nothing.html", _common(request, language, None))
    data = selectors.figures(evaluation_round=evaluation_round)
    goals = list(Goal.objects.order_by("order"))
    rows = selectors.commitments(evaluation_round=evaluation_round)
    return render(
        request,
        "public/overview.html",
        _common(
            request,
            language,
            evaluation_round,
            goals=goals,
            countries=data.countries,
            is_demo=data.is_demo,
            reporting_chart=selectors.reporting_chart(data, goals),
            completion_chart=selectors.completion_chart(rows),
            commitment_count=len(rows),
            findings=selectors.findings(evaluation_round=evaluation_round, alliance=True),
            decisions=selectors.decisions(evaluation_round=evaluation_round),
            reports=selectors.reports(evaluation_round=evaluation_round),
        ),
    )


def _goal(code: str) -> Goal:
    if len(code) > 40:
        raise Http404
    goal = Goal.objects.filter(code=code).first()
    if goal is None:
        raise Http404
    return goal


def _country(code: str) -> Country:
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise Http404
    country = Country.objects.filter(code=code.upper()).first()
    if country is None:
        raise Http404
    return country


@require_safe
@cached_public
def goal(request: HttpRequest, language: str, code: str) -> HttpResponse:
    _language(language)
    item = _goal(code)
    evaluation_round = _round(request)
    if evaluation_round is None:
        return render(request, "public/nothing.html", _common(request, language, None, title=item.title))
    data = selectors.figures(evaluation_round=evaluation_round, goal=item)
    return render(
        request,
        "public/goal.html",
        _common(
            request,
            language,
            evaluation_round,
            goal=item,
            chart=selectors.goal_chart(data),
            is_demo=data.is_demo,
            tables=selectors.goal_tables(data),
            findings=selectors.findings(evaluation_round=evaluation_round, goal=item, alliance=True),
        ),
    )


@require_safe
@cached_public
def country(request: HttpRequest, language: str, code: str) -> HttpResponse:
    _language(language)
    item = _country(code)
    evaluation_round = _round(request)
    if evaluation_round is None:
        return render(request, "public/nothing.html", _common(request, language, None, title=item.name))
    goals = list(Goal.objects.order_by("order"))
    data = selectors.figures(evaluation_round=evaluation_round, country=item)
    rows = selectors.commitments(evaluation_round=evaluation_round, country=item)
    return render(
        request,
        "public/country.html",
        _common(
            request,
            language,
            evaluation_round,
            country=item,
            tables=selectors.country_tables(data, goals),
            is_demo=data.is_demo,
            commitments=rows,
            completion_chart=selectors.completion_chart(rows) if rows else None,
            findings=selectors.findings(evaluation_round=evaluation_round, country=item),
            recommendations=selectors.recommendations(country=item),
            reply=selectors.reply(evaluation_round=evaluation_round, country=item),
            decisions=selectors.decisions(evaluation_round=evaluation_round, country=item),
            reports=selectors.reports(evaluation_round=evaluation_round, country=item),
        ),
    )


# --- files ---------------------------------------------------------------------------------------------

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _released_round(round_id: int):
    evaluation_round = selectors.round_or_none(round_id=round_id)
    if evaluation_round is None:
        raise Http404
    return evaluation_round


def _file(
    request, *, evaluation_round, kind: str, name: str, title: str, country=None, goal=None
) -> HttpResponse:
    if kind not in CONTENT_TYPES:
        raise Http404
    values = downloads.value_rows(evaluation_round=evaluation_round, country=country, goal=goal)
    if kind == "csv":
        content = downloads.as_csv(values)
    else:
        commitments = downloads.commitment_rows(evaluation_round=evaluation_round, country=country, goal=goal)
        content = downloads.as_xlsx(
            values=values,
            commitments=commitments,
            title=title,
            source_url=request.build_absolute_uri(request.path),
        )
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    response.headers["Link"] = f'<{downloads.LICENCE["url"]}>; rel="license"'
    return response


def _slug(evaluation_round) -> str:
    return "alliance-monitor-" + "".join(c if c.isalnum() else "-" for c in evaluation_round.label)


@require_safe
@cached_public
def round_data(request: HttpRequest, round_id: int, kind: str) -> HttpResponse:
    evaluation_round = _released_round(round_id)
    return _file(
        request,
        evaluation_round=evaluation_round,
        kind=kind,
        name=_slug(evaluation_round),
        title=f"Alliance Monitor {evaluation_round.label}",
    )


@require_safe
@cached_public
def country_data(request: HttpRequest, round_id: int, code: str, kind: str) -> HttpResponse:
    evaluation_round = _released_round(round_id)
    item = _country(code)
    return _file(
        request,
        evaluation_round=evaluation_round,
        kind=kind,
        country=item,
        name=f"{_slug(evaluation_round)}-{item.code}",
        title=f"Alliance Monitor {evaluation_round.label}: {item.name_en}",
    )


@require_safe
@cached_public
def goal_data(request: HttpRequest, round_id: int, code: str, kind: str) -> HttpResponse:
    evaluation_round = _released_round(round_id)
    item = _goal(code)
    return _file(
        request,
        evaluation_round=evaluation_round,
        kind=kind,
        goal=item,
        name=f"{_slug(evaluation_round)}-{item.code.lower()}",
        title=f"Alliance Monitor {evaluation_round.label}: {item.title_en}",
    )


@require_safe
@cached_public
def catalogue(request: HttpRequest) -> HttpResponse:
    body = dcat.catalogue(absolute=request.build_absolute_uri)
    return HttpResponse(json.dumps(body, indent=1, ensure_ascii=False), content_type="application/ld+json")


@require_safe
def report_file(request: HttpRequest, report_id: int) -> FileResponse:
    """A published report of a released round; anything else is not there. Validated by its SHA-256.
    Each download is counted per report and day (``services.report_download_count``)."""
    report = released.reports().select_related("evaluation_round", "country").filter(pk=report_id).first()
    if report is None:
        raise Http404
    etag = f'"{report.sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.download_name,
            content_type="application/pdf",
        )
        if request.method == "GET":  # a download (not a HEAD, not a 304): counted, without who
            services.report_download_count(report_id=report.pk)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Link"] = f'<{downloads.LICENCE["url"]}>; rel="license"'
    return response


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    """Search engines: the public site and its sitemap; nothing of the workspace."""
    lines = [
        "User-agent: *",
        "Allow: /public/",
        "Disallow: /",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
