"""The conversation about a reviewable item: reads of the thread (its workflow steps and messages).

A thread is what both sides said about an item, oldest first: the workflow steps that carry words (a
return or reopening with its reason, a submission) from the item's own history, and the messages
(``ItemComment``) staff and reviewers wrote. The one write, ``services.item_comment_add``, lives with the
other writes. Reads take a fixed number of queries for any number of items (one per kind of item for
the history, one for the messages).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from ..models import (
    CommitmentProgress,
    IndicatorValue,
    ItemComment,
    RecommendationFollowUp,
    Reviewable,
)

KINDS: dict[str, type[Reviewable]] = {
    "value": IndicatorValue,
    "progress": CommitmentProgress,
    "follow-up": RecommendationFollowUp,
}
KIND_OF = {model: kind for kind, model in KINDS.items()}

# The steps of the workflow a thread shows (their history rows start with the action's name).
STEPS = ("submit", "return", "reopen", "approve")


@dataclass
class ThreadEntry:
    """One thing said about an item: a message, or a workflow step (with its reason, if any)."""

    at: dt.datetime
    who: object | None  # a user
    step: str  # "message", or the workflow step: submit, return, reopen, approve
    text: str
    version: int | None = None

    @property
    def is_message(self) -> bool:
        return self.step == "message"


def kind_of(item: Reviewable) -> str:
    return KIND_OF[type(item)]


def _step_of(reason: str | None) -> str | None:
    head = (reason or "").split(":", 1)[0].split(" (", 1)[0].strip()
    return head if head in STEPS else None


@dataclass
class ItemStory:
    """What an item's history says for the review: its thread and the version it was last returned at."""

    thread: list[ThreadEntry]
    returned_record: object | None  # the history row of the last return or reopening, if any
    history: list  # the item's history rows, oldest first


def stories_for(*, items: list[Reviewable]) -> dict[tuple[str, int], ItemStory]:
    """Each item's thread and last return, keyed by (kind, pk): one query per kind present, one for messages.

    A returned item's full reason is its ``review_reason`` (the history's reason column is cut at 100
    characters), so a return's text is taken from the history row's ``review_reason`` field.
    """
    by_kind: dict[str, list[int]] = defaultdict(list)
    for item in items:
        by_kind[kind_of(item)].append(item.pk)
    stories: dict[tuple[str, int], ItemStory] = {
        (kind, pk): ItemStory(thread=[], returned_record=None, history=[])
        for kind, pks in by_kind.items()
        for pk in pks
    }
    for kind, pks in by_kind.items():
        model = KINDS[kind]
        records = (
            model.history.filter(id__in=pks)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        for record in records:
            story = stories[(kind, record.id)]
            story.history.append(record)
            step = _step_of(record.history_change_reason)
            if step is None:
                continue
            if step in {"return", "reopen"}:
                story.returned_record = record
                text = record.review_reason
            else:
                text = ""
            story.thread.append(
                ThreadEntry(
                    at=record.history_date,
                    who=record.history_user,
                    step=step,
                    text=text,
                    version=record.version,
                )
            )
    if by_kind:
        from django.db.models import Q

        wanted = Q()
        for kind, pks in by_kind.items():
            wanted |= Q(item_kind=kind, item_id__in=pks)
        for comment in (
            ItemComment.objects.filter(wanted).select_related("author").order_by("created_at", "id")
        ):
            stories[(comment.item_kind, comment.item_id)].thread.append(
                ThreadEntry(
                    at=comment.created_at,
                    who=comment.author,
                    step="message",
                    text=comment.body,
                    version=comment.item_version,
                )
            )
    for story in stories.values():
        story.thread.sort(key=lambda entry: entry.at)
    return stories


def item_thread(*, item: Reviewable) -> list[ThreadEntry]:
    """One item's thread, oldest first (two queries)."""
    return stories_for(items=[item])[(kind_of(item), item.pk)].thread


def reply_counts(*, items: list[tuple[tuple[str, int], Reviewable]]) -> dict[tuple[str, int], int]:
    """How many messages each item's thread has, keyed by (kind, pk) (one query, none for no items)."""
    if not items:
        return {}
    from django.db.models import Q

    wanted = Q()
    for (kind, pk), _item in items:
        wanted |= Q(item_kind=kind, item_id=pk)
    return {
        (row["item_kind"], row["item_id"]): row["n"]
        for row in ItemComment.objects.filter(wanted)
        .values("item_kind", "item_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
