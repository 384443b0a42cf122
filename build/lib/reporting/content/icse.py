"""The ICSE verdict per country: the reported change beside the one computed from the victim counts."""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from django.utils.translation import gettext as _

from .facts import (
    ICSE_GROWTH,
    ICSE_TARGET_PERCENT,
    ICSE_VICTIMS,
    CountryInfo,
    Figure,
    IcseRow,
)
from .formatting import (
    format_value,
)


class IcseMixin:
    """Part of ``Book`` (book.py)."""

    def icse(self, country: CountryInfo) -> IcseRow:
        victims = self.indicator_by_code.get(ICSE_VICTIMS)
        growth = self.indicator_by_code.get(ICSE_GROWTH)
        base = self.value(country, victims, self.baseline) if victims else None
        latest = self.value(country, victims, self.evaluation) if victims else None
        reported = self.value(country, growth, self.evaluation) if growth else None
        computed = (
            (100 * (latest - base) / base) if base is not None and latest is not None and base > 0 else None
        )
        contradiction = next(
            (
                v.message
                for v in self.violations(country)
                if v.kind == "change" and v.indicator == ICSE_GROWTH
            ),
            "",
        )
        if contradiction:
            # The reported change and the counts disagree: no verdict on either figure.
            verdict, basis = "unknown", _("the reported change contradicts the victims counted")
        elif reported is not None:
            verdict = "met" if reported >= ICSE_TARGET_PERCENT else "not_met"
            basis = _("as reported (%(code)s)") % {"code": ICSE_GROWTH}
        elif computed is not None:
            verdict = "met" if computed >= ICSE_TARGET_PERCENT else "not_met"
            basis = _("computed from %(code)s") % {"code": ICSE_VICTIMS}
        else:
            verdict, basis = "unknown", _("data missing")
        return IcseRow(
            country,
            Figure(base, format_value(victims, base) if victims else _("no data")),
            Figure(latest, format_value(victims, latest) if victims else _("no data")),
            computed,
            reported,
            verdict,
            basis,
            contradiction,
        )

    @cached_property
    def icse_rows(self) -> list[IcseRow]:
        return [self.icse(country) for country in self.countries]

    @cached_property
    def icse_counts(self) -> dict[str, int]:
        counts = Counter(row.verdict for row in self.icse_rows)
        return {"met": counts["met"], "not_met": counts["not_met"], "unknown": counts["unknown"]}

    # -- the rapporteur's findings ---
