"""The alliance's data model: who takes part, what they aim for, and how progress is measured.

Two kinds of evidence of progress live here: indicator values (a typed figure per country, indicator and
reporting period) and commitments (a country's own actions with a completion status per period). The
rapporteur's recommendations, the government's response and the follow-up per period complete the cycle.

Business rules that span rows (permissions, workflow transitions) live in services; what a single row
must satisfy lives here, as constraints and in clean(). One module per area:

- ``base``: what every model shares (localized fields, the one set of text limits, evidence links);
- ``reference``: countries, goals, indicators and the consistency rules between them;
- ``periods``: reporting periods and evaluation rounds;
- ``workflow``: the review status, ``Reviewable`` and ``Revised`` (approved text plus a draft);
- ``data``: indicator values and commitment progress per period;
- ``texts``: commitments, recommendations, government responses, follow-ups and findings;
- ``access``: who may work on which country, and the partners' API tokens;
- ``threads``: the conversation about an item (messages between staff and reviewers).

Every name is re-exported here, so ``from commitments.models import Country`` works as it always did.
"""

from __future__ import annotations

from .access import (
    CountryAssignment,
    PartnerToken,
)
from .base import (
    ADDRESSEES_LIMIT,
    EVIDENCE_LIMIT,
    NARRATIVE_LIMIT,
    NOTE_LIMIT,
    REASON_LIMIT,
    TEXT_ONLY,
    LocalizedMixin,
    bounded_text,
    collation_key,
    split_lines,
    validate_evidence_links,
)
from .data import (
    CommitmentProgress,
    IndicatorValue,
    _fmt,
)
from .periods import (
    EvaluationRound,
    EvaluationRoundQuerySet,
    ReportingPeriod,
)
from .reference import (
    MATURITY_LEVELS,
    ConsistencyRule,
    Country,
    CountryQuerySet,
    Goal,
    Indicator,
)
from .texts import (
    FINDING_EXISTS,
    Commitment,
    Finding,
    GovernmentResponse,
    Recommendation,
    RecommendationFollowUp,
)
from .threads import (
    COMMENT_LIMIT,
    ItemComment,
)
from .workflow import (
    Reviewable,
    ReviewableQuerySet,
    Revised,
    Status,
    _to_json,
    reviewable_constraints,
    revised_values,
)

__all__ = [
    "LocalizedMixin",
    "NOTE_LIMIT",
    "NARRATIVE_LIMIT",
    "EVIDENCE_LIMIT",
    "ADDRESSEES_LIMIT",
    "REASON_LIMIT",
    "TEXT_ONLY",
    "bounded_text",
    "collation_key",
    "split_lines",
    "validate_evidence_links",
    "CountryQuerySet",
    "Country",
    "Goal",
    "MATURITY_LEVELS",
    "Indicator",
    "ConsistencyRule",
    "ReportingPeriod",
    "EvaluationRoundQuerySet",
    "EvaluationRound",
    "Status",
    "ReviewableQuerySet",
    "Reviewable",
    "_to_json",
    "revised_values",
    "Revised",
    "reviewable_constraints",
    "IndicatorValue",
    "_fmt",
    "CommitmentProgress",
    "Commitment",
    "Recommendation",
    "GovernmentResponse",
    "RecommendationFollowUp",
    "FINDING_EXISTS",
    "Finding",
    "CountryAssignment",
    "PartnerToken",
    "COMMENT_LIMIT",
    "ItemComment",
]
