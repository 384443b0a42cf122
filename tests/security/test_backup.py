"""Backups: scripts/backup.sh, then scripts/restore.sh into an empty database, loses no row and no report.

The source is a database of its own (migrated, with the alliance and the synthetic demo data), not the
test database: the scripts work on whole databases, as in production.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SOURCE_DB = "am_backup_src"
TARGET_DB = "am_backup_dst"
# Compared row by row (a checksum of every row's text), not just counted.
CHECKSUMMED = [
    "auth_user",
    "commitments_country",
    "commitments_indicatorvalue",
    "commitments_historicalindicatorvalue",
    "commitments_commitmentprogress",
]


def database_url(name: str) -> str:
    server = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(server._replace(path=f"/{name}"))


def run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=BASE_DIR, env={**os.environ, **env}, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


def drop(name: str) -> None:
    run(["dropdb", "--if-exists", "--force", f"--maintenance-db={database_url('postgres')}", name])


def create(name: str) -> None:
    drop(name)
    run(["createdb", f"--maintenance-db={database_url('postgres')}", name])


def table_counts(name: str) -> dict[str, int]:
    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    connection.close()
    return counts


def table_checksum(name: str, table: str) -> str:
    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute(f'SELECT md5(string_agg(t::text, E\'\\n\' ORDER BY t::text)) FROM "{table}" t')
        checksum = cursor.fetchone()[0]
    connection.close()
    return checksum


def sequences(name: str) -> dict[str, int | None]:
    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        values = dict(cursor.fetchall())
    connection.close()
    return values


def files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def backed_up_and_restored(tmp_path_factory):
    """Seed a database and a reports folder, back them up, restore them into new empty ones."""
    work = tmp_path_factory.mktemp("backup")
    source_media, target_media, backups = work / "media", work / "media-restored", work / "backups"
    report = source_media / "reports" / "2014" / "evaluation-2012-2014.pdf"
    report.parent.mkdir(parents=True)
    report.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    (source_media / "reports" / "draft-notes.txt").write_text("Synthetic demo report part\n")
    create(SOURCE_DB)
    try:
        app_env = {
            "DATABASE_URL": database_url(SOURCE_DB), "DEBUG": "true", "REDIS_URL": "",
            "DEMO_PASSWORD": "alliance-demo-2014", "MEDIA_ROOT": str(source_media),
        }
        for command in (["migrate", "--no-input"], ["seed_alliance"], ["seed_demo", "--without-reports"]):
            run([sys.executable, "manage.py", *command, "-v", "0"], **app_env)

        written = run(
            ["bash", "scripts/backup.sh", str(backups)],
            DATABASE_URL=database_url(SOURCE_DB), MEDIA_ROOT=str(source_media),
        ).stdout.split()
        dump = Path(written[0])
        create(TARGET_DB)
        run(
            ["bash", "scripts/restore.sh", str(dump)],
            DATABASE_URL=database_url(TARGET_DB), MEDIA_ROOT=str(target_media),
        )
        yield {"dump": dump, "source_media": source_media, "target_media": target_media, "written": written}
    finally:
        drop(SOURCE_DB)
        drop(TARGET_DB)


def test_the_backup_is_a_dump_an_archive_and_their_checksums(backed_up_and_restored):
    dump = backed_up_and_restored["dump"]
    assert dump.name.startswith("alliance-monitor-") and dump.suffix == ".dump"
    names = sorted(path.name for path in dump.parent.iterdir())
    stem = dump.stem
    assert names == [f"{stem}-media.tar.gz", f"{stem}.dump", f"{stem}.sha256"]
    assert oct(dump.stat().st_mode & 0o777) == "0o600"  # password hashes and drafts: owner only


def test_every_row_of_every_table_is_restored(backed_up_and_restored):
    source, target = table_counts(SOURCE_DB), table_counts(TARGET_DB)

    assert source.keys() == target.keys()
    lost = {table: source[table] - target[table] for table in source if source[table] != target[table]}
    assert lost == {}
    assert source["commitments_indicatorvalue"] > 100  # the demo data is really there
    assert sum(source.values()) == sum(target.values())


def test_restored_rows_are_identical(backed_up_and_restored):
    for table in CHECKSUMMED:
        assert table_checksum(SOURCE_DB, table) == table_checksum(TARGET_DB, table), table


def test_new_rows_after_a_restore_get_fresh_ids(backed_up_and_restored):
    assert sequences(TARGET_DB) == sequences(SOURCE_DB)


def test_every_report_file_is_restored(backed_up_and_restored):
    source = files(backed_up_and_restored["source_media"])
    assert len(source) == 2
    assert files(backed_up_and_restored["target_media"]) == source


def test_restore_refuses_a_database_that_is_not_empty(backed_up_and_restored, tmp_path):
    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backed_up_and_restored["dump"])],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url(TARGET_DB), "MEDIA_ROOT": str(tmp_path / "media")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "restore into a new, empty database" in result.stderr
