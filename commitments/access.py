"""Who may do what: the roles, and which countries a user may read drafts of and edit.

Roles are Django groups (created by the migration ``0002_roles``):
- Staff: enter and edit data for the countries assigned to them (CountryAssignment); submit for review.
- Reviewer: everything staff can, for all countries; approve, return, reopen; open and close periods.
- Minister: reads approved data and published reports; edits nothing.
- Administrator: users, assignments, indicators, periods (through the admin); also a reviewer.
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
