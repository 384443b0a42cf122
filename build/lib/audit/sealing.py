"""The database seals every history row: a hash of its content, chained to the record before it.

Two triggers sit on every history table (installed after each ``migrate``, so a model that starts
keeping history is sealed without a change here):

- ``audit_skip_noop`` (BEFORE INSERT) drops a "changed" row identical to the object's previous one,
  apart from the history columns and the times Django sets itself (``auto_now``): a save that changed
  nothing leaves no history, whichever path made it (service, admin, shell).
- ``audit_seal`` (AFTER INSERT) writes an ``AuditRecord``: ``content_hash`` = SHA-256 of the table name
  and the row as JSON (without ``history_user_id``, kept beside it as ``actor_id``: deleting a user
  empties that column in the history), ``chain_hash`` = SHA-256 of the previous record's chain hash,
  this content hash and the actor. Records are numbered 1, 2, 3, ... in chain order.

Sealing takes a transaction-level advisory lock, so the writers of history rows queue for the chain
from their first history row until they commit (the chain has one order). The writes cost no extra
query from Django: the work is done inside the INSERT the history row already was.

``verify`` walks the chain and each history table and reports what does not match: a record altered or
missing (a gap, a broken link), a history row altered, removed or never sealed. It is what
``manage.py verify_audit`` runs.

The triggers and checks are PostgreSQL's (``make test``, production). On SQLite (``make run``) nothing
is installed: history is kept but not sealed, and ``verify_audit`` says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

RECORD_TABLE = "audit_auditrecord"
LOCK_KEY = 424_242_001  # pg_advisory_xact_lock key of the chain
UNSEALED = 10**18  # where a row outside the chain sorts among the problems: after every sealed one
HISTORY_COLUMNS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION audit_skip_noop() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    ignored text[] := string_to_array(TG_ARGV[1], ',');
    previous jsonb;
BEGIN
    IF NEW.history_type <> '~' THEN
        RETURN NEW;
    END IF;
    EXECUTE format(
        'SELECT to_jsonb(h) FROM %I.%I h WHERE h.%I = ($1).%I '
        'ORDER BY h.history_date DESC, h.history_id DESC LIMIT 1',
        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[0]
    ) INTO previous USING NEW;
    IF previous IS NOT NULL AND (previous - ignored) = (to_jsonb(NEW) - ignored) THEN
        RETURN NULL;  -- nothing changed: no history row
    END IF;
    RETURN NEW;
END
$body$;

CREATE OR REPLACE FUNCTION audit_seal() RETURNS trigger LANGUAGE plpgsql SET timezone TO 'UTC' AS $body$
DECLARE
    content jsonb := to_jsonb(NEW) - 'history_user_id';
    actor bigint := NEW.history_user_id;
    previous_seq bigint;
    previous_chain text;
    sealed_fields text;
    content_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT seq, chain_hash INTO previous_seq, previous_chain FROM {RECORD_TABLE} ORDER BY seq DESC LIMIT 1;
    SELECT string_agg(key, ',' ORDER BY key) INTO sealed_fields FROM jsonb_object_keys(content) AS key;
    content_hash := encode(sha256(convert_to(TG_TABLE_NAME || ':' || content::text, 'UTF8')), 'hex');
    INSERT INTO {RECORD_TABLE}
        (seq, table_name, history_id, actor_id, fields, content_hash, chain_hash, recorded_at)
    VALUES (
        coalesce(previous_seq, 0) + 1, TG_TABLE_NAME, NEW.history_id, actor, sealed_fields, content_hash,
        encode(sha256(convert_to(
            coalesce(previous_chain, '') || '|' || content_hash || '|' || coalesce(actor::text, ''), 'UTF8'
        )), 'hex'),
        now()
    );
    RETURN NULL;
END
$body$;

CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % of an audit record refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$body$;
"""

APPEND_ONLY_SQL = f"""
CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {RECORD_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""


def is_supported(connection) -> bool:
    return connection.vendor == "postgresql"


def history_models() -> list[type[models.Model]]:
    """(model, history model) for every model that keeps history, in a stable order."""
    from alliance_monitor.audit import history_sources

    return [(source.model, source.history_model) for source in history_sources()]


def ignored_columns(model: type[models.Model], history_model: type[models.Model]) -> list[str]:
    """Columns a no-op save may change: the history's own, and the times Django sets on every save."""
    kept = {f.column for f in history_model._meta.concrete_fields}
    automatic = [
        f.column for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f.column in kept
    ]
    return [*HISTORY_COLUMNS, *automatic]


