"""Reads of the alliance's data, shaped for the workspace pages and the API.

Whatever depends on who asks goes through ``visible_reviewables``: a country's drafts reach only those who
may edit it (access.can_read_drafts); everyone else sees approved data. Each function reads a fixed number
of queries whatever the number of countries, indicators or periods (the tests pin them). One module per area:

- ``workspace``: what every page shares (the reviewable kinds, visibility, order, periods, trends);
- ``countries``: the country page;
- ``entry``: the data-entry page and single items with their history;
- ``completeness``: the completeness matrix;
- ``attention``: the home page (deadlines, work waiting, texts waiting for someone);
- ``consistency``: the consistency rules and their violations;
- ``findings``: the rapporteur's findings;
- ``queues``: the work queues each role's home page starts with;
- ``review``: what a reviewer needs beside each item of a country and period to decide on it;
- ``threads``: the conversation about an item (its workflow steps and messages).

Every name is re-exported here, so ``from commitments.selectors import X`` works as it always did.
"""

from __future__ import annotations

from .attention import (
    Attention,
    PeriodDeadline,
    WorkCount,
    attention_for,
    texts_needing_attention,
)
from .completeness import (
    CELL_PRECEDENCE,
    ROW_PRECEDENCE,
    CellState,
    CompletenessMatrix,
    MatrixCell,
    MatrixRow,
    cell_state,
    completeness_matrix,
)
from .consistency import (
    RuleSpec,
    Violation,
    _decimal_or_none,
    _number_text,
    _signed_percent_text,
    active_rules,
    consistency_check,
    consistency_violations,
    rule_data,
    rule_specs,
)
from .countries import (
    CommitmentLine,
    CountryOverview,
    GoalOverview,
    IndicatorLine,
    RecommendationLine,
    country_overview,
)
from .entry import (
    DataEntry,
    EntryGoal,
    EntryRow,
    country_period_items,
    data_entry,
    item_history,
    item_version,
    reviewable_get,
)
from .findings import (
    FindingRow,
    findings_for,
)
from .queues import (
    DueSoon,
    QueueFilters,
    ReturnedItem,
    ReviewQueue,
    ReviewWork,
    StaffQueue,
    review_queue,
    staff_queue,
)
from .review import (
    ReviewContext,
    ReviewRow,
    bounds_text,
    review_context,
)
from .threads import (
    ThreadEntry,
    item_thread,
    kind_of,
    reply_counts,
    stories_for,
)
from .workspace import (
    REVIEWABLE_KINDS,
    Trend,
    _as_number,
    order_by_name,
    period_before,
    periods_in_order,
    shown_text,
    value_trend,
    visible_reviewables,
)

__all__ = [
    "DueSoon",
    "QueueFilters",
    "ReturnedItem",
    "ReviewQueue",
    "ReviewWork",
    "StaffQueue",
    "review_queue",
    "staff_queue",
    "ReviewContext",
    "ReviewRow",
    "bounds_text",
    "review_context",
    "ThreadEntry",
    "item_thread",
    "kind_of",
    "reply_counts",
    "stories_for",
    "REVIEWABLE_KINDS",
    "visible_reviewables",
    "shown_text",
    "order_by_name",
    "periods_in_order",
    "period_before",
    "Trend",
    "_as_number",
    "value_trend",
    "IndicatorLine",
    "CommitmentLine",
    "RecommendationLine",
    "GoalOverview",
    "CountryOverview",
    "country_overview",
    "EntryRow",
    "EntryGoal",
    "DataEntry",
    "data_entry",
    "country_period_items",
    "reviewable_get",
    "item_version",
    "item_history",
    "CellState",
    "CELL_PRECEDENCE",
    "MatrixCell",
    "MatrixRow",
    "CompletenessMatrix",
    "cell_state",
    "ROW_PRECEDENCE",
    "completeness_matrix",
    "PeriodDeadline",
    "WorkCount",
    "Attention",
    "attention_for",
    "texts_needing_attention",
    "RuleSpec",
    "Violation",
    "_decimal_or_none",
    "rule_specs",
    "rule_data",
    "active_rules",
    "_number_text",
    "_signed_percent_text",
    "consistency_violations",
    "consistency_check",
    "FindingRow",
    "findings_for",
]
