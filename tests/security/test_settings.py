"""Production settings: the deploy checks pass, secrets come from the environment, no debug pages, CSP on."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]
# A production start inherits nothing of the test run's environment (its DEBUG, its database, or what
# other tests set in it, such as DJANGO_ALLOW_ASYNC_UNSAFE) except what finds programs and files.
INHERITED = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production start, as docker-compose gives it (no service is contacted)."""
    env = {name: value for name, value in os.environ.items() if name in INHERITED}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="monitor.example.org",
        DATABASE_URL="postgres://alliance:not-a-real-password@db.invalid:5432/alliance",
        REDIS_URL="redis://redis.invalid:6379/0",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
         "TWO_FACTOR_REQUIRED_FOR_REVIEWERS", "USE_X_FORWARDED_FOR"]
print(json.dumps({name: getattr(settings, name) for name in names}))
print(json.dumps({"key_matches": settings.SECRET_KEY == open(settings_key_file).read().strip()}))
"""


def test_deploy_checks_pass_with_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_without_secret_key_refuses_to_start_and_says_why():
    result = run(["manage.py", "check"], production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE)." in result.stderr


def test_secret_key_is_read_from_the_file_named_by_secret_key_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50) + "\n")
    script = f"settings_key_file = {str(key_file)!r}\n" + PRINT_SETTINGS
    env = production_env(
        SECRET_KEY=None, SECRET_KEY_FILE=str(key_file), DJANGO_SETTINGS_MODULE="alliance_monitor.settings"
    )
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    switches, key = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert key == {"key_matches": True}
    assert switches == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "TWO_FACTOR_REQUIRED_FOR_REVIEWERS": True,
        "USE_X_FORWARDED_FOR": True,
    }


def test_two_factor_sign_in_is_optional_in_the_demo():
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.DEBUG, settings.TWO_FACTOR_REQUIRED_FOR_REVIEWERS)"
    env = production_env(DEBUG="true", SECRET_KEY=None, DJANGO_SETTINGS_MODULE="alliance_monitor.settings")
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "False"]


DEBUG_MARKS = ["Traceback", "Using the URLconf", "DEBUG = True", "You're seeing this error", "SECRET_KEY"]


def test_a_missing_page_shows_no_debug_information(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    body = response.content.decode()
    assert not [mark for mark in DEBUG_MARKS if mark in body]


@pytest.mark.urls("tests.security.failing_urls")
def test_a_server_error_shows_no_debug_information(db, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/fails/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "internal detail 4711" not in body
    assert not [mark for mark in DEBUG_MARKS if mark in body]


def test_pages_carry_the_content_security_policy(client, staff_nl):
    client.force_login(staff_nl)
    for url in (reverse("login"), reverse("two_factor_setup"), "/no-such-page/"):
        policy = client.get(url).headers.get("Content-Security-Policy", "")
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives.get("default-src") == "'self'", url
        assert directives.get("script-src") == "'self'", url
        assert directives.get("frame-ancestors") == "'none'", url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_two_factor_page_needs_no_inline_script_or_style(client, staff_nl):
    client.force_login(staff_nl)
    body = client.get(reverse("two_factor_setup")).content.decode()
    assert "<svg" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline <script> would be blocked by the CSP"
    assert not re.search(r"\sstyle=", body), "inline style attributes would be blocked by the CSP"
    assert not re.search(r"""(src|href)=["']https?://""", body), "nothing may be loaded from elsewhere"
