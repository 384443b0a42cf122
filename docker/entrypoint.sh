#!/bin/sh
# Entry point of the Alliance Monitor image.
#
#   web          (the default) bring the schema up to date, load the reference data, then run gunicorn
#   healthcheck  exit 0 when gunicorn answers /readyz?require=database (the image's HEALTHCHECK: serving,
#                database reachable; the full readiness, workers and beat included, is GET /readyz)
#   heartbeat C  exit 0 when component C (beat, or worker:<node name>) wrote a heartbeat lately
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
    connection.request("GET", "/readyz?require=database", headers={"Host": host, "X-Forwarded-Proto": "https"})
    status = connection.getresponse().status
except OSError as error:
    sys.exit(f"unhealthy: {error}")
sys.exit(0 if 200 <= status < 400 else f"unhealthy: HTTP {status}")
PY
    ;;
heartbeat)
    # Beat and the workers write a heartbeat every HEARTBEAT_SECONDS (alliance_monitor/health.py).
    exec python - "${2:?which component: beat or worker:<node name>}" <<'PY'
import sys

import django

django.setup()
from django.conf import settings

from alliance_monitor import health

age = health.heartbeat_age(component=sys.argv[1])
if age is None or age > 3 * settings.HEARTBEAT_SECONDS:
    sys.exit(f"unhealthy: no recent heartbeat of {sys.argv[1]} (last: {age and round(age)} s ago)")
PY
    ;;
*)
    exec "$@"
    ;;
esac
