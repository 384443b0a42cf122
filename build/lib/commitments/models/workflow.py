"""Reviewable data: the review status every entered row carries, and reviewed texts (``Revised``):
the approved columns are what readers outside the workspace see, the ``draft`` what staff are changing."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import REASON_LIMIT, bounded_text


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class ReviewableQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Status.APPROVED)

    def published(self):
        """Revised items (commitments, recommendations, responses) with an approved revision to show."""
        return self.filter(approved_at__isnull=False)


class Reviewable(models.Model):
    """Workflow state shared by everything a country reports: draft -> submitted -> approved (or returned).

    ``version`` counts saves, so that a form posted on stale data is refused rather than overwriting.
    """

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_reason = bounded_text(
        REASON_LIMIT,
        verbose_name=_("reason"),
        blank=True,
        help_text=_("Why it was returned or reopened; shown to the staff who enter it."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who last changed what the item says, and who submitted it: the two people who may not also approve
    # or return it (four eyes, services.reviewable_transition). ``updated_by`` also moves with each step.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("content last changed by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("synthetic demo data"), default=False)

    objects = ReviewableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status in {Status.DRAFT, Status.RETURNED}


# --------------------------------------------------------------------------------------------------
# Reviewed texts: what ministers, partners and reports read is the last approved revision
# --------------------------------------------------------------------------------------------------


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def revised_values(item: Any, model: type[Revised]) -> dict[str, Any]:
    """The working text of a revised item: its draft under review where there is one, else its columns.

    Works on a historical record too (simple_history's copies have the fields but not the methods), so
    that a conflict can say what changed between two versions of the draft.
    """
    draft = getattr(item, "draft", None) or {}
    values = {}
    for name in model.revised_fields:
        field = model._meta.get_field(name)
        if field.attname in draft:
            raw = draft[field.attname]
            values[field.attname] = None if raw is None else field.to_python(raw)
        else:
            values[field.attname] = getattr(item, field.attname)
    return values


class Revised(Reviewable):
    """A reviewable text with approved revisions: staff edit a draft, everyone else reads the approved one.

    The row's own columns hold the approved text, so every reader outside the workspace (the API for
    partners and ministers, the reports, the country page) reads reviewed words without knowing about
    drafts. A change to an approved item is kept in ``draft`` (the whole working text, as JSON) until a
    reviewer approves it; approval copies it into the columns. An item never approved
    (``approved_at`` empty) keeps its first draft in the columns and is shown to nobody outside the
    workspace (``ReviewableQuerySet.published``).
    """

    # The fields that make up the reviewed text (an FK by its field name; its id is stored).
    revised_fields: ClassVar[tuple[str, ...]] = ()

    draft = models.JSONField(
        _("draft under review"),
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text=_("Changes to the approved text that wait for review; empty when there are none."),
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        """Whether a revision was ever approved (readers outside the workspace see the item)."""
        return self.approved_at is not None

    @property
    def has_pending_changes(self) -> bool:
        """Whether the working text differs from the approved one that readers see."""
        return self.is_published and bool(self.draft)

    def working_values(self) -> dict[str, Any]:
        return revised_values(self, type(self))

    def published_values(self) -> dict[str, Any]:
        return {
            self._meta.get_field(name).attname: getattr(self, self._meta.get_field(name).attname)
            for name in self.revised_fields
        }

    def encode_draft(self, values: dict[str, Any]) -> dict[str, Any]:
        """The ``draft`` to keep for working ``values`` (by attname); empty if they are the approved text."""
        if not self.is_published or values == self.published_values():
            return {}
        return {name: _to_json(value) for name, value in values.items()}

    def working_copy(self):
        """An unsaved copy carrying the working text: what the workspace forms and editors see."""
        shown = copy.copy(self)
        for name, value in self.working_values().items():
            setattr(shown, name, value)
        shown.draft = {}  # the copy's columns are the working text now
        return shown

    def publish_draft(self) -> None:
        """Make the working text the approved one (the approval step calls this)."""
        for name, value in self.working_values().items():
            setattr(self, name, value)
        self.draft = {}


def reviewable_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=~Q(status="returned") | ~Q(review_reason=""),
            name=f"{prefix}_returned_has_reason",
            violation_error_message=_("Returning needs a reason."),
        ),
        models.CheckConstraint(
            condition=~Q(status="approved") | Q(approved_at__isnull=False),
            name=f"{prefix}_approved_has_time",
            violation_error_message=_("Approved data records when it was approved."),
        ),
    ]
