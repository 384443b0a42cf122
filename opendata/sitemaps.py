"""The sitemap of the public site (django.contrib.sitemaps): every page in both languages."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from commitments.models import Country, Goal

from . import released


class PublicSitemap(Sitemap):
    changefreq = "monthly"
    i18n = False

    def items(self) -> list[tuple[str, tuple]]:
        rounds = list(released.rounds())
        if not rounds:
            return [("public:overview", (language,)) for language in ("en", "nl")]
        latest = rounds[-1]
        base, evaluation = latest.baseline_period, latest.evaluation_period
        pages = [("public:overview", ())]
        pages += [
            ("public:goal", (code,)) for code in Goal.objects.order_by("order").values_list("code", flat=True)
        ]
        pages += [
            ("public:country", (code,))
            for code in Country.objects.participating_between(base.starts_on, evaluation.ends_on)
            .order_by("code")
            .values_list("code", flat=True)
        ]
        return [(name, (language, *args)) for language in ("en", "nl") for name, args in pages]

    def location(self, item) -> str:
        name, args = item
        return reverse(name, args=args)
