"""Deciding on a whole country and period at once: many review steps in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..models import Reviewable
from .base import EditConflict
from .workflow import reviewable_transition


@dataclass
class ReviewDecision:
    """One item's decision in a review of a whole country and period: the action, the reason, and the
    version the reviewer saw (an item that changed since is refused)."""

    item: Reviewable
    action: str  # approve, return or reopen
    expected_version: int
    reason: str = ""


@dataclass
class ReviewRefused(Exception):
    """One decision of a batch was refused; nothing of the batch was applied. ``key`` names the item."""

    decision: ReviewDecision
    error: Exception

    def __str__(self) -> str:
        return str(self.error)


def review_decide(*, decisions: list[ReviewDecision], user) -> dict[str, int]:
    """Apply a reviewer's decisions on many items at once, all or nothing; how many of each action.

    Each decision goes through ``reviewable_transition`` with the version the reviewer saw, so four eyes,
    reasons and the workflow's states are checked item by item exactly as for a single step. The first
    refusal stops the batch and rolls it back (``ReviewRefused`` says which item and why).
    """
    done: dict[str, int] = {}
    with transaction.atomic():
        for decision in decisions:
            try:
                reviewable_transition(
                    item=decision.item,
                    action=decision.action,
                    user=user,
                    reason=decision.reason,
                    expected_version=decision.expected_version,
                )
            except (EditConflict, ValidationError, PermissionDenied) as error:
                raise ReviewRefused(decision=decision, error=error) from error
            done[decision.action] = done.get(decision.action, 0) + 1
    return done
