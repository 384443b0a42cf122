"""gunicorn's settings file (read from the working directory): Prometheus metrics across workers.

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
