"""Fixtures of the ministers' view tests: a released round with designed figures (tests/overview/world.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.overview.world import released_round


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts without the ministers' view's cached figures of another test's data."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def released(db):
    return released_round()
