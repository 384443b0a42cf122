"""What a reader of the API may see: the one place that decides it, for every endpoint (reports too).

- Partner tokens read approved items only, of their countries only when the token is limited.
- Ministers read approved items only.
- Staff read approved items of every country and unapproved ones (drafts, submitted, returned) of the
  countries assigned to them; reviewers and administrators read everything. This mirrors
  ``access.can_read_drafts`` (one question per country), answered here for a whole queryset at once.

Endpoints filter their querysets with these conditions, so that an item one may not see is simply not
found (404), in lists and details alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from commitments import access
from commitments.models import Status

from .authentication import PartnerAccess


@dataclass(frozen=True)
class Viewer:
    """Who reads, reduced to what decides what they see."""

    key: str  # identifies the set of visible items: part of every ETag
    can_read: bool
    can_write: bool  # may try writes: the services still check each country and transition
    country_ids: frozenset[int] | None  # countries visible at all; None: every country
    draft_country_ids: frozenset[int] | None  # countries whose unapproved items are visible; None: all
    partner: PartnerAccess | None = None

    @property
    def is_partner(self) -> bool:
        return self.partner is not None

    @property
    def scope(self) -> str:
        """What decides the rows this viewer sees, and nothing about who they are (cache.py's key)."""

        def ids(countries: frozenset[int] | None) -> str:
            return "*" if countries is None else ",".join(str(pk) for pk in sorted(countries))

        return f"read={self.can_read};countries={ids(self.country_ids)};drafts={ids(self.draft_country_ids)}"

    def country_q(self, path: str, *, alliance_wide: bool = False) -> Q:
        """Rows whose country (at ``path``) the viewer may see; ``alliance_wide`` keeps countryless rows."""
        if self.country_ids is None:
            return Q()
        condition = Q(**{f"{path}__in": self.country_ids})
        if alliance_wide:
            condition |= Q(**{f"{path}__isnull": True})
        return condition

    def reviewable_q(self, country_path: str, status_path: str = "status") -> Q:
        """Reviewable rows the viewer may see: approved ones, and unapproved ones of their own countries.

        ``status_path`` reaches the status through a relation (``"progress__status"``) for annotations.
        """
        if self.draft_country_ids is None:
            condition = Q()
        else:
            condition = Q(**{status_path: Status.APPROVED})
            if self.draft_country_ids:
                condition |= Q(**{f"{country_path}__in": self.draft_country_ids})
        return condition & self.country_q(country_path, alliance_wide=True)

    def revised_q(self, country_path: str, published_path: str = "approved_at") -> Q:
        """Reviewed texts the viewer may see: published ones, and never-approved ones of their own countries.

        What the text says is decided per item by ``sees_drafts_of`` (editors read the working text).
        """
        if self.draft_country_ids is None:
            condition = Q()
        else:
            condition = Q(**{f"{published_path}__isnull": False})
            if self.draft_country_ids:
                condition |= Q(**{f"{country_path}__in": self.draft_country_ids})
        return condition & self.country_q(country_path, alliance_wide=True)

    def sees_drafts_of(self, country_id: int | None) -> bool:
        """Whether the viewer reads the working (unapproved) text of an item of this country."""
        if self.draft_country_ids is None:
            return True
        return country_id is not None and country_id in self.draft_country_ids


NOBODY = Viewer(
    key="anonymous", can_read=False, can_write=False, country_ids=frozenset(), draft_country_ids=frozenset()
)


def viewer_for(request) -> Viewer:
    """The request's viewer, worked out once per request."""
    cached = getattr(request, "_alliance_viewer", None)
    if cached is not None:
        return cached
    viewer = _viewer(request)
    request._alliance_viewer = viewer
    return viewer


def _viewer(request) -> Viewer:
    auth = getattr(request, "auth", None)
    if isinstance(auth, PartnerAccess):
        return Viewer(
            key=f"partner:{auth.token_id}",
            can_read=True,
            can_write=False,
            country_ids=auth.country_ids,
            draft_country_ids=frozenset(),
            partner=auth,
        )
    user = request.user
    if not user or not user.is_authenticated:
        return NOBODY
    key = f"user:{user.pk}"
    if access.is_reviewer(user):
        return Viewer(key=key, can_read=True, can_write=True, country_ids=None, draft_country_ids=None)
    if access.is_staff_member(user):
        return Viewer(
            key=key,
            can_read=True,
            can_write=True,
            country_ids=None,
            draft_country_ids=access.assigned_country_ids(user),
        )
    if access.is_minister(user):
        return Viewer(
            key=key, can_read=True, can_write=False, country_ids=None, draft_country_ids=frozenset()
        )
    # Signed in but given no role: sees nothing until an administrator assigns one.
    return Viewer(
        key=key, can_read=False, can_write=False, country_ids=frozenset(), draft_country_ids=frozenset()
    )
