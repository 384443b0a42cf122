#!/usr/bin/env bash
# Back up Alliance Monitor: the PostgreSQL database and the generated reports (MEDIA_ROOT).
#
#   DATABASE_URL=postgres://user:password@host:5432/name MEDIA_ROOT=/data/media scripts/backup.sh TARGET_DIR
#
# Writes three files named by the time of the backup (UTC) into TARGET_DIR:
#   alliance-monitor-<stamp>.dump          pg_dump custom format (compressed; restore with scripts/restore.sh)
#   alliance-monitor-<stamp>-media.tar.gz  the generated reports
#   alliance-monitor-<stamp>.sha256        checksums of both, checked by restore.sh
# The database is dumped first and the reports after it, so every report the dump knows of was already
# on disk when the reports were archived. Files are readable by their owner only: they hold password
# hashes and unpublished assessments. Prints the paths of the files written. Needs pg_dump of the
# server's major version or newer, tar and sha256sum.
set -euo pipefail

target="${1:?usage: DATABASE_URL=postgres://... MEDIA_ROOT=... backup.sh TARGET_DIR}"
: "${DATABASE_URL:?set DATABASE_URL to the database to back up (postgres://user:password@host:port/name)}"
media="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/media}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL (postgres://...)" >&2; exit 2 ;;
esac

umask 077
mkdir -p "$target"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
base="alliance-monitor-$stamp"
dump="$target/$base.dump"
archive="$target/$base-media.tar.gz"
if [ -e "$dump" ] || [ -e "$archive" ]; then
  echo "backup.sh: a backup named $base already exists in $target; try again in a second" >&2
  exit 1
fi
trap 'rm -f "$dump.partial" "$archive.partial"' EXIT

# One consistent snapshot of the database; without owners and grants, so it restores under any role.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$dump.partial" --dbname="$DATABASE_URL"
mv "$dump.partial" "$dump"

if [ -d "$media" ]; then
  tar -C "$media" -czf "$archive.partial" .
else
  # No report generated yet: an empty archive, so that a restore always has both parts.
  tar -czf "$archive.partial" --files-from /dev/null
fi
mv "$archive.partial" "$archive"

(cd "$target" && sha256sum "$base.dump" "$base-media.tar.gz" > "$base.sha256")
echo "$dump"
echo "$archive"
