"""Gate 7: `antq backup` takes a consistent snapshot while the server writes, and `antq restore`
puts it back into an empty instance with identical rows, a verifying audit chain and
byte-identical uploads; a damaged archive or a non-empty target is refused untouched.

Everything runs as separate processes of the real `antq` command against throwaway
instances (their own ANTQ_VAR_DIR; on PostgreSQL their own databases), the way an operator
runs them, with production settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.gate

BASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith(("postgres://", "postgresql://"))
SECRET = "gate-backup-only-" + "k" * 40

# Keeps writing through the services, one unit and one tip (with an attachment, every other
# one with a sealed identity) per round, and prints "<round> <time>" after each commit, until
# the stop file appears.
WRITER = r"""
import os, sys, time
from pathlib import Path
import django
django.setup()
from antq.accounts.models import User
from antq.registry.models import AdministrativeArea
from antq.registry.services import unit_create
from antq.tips.attachments import CleanFile
from antq.tips.models import TipCategory
from antq.tips.services import tip_receive

from django.db import connection

stop = Path(sys.argv[1])
if connection.vendor == "sqlite":
    # As on a busy server, whose readers hold checkpoints back: the latest commits are only in
    # the WAL, so a copy of the database file alone would miss them.
    connection.cursor().execute("PRAGMA wal_autocheckpoint=0")
actor = User.objects.create(username="gate-writer", full_name="Người ghi thử", role="admin")
wards = list(AdministrativeArea.objects.filter(level="ward").order_by("code")[:5])
category = TipCategory.objects.filter(is_active=True).order_by("id").first()
n = 0
while not stop.exists() and n < 5000:
    n += 1
    ward = wards[n % len(wards)]
    unit_create(actor=actor, data={"name": f"Trường thử nghiệm số {n}", "kind": "thpt",
                                   "ward": ward})
    tip_receive(
        channel="web", category=category, text=f"Tin báo thử nghiệm số {n}", ward=ward,
        anonymous=n % 2 == 0, reporter_name="" if n % 2 == 0 else f"Người báo {n}",
        attachments=[CleanFile(name=f"anh-{n}.pdf", content_type="application/pdf",
                               extension=".pdf", data=os.urandom(3000 + n))],
    )
    print(n, time.time(), flush=True)
