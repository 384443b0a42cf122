"""Writing and reading the change feed.

Writing: ``record(item)`` adds a row to the outbox (models.Change) inside the transaction that changes the
item (signals.py calls it on every save and delete of the API's models; services that change rows with
``update()`` call it themselves). A change that rolls back takes its outbox row with it.

Reading: the feed is ordered by (transaction id, row id). On PostgreSQL a row becomes readable only once
every transaction of this database that was running when it might have been written has finished: the
*horizon* is the oldest transaction id still running here (or, if none, one past the newest finished
one), and only rows of transactions below it are read (and the reader's own: see ``read``). A
transaction that began first but commits last therefore holds the feed back until it commits, and its
rows come in their place: no change is skipped because a later one was read first, and none is read
twice, since the cursor only ever moves forward. A long transaction delays the feed (it never loses a
change): keep write transactions short, as the services do. On SQLite (``make run``) writers take the
database's lock in turn, so ids are in commit order.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Model, Q
from django.db.models.expressions import RawSQL

from . import generation
from .models import Change

# The oldest transaction id that may still add changes here: the oldest of the transactions running
# when the statement began, leaving out those of other databases (they hold no lock on a table of ours,
# and they cannot write our outbox) and the reader's own; with none left, the snapshot's xmax: one past
# the newest *finished* transaction of the cluster, which a running transaction's own id (the reader's,
# or one given out after the newest ended) can equal or exceed. So the reader's own changes are not below
# the horizon in general; read() and data_version() add them explicitly. pg_locks is read live, so a
# transaction that ends while this runs still counts as running: at worst a reader waits a moment.
HORIZON_SQL = """
WITH snap AS (SELECT pg_current_snapshot() AS s),
elsewhere AS (
    SELECT held.transactionid::text::bigint AS xid
      FROM pg_locks AS held
     WHERE held.locktype = 'transactionid' AND held.transactionid IS NOT NULL
       AND (held.pid = pg_backend_pid() OR NOT EXISTS (
            SELECT 1 FROM pg_locks AS ours
             WHERE ours.pid = held.pid AND ours.locktype = 'relation'
               AND ours.database = (SELECT oid FROM pg_database WHERE datname = current_database())))
)
SELECT COALESCE(
    (SELECT min(running::text::numeric)
       FROM snap, pg_snapshot_xip(snap.s) AS running
      WHERE mod(running::text::numeric, 4294967296)::bigint NOT IN (SELECT xid FROM elsewhere)),
    (SELECT pg_snapshot_xmax(s)::text::numeric FROM snap)
)::bigint
"""


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _txid():
    return RawSQL("pg_current_xact_id()::text::bigint", []) if _is_postgresql() else None


def _country_of(model: type[Model], pk: int) -> int | None:
    return model._default_manager.filter(pk=pk).values_list("country_id", flat=True).first()


def describe(item: Model) -> tuple[str, str, int | None, bool] | None:
    """(resource, key, country id, public) of a change to ``item``; None when the feed does not show it."""
    from commitments.models import (
        Commitment,
        CommitmentProgress,
        Country,
        EvaluationRound,
        Goal,
        GovernmentResponse,
        Indicator,
        IndicatorValue,
        Recommendation,
        RecommendationFollowUp,
        ReportingPeriod,
        Status,
    )
    from reporting.models import Report

    def seen(reviewable) -> bool:
        return reviewable.status == Status.APPROVED or reviewable.approved_at is not None

    if isinstance(item, Country):
        return "country", item.code, item.pk, True
    if isinstance(item, Goal):
        return "goal", item.code, None, True
    if isinstance(item, Indicator):
        return "indicator", item.code, None, True
    if isinstance(item, ReportingPeriod):
        return "period", str(item.pk), None, True
    if isinstance(item, EvaluationRound):
        return "round", str(item.pk), None, True
    if isinstance(item, IndicatorValue):
        return "value", str(item.pk), item.country_id, seen(item)
    if isinstance(item, Commitment | Recommendation):
        return type(item).__name__.lower(), str(item.pk), item.country_id, True
    if isinstance(item, CommitmentProgress):
        country = _country_of(Commitment, item.commitment_id)
        return "commitment", str(item.commitment_id), country, seen(item)
    if isinstance(item, RecommendationFollowUp | GovernmentResponse):
        country = _country_of(Recommendation, item.recommendation_id)
        public = seen(item) if isinstance(item, RecommendationFollowUp) else True
        return "recommendation", str(item.recommendation_id), country, public
    if isinstance(item, Report):
        return "report", str(item.pk), item.country_id, item.published_at is not None
    return None


def record(item: Model, *, public: bool | None = None) -> Change | None:
    """Put a change of ``item`` in the outbox, in the current transaction. ``public`` overrides whether
    partners may have seen it (a report withdrawn with ``update()``: they had)."""
    described = describe(item)
    if described is None:
        return None
    resource, key, country_id, seen = described
    generation.changed()
    return Change.objects.create(
        txid=_txid(),
        resource=resource,
        key=key,
        country_id=country_id,
        public=seen if public is None else public,
    )


def record_many(items) -> int:
    """Put a change of each item in the outbox at once (after a bulk_create, which sends no signals)."""
    rows = []
    for item in items:
        described = describe(item)
        if described is not None:
            resource, key, country_id, seen = described
            rows.append(Change(txid=_txid(), resource=resource, key=key, country_id=country_id, public=seen))
    if rows:
        generation.changed()
    Change.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a reader is in the feed: after the row (txid, id); (0, 0) is the beginning.

    ``own_txid``/``own_id``: the reader was given the changes of its own, still running transaction up to
    row ``own_id`` ahead of the horizon (see ``read``); they are not given again. 0: none.
    """

    txid: int
    id: int
    own_txid: int = 0
    own_id: int = 0

    def passed(self) -> Position:
        """This position without its own-changes mark once the position itself has reached them."""
        if self.own_txid and (self.txid, self.id) < (self.own_txid, self.own_id):
            return self
        return Position(self.txid, self.id)


class BadCursor(ValueError):
    """A cursor this server did not give, or gave to a reader who now sees other things."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def scope_tag(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]


def encode_cursor(position: Position, scope: str) -> str:
    fields: list = [position.txid, position.id, scope_tag(scope)]
    if position.own_txid:
        fields += [position.own_txid, position.own_id]
    raw = json.dumps(fields, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        fields = json.loads(raw)
        if not isinstance(fields, list) or len(fields) not in (3, 5):
            raise ValueError
        txid, row, tag, *own = fields
        numbers = [txid, row, *own]
        if not (all(type(n) is int for n in numbers) and isinstance(tag, str)):
            raise ValueError
        if not all(0 <= n < 2**63 for n in numbers) or own == [0, 0]:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("not a cursor") from None
    if tag != scope_tag(scope):
        raise BadCursor("the reader's view changed", expired=True)
    return Position(txid, row, *own)


def horizon() -> int | None:
    """Rows of transactions below this id are final; None on databases that commit in id order."""
    return _bounds()[0]


def _bounds() -> tuple[int | None, int | None]:
    """(the horizon, the reader's own transaction id if it has one); (None, None) on SQLite."""
    if not _is_postgresql():
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({HORIZON_SQL}), pg_current_xact_id_if_assigned()::text::bigint")
        top, own = cursor.fetchone()
        return int(top), None if own is None else int(own)


def visible_to(viewer) -> Q:
    """The outbox rows of items this reader (commitments.api.visibility.Viewer) may see or may have seen."""
    condition = Q()
    if viewer.country_ids is not None:
        condition &= Q(country_id__in=viewer.country_ids) | Q(country_id__isnull=True)
    if viewer.draft_country_ids is not None:
        drafts = Q(country_id__in=viewer.draft_country_ids) if viewer.draft_country_ids else Q(pk__in=[])
        condition &= Q(public=True) | drafts
    return condition


def data_version(visible: Q) -> str:
    """The position of the newest final change the reader may see, in one indexed query.

    Every write records a change in its own transaction, so this moves whenever something the reader
    sees has changed and committed, and only then (a draft nobody outside has seen moves no partner's
    version). Lists' ETags and cached pages are keyed on it instead of reading the data: it costs the
    same at any size of the data.
    """
    final = Q()
    if _is_postgresql():
        # The snapshot's xmax is one past the newest *finished* transaction, so the horizon alone leaves
        # out a writer's own changes; they are final to itself (the feed's reads write nothing).
        own = RawSQL("pg_current_xact_id_if_assigned()::text::bigint", [])
        final = Q(txid__lt=RawSQL(HORIZON_SQL, [])) | Q(txid=own)
    newest = Change.objects.filter(final & visible).order_by("-txid", "-id").values_list("txid", "id").first()
    return "empty" if newest is None else f"{newest[0] or 0}.{newest[1]}"


SETTLED_SQL = f"""
SELECT NOT EXISTS (
    SELECT 1 FROM sync_change
     WHERE txid >= ({HORIZON_SQL})
       AND txid IS DISTINCT FROM pg_current_xact_id_if_assigned()::text::bigint
)
"""


def settled() -> bool:
    """Whether every committed change is below the horizon (or the reader's own), so that the data
    version and the feed hold nothing back that has already committed.

    While a transaction that began earlier is still running, changes committed after it began wait
    behind it (the horizon); an answer read meanwhile is right but may be older than the data. The
    fast path (commitments/api/fastpath.py) stores only answers read when this is true: it would
    otherwise keep serving the held-back answer after the running transaction ends, until the next
    change. One indexed query; always true on databases that commit in id order (SQLite).
    """
    if not _is_postgresql():
        return True
    with connection.cursor() as cursor:
        cursor.execute(SETTLED_SQL)
        return bool(cursor.fetchone()[0])


def read(*, after: Position, visible: Q, limit: int) -> tuple[list[Change], Position, bool]:
    """The next ``limit`` visible changes after ``after``, the position to continue from, and whether
    more may follow. The position passes invisible rows too, so a reader never scans them again.

    A reader's own changes are final to itself, as in ``data_version`` (a request, or a test, that writes
    and then reads the feed in one transaction sees what it wrote). Its transaction id is usually at or
    above the horizon (the snapshot's xmax is one past the newest *finished* transaction, and its own is
    not finished), so those rows come after every row below the horizon and are given ahead of it. The
    position itself must not pass the horizon (a transaction with an id between the horizon and the
    reader's, still running, would be skipped when it commits), so it stays below the horizon and marks
    the own rows already given (``Position.own_txid``/``own_id``): they are never given twice, and the
    others come in their place.
    """
    top, own = _bounds()
    if top is None:  # SQLite: ids are in commit order (a writer holds the lock: its rows are the last)
        rows = list(Change.objects.filter(Q(id__gt=after.id) & visible).order_by("id")[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        if more:
            return rows, Position(rows[-1].txid or 0, rows[-1].id), True
        newest = Change.objects.filter(id__gt=after.id).order_by("-id").values("txid", "id").first()
        if newest is None:
            return rows, after, False
        return rows, Position(newest["txid"] or 0, newest["id"]), False

    later = Q(txid__gt=after.txid) | Q(txid=after.txid, id__gt=after.id)
    if after.own_txid:
        later &= ~Q(txid=after.own_txid, id__lte=after.own_id)
    final = Q(txid__lt=top)
    # Own rows ahead of the horizon, when this position has no mark of another transaction's.
    ahead = own is not None and own >= top and after.own_txid in (0, own)
    if ahead:
        final |= Q(txid=own)
    rows = list(Change.objects.filter(final & later & visible).order_by("txid", "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if more and rows[-1].txid < top:
        last = rows[-1]
        return rows, Position(last.txid or 0, last.id, after.own_txid, after.own_id).passed(), True
    # Every row below the horizon after ``after`` was read: the position moves past the newest of them.
    below = Change.objects.filter(Q(txid__lt=top) & later).order_by("-txid", "-id")
    below = below.values("txid", "id").first()
    base = after if below is None else Position(below["txid"] or 0, below["id"])
    own_txid, own_id = after.own_txid, after.own_id
    if ahead:
        if more:
            own_txid, own_id = own, rows[-1].id
        else:
            newest = Change.objects.filter(Q(txid=own) & later).order_by("-id").values_list("id", flat=True)
            newest = newest.first()
            if newest is not None:
                own_txid, own_id = own, newest
    return rows, Position(base.txid, base.id, own_txid, own_id).passed(), more
