"""The ``antq`` command.

``antq serve`` runs gunicorn (and, with ``--with-worker``, the background worker beside it);
``antq worker`` runs the task worker; every other sub-command is a Django management
command (``antq migrate``, ``antq demo-data``, ``antq audit-verify``, ``antq check --deploy``…).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence

# gunicorn access-log line: time, request line, status, size, duration — nothing about who.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def _env() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antq.config.settings")


def _serve(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="antq serve", description="Chạy máy chủ web (gunicorn).")
    parser.add_argument("--bind", default=os.environ.get("ANTQ_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "0")))
    parser.add_argument(
        "--with-worker", action="store_true", help="chạy cả tiến trình xử lý việc nền"
    )
    args = parser.parse_args(list(argv))
    workers = args.workers or 2 * (os.cpu_count() or 1)
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "antq.config.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # No client address, user agent or referrer: a tipster must leave no trace (issue 3).
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--timeout",
        "60",
    ]
    # Our own interpreter and fixed arguments: no shell, no user input.
    processes = [subprocess.Popen(gunicorn)]  # noqa: S603
    if args.with_worker:
        processes.append(subprocess.Popen([sys.executable, "-m", "antq.cli", "worker"]))

    def stop(signum: int, frame: object) -> None:
        for proc in processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Whichever process ends first (or a signal) stops the others.
    while all(proc.poll() is None for proc in processes):
        try:
            processes[0].wait(timeout=1)
        except subprocess.TimeoutExpired:
            continue
    stop(signal.SIGTERM, None)
    for proc in processes:
        proc.wait()
    return processes[0].returncode or 0


def main(argv: Sequence[str] | None = None) -> int:
    _env()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args in (["-h"], ["--help"], ["help"]):
        print(__doc__)
        args = ["help"]
    if args[0] == "serve":
        return _serve(args[1:])
    if args[0] == "worker":
        args = ["db_worker", "--queue-name", "*", *args[1:]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["antq", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
