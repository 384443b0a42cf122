"""Fixtures of the ministers' view tests: a released round with designed figures (tests/overview/world.py)."""

from __future__ import annotations

import pytest

from tests.overview.world import released_round


@pytest.fixture
def released(db):
    return released_round()
