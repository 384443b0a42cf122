"""The data generation (sync/generation.py) and the settled check (changes.settled) that the partner fast
path relies on: a write replaces the generation at once and again after its commit, and an answer read
while a committed change waits behind a running transaction is recognised as such.

Transactional tests: what is checked happens at commit, between connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from commitments.models import Country
from sync import changes, generation

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def current() -> bytes | None:
    return generation.redis_client().get(generation.key())


def test_a_write_replaces_the_generation_at_once_and_again_after_its_commit():
    generation.bump()
    before = current()
    with transaction.atomic():
        changes.record(Country.objects.get(code="NL"))
        changes.record(Country.objects.get(code="BE"))
        during = current()
        assert during != before
    after = current()
    assert after not in (before, during)
    assert 0 < generation.redis_client().ttl(generation.key()) <= generation.seconds()


def test_an_answer_read_while_a_committed_change_waits_is_not_settled():
    assert changes.settled()
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                changes.record(Country.objects.get(code="DE"))  # takes a transaction id first
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        assert changes.settled()  # the running transaction's change is not committed: nothing waits
        with transaction.atomic():
            changes.record(Country.objects.get(code="US"))  # a later transaction, committed now
        assert not changes.settled()  # committed, but behind the running transaction's horizon
    finally:
        release.set()
        thread.join(timeout=30)
    assert done.is_set()
    assert changes.settled()
