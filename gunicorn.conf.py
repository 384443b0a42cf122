"""gunicorn's settings file (read from the working directory): its log lines in the app's format, and
Prometheus metrics across workers.

With PROMETHEUS_MULTIPROC_DIR set, each worker process writes its counters to files in that folder and
/metrics adds them up (alliance_monitor/metrics.py). The folder is emptied when gunicorn starts, and a
worker that exits is marked dead so its live gauges stop counting.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _logging() -> dict:
    """gunicorn's own lines (start, workers, access log) in the app's format: UTC time, level, logger."""
    from alliance_monitor.logs import logging_config

    config = logging_config(
        log_format=os.environ.get("LOG_FORMAT", "text").lower() or "text",
        level=os.environ.get("LOG_LEVEL", "INFO") or "INFO",
    )
    for name in ("gunicorn.error", "gunicorn.access"):
        config["loggers"][name] = {"handlers": [], "level": "INFO", "propagate": True}
    return config


logconfig_dict = _logging()
# The access log (when asked for with --access-logfile): the line's time and level come from the formatter.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'


def post_worker_init(worker) -> None:
    # With logconfig_dict gunicorn would log every request; only do so when --access-logfile asks for it.
    import logging

    logging.getLogger("gunicorn.access").setLevel(logging.INFO if worker.cfg.accesslog else logging.WARNING)
