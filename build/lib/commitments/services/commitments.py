"""Writes of commitments and of their progress per reporting period."""

from __future__ import annotations

from typing import Any

from ..models import Commitment, CommitmentProgress, ReportingPeriod
from .base import KEEP, _save_reviewable, _text
from .texts import _revised_create, _revised_save


def commitment_save(
    *, user, commitment: Commitment | None = None, expected_version: int | None = None, **fields: Any
) -> Commitment:
    """Create a commitment (``commitment=None``) or change its draft; staff of its country or reviewers.

    The words are reviewed: a change to an approved commitment waits in its draft until approved, and
    readers outside the workspace keep seeing the approved text. A commitment keeps its country.
    """
    if commitment is None:
        return _revised_create(model=Commitment, user=user, fields=fields)
    return _revised_save(item=commitment, user=user, fields=fields, expected_version=expected_version)


def commitment_progress_save(
    *,
    commitment: Commitment,
    period: ReportingPeriod,
    user,
    completion: str = KEEP,
    narrative: str = KEEP,
    evidence_links: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> CommitmentProgress:
    """Report how far a commitment got in a period (fields left out stay as they are)."""
    return _save_reviewable(
        model=CommitmentProgress,
        lookup={"commitment": commitment, "period": period},
        values={
            "completion": _text(completion),
            "narrative": _text(narrative),
            "evidence_links": _text(evidence_links),
        },
        user=user,
        country=commitment.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )
