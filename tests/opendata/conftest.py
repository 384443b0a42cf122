"""Fixtures of the public site's tests: the world on both sides of the embargo (tests/opendata/world.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from commitments.access import Role
from tests.conftest import make_user
from tests.opendata.world import build


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts without pages another test's data filled the cache with (Redis, and what this
    process keeps of it in memory)."""
    from opendata.caching import forget_local

    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture
def second_reviewer(db):
    return make_user("sam-second-reviewer", Role.REVIEWER)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def world(staff_be, second_reviewer, media):
    return build(proposer=staff_be, approver=second_reviewer)
