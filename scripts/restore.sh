#!/usr/bin/env bash
# Restore an Alliance Monitor backup (made by scripts/backup.sh) into an EMPTY database and media folder.
#
#   createdb alliance_restored
#   DATABASE_URL=postgres://user:password@host:5432/alliance_restored MEDIA_ROOT=/data/media-restored \
#     scripts/restore.sh TARGET_DIR/alliance-monitor-<stamp>.dump
#
# The reports archive is the dump's neighbour (alliance-monitor-<stamp>-media.tar.gz); both are checked
# against alliance-monitor-<stamp>.sha256 first. It refuses a database that already has tables and a
# media folder that is not empty: a restore never mixes with other data. The database is restored in one
# transaction, so a failed restore leaves it empty. Then start the app on it (its migrations are in the
# dump; `manage.py migrate` finds nothing to do unless the code is newer).
set -euo pipefail

dump="${1:?usage: DATABASE_URL=postgres://... MEDIA_ROOT=... restore.sh BACKUP.dump}"
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
: "${MEDIA_ROOT:?set MEDIA_ROOT to the empty folder to restore the reports into}"
case "$dump" in
  *.dump) ;;
  *) echo "restore.sh: expected a .dump file made by backup.sh, got $dump" >&2; exit 2 ;;
esac
dir="$(cd "$(dirname "$dump")" && pwd)"
base="$(basename "$dump" .dump)"
archive="$dir/$base-media.tar.gz"
sums="$dir/$base.sha256"
for file in "$dir/$base.dump" "$archive" "$sums"; do
  [ -f "$file" ] || { echo "restore.sh: missing $file" >&2; exit 1; }
done
(cd "$dir" && sha256sum --check --quiet "$base.sha256") || {
  echo "restore.sh: the backup files do not match their checksums: not restoring" >&2
  exit 1
}

tables="$(psql --no-psqlrc --tuples-only --no-align --dbname="$DATABASE_URL" \
  --command="SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the database already has $tables tables; restore into a new, empty database (createdb)" >&2
  exit 1
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore.sh: $MEDIA_ROOT is not empty; restore the reports into an empty folder" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$dir/$base.dump"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$archive"
echo "restored $base into the database and $MEDIA_ROOT"
