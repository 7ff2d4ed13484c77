"""Run ANTQ as in production for a benchmark: gunicorn with the production settings
(``DEBUG`` off, whitenoise manifest storage, 2 × cores sync workers) on loopback, over a
throwaway database under ``var/bench/<name>/`` (SQLite) or the PostgreSQL of ``DATABASE_URL``.

Used by the other scripts of ``bench/``; nothing here is imported by the product.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"


@dataclass(frozen=True)
class Server:
    url: str
    env: dict[str, str]
    var_dir: Path
    # The process started by ``running`` (gunicorn's master runs under it).
    pid: int | None = None

    def antq(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "antq.cli", *args],
            env=self.env,
            check=check,
            text=True,
            capture_output=True,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env(name: str, *, database_url: str | None, extra: dict[str, str]) -> dict[str, str]:
    var_dir = BENCH_DIR / name
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "antq.config.settings",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "ANTQ_HTTPS": "0",
        "ANTQ_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("ANTQ_DEMO", None)
    env.pop("DEBUG", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def ensure_postgres_database(url: str, *, drop: bool) -> None:
    """Create the database of ``url`` (dropping it first if ``drop``), via the server's
    ``postgres`` database."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(name: str, *, database_url: str | None, extra: dict[str, str]) -> Server:
    """A fresh, migrated instance with Hà Nội's wards loaded. On PostgreSQL the database is
    dropped and created again: a flush would also empty the reference data the migrations
    wrote (the tip categories)."""
    var_dir = BENCH_DIR / name
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = bench_env(name, database_url=database_url, extra=extra)
    server = Server("", env, var_dir)
    if database_url:
        ensure_postgres_database(database_url, drop=True)
    server.antq("migrate", "--no-input", "-v", "0")
    server.antq("load-areas", "--province", "1")
    server.antq("collectstatic", "--no-input", "-v", "0")
    return server


@contextmanager
def running(server: Server, *, workers: int | None = None) -> Iterator[Server]:
    port = free_port()
    workers = workers or 2 * (os.cpu_count() or 1)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "antq.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        env=server.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.2)
        yield Server(url, server.env, server.var_dir, proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
