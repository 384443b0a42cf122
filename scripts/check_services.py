"""Say clearly which service the tests need is not answering, and how to start it."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlparse

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port {port} --save '' --appendonly no",
}


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def main(database_url: str, redis_url: str) -> int:
    missing = [
        (name, url)
        for name, url, port in (("PostgreSQL", database_url, 5432), ("Redis", redis_url, 6379))
        if not answers(url, port)
    ]
    for name, url in missing:
        command = HOW_TO_START[name].format(port=urlparse(url).port or 6379)
        print(f"{name} does not answer at {url}. Start it with:\n    {command}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
