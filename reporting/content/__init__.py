"""What a report says, computed from its frozen data: figures, direction-aware changes, summaries.

Pure functions of the data from ``selectors.report_data`` (no database access), so that every part of
an alliance-wide report, rendered on any worker, computes the same figures. Labels are translated with
the language active when a ``Book`` is built (services wrap it in ``translation.override``).

Missing data stays missing: a value that was not reported or not approved is ``None`` everywhere here
and is printed as "no data", never as zero; a change needs both values.

The package by area: facts.py (the records), formatting.py (values and changes in words), book.py (the
``Book`` and its core: values, comparisons, tallies, completeness), icse.py, evidence.py (findings,
sources, approvals), commitments.py and chapters.py (charts, country profiles, goal chapters).
"""

from __future__ import annotations

from .book import Book
from .facts import (
    CONTEXT,
    ICSE_GROWTH,
    ICSE_TARGET_PERCENT,
    ICSE_VICTIMS,
    IMPROVED,
    MISSING,
    NOT_COMPARED,
    RANKED_ASSESSMENTS,
    UNCHANGED,
    WORSENED,
    Approval,
    CommitmentRow,
    Comparison,
    Completeness,
    CountryInfo,
    CountryProfile,
    Figure,
    GoalInfo,
    GoalTally,
    IcseRow,
    IndicatorInfo,
    OutcomeCounts,
    PeriodInfo,
    RecommendationRow,
    ReportDataError,
    Source,
    _date,
    _datetime,
    _in_language,
    _localized,
    _localized_label,
    _percent,
    _signed,
    _signed_percent,
    assessment_label,
    minimum_completeness_percent,
)
from .formatting import (
    compare,
    format_value,
)

__all__ = [
    "Book",
    "ICSE_TARGET_PERCENT",
    "ICSE_VICTIMS",
    "ICSE_GROWTH",
    "IMPROVED",
    "UNCHANGED",
    "WORSENED",
    "CONTEXT",
    "MISSING",
    "NOT_COMPARED",
    "RANKED_ASSESSMENTS",
    "ReportDataError",
    "_localized",
    "_in_language",
    "_localized_label",
    "_date",
    "_datetime",
    "PeriodInfo",
    "GoalInfo",
    "CountryInfo",
    "IndicatorInfo",
    "Figure",
    "Comparison",
    "assessment_label",
    "GoalTally",
    "OutcomeCounts",
    "IcseRow",
    "CommitmentRow",
    "Source",
    "Approval",
    "RecommendationRow",
    "minimum_completeness_percent",
    "_percent",
    "Completeness",
    "CountryProfile",
    "_signed",
    "_signed_percent",
    "format_value",
    "compare",
]
