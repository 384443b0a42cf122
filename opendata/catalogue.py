"""The machine-readable catalogue of the open data: DCAT-AP 2 as JSON-LD, for national open-data portals
to harvest. One dcat:Dataset per released round, per country of a round and per goal of a round, each
with its CSV and XLSX distributions; the licence (CC BY 4.0) on every distribution."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from commitments.models import Country, Goal

from . import released
from .downloads import ATTRIBUTION, LICENCE

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "dct:license": {"@type": "@id"},
    "dct:format": {"@type": "@id"},
    "dcat:mediaType": {"@type": "@id"},
}
FORMATS = {
    "csv": (
        "http://publications.europa.eu/resource/authority/file-type/CSV",
        "https://www.iana.org/assignments/media-types/text/csv",
    ),
    "xlsx": (
        "http://publications.europa.eu/resource/authority/file-type/XLSX",
        "https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _dataset(
    absolute,
    *,
    key: str,
    title: str,
    description: str,
    issued: dt.datetime,
    landing: str,
    files: dict[str, str],
) -> dict[str, Any]:
    return {
        "@id": absolute(reverse("public:catalogue")) + f"#{key}",
        "@type": "dcat:Dataset",
        "dct:title": [{"@value": title, "@language": "en"}],
        "dct:description": [{"@value": description, "@language": "en"}],
        "dct:issued": issued.isoformat(),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": ATTRIBUTION},
        "dcat:landingPage": absolute(landing),
        "dcat:distribution": [
            {
                "@id": absolute(url),
                "@type": "dcat:Distribution",
                "dct:title": f"{title} ({kind.upper()})",
                "dcat:accessURL": absolute(landing),
                "dcat:downloadURL": absolute(url),
                "dct:format": FORMATS[kind][0],
                "dcat:mediaType": FORMATS[kind][1],
                "dct:license": LICENCE["url"],
            }
            for kind, url in files.items()
        ],
    }


def catalogue(*, absolute) -> dict[str, Any]:
    """The catalogue of every released dataset; ``absolute`` makes a path a full URL."""
    datasets = []
    goals = list(Goal.objects.order_by("order"))
    for evaluation_round in released.rounds():
        base, evaluation = evaluation_round.baseline_period, evaluation_round.evaluation_period
        landing = reverse("public:overview", args=["en"]) + f"?round={evaluation_round.pk}"
        files = {kind: reverse("public:round_data", args=[evaluation_round.pk, kind]) for kind in FORMATS}
        datasets.append(
            _dataset(
                absolute,
                key=f"round-{evaluation_round.pk}",
                title=f"Alliance Monitor {evaluation_round.label}",
                description=(
                    f"Approved, released indicator values of all countries, "
                    f"{base.label} and {evaluation.label}."
                ),
                issued=evaluation_round.released_at,
                landing=landing,
                files=files,
            )
        )
        for goal in goals:
            datasets.append(
                _dataset(
                    absolute,
                    key=f"round-{evaluation_round.pk}-goal-{goal.code}",
                    title=f"Alliance Monitor {evaluation_round.label}: {goal.title_en}",
                    description=f"Released indicator values of goal {goal.order} across the countries.",
                    issued=evaluation_round.released_at,
                    landing=reverse("public:goal", args=["en", goal.code]) + f"?round={evaluation_round.pk}",
                    files={
                        kind: reverse("public:goal_data", args=[evaluation_round.pk, goal.code, kind])
                        for kind in FORMATS
                    },
                )
            )
        for country in Country.objects.participating_between(base.starts_on, evaluation.ends_on).order_by(
            "code"
        ):
            datasets.append(
                _dataset(
                    absolute,
                    key=f"round-{evaluation_round.pk}-country-{country.code}",
                    title=f"Alliance Monitor {evaluation_round.label}: {country.name_en}",
                    description=f"Released indicator values and commitments of {country.name_en}.",
                    issued=evaluation_round.released_at,
                    landing=reverse("public:country", args=["en", country.code])
                    + f"?round={evaluation_round.pk}",
                    files={
                        kind: reverse("public:country_data", args=[evaluation_round.pk, country.code, kind])
                        for kind in FORMATS
                    },
                )
            )
    return {
        "@context": CONTEXT,
        "@id": absolute(reverse("public:catalogue")),
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": "Alliance Monitor open data", "@language": "en"},
            {"@value": "Alliance Monitor open data", "@language": "nl"},
        ],
        "dct:description": [
            {
                "@value": "Released monitoring data of the Global Alliance against Child Sexual Abuse "
                "Online.",
                "@language": "en",
            }
        ],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": ATTRIBUTION},
        "dct:license": LICENCE["url"],
        "foaf:homepage": {"@id": absolute(reverse("public:overview", args=["en"]))},
        "dcat:dataset": datasets,
    }