"""

# Decrypts every sealed identity with the instance's keys; prints how many could be read.
IDENTITIES = r"""
import django
django.setup()
from antq.core.crypto import decrypt
from antq.tips.models import Tip
names = [decrypt(t.reporter_name_enc) for t in Tip.objects.exclude(reporter_name_enc="")]
print(sum(1 for name in names if name.startswith("Người báo ")), len(names))
"""


def _pg_url(dbname: str) -> str:
    parts = urlsplit(BASE_URL)
    return urlunsplit(parts._replace(path="/" + dbname))


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Instance:
    var_dir: Path
    env: dict[str, str]
    dbname: str | None

    @property
    def media(self) -> Path:
        return self.var_dir / "media"

    def antq(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "antq.cli", *args],
            env={**self.env, **(env or {})},
            text=True,
            capture_output=True,
            timeout=120,
        )

    def python(self, code: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=120,
            check=True,
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.dbname is None:
            conn = sqlite3.connect(self.var_dir / "antq.sqlite3")
            try:
                return list(conn.execute(sql).fetchall())
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(_pg_url(self.dbname)) as pg:
            return list(pg.execute(sql).fetchall())

    def table_counts(self) -> dict[str, int]:
        """Rows of every table, counted here (not by the code under test)."""
        if self.dbname is None:
            names = self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        else:
            names = self.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        return {
            name: self.query(f'SELECT count(*) FROM "{name}"')[0][0]  # noqa: S608
            for (name,) in names
        }

    def media_files(self) -> dict[str, str]:
        """sha256 of every uploaded file, by its path under MEDIA_ROOT."""
        if not self.media.exists():
            return {}
        return {
            p.relative_to(self.media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.media.rglob("*"))
            if p.is_file()
        }

    def state(self) -> tuple[dict[str, int], dict[str, str], list[tuple[Any, ...]]]:
        return self.table_counts(), self.media_files(), self.query("SELECT * FROM core_audithead")


def _instance(root: Path, name: str) -> Instance:
    var_dir = root / name
    var_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "antq.config.settings",
        "SECRET_KEY": SECRET,
        "ANTQ_HTTPS": "0",
        "ANTQ_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }
    for key in ("ANTQ_DEMO", "DEBUG", "ANTQ_ENCRYPTION_KEY", "DATABASE_URL"):
        env.pop(key, None)
    dbname = None
    if ON_POSTGRES:
        dbname = f"antq_gate_backup_{name}"
        _pg_admin(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {dbname}")
        env["DATABASE_URL"] = _pg_url(dbname)
    return Instance(var_dir, env, dbname)


def _migrate(instance: Instance) -> None:
    done = instance.antq("migrate", "--no-input", "-v", "0")
    assert done.returncode == 0, done.stderr


def _clone_schema(source: Instance, target: Instance) -> None:
    """The target gets the freshly migrated, still empty database of the source (faster than
    migrating twice)."""
    if source.dbname and target.dbname:
        _pg_admin(f"DROP DATABASE IF EXISTS {target.dbname} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {target.dbname} TEMPLATE {source.dbname}")
    else:
        shutil.copyfile(source.var_dir / "antq.sqlite3", target.var_dir / "antq.sqlite3")


def _drop(instance: Instance) -> None:
    if instance.dbname:
        _pg_admin(f"DROP DATABASE IF EXISTS {instance.dbname} WITH (FORCE)")


@dataclass
class Written:
    source: Instance
    target: Instance
    archive: Path
    quiet: Path
    manifest: dict[str, Any]
    backup_started: float
    backup_ended: float
    rounds: list[tuple[int, float]]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    """A source instance being written to while `antq backup` runs; an empty target."""
    root = tmp_path_factory.mktemp("backup-gate")
    source = _instance(root, "src")
    target = _instance(root, "dst")  # migrated, nothing else: an empty instance
    writer: subprocess.Popen[str] | None = None
    try:
        _migrate(source)
        _clone_schema(source, target)
        areas = source.antq("load-areas", "--province", "1")
        assert areas.returncode == 0, areas.stderr
        stop = root / "stop-writer"
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(stop)],
            env=source.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        rounds: list[tuple[int, float]] = []
        # Let the writer get going before the backup starts.
        while len(rounds) < 15:
            line = writer.stdout.readline()
            assert line, writer.stderr.read() if writer.stderr else "writer died"
            n, at = line.split()
            rounds.append((int(n), float(at)))
        archive = root / "during-writes.tar.gz"
        started = time.time()
        done = source.antq("backup", "--output", str(archive))
        ended = time.time()
        # At least one more commit after the backup, then stop.
        while rounds[-1][1] <= ended:
            line = writer.stdout.readline()
            assert line, writer.stderr.read() if writer.stderr else "writer died"
            n, at = line.split()
            rounds.append((int(n), float(at)))
        stop.touch()
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err
        assert done.returncode == 0, done.stderr
        assert "KHÔNG nằm trong bản sao lưu" in done.stdout  # the key stays apart
        rounds += [
            (int(n), float(at)) for n, at in (line.split() for line in out.split("\n") if line)
        ]
        with tarfile.open(archive) as tar:
            member = tar.extractfile("manifest.json")
            assert member is not None
            manifest = json.load(member)
        # Once the writing has stopped, a second backup (uncompressed) is exactly the source.
        quiet = root / "quiet.tar"
        done = source.antq("backup", "--output", str(quiet))
        assert done.returncode == 0, done.stderr
        yield Written(source, target, archive, quiet, manifest, started, ended, rounds)
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
            writer.communicate()
        _drop(source)
        _drop(target)


def test_a_backup_taken_while_writing_restores_identically_into_an_empty_instance(
    written: Written,
) -> None:
    source, target, manifest = written.source, written.target, written.manifest
    # The archive is private to its owner.
    assert written.archive.stat().st_mode & 0o777 == 0o600
    # Writes committed before, during and after the backup: the snapshot is one instant
    # among them.
    before = max(n for n, at in written.rounds if at <= written.backup_started)
    during = [n for n, at in written.rounds if written.backup_started < at < written.backup_ended]
    after = max(n for n, _ in written.rounds)
    assert during, "the writer made no commit while the backup ran"
    snapshot_tips = manifest["tables"]["tips_tip"]
    assert before <= snapshot_tips <= max(during)
    assert snapshot_tips < after

    done = target.antq("restore", str(written.archive))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Khôi phục thành công" in done.stdout

    # Identical row counts in every table, counted independently of the restore command.
    counts = target.table_counts()
    assert counts == manifest["tables"]
    assert len(counts) > 30
    # The snapshot is consistent: each tip and unit with its audit row, the chain's head in
    # step with its rows.
    receive = target.query("SELECT count(*) FROM core_auditentry WHERE action = 'receive'")
    created = target.query(
        "SELECT count(*) FROM core_auditentry "
        "WHERE action = 'create' AND object_type = 'registry.unit'"
    )
    assert receive[0][0] == counts["tips_tip"] == snapshot_tips
    assert created[0][0] == counts["registry_unit"] in (snapshot_tips, snapshot_tips + 1)
    head = target.query("SELECT last_hash, length FROM core_audithead")
    assert head == [(manifest["audit"]["head_hash"], counts["core_auditentry"])]
    verify = target.antq("audit-verify")
    assert verify.returncode == 0, verify.stderr
    assert f"{counts['core_auditentry']} dòng" in verify.stdout
    # Uploaded files: every attachment of the snapshot is there, byte-identical to the source.
    source_files, target_files = source.media_files(), target.media_files()
    attachments = target.query("SELECT file, sha256 FROM tips_tipattachment")
    assert len(attachments) == snapshot_tips
    for name, sha in attachments:
        assert target_files[name] == sha == source_files[name]
    assert all(source_files[name] == sha for name, sha in target_files.items())
    # Sealed identities read back with the same keys.
    readable, total = target.python(IDENTITIES).stdout.split()
    assert readable == total and int(total) == (snapshot_tips + 1) // 2

    # The backup taken once the writing had stopped gives exactly the source.
    done = target.antq("restore", str(written.quiet), "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert target.table_counts() == source.table_counts()
    assert target.table_counts()["tips_tip"] == after
    assert target.media_files() == source.media_files()


def _flip(path: Path, offset: int) -> None:
    with path.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0x01]))


def _damaged_copies(written: Written, root: Path) -> list[tuple[str, Path]]:
    """One changed byte: in the middle of the gzip stream, and, in an uncompressed archive,
    inside the database and inside the manifest."""
    copies = []
    gz = root / "damaged.tar.gz"
    gz.write_bytes(written.archive.read_bytes())
    _flip(gz, gz.stat().st_size // 2)
    copies.append(("gzip", gz))
    plain = written.quiet
    with tarfile.open(plain) as tar:
        members = {m.name: m for m in tar.getmembers()}
    database = next(n for n in members if n.startswith("database."))
    for label, name in (("database", database), ("manifest", "manifest.json")):
        copy = root / f"damaged-{label}.tar"
        copy.write_bytes(plain.read_bytes())
        member = members[name]
        _flip(copy, member.offset_data + member.size // 2)
        copies.append((label, copy))
    return copies


def test_a_damaged_archive_is_refused_and_the_target_left_untouched(
    written: Written, tmp_path: Path
) -> None:
    target = written.source  # non-empty, and --force: only the damage may stop the restore
    before = target.state()
    copies = _damaged_copies(written, tmp_path)
    # `--check` (the drill without restoring) tells a good archive from a damaged one.
    good = target.antq("restore", "--check", str(written.quiet))
    assert good.returncode == 0 and "nguyên vẹn" in good.stdout, good.stderr
    for label, copy in copies:
        done = target.antq("restore", "--force", str(copy))
        assert done.returncode != 0, (label, done.stdout)
        assert "hỏng" in done.stderr, (label, done.stderr)
        assert "Khôi phục thành công" not in done.stdout
        assert target.state() == before, label
    leftovers = [p.name for p in target.var_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_restoring_into_a_non_empty_database_needs_force(written: Written) -> None:
    target = written.source
    before = target.state()
    done = target.antq("restore", str(written.archive))
    assert done.returncode != 0
    assert "đang có dữ liệu" in done.stderr and "--force" in done.stderr
    assert target.state() == before


def test_restoring_with_other_keys_is_refused(written: Written) -> None:
    target = written.source
    before = target.state()
    done = target.antq(
        "restore", "--force", str(written.archive), env={"SECRET_KEY": "another-" + "x" * 40}
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr
    assert target.state() == before