def install(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Create (or replace) the functions and every history table's triggers; the number of tables."""
    connection = connections[using]
    if not is_supported(connection):
        return 0
    tables = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        cursor.execute(APPEND_ONLY_SQL)
        existing = set(connection.introspection.table_names(cursor))
        for model, history_model in history_models():
            table = history_model._meta.db_table
            if table not in existing:
                continue  # a migration not yet applied (migrating backwards or in steps)
            quoted = connection.ops.quote_name(table)
            pk_column = model._meta.pk.column
            ignored = ",".join(ignored_columns(model, history_model))
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER audit_skip_noop BEFORE INSERT ON {quoted} FOR EACH ROW "
                f"EXECUTE FUNCTION audit_skip_noop('{pk_column}', '{ignored}')"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER audit_seal AFTER INSERT ON {quoted} FOR EACH ROW "
                "EXECUTE FUNCTION audit_seal()"
            )
            tables += 1
    return tables


def install_after_migrate(sender, *, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (also runs after a test flush)."""
    install(using=using)


# --- verifying ------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """One thing that does not match. ``seq`` orders problems by place in the chain (None: unsealed)."""

    seq: int
    message: str


def chain_hash(previous: str, content_hash: str, actor_id: int | None) -> str:
    text = f"{previous}|{content_hash}|{'' if actor_id is None else actor_id}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _verify_chain(cursor) -> tuple[list[Problem], int]:
    problems: list[Problem] = []
    cursor.execute(
        f"SELECT seq, table_name, history_id, actor_id, content_hash, chain_hash FROM {RECORD_TABLE} "
        "ORDER BY seq"
    )
    previous, expected, count = "", 1, 0
    while rows := cursor.fetchmany(5000):
        for seq, table, history_id, actor_id, content, chained in rows:
            count += 1
            if seq != expected:
                problems.append(
                    Problem(
                        expected,
                        f"audit record #{expected}"
                        + (f" to #{seq - 1}" if seq - 1 > expected else "")
                        + " removed from the chain",
                    )
                )
            elif chain_hash(previous, content, actor_id) != chained:
                problems.append(
                    Problem(seq, f"audit record #{seq} ({table} row {history_id}) altered: its chain hash "
                            "does not follow from the record before it")
                )
            previous, expected = chained, seq + 1
    return problems, count


def _verify_table(cursor, connection, history_model: type[models.Model], user_table: str) -> list[Problem]:
    table = history_model._meta.db_table
    quoted = connection.ops.quote_name(table)
    problems: list[Problem] = []
    content = (
        "(SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb) "
        "FROM jsonb_each(to_jsonb(h) - 'history_user_id') AS e "
        "WHERE e.key = ANY(string_to_array(r.fields, ',')))"
    )
    cursor.execute(
        f"""
        SELECT r.seq, r.history_id, h.history_id IS NOT NULL,
               encode(sha256(convert_to(r.table_name || ':' || {content}::text, 'UTF8')), 'hex'),
               r.content_hash, h.history_user_id, r.actor_id,
               EXISTS (SELECT 1 FROM {user_table} u WHERE u.id = r.actor_id)
        FROM {RECORD_TABLE} r LEFT JOIN {quoted} h ON h.history_id = r.history_id
        WHERE r.table_name = %s
        """,
        [table],
    )
    for seq, history_id, present, computed, sealed, history_user, actor, actor_exists in cursor.fetchall():
        where = f"audit record #{seq}: {table} row {history_id}"
        if not present:
            problems.append(Problem(seq, f"{where} removed"))
        elif computed != sealed:
            problems.append(Problem(seq, f"{where} altered"))
        elif history_user != actor and not (history_user is None and not actor_exists):
            problems.append(Problem(seq, f"{where} altered (who made the change)"))
    cursor.execute(
        f"""SELECT h.history_id FROM {quoted} h WHERE NOT EXISTS (
            SELECT 1 FROM {RECORD_TABLE} r WHERE r.table_name = %s AND r.history_id = h.history_id)
            ORDER BY h.history_id""",
        [table],
    )
    for (history_id,) in cursor.fetchall():
        problems.append(
            Problem(UNSEALED, f"{table} row {history_id} was never sealed (added outside the chain)")
        )
    return problems


@dataclass
class Verification:
    records: int
    problems: list[Problem]

    @property
    def first(self) -> Problem | None:
        return min(self.problems) if self.problems else None


def verify(*, using: str = DEFAULT_DB_ALIAS) -> Verification:
    """Check the whole chain and every history table against it (one read-only snapshot)."""
    from django.contrib.auth import get_user_model

    connection = connections[using]
    if not is_supported(connection):
        raise NotImplementedError("The audit trail is sealed on PostgreSQL only.")
    user_table = connection.ops.quote_name(get_user_model()._meta.db_table)
    outermost = not connection.in_atomic_block  # inside a caller's transaction (tests), its snapshot
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        problems, count = _verify_chain(cursor)
        known = set()
        for _model, history_model in history_models():
            known.add(history_model._meta.db_table)
            problems.extend(_verify_table(cursor, connection, history_model, user_table))
        cursor.execute(f"SELECT DISTINCT table_name FROM {RECORD_TABLE}")
        for (table,) in cursor.fetchall():
            if table not in known:
                problems.append(Problem(0, f"records of {table}, a history table no model has any more"))
    return Verification(records=count, problems=sorted(problems))
