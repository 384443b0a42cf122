"""The conversation about an item: adding a message (messages are never changed or deleted)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import TEXT_ONLY, ItemComment, Reviewable
from ..selectors.threads import kind_of
from .base import country_of


def item_comment_add(*, item: Reviewable, user, body: str) -> ItemComment:
    """Add a message to the conversation about an item (staff answering a return, a reviewer answering).

    Those who may edit the item's country write (its staff and reviewers); messages are never changed or
    deleted afterwards. The message records the item's version it was written about.
    """
    if body is not None and not isinstance(body, str):
        raise ValidationError({"body": [TEXT_ONLY]}, code="invalid")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message before sending it.")}, code="required")
    country = country_of(item)
    if country is None or not access.can_edit_country(user, country):
        raise PermissionDenied(_("Only the country's staff and reviewers take part in this conversation."))
    comment = ItemComment(
        item_kind=kind_of(item),
        item_id=item.pk,
        item_version=item.version,
        country=country,
        period_id=item.period_id,
        author=user,
        body=body,
    )
    comment.full_clean()
    comment._history_user = user
    with transaction.atomic():
        comment.save()
    return comment
