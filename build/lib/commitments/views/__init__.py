"""The rapporteur workspace (browser pages): thin views over selectors (reads) and services (writes).

Every page works without JavaScript. Forms that change a reviewable row carry the version the user
started from; a save based on stale data is refused by the service and shown with what changed.
One module per area:

- ``base``: what the pages share (finding a country, refusing, what changed under the user's eyes);
- ``workspace``: the home page, the country list and a country's page;
- ``entry``: data entry and submitting a country's period for review;
- ``findings``: the rapporteur's findings;
- ``review``: reviewing a country's period;
- ``texts``: reviewed texts (commitments, recommendations, government responses);
- ``commitments``: commitments and their progress;
- ``recommendations``: recommendations, responses and follow-ups;
- ``history``: an item's history;
- ``completeness``: the completeness matrix;
- ``periods``: the reporting periods, opened and closed.

The URL conf names the views through this package (``views.home``), so each is re-exported here.
"""

from __future__ import annotations

from .base import (
    KIND_OF,
    ChangeLine,
    _as_seen,
    _conflict_message,
    _country,
    _not_shown_warning,
    _readable,
    _require,
    _versioned_save,
    conflict_lines,
    item_key,
    seen_value,
)
from .commitments import (
    _commitment_form_page,
    _reviewable_form_page,
    commitment_create,
    commitment_edit,
    progress_edit,
)
from .completeness import (
    _cell_state_choices,
    completeness,
)
from .entry import (
    data_entry,
    submit_for_review,
)
from .findings import (
    FINDING_ACTIONS,
    findings,
)
from .history import (
    get_object_or_404_item,
    item_comment,
    item_history,
)
from .periods import (
    period_list,
    period_toggle,
)
from .recommendations import (
    _recommendation_form_page,
    _require_recommendation_edit,
    follow_up_edit,
    recommendation_create,
    recommendation_edit,
    response_edit,
    shown_recommendation,
)
from .review import (
    ReviewItem,
    _review_item,
    review,
)
from .texts import (
    TEXT_KIND_OF,
    TEXT_KINDS,
    _text_actions,
    _text_edit_url,
    _text_form_page,
    _text_lines,
    text_review,
)
from .workspace import (
    _goal_chart,
    country_detail,
    country_list,
    home,
)

__all__ = [
    "KIND_OF",
    "_country",
    "_require",
    "ChangeLine",
    "_readable",
    "conflict_lines",
    "_versioned_save",
    "item_key",
    "seen_value",
    "_as_seen",
    "_conflict_message",
    "_not_shown_warning",
    "home",
    "country_list",
    "_goal_chart",
    "country_detail",
    "data_entry",
    "submit_for_review",
    "FINDING_ACTIONS",
    "findings",
    "ReviewItem",
    "_review_item",
    "review",
    "TEXT_KINDS",
    "TEXT_KIND_OF",
    "_text_lines",
    "_text_actions",
    "_text_form_page",
    "text_review",
    "_text_edit_url",
    "_commitment_form_page",
    "commitment_create",
    "commitment_edit",
    "_reviewable_form_page",
    "progress_edit",
    "_require_recommendation_edit",
    "_recommendation_form_page",
    "recommendation_create",
    "recommendation_edit",
    "response_edit",
    "shown_recommendation",
    "follow_up_edit",
    "item_history",
    "item_comment",
    "get_object_or_404_item",
    "completeness",
    "_cell_state_choices",
    "period_list",
    "period_toggle",
]
