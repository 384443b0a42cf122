"""Logs for people and for machines: every line says when (UTC), how bad, who wrote it, and for which
request or Celery task.

- ``RequestIdMiddleware`` gives every request an id (the caller's ``X-Request-ID`` when it is a sane
  one, else a new one), keeps it in a context variable for the length of the request and sends it back
  in the ``X-Request-ID`` response header, so a partner's complaint can be matched to our log lines.
- The Celery signals at the bottom put the task id in the same place while a task runs.
- ``ContextFilter`` copies it onto every log record (``request_id``; ``-`` outside requests and tasks).
- ``TextFormatter`` writes ``2026-11-29T11:37:33.123Z WARNING reporting.services [3f2a...] message``;
  ``json_formatter`` writes one JSON object a line (python-json-logger) for log collectors.
  ``LOG_FORMAT=json`` chooses the second (settings.LOGGING).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# An incoming id is reused only when it cannot forge log lines or fill the disk.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    """The id of the request or task this thread is serving, or ``-``."""
    return request_id_var.get()


class RequestIdMiddleware:
    """First in MIDDLEWARE: every log line written while serving a request carries its id."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class ContextFilter(logging.Filter):
    """Adds ``request_id`` (request or Celery task) to every record; installed on the handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a response after the middleware has returned: it passes the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class TextFormatter(logging.Formatter):
    """``<UTC ISO time>Z <LEVEL> <logger> [<request or task id>] <message>``, whatever TIME_ZONE says."""

    converter = time.gmtime
    default_msec_format = "%s.%03dZ"

    def __init__(self) -> None:
        super().__init__(
            fmt="%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            datefmt="%Y-%m-%dT%H:%M:%S",
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return self.default_msec_format % (
            time.strftime(self.datefmt, self.converter(record.created)),
            record.msecs,
        )


def json_formatter() -> JsonFormatter:
    """One JSON object a line: timestamp (UTC), level, logger, request_id, message (and exc_info)."""
    return JsonFormatter(
        "{levelname}{name}{request_id}{message}",
        style="{",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,  # ISO 8601 in UTC, from the record's creation time
    )


def logging_config(*, log_format: str, level: str) -> dict:
    """settings.LOGGING: one handler on stderr, text or JSON, with the request/task id on every line."""
    if log_format not in {"text", "json"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "alliance_monitor.logs.ContextFilter"}},
        "formatters": {
            "text": {"()": "alliance_monitor.logs.TextFormatter"},
            "json": {"()": "alliance_monitor.logs.json_formatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers (console when DEBUG, runserver's) are replaced by the one above.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
            "django.db.backends": {"level": "INFO"},
            "weasyprint.progress": {"level": "WARNING"},
            "pikepdf": {"level": "WARNING"},  # its "logger bridge initialized" on every import
            "fontTools": {"level": "WARNING"},  # dozens of INFO lines per font subset of every PDF
            # The cache's own per-call messages are replaced by the outage log (alliance_monitor.breaker).
            "django_redis": {"level": "CRITICAL"},
        },
    }


def _task_started(task_id=None, **_kwargs) -> None:
    request_id_var.set(task_id or "-")


def _task_finished(**_kwargs) -> None:
    request_id_var.set("-")


def connect_celery_signals() -> None:
    """While a task runs, its id is the ``request_id`` of its log lines (called from celery.py)."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, weak=False)
    task_postrun.connect(_task_finished, weak=False)
