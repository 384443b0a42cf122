"""Findings in words, numbered sources and who approved the data: what a report cites."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from django.utils.translation import gettext as _

from .facts import (
    Approval,
    CountryInfo,
    GoalInfo,
    Source,
    _datetime,
)


class EvidenceMixin:
    """Part of ``Book`` (book.py)."""

    @cached_property
    def _findings(self) -> dict[tuple[int | None, int | None], str]:
        return {(f["country_id"], f["goal_id"]): f["text"] for f in self.data.get("findings", [])}

    @property
    def alliance_finding(self) -> str:
        return self.finding(None, None)

    def finding(self, country: CountryInfo | None, goal: GoalInfo | None) -> str:
        """The approved findings on a goal (None: all goals) for a country (None: the alliance)."""
        return self._findings.get((country.id if country else None, goal.id if goal else None), "")

    # -- sources and approvals ---

    @cached_property
    def _sources(self) -> tuple[list[Source], dict[tuple, list[int]]]:
        """Approved evidence as numbered sources: the same address keeps one number in the whole report.

        Numbered in reading order (country, then commitments, values, follow-ups), from the frozen data
        only, so every part of an alliance-wide report gives a source the same number.
        """
        commitment_country = {c["id"]: c["country_id"] for c in self.data["commitments"]}
        recommendation_country = {r["id"]: r["country_id"] for r in self.data["recommendations"]}
        country_order = {country.id: position for position, country in enumerate(self.countries)}
        cited: list[tuple[int, tuple, str, list[str]]] = []
        for row in self.data["progress"]:
            cited.append((commitment_country.get(row[0]), ("progress", row[0]), "commitment", row[6]))
        for row in self.data["values"]:
            cited.append((row[0], ("value", row[0], row[1]), "value", row[8]))
        for row in self.data["follow_ups"]:
            cited.append((recommendation_country.get(row[0]), ("follow_up", row[0]), "follow_up", row[6]))
        cited.sort(key=lambda item: country_order.get(item[0], -1))
        sources: list[Source] = []
        by_url: dict[str, int] = {}
        numbers: dict[tuple, list[int]] = defaultdict(list)
        for country_id, key, _kind, links in cited:
            for url in links or []:
                if url not in by_url:
                    country = self.country_by_id.get(country_id)
                    sources.append(Source(len(sources) + 1, url, country.name if country else ""))
                    by_url[url] = len(sources)
                if by_url[url] not in numbers[key]:
                    numbers[key].append(by_url[url])
        return sources, numbers

    @property
    def sources(self) -> list[Source]:
        return self._sources[0]

    def sources_for(self, countries: list[CountryInfo] | None) -> list[Source]:
        if countries is None:
            return self.sources
        names = {country.name for country in countries}
        return [source for source in self.sources if source.country in names]

    def source_numbers(self, key: tuple) -> list[int]:
        return sorted(self._sources[1].get(key, []))

    def approvals(self, countries: list[CountryInfo] | None = None) -> list[Approval]:
        """Who approved the data in the report, how many rows, and when (first and last approval)."""
        ids = {c.id for c in (countries if countries is not None else self.countries)}
        commitment_country = {c["id"]: c["country_id"] for c in self.data["commitments"]}
        recommendation_country = {r["id"]: r["country_id"] for r in self.data["recommendations"]}
        moments: dict[str, list[str]] = defaultdict(list)
        for row in self.data["values"]:
            if row[0] in ids and row[9]:
                moments[row[10] or _("unknown reviewer")].append(row[9])
        for row in self.data["progress"]:
            if commitment_country.get(row[0]) in ids and row[7]:
                moments[row[8] or _("unknown reviewer")].append(row[7])
        for row in self.data["follow_ups"]:
            if recommendation_country.get(row[0]) in ids and row[7]:
                moments[row[8] or _("unknown reviewer")].append(row[7])
        return sorted(
            (
                Approval(name, len(days), _datetime(min(days)), _datetime(max(days)))
                for name, days in moments.items()
            ),
            key=lambda approval: (-approval.count, approval.name),
        )

    # -- commitments and recommendations ---
