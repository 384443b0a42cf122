"""Who may do what: the roles, and which countries a user may read drafts of and edit.

Roles are Django groups (created by the migration ``0002_roles``):
- Staff: enter and edit data for the countries assigned to them (CountryAssignment); submit for review.
- Reviewer: everything staff can, for all countries; approve, return, reopen; open and close periods.
- Minister: reads approved data and published reports; edits nothing.
- Administrator: users, assignments, indicators, periods (through the admin); also a reviewer.
- Focal point: a government official of one country (``focal.FocalPoint``): fills in the country's
  self-report and replies to its draft chapter; sees their own country's self-report only, and never the
  rapporteur's drafts (the focal app's access rules are in ``focal/access.py`` beside these).
Every check the browser, the API and the admin make goes through these functions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Country


class Role(StrEnum):
    STAFF = "Staff"
    REVIEWER = "Reviewer"
    MINISTER = "Minister"
    ADMINISTRATOR = "Administrator"
    FOCAL_POINT = "Focal point"


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_alliance_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMINISTRATOR}
        user._alliance_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & {str(role) for role in roles})


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER, Role.ADMINISTRATOR)


def is_staff_member(user) -> bool:
    return has_role(user, Role.STAFF)


def is_minister(user) -> bool:
    return has_role(user, Role.MINISTER)


def is_focal_point(user) -> bool:
    return has_role(user, Role.FOCAL_POINT)


def assigned_country_ids(user) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_alliance_country_ids", None)
    if cached is None:
        cached = frozenset(user.country_assignments.values_list("country_id", flat=True))
        user._alliance_country_ids = cached
    return cached


def can_edit_country(user, country: Country) -> bool:
    """May enter and change the country's data (drafts, returned items)."""
    if is_reviewer(user):
        return True
    return is_staff_member(user) and country.pk in assigned_country_ids(user)


def can_read_drafts(user, country: Country) -> bool:
    """May see the country's unapproved data: only those who may edit it."""
    return can_edit_country(user, country)


def can_review(user) -> bool:
    return is_reviewer(user)


def editable_countries(user, countries: QuerySet[Country]) -> QuerySet[Country]:
    if is_reviewer(user):
        return countries
    if is_staff_member(user):
        return countries.filter(pk__in=assigned_country_ids(user))
    return countries.none()


# --- focal points (focal/): the government's self-report and reply -----------------------------------


def focal_country_id(user) -> int | None:
    """The country a focal point speaks for (None for everyone else); cached for the request."""
    if not user.is_authenticated or not is_focal_point(user):
        return None
    if not hasattr(user, "_alliance_focal_country"):
        user._alliance_focal_country = (
            user.focal_point.country_id if hasattr(user, "focal_point") else None
        )
    return user._alliance_focal_country


def may_see_country(user, country: Country) -> bool:
    """May open the country's page: a focal point only their own; everyone else every country."""
    own = focal_country_id(user)
    return own is None or own == country.pk


def can_self_report(user, country: Country) -> bool:
    """May fill in and submit the country's self-report and reply: its own focal points only."""
    return country.pk is not None and focal_country_id(user) == country.pk


def can_read_self_report(user, country: Country) -> bool:
    """May read the country's self-report before release: the country and the secretariat (its editors)."""
    return can_self_report(user, country) or can_edit_country(user, country)


def can_review_self_report(user, country: Country) -> bool:
    """May return a submission, or adopt or differ from its figures: those who edit the rapporteur's track."""
    return can_edit_country(user, country)
