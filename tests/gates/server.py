"""A real ANTQ server for the quality gates: a throwaway production instance, run as in
production, that tests can start, kill and restart.

The instance has its own ``ANTQ_VAR_DIR`` under a temporary directory and its own database:
a SQLite file there, or — when the suite runs with ``DATABASE_URL=postgres://…`` — a
throwaway PostgreSQL database created beside the suite's (same server and role) and dropped
afterwards. The settings are the production ones: no ``ANTQ_DEMO``, ``DEBUG`` off, a real
``SECRET_KEY``, manifest static files, the database task backend. Only HTTPS is off (the
server listens on plain loopback HTTP).

The web server is ``antq serve`` (gunicorn with the production access-log format); the
worker is ``antq worker``. Production sends both processes' output to the journal; here it
goes to files under ``<var>/log/``, which the gates read (and search for traces).

Nothing here imports Django: every question to the instance is a subprocess (``antq shell``),
so the test process never shares a connection or a setting with the server.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

SMS_SECRET = "gate-sms-webhook-secret-2f9c"
PARTNER_KEY = "p311_gate-partner-key-7d41c0"
OFFICER = "gate.department"
# Variables of the test run that must not leak into a production process.
TEST_ONLY_VARIABLES = (
    "ANTQ_DEMO",
    "DEBUG",
    "ANTQ_TEST_DB_TASKS",
    "PYTEST_ADDOPTS",
    "PYTEST_CURRENT_TEST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

SETUP = """
import json
from antq.accounts.roles import Role
from antq.accounts.services import token_create, user_create
from antq.tips.services import partner_create
officer = user_create(
    actor=None,
    data={"username": %(officer)r, "full_name": "Cán bộ kiểm thử cổng", "role": Role.DEPARTMENT},
)
_, token = token_create(actor=None, user=officer, name="gate")
partner, _ = partner_create(actor=None, name="Ứng dụng kiểm thử cổng", key=%(key)r)
print(json.dumps({"token": token, "officer_id": officer.pk, "partner_id": partner.pk}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psql_args(database_url: str) -> list[str]:
    parts = urlsplit(database_url)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        args += ["-U", parts.username]
    return args


@dataclass
class Instance:
    """One throwaway production instance and its processes."""

    root: Path
    suite_database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    web_workers: int = 0  # 0: antq serve's own default (2 × cores), as in production
    port: int = field(default_factory=free_port)
    database_name: str = ""
    token: str = ""
    officer_id: int = 0
    partner_id: int = 0
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    _outputs: list[TextIO] = field(default_factory=list)

    # --- paths and environment ---------------------------------------------------------

    @property
    def var_dir(self) -> Path:
        return self.root / "var"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_postgres(self) -> bool:
        return bool(self.suite_database_url)

    @property
    def database_url(self) -> str | None:
        if not self.suite_database_url:
            return None
        parts = urlsplit(self.suite_database_url)
        return urlunsplit(parts._replace(path="/" + self.database_name))

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "antq.config.settings",
                "SECRET_KEY": "gate-only-" + "k" * 50,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "ANTQ_HTTPS": "0",
                "ANTQ_VAR_DIR": str(self.var_dir),
                "ANTQ_SMS_WEBHOOK_SECRET": SMS_SECRET,
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
                **self.extra_env,
            }
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        else:
            env.pop("DATABASE_URL", None)
        return env

    # --- management commands -------------------------------------------------------------

    def antq(self, *args: str, check: bool = True, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "antq.cli", *args],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"antq {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout + done.stderr if not check else done.stdout

    def python(self, code: str) -> Any:
        """Run ``code`` in ``antq shell`` against the instance; it prints one JSON value."""
        out = self.antq("shell", "--no-imports", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    # --- life cycle ----------------------------------------------------------------------

    def prepare(self) -> Instance:
        """Create the database, migrate, load Hà Nội's wards, collect static files, and
        register the gates' officer (with an API token) and partner application."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.log_dir.mkdir(parents=True)
        if self.suite_database_url:
            self.database_name = f"antq_gate_{os.getpid()}_{secrets.token_hex(4)}"
            subprocess.run(
                ["createdb", *_psql_args(self.suite_database_url), self.database_name],
                check=True,
                capture_output=True,
            )
        self.antq("migrate", "--no-input", "-v", "0")
        self.antq("load-areas", "--province", "1")
        self.antq("collectstatic", "--no-input", "-v", "0")
        ids = self.python(SETUP % {"officer": OFFICER, "key": PARTNER_KEY})
        self.token, self.officer_id, self.partner_id = (
            ids["token"],
            ids["officer_id"],
            ids["partner_id"],
        )
        return self

    def prepare_from(self, template: Instance) -> Instance:
        """A copy of a prepared, stopped instance: its var dir (SQLite file, static files)
        or its PostgreSQL database (``createdb --template``), with the same officer and
        partner — faster than preparing another."""
        assert template.web is None and template.worker is None, "stop the template first"
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.copytree(template.var_dir, self.var_dir, ignore=shutil.ignore_patterns("log"))
        self.log_dir.mkdir()
        if self.suite_database_url:
            self.database_name = f"antq_gate_{os.getpid()}_{secrets.token_hex(4)}"
            subprocess.run(
                [
                    "createdb",
                    *_psql_args(self.suite_database_url),
                    "--template",
                    template.database_name,
                    self.database_name,
                ],
                check=True,
                capture_output=True,
            )
        self.token, self.officer_id, self.partner_id = (
            template.token,
            template.officer_id,
            template.partner_id,
        )
        return self

    def _output(self, name: str) -> TextIO:
        handle = (self.log_dir / name).open("a", encoding="utf-8")
        self._outputs.append(handle)
        return handle

    def start_web(self, *, timeout: float = 60) -> None:
        """``antq serve`` as in production; stdout (access log) and stderr (gunicorn's and
        Django's logs) to files. Its own process group, so that it can be killed whole."""
        assert self.web is None or self.web.poll() is not None, "the web server is running"
        self.web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "antq.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                *(["--workers", str(self.web_workers)] if self.web_workers else []),
            ],
            env=self.env,
            stdout=self._output("web.out.log"),
            stderr=self._output("web.err.log"),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.web.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start; see " + str(self.log_dir))
            time.sleep(0.2)

    def start_worker(self) -> None:
        assert self.worker is None or self.worker.poll() is not None, "the worker is running"
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "antq.cli", "worker"],
            env=self.env,
            stdout=self._output("worker.out.log"),
            stderr=self._output("worker.err.log"),
            start_new_session=True,
        )

    @staticmethod
    def _signal(proc: subprocess.Popen[bytes] | None, signum: int, timeout: float = 30) -> None:
        if proc is None or proc.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def kill_web(self) -> None:
        """SIGKILL to ``antq serve``, the gunicorn master and every worker at once."""
        self._signal(self.web, signal.SIGKILL)
        self._wait_group_gone(self.web)

    def kill_worker(self) -> None:
        self._signal(self.worker, signal.SIGKILL)
        self._wait_group_gone(self.worker)

    @staticmethod
    def _wait_group_gone(proc: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
        """Gunicorn's workers are grandchildren: wait until no process of the group is left."""
        if proc is None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        """A graceful stop (SIGTERM), as systemd does."""
        self._signal(self.web, signal.SIGTERM)
        self._signal(self.worker, signal.SIGTERM)
        self._wait_group_gone(self.web)
        self._wait_group_gone(self.worker)

    def destroy(self) -> None:
        self.stop()
        for handle in self._outputs:
            handle.close()
        if self.suite_database_url and self.database_name:
            subprocess.run(
                [
                    "dropdb",
                    *_psql_args(self.suite_database_url),
                    "--if-exists",
                    "--force",
                    self.database_name,
                ],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    # --- what the gates inspect ------------------------------------------------------------

    def files(self) -> Iterator[Path]:
        """Every file under the instance's var dir (database, logs, media, counters, cache),
        except the collected static files, which come from the source tree."""
        static = self.var_dir / "static"
        for path in sorted(self.var_dir.rglob("*")):
            if path.is_file() and static not in path.parents:
                yield path

    def logs(self) -> str:
        return "\n".join(
            p.read_text(encoding="utf-8", errors="replace") for p in sorted(self.log_dir.iterdir())
        )

    def dump(self) -> str:
        """The whole database as SQL text."""
        if self.suite_database_url:
            assert self.database_url
            return subprocess.run(
                ["pg_dump", *_psql_args(self.suite_database_url), "-d", self.database_name],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        connection = sqlite3.connect(self.var_dir / "antq.sqlite3")
        try:
            return "\n".join(connection.iterdump())
        finally:
            connection.close()


@contextmanager
def instance(
    root: Path,
    *,
    template: Instance | None = None,
    extra_env: dict[str, str] | None = None,
    web_workers: int = 0,
    worker: bool = True,
) -> Iterator[Instance]:
    """A prepared instance (a copy of ``template`` if given) with its web server (and
    worker) running; destroyed afterwards."""
    server = Instance(
        root,
        suite_database_url=gate_database_url(),
        extra_env=extra_env or {},
        web_workers=web_workers,
    )
    try:
        if template is not None:
            server.prepare_from(template)
        else:
            server.prepare()
        server.start_web()
        if worker:
            server.start_worker()
        yield server
    finally:
        server.destroy()


def gate_database_url() -> str | None:
    """The suite's PostgreSQL server, when the suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None
