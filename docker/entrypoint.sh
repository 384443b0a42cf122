#!/bin/sh
# Entry point of the Alliance Monitor image.
#
#   web          (the default) bring the schema up to date, load the reference data, then run gunicorn
#   healthcheck  exit 0 when gunicorn answers the admin login page (used by the image's HEALTHCHECK)
#   anything else is run as given, e.g. `celery -A alliance_monitor worker` or `python manage.py shell`
set -eu

case "${1:-web}" in
web)
    python manage.py migrate --noinput
    python manage.py seed_alliance  # idempotent: rows edited by staff are kept
    # Workers: WEB_CONCURRENCY (gunicorn reads it), more options through GUNICORN_CMD_ARGS.
    exec gunicorn alliance_monitor.wsgi:application \
        --bind 0.0.0.0:8000 \
        --worker-tmp-dir /dev/shm \
        --timeout 60 \
        --access-logfile -
    ;;
healthcheck)
    # Ask as the first allowed host and as if through the TLS proxy, so neither ALLOWED_HOSTS (400)
    # nor SECURE_SSL_REDIRECT (301) gets in the way.
    exec python - <<'PY'
import http.client
import os
import sys

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip() and h.strip() != "*"]
host = hosts[0].lstrip(".") if hosts else "localhost"
try:
    connection = http.client.HTTPConnection("127.0.0.1", 8000, timeout=4)
    connection.request("GET", "/admin/login/", headers={"Host": host, "X-Forwarded-Proto": "https"})
    status = connection.getresponse().status
except OSError as error:
    sys.exit(f"unhealthy: {error}")
sys.exit(0 if 200 <= status < 400 else f"unhealthy: HTTP {status}")
PY
    ;;
*)
    exec "$@"
    ;;
esac
