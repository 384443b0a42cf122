"""Worker processes for bench/bench_reports.py: a Celery worker started and stopped, its memory and CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def peak_memory(pid: int) -> tuple[int, int]:
    """(highest VmHWM of one process, sum of VmHWM) in KiB, over the worker and its pool processes."""
    pids = [pid]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            pids.append(int(status.parent.name))
    peaks = []
    for one in pids:
        try:
            line = next(
                x for x in Path(f"/proc/{one}/status").read_text().splitlines() if x.startswith("VmHWM")
            )
        except (OSError, StopIteration):
            continue
        peaks.append(int(line.split()[1]))
    return max(peaks, default=0), sum(peaks)


def pool_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the worker's pool processes (its children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:  # the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class Worker:
    def __init__(self, processes: int) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)
        env = {**os.environ, "LOG_LEVEL": "INFO"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "alliance_monitor",
                "worker",
                "-P",
                "prefork",
                "-c",
                str(processes),
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-{os.getpid()}-{processes}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while " ready." not in Path(self.log.name).read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("The worker did not start:\n" + Path(self.log.name).read_text()[-3000:])
            time.sleep(0.2)

    def stop(self) -> tuple[int, int]:
        memory = peak_memory(self.process.pid)
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        return memory
