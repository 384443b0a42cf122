"""The ministers' view: thin views over overview/selectors.py (reads only; nothing here writes).

Every page is for anyone signed in, works without JavaScript (the goal of the map is a plain GET form)
and shows approved data of a released round; staff and reviewers may open a round before its release
with ``?round=<id>``, and the page then says in its heading that the round is not released.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from commitments.models import Country
from cycle.selectors import stage_steps
from reporting.content import IMPROVED, MISSING, UNCHANGED, WORSENED

from . import maps, selectors


def _round_id(request: HttpRequest) -> int | None:
    text = request.GET.get("round", "")
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def _choice(request: HttpRequest) -> selectors.RoundChoice:
    choice = selectors.round_choice(user=request.user, round_id=_round_id(request))
    if choice is None:
        raise Http404  # a round the reader may not see is not there
    return choice


def _query(choice: selectors.RoundChoice, **extra: str) -> str:
    """The query string that keeps a chosen (not the default) round on every link of the pages."""
    params = {}
    if choice.shown is not None and "round" not in extra:
        params["round"] = str(choice.shown.pk)
    params.update({key: value for key, value in extra.items() if value})
    return "?" + urlencode(params) if params else ""


def _empty(request: HttpRequest, choice: selectors.RoundChoice, title: str) -> HttpResponse:
    return render(request, "overview/no_round.html", {"choice": choice, "title": title}, status=200)


def _context(request: HttpRequest, choice: selectors.RoundChoice, overview) -> dict:
    return {
        "choice": choice,
        "overview": overview,
        "round": choice.shown,
        "steps": stage_steps(choice.shown),  # the round's step in its life (cycle's stage partial)
        "query": _query(choice),
        "outcome_labels": _outcome_labels(),
        # The rendered tables, charts and maps are kept (``{% cache %}``) under the key of the round's
        # figures (round, release, language, data version): a repeat request renders them once per key.
        "fragment_key": overview.cache_keys["digest"],
        "cache_seconds": selectors.CACHE_SECONDS,
    }


def _outcome_labels() -> dict[str, str]:
    return {outcome: selectors.outcome_label(outcome) for outcome in (IMPROVED, UNCHANGED, WORSENED, MISSING)}


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The alliance at a glance for the latest released round (or the one chosen)."""
    choice = _choice(request)
    if choice.shown is None:
        return _empty(request, choice, _("The alliance at a glance"))
    data = selectors.alliance_overview(evaluation_round=choice.shown)
    return render(
        request,
        "overview/overview.html",
        {
            **_context(request, choice, data),
            "outcomes_chart": data.outcomes_chart,
            "completion_chart": data.completion_chart,
        },
    )


@login_required
def country_map(request: HttpRequest) -> HttpResponse:
    """The participating countries coloured by their outcome on the goal chosen with ``?goal=CODE``."""
    choice = _choice(request)
    if choice.shown is None:
        return _empty(request, choice, _("Map of the alliance"))
    data = selectors.alliance_overview(evaluation_round=choice.shown)
    code = request.GET.get("goal", "")
    summary = data.goal(code) if code else (data.goals[0] if data.goals else None)
    if summary is None:
        raise Http404
    labels = _outcome_labels()
    query = _query(choice)
    title = _("%(goal)s: outcome per country") % {"goal": summary.goal.numbered_title}

    def draw() -> dict:
        countries = {
            row.country.code: maps.MapCountry(
                code=row.country.code,
                name=row.country.name,
                outcome=row.outcome,
                label=labels[row.outcome],
                url=reverse("overview_country", args=[row.country.code]) + query,
            )
            for row in summary.countries
        }
        return {
            "europe": maps.draw_map(frame="europe", countries=countries, title=_("Europe") + " — " + title),
            "world": maps.draw_map(frame="world", countries=countries, title=_("The world") + " — " + title),
        }

    # Lazy: read (or drawn) only when the page's rendered fragment is not in the cache.
    frames = SimpleLazyObject(
        lambda: selectors.cached(overview=data, name=f"map:{summary.goal.code}:{query}", build=draw)
    )
    return render(
        request,
        "overview/map.html",
        {
            **_context(request, choice, data),
            "summary": summary,
            "frames": frames,
            "legend": maps.legend(labels=labels),
            "map_title": title,
        },
    )


def _goal_or_404(data: selectors.AllianceOverview, code: str) -> selectors.GoalSummary:
    if len(code) > 50:
        raise Http404
    summary = data.goal(code)
    if summary is None:
        raise Http404
    return summary


@login_required
def goal_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One goal across all countries: each country's outcome and figures for the goal's indicators."""
    choice = _choice(request)
    if choice.shown is None:
        return _empty(request, choice, _("A goal across the alliance"))
    data = selectors.alliance_overview(evaluation_round=choice.shown)
    summary = _goal_or_404(data, code)
    return render(
        request,
        "overview/goal.html",
        {
            **_context(request, choice, data),
            "summary": summary,
            # Lazy: read only when the page's rendered fragment is not in the cache.
            "chapter": SimpleLazyObject(
                lambda: selectors.goal_across_countries(overview=data, summary=summary)
            ),
            "map_query": _query(choice, goal=summary.goal.code),
        },
    )


@login_required
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One country across every period up to the round, and where it stands in the alliance."""
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise Http404
    choice = _choice(request)
    country = get_object_or_404(Country, code=code.upper())
    if choice.shown is None:
        return _empty(request, choice, country.name)
    data = selectors.alliance_overview(evaluation_round=choice.shown)
    return render(
        request,
        "overview/country.html",
        {
            **_context(request, choice, data),
            "country": country,
            "trends": SimpleLazyObject(lambda: selectors.country_trends(country=country, overview=data)),
        },
    )
