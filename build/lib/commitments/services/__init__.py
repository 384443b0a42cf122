"""Every write to the alliance's data: the browser, the API, the admin actions and the seeds call these.

Each service checks who may do it (access.py), validates with ``full_clean()``, writes inside one
transaction and leaves a history record with the reason. Saves take the ``version`` the user started
from: a save based on stale data is refused with ``EditConflict`` instead of overwriting someone's work.
One module per area:

- ``base``: what every write shares (conflicts, refusals, permission and period checks, the versioned save);
- ``values``: indicator values;
- ``commitments``: commitments and their progress per period;
- ``recommendations``: recommendations, government responses and follow-ups;
- ``texts``: reviewed texts (approved columns plus a draft) and the rapporteur's findings;
- ``workflow``: the review transitions and the four-eyes rule;
- ``periods``: opening and closing reporting periods;
- ``tokens``: the partners' API tokens;
- ``review``: deciding on a whole country and period at once (many review steps, all or nothing);
- ``threads``: the conversation about an item (adding a message).

Every name is re-exported here, so ``from commitments.services import X`` works as it always did.
"""

from __future__ import annotations

# Callers catch these as ``services.PermissionDenied`` / ``services.ValidationError``, as they did when
# services was one module that imported them.
from django.core.exceptions import PermissionDenied, ValidationError

from .base import (
    CONTENT_FIELDS,
    HISTORY_REASON_LENGTH,
    KEEP,
    EditConflict,
    FourEyesRefused,
    WorkflowError,
    _changes_since,
    _diff,
    _Keep,
    _require_edit,
    _require_open,
    _revised_changes,
    _save_reviewable,
    _text,
    check_types,
    country_of,
    version_required_error,
)
from .commitments import (
    commitment_progress_save,
    commitment_save,
)
from .periods import (
    period_set_open,
)
from .recommendations import (
    follow_up_save,
    government_response_save,
    recommendation_save,
)
from .review import (
    ReviewDecision,
    ReviewRefused,
    review_decide,
)
from .texts import (
    FIXED_FIELDS,
    _revised_create,
    _revised_save,
    finding_save,
)
from .threads import (
    item_comment_add,
)
from .tokens import (
    partner_token_create,
    partner_token_revoke,
)
from .values import (
    indicator_value_save,
)
from .workflow import (
    ACTION_NAMES,
    FOUR_EYES_ACTIONS,
    FOUR_EYES_OFF,
    TRANSITIONS,
    _check_four_eyes,
    four_eyes_required,
    is_own_work,
    period_of,
    reviewable_transition,
    reviewable_transition_many,
)

__all__ = [
    "PermissionDenied",
    "ValidationError",
    "EditConflict",
    "HISTORY_REASON_LENGTH",
    "_Keep",
    "KEEP",
    "FourEyesRefused",
    "version_required_error",
    "WorkflowError",
    "country_of",
    "_require_edit",
    "_require_open",
    "check_types",
    "_diff",
    "_save_reviewable",
    "_changes_since",
    "_text",
    "_revised_changes",
    "CONTENT_FIELDS",
    "indicator_value_save",
    "commitment_save",
    "commitment_progress_save",
    "recommendation_save",
    "government_response_save",
    "follow_up_save",
    "FIXED_FIELDS",
    "_revised_create",
    "_revised_save",
    "finding_save",
    "ACTION_NAMES",
    "TRANSITIONS",
    "FOUR_EYES_ACTIONS",
    "FOUR_EYES_OFF",
    "period_of",
    "four_eyes_required",
    "is_own_work",
    "_check_four_eyes",
    "reviewable_transition",
    "reviewable_transition_many",
    "period_set_open",
    "partner_token_create",
    "partner_token_revoke",
    "ReviewDecision",
    "ReviewRefused",
    "review_decide",
    "item_comment_add",
]
