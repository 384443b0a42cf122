"""The one rule of a frozen round: once a round's data is frozen, nothing of its periods changes.

``assert_round_open_for`` is called by the central write path of the alliance's data
(``commitments.services``): every value, progress report, follow-up and finding of a period passes it.
A reviewer who must correct something reopens the round for data collection, with a reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from commitments.models import EvaluationRound, ReportingPeriod

from .models import FROZEN_STAGES


def frozen_round_for(period: ReportingPeriod) -> EvaluationRound | None:
    """The round (if any) whose data is frozen and that this period belongs to."""
    return (
        EvaluationRound.objects.filter(Q(baseline_period=period) | Q(evaluation_period=period))
        .filter(stage__in=FROZEN_STAGES)
        .order_by("ministerial_date")
        .first()
    )


def assert_round_open_for(period: ReportingPeriod) -> None:
    """Refuse a change to a period whose evaluation round's data is frozen (ValidationError)."""
    frozen = frozen_round_for(period)
    if frozen is not None:
        raise ValidationError(
            _(
                "The data of %(period)s is frozen for the evaluation round %(round)s (%(stage)s): it can "
                "no longer be changed unless a reviewer reopens the round, with a reason."
            )
            % {"period": period.name, "round": frozen.label, "stage": frozen.get_stage_display().lower()},
            code="round_frozen",
        )
