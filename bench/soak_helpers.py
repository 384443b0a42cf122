"""The soak's helpers (see soak.py): ports, the processes it starts (its own Redis, gunicorn, Celery), the
scripts that set up and check its database, and a plain HTTP GET.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_DATABASE_HOST_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_PREFIX", "am_bench_x") + "soak"
SECRET_KEY = "soak-only-secret-key-" + "s" * 40
METRICS_TOKEN = "soak-metrics-" + "m" * 20
CSRF = "c" * 32  # the CSRF secret the soak's clients send as cookie and header


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
        return True
    except OSError:
        return False


def wait(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not happen within {timeout} s")
        time.sleep(0.2)


# --- the processes ------------------------------------------------------------------------------------


class Redis:
    def __init__(self, folder: Path) -> None:
        self.port, self.folder, self.process = free_port(), folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait(lambda: answers(self.port), 15, "redis-server start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class App:
    """A process group of the app (gunicorn, celery worker, celery beat), its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def signal(self, sig: int, whole_group: bool = True) -> None:
        if self.process and self.process.poll() is None:
            if whole_group:
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait()


def app_env(redis_url: str, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance_monitor.settings",
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TWO_FACTOR_REQUIRED_FOR_REVIEWERS": "false",  # the reviewer's session is made by the soak
        "API_PARTNER_RATE": "100000000/hour",
        "API_USER_RATE": "100000000/hour",
        "MEDIA_ROOT": str(tmp / "media"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
        "METRICS_TOKEN": METRICS_TOKEN,
        "HEARTBEAT_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
    }


SETUP = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model, HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from commitments import services
from commitments.models import Country, Indicator, IndicatorValue, ReportingPeriod, EvaluationRound
sys.path.insert(0, "bench")
import dataset
call_command("migrate", verbosity=0)
if not IndicatorValue.objects.exists():
    dataset.build(scale=1)
User = get_user_model()

def session(username):
    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.save()
    return store.session_key

indicators = list(Indicator.objects.filter(is_active=True, value_type="number", max_value__isnull=True)
                  .order_by("code"))
period = ReportingPeriod.objects.filter(is_open=True).order_by("-starts_on").first()
writers = []
used = set()

def slot(codes):
    # A (country, number indicator) of these countries whose value in the open period staff may edit.
    for country in Country.objects.filter(code__in=codes).order_by("code"):
        rows = IndicatorValue.objects.filter(country=country, period=period)
        existing = {v.indicator_id: v.status for v in rows}
        for indicator in indicators:
            editable = existing.get(indicator.pk, "draft") in {"draft", "returned"}
            if editable and (country.pk, indicator.pk) not in used:
                used.add((country.pk, indicator.pk))
                return country, indicator
    raise SystemExit(f"no editable number value in {codes}")

everywhere = list(Country.objects.exclude(code__in=["NL", "BE"]).values_list("code", flat=True))
for username, codes in [("staff-nl", ["NL"]), ("staff-be", ["BE", "LU"]), ("staff-secretariat", everywhere),
                        ("staff-secretariat", everywhere)]:
    user = User.objects.get(username=username)
    country, indicator = slot(codes)
    value = services.indicator_value_save(country=country, indicator=indicator, period=period, user=user,
                                          number_value=0, note="soak")
    writers.append({"user": username, "session": session(username), "id": value.pk,
                    "version": value.version, "history": value.history.count()})
tokens = [services.partner_token_create(name=f"Soak reader {n}")[1] for n in range(1, 4)]
round_ = EvaluationRound.objects.get()
countries = list(Country.objects.exclude(membership="observer").order_by("code").values_list("pk", flat=True))
print(json.dumps({"writers": writers, "tokens": tokens, "reviewer": session("reviewer"),
                  "round": round_.pk, "countries": countries}))
"""

CHECK = r"""
import json, sys
import django
django.setup()
from commitments.models import IndicatorValue
from reporting.models import Report
expected = json.loads(sys.stdin.read())
rows = []
for row in expected:
    value = IndicatorValue.objects.get(pk=row["id"])
    rows.append({"id": row["id"], "stored": float(value.number_value), "history": value.history.count()})
reports = list(Report.objects.order_by("pk").values("pk", "kind", "status", "attempts", "requested_at",
                                                    "finished_at", "error"))
for report in reports:
    took = (report["finished_at"] - report["requested_at"]).total_seconds() if report["finished_at"] else None
    report["took"] = took
    report.pop("requested_at"); report.pop("finished_at")
print(json.dumps({"rows": rows, "reports": reports}))
"""


def fetch(port: int, path: str, headers: dict) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    except OSError:
        return 0, ""
    finally:
        conn.close()


def check(env: dict, setup: dict) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        input=json.dumps(setup["writers"]),
        timeout=120,
    )
    if run.returncode:
        raise SystemExit(run.stderr[-3000:])
    return json.loads(run.stdout.strip().splitlines()[-1])
