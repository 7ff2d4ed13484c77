"""Backup and restore of a whole instance: the database and the uploaded files, in one archive.

The archive is a tar file (gzip-compressed when its name ends in ``.gz``/``.tgz``) holding the
database snapshot (``database.sqlite3`` or ``database.pgdump``), the files under
``MEDIA_ROOT`` (``media/…``), ``manifest.json`` (what was saved: row counts per table, the
end of the audit chain, the sha256 of every member) and ``manifest.json.sha256``. The
manifest comes last: the members are hashed while they are streamed into the archive, so
nothing is read twice or held in memory.

The snapshot is consistent while the server keeps writing: SQLite's online backup API copies
the database in one step inside a read transaction (WAL mode: writers are not blocked), and
``pg_dump`` runs inside a REPEATABLE READ snapshot exported by the connection that also counts
the rows, so the counts describe exactly what was dumped. Uploaded files are copied after the
snapshot; a file is written before the row that names it is committed, so every file the
snapshot refers to is there (files of later tips may be too).

The encryption keys are not in the archive. The manifest carries check values (a known text
encrypted with the key, a keyed hash under ``SECRET_KEY``) so that a restore with other keys is
refused before anything is touched.

A restore verifies the archive completely before touching anything, refuses a non-empty
database unless forced, replaces the database (SQLite: an atomic rename of the file, the server
stopped; PostgreSQL: ``pg_restore --clean --single-transaction``), swaps the media directory,
then recounts every table and verifies the audit chain.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from antq.core.audit import VerifyResult, audit_verify
from antq.core.crypto import decrypt, encrypt, keyed_hash
from antq.core.models import AuditHead

FORMAT = "antq-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SHA = "manifest.json.sha256"
MEDIA_PREFIX = "media"
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_CHECK_TEXT = "antq-backup-key-check"
CHUNK = 1024 * 1024
# Tables whose rows mean the database is in use; migrations and `load-areas` fill others.
DATA_TABLES = ("accounts_user", "core_auditentry", "registry_unit", "tips_tip")
# Options of Django's PostgreSQL settings that libpq understands (the rest are Django's own).
LIBPQ_OPTIONS = frozenset(
    {
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "options",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "service",
        "passfile",
        "gssencmode",
    }
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


class _Cursor(Protocol):
    def execute(self, sql: str, /) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...


@dataclass(frozen=True)
class Member:
    size: int
    sha256: str


@dataclass
class Manifest:
    """What an archive holds; written as ``manifest.json``."""

    created_at: str
    antq_version: str
    git_revision: str | None
    vendor: str
    server_version: str
    tables: dict[str, int]
    audit_head_hash: str | None
    audit_length: int
    migrations: dict[str, list[str]]
    key_checks: dict[str, str]
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def database_member(self) -> str:
        return DB_MEMBERS[self.vendor]

    @property
    def media_files(self) -> int:
        return sum(1 for name in self.members if name.startswith(MEDIA_PREFIX + "/"))

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "antq_version": self.antq_version,
            "git_revision": self.git_revision,
            "database": {
                "vendor": self.vendor,
                "member": self.database_member,
                "server_version": self.server_version,
            },
            # The keys are never in the archive; these only tell whether a restore has them.
            "encryption_key_included": False,
            "key_checks": self.key_checks,
            "tables": self.tables,
            "audit": {"head_hash": self.audit_head_hash, "length": self.audit_length},
            "migrations": self.migrations,
            "members": {
                name: {"size": m.size, "sha256": m.sha256} for name, m in self.members.items()
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            if int(data["format_version"]) > FORMAT_VERSION:
                raise BackupError(
                    _(
                        "Bản sao lưu có định dạng phiên bản %(version)s, mới hơn phiên bản ANTQ "
                        "này đọc được. Hãy cài phiên bản ANTQ mới hơn."
                    )
                    % {"version": data["format_version"]}
                )
            manifest = cls(
                created_at=str(data["created_at"]),
                antq_version=str(data["antq_version"]),
                git_revision=data.get("git_revision"),
                vendor=str(data["database"]["vendor"]),
                server_version=str(data["database"].get("server_version", "")),
                tables={str(k): int(v) for k, v in data["tables"].items()},
                audit_head_hash=data["audit"]["head_hash"],
                audit_length=int(data["audit"]["length"]),
                migrations={str(k): list(v) for k, v in data["migrations"].items()},
                key_checks={str(k): str(v) for k, v in data["key_checks"].items()},
                members={
                    str(k): Member(int(v["size"]), str(v["sha256"]))
                    for k, v in data["members"].items()
                },
            )
            if manifest.vendor not in DB_MEMBERS:
                raise ValueError("vendor")
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(
                _("Tệp manifest.json trong bản sao lưu không hợp lệ (%(error)s).") % {"error": exc}
            ) from exc
        return manifest


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    # (table, rows in the manifest, rows after the restore; None = table missing)
    count_mismatches: list[tuple[str, int, int | None]]
    audit: VerifyResult
    audit_head_matches: bool
    unapplied_migrations: list[str]

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and self.audit.ok and self.audit_head_matches


# --- Small helpers --------------------------------------------------------------------------


def default_backup_path(now: dt.datetime | None = None) -> Path:
    """``var/backups/antq-YYYYmmdd-HHMMSS.tar.gz`` (local time)."""
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"antq-{stamp}.tar.gz"


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(_("Sao lưu chưa hỗ trợ cơ sở dữ liệu %(vendor)s.") % {"vendor": vendor})
    return vendor


def _antq_version() -> str:
    try:
        return importlib.metadata.version("antq")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _git_revision() -> str | None:
    project = Path(getattr(settings, "PROJECT_DIR", ""))
    git = shutil.which("git")
    if not git or not (project / ".git").exists():
        return None
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments, our own checkout)
            [git, "-C", str(project), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _key_checks() -> dict[str, str]:
    return {
        "encryption": encrypt(KEY_CHECK_TEXT),
        "secret_key": keyed_hash(KEY_CHECK_TEXT, purpose="backup-key-check"),
    }


def keys_match(manifest: Manifest) -> bool:
    """Whether this instance has the keys the backed-up data was written with."""
    try:
        encryption_ok = decrypt(manifest.key_checks.get("encryption", "")) == KEY_CHECK_TEXT
    except ValueError:
        encryption_ok = False
    secret_ok = manifest.key_checks.get("secret_key") == keyed_hash(
        KEY_CHECK_TEXT, purpose="backup-key-check"
    )
    return encryption_ok and secret_ok


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_names(cursor: _Cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        # Virtual tables (the FTS index) are left out: their shadow tables hold the rows.
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(str(row[0]) for row in cursor.fetchall())


def table_counts(cursor: _Cursor, vendor: str) -> dict[str, int]:
    """Rows in every table of the database ``cursor`` reads."""
    counts = {}
    for name in _table_names(cursor, vendor):
        cursor.execute(f"SELECT count(*) FROM {_quote(name)}")  # noqa: S608 (catalogue names)
        counts[name] = int(cursor.fetchone()[0])
    return counts


def _audit_head(cursor: _Cursor, tables: dict[str, int]) -> tuple[str | None, int]:
    if "core_audithead" not in tables:
        return None, 0
    cursor.execute("SELECT last_hash, length FROM core_audithead WHERE id = 1")
    row = cursor.fetchone()
    return (str(row[0]), int(row[1])) if row else (None, 0)


def _migrations(cursor: _Cursor, tables: dict[str, int]) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    result: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        result.setdefault(str(app), []).append(str(name))
    return result


class _HashingReader:
    """A read-only file that hashes what is read through it (tarfile reads exactly ``size``)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- PostgreSQL connection parameters --------------------------------------------------------


def _pg_params() -> tuple[str, dict[str, str]]:
    """The libpq connection string (without the password) and the environment for the client
    programs (the password goes there, never on a command line)."""
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    params: dict[str, Any] = {
        "dbname": db.get("NAME"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
    }
    for key, value in (db.get("OPTIONS") or {}).items():
        if key in LIBPQ_OPTIONS and isinstance(value, str | int):
            params[key] = value
    conninfo = make_conninfo(**{k: str(v) for k, v in params.items() if v not in (None, "")})
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return conninfo, env


def _pg_program(name: str, server_major: int | None) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("Không tìm thấy chương trình %(name)s: hãy cài gói postgresql-client.")
            % {"name": name}
        )
    out = subprocess.run(  # noqa: S603 (a program from PATH, fixed arguments)
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    major = int(match.group(1)) if match else 0
    if server_major is not None and major < server_major:
        raise BackupError(
            _(
                "%(name)s phiên bản %(client)s cũ hơn máy chủ PostgreSQL %(server)s: hãy cài "
                "gói postgresql-client-%(server)s."
            )
            % {"name": name, "client": major, "server": server_major}
        )
    return path


# --- Backup ----------------------------------------------------------------------------------


def _snapshot_sqlite(target: Path) -> Manifest:
    source_path = Path(settings.DATABASES["default"]["NAME"])
    if not source_path.exists():
        raise BackupError(_("Không có cơ sở dữ liệu %(path)s để sao lưu.") % {"path": source_path})
    source = sqlite3.connect(source_path, timeout=20)
    dest = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy happens inside one read transaction, so it is a
        # consistent snapshot; in WAL mode writers carry on meanwhile.
        source.backup(dest, pages=-1)
    finally:
        source.close()
    try:
        # A single self-contained file: no WAL beside it.
        dest.execute("PRAGMA journal_mode=DELETE")
        check = dest.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(
                _("Cơ sở dữ liệu bị lỗi, không sao lưu được: %(error)s") % {"error": check}
            )
        cursor = dest.cursor()
        tables = table_counts(cursor, "sqlite")
        head, length = _audit_head(cursor, tables)
        migrations = _migrations(cursor, tables)
    finally:
        dest.close()
    return Manifest(
        created_at="",
        antq_version="",
        git_revision=None,
        vendor="sqlite",
        server_version=sqlite3.sqlite_version,
        tables=tables,
        audit_head_hash=head,
        audit_length=length,
        migrations=migrations,
        key_checks={},
    )


def _snapshot_postgresql(target: Path) -> Manifest:
    import psycopg

    conninfo, env = _pg_params()
    with psycopg.connect(conninfo, password=env.get("PGPASSWORD")) as conn:
        server_major = conn.info.server_version // 10000
        pg_dump = _pg_program("pg_dump", server_major)
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot_id, server_version = cursor.fetchone() or ("", "")
            # pg_dump reads the very snapshot this transaction counts rows in.
            dump = subprocess.run(  # noqa: S603 (pg_dump from PATH, fixed arguments)
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    f"--dbname={conninfo}",
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if dump.returncode != 0:
                raise BackupError(
                    _("pg_dump thất bại: %(error)s") % {"error": dump.stderr.strip()[-2000:]}
                )
            tables = table_counts(cursor, "postgresql")
            head, length = _audit_head(cursor, tables)
            migrations = _migrations(cursor, tables)
    return Manifest(
        created_at="",
        antq_version="",
        git_revision=None,
        vendor="postgresql",
        server_version=str(server_version),
        tables=tables,
        audit_head_hash=head,
        audit_length=length,
        migrations=migrations,
        key_checks={},
    )


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Regular files under ``root`` (no symbolic links), with their archive names."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file():
                continue
            yield path, f"{MEDIA_PREFIX}/{path.relative_to(root).as_posix()}"


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> Member:
    with path.open("rb") as raw:
        st = os.fstat(raw.fileno())
        info = tarfile.TarInfo(name)
        info.size = st.st_size
        info.mtime = int(st.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    return Member(reader.size, reader.sha.hexdigest())


def _add_bytes(tar: tarfile.TarFile, data: bytes, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _open_for_writing(path: Path, raw: IO[bytes]) -> tarfile.TarFile:
    if path.name.endswith((".gz", ".tgz")):
        return tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6)
    return tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT)


def backup_create(output: Path) -> Manifest:
    """Write a backup archive to ``output`` (created under a temporary name in the same
    directory, then renamed, mode 0600) and return its manifest."""
    vendor = _vendor()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".antq-backup-") as staging:
        db_file = Path(staging) / DB_MEMBERS[vendor]
        if vendor == "sqlite":
            manifest = _snapshot_sqlite(db_file)
        else:
            manifest = _snapshot_postgresql(db_file)
        manifest.created_at = timezone.localtime().isoformat(timespec="seconds")
        manifest.antq_version = _antq_version()
        manifest.git_revision = _git_revision()
        manifest.key_checks = _key_checks()
        fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=".antq-backup-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as raw:
                with _open_for_writing(output, raw) as tar:
                    manifest.members[db_file.name] = _add_file(tar, db_file, db_file.name)
                    for path, name in _media_files(Path(settings.MEDIA_ROOT)):
                        manifest.members[name] = _add_file(tar, path, name)
                    body = manifest.to_json()
                    _add_bytes(tar, body, MANIFEST)
                    digest = hashlib.sha256(body).hexdigest()
                    _add_bytes(tar, f"{digest}  {MANIFEST}\n".encode(), MANIFEST_SHA)
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, output)
            _fsync_dir(output.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return manifest


# --- Reading and verifying an archive ---------------------------------------------------------


def _allowed_name(name: str) -> bool:
    """A manifest, a database snapshot or a file under ``media/``; no absolute path, no
    ``..``, nothing that could land outside the directories a restore writes to."""
    path = PurePosixPath(name)
    if path.is_absolute() or "\\" in name or str(path) != name:
        return False
    if any(part in ("", ".", "..") for part in path.parts):
        return False
    if name in (MANIFEST, MANIFEST_SHA, *DB_MEMBERS.values()):
        return True
    return path.parts[0] == MEDIA_PREFIX and len(path.parts) > 1


def _unreadable(path: Path, exc: BaseException) -> BackupError:
    return BackupError(
        _(
            "Không đọc được tệp sao lưu %(path)s: tệp bị hỏng hoặc không phải bản sao lưu của "
            "ANTQ (%(error)s)."
        )
        % {"path": path, "error": str(exc) or type(exc).__name__}
    )


@contextmanager
def _members(path: Path) -> Iterator[Iterator[tuple[tarfile.TarInfo, IO[bytes]]]]:
    """The regular-file members of the archive, each with a stream of its content; anything
    else (links, devices, unsafe names) is refused."""
    if not path.is_file():
        raise BackupError(_("Không có tệp sao lưu %(path)s.") % {"path": path})
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 (closed below, after iterating)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise _unreadable(path, exc) from exc

    def iterate() -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
        for member in tar:
            if not member.isreg() or not _allowed_name(member.name):
                raise BackupError(
                    _("Bản sao lưu chứa mục không hợp lệ: %(name)s.") % {"name": member.name}
                )
            stream = tar.extractfile(member)
            if stream is None:  # pragma: no cover - regular files always have a stream
                continue
            yield member, stream

    try:
        yield iterate()
    # Only errors of decoding: a failed write of the restored files is not a bad archive.
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _unreadable(path, exc) from exc
    finally:
        tar.close()


def _copy_hashing(stream: IO[bytes], out: IO[bytes] | None) -> Member:
    sha = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return Member(size, sha.hexdigest())


def _mismatch(name: str) -> BackupError:
    return BackupError(
        _(
            "Bản sao lưu bị hỏng: mục %(name)s không khớp mã băm SHA-256 trong manifest. "
            "Không có gì bị thay đổi."
        )
        % {"name": name}
    )


def backup_verify(path: Path) -> Manifest:
    """Read the whole archive and check the manifest and the sha256 of every member."""
    seen: dict[str, Member] = {}
    manifest_raw = b""
    manifest_sha = b""
    with _members(path) as members:
        for member, stream in members:
            if member.name in seen:
                raise BackupError(
                    _("Bản sao lưu chứa hai mục cùng tên: %(name)s.") % {"name": member.name}
                )
            if member.name == MANIFEST:
                manifest_raw = stream.read()
                seen[MANIFEST] = Member(len(manifest_raw), "")
            elif member.name == MANIFEST_SHA:
                manifest_sha = stream.read(1024)
                seen[MANIFEST_SHA] = Member(len(manifest_sha), "")
            else:
                seen[member.name] = _copy_hashing(stream, None)
    if not manifest_raw or not manifest_sha:
        raise BackupError(
            _(
                "Bản sao lưu thiếu manifest.json (tệp bị cắt cụt, bị hỏng, hoặc không phải bản "
                "sao lưu của ANTQ)."
            )
        )
    expected = manifest_sha.decode("ascii", "replace").split(" ")[0].strip()
    if hashlib.sha256(manifest_raw).hexdigest() != expected:
        raise _mismatch(MANIFEST)
    manifest = Manifest.from_json(manifest_raw)
    for name, expected_member in manifest.members.items():
        if seen.get(name) != expected_member:
            if name not in seen:
                raise BackupError(_("Bản sao lưu bị hỏng: thiếu mục %(name)s.") % {"name": name})
            raise _mismatch(name)
    extra = set(seen) - set(manifest.members) - {MANIFEST, MANIFEST_SHA}
    if extra:
        raise BackupError(
            _("Bản sao lưu chứa mục không có trong manifest: %(name)s.")
            % {"name": sorted(extra)[0]}
        )
    if manifest.database_member not in seen:
        raise BackupError(
            _("Bản sao lưu thiếu cơ sở dữ liệu (%(name)s).") % {"name": manifest.database_member}
        )
    return manifest


# --- Restore ---------------------------------------------------------------------------------


def database_contents() -> dict[str, int]:
    """Rows in the tables that mean the configured database is in use (empty: safe to
    restore into). Tables that do not exist yet count as empty."""
    existing = set(connection.introspection.table_names())
    found = {}
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in existing:
                cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608
                n = int(cursor.fetchone()[0])
                if n:
                    found[table] = n
    return found


def unknown_migrations(manifest: Manifest) -> list[str]:
    """Migrations in the backup this version of ANTQ does not have (a newer backup)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(manifest.migrations.items())
        for name in names
        if (app, name) not in known
    ]


def _unapplied_migrations(manifest: Manifest) -> list[str]:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    saved = {(app, name) for app, names in manifest.migrations.items() for name in names}
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in saved)


def _extract(path: Path, manifest: Manifest, db_target: Path, media_stage: Path) -> None:
    """Second pass: write the database member and the media files, hashing again (the file
    may have changed since it was verified)."""
    with _members(path) as members:
        for member, stream in members:
            name = member.name
            if name in (MANIFEST, MANIFEST_SHA):
                continue
            if name == manifest.database_member:
                target = db_target
            elif name in DB_MEMBERS.values():
                raise _mismatch(name)
            else:
                relative = PurePosixPath(name).relative_to(MEDIA_PREFIX)
                target = media_stage.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                got = _copy_hashing(stream, out)
                out.flush()
                os.fsync(out.fileno())
            if got != manifest.members.get(name):
                raise _mismatch(name)
            if target != db_target:
                os.chmod(target, 0o644)
                os.utime(target, (member.mtime, member.mtime))


def _replace_sqlite(snapshot: Path) -> None:
    db_path = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    if db_path.exists():
        # Leaving WAL mode needs the only connection: if another process has the database
        # open, the server or the worker is still running.
        probe = sqlite3.connect(db_path, timeout=5)
        try:
            mode = probe.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = ""
        finally:
            probe.close()
        if mode != "delete":
            raise BackupError(
                _(
                    "Cơ sở dữ liệu %(path)s đang được tiến trình khác dùng. Hãy dừng máy chủ "
                    "và tiến trình nền (antq serve, antq worker) rồi chạy lại."
                )
                % {"path": db_path}
            )
        # A WAL left beside the old file would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(snapshot, db_path)
    _fsync_dir(db_path.parent)


def _restore_postgresql(dump: Path) -> None:
    import psycopg

    conninfo, env = _pg_params()
    with psycopg.connect(conninfo, password=env.get("PGPASSWORD")) as conn:
        server_major = conn.info.server_version // 10000
    pg_restore = _pg_program("pg_restore", server_major)
    connections.close_all()
    # One transaction: either the whole backup is in place, or nothing changed.
    result = subprocess.run(  # noqa: S603 (pg_restore from PATH, fixed arguments)
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(
            _("pg_restore thất bại, cơ sở dữ liệu không thay đổi: %(error)s")
            % {"error": result.stderr.strip()[-2000:]}
        )


def _swap_media(stage: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    old = media.parent / f".media-old-{secrets.token_hex(4)}"
    if media.exists():
        os.replace(media, old)
    os.replace(stage, media)
    shutil.rmtree(old, ignore_errors=True)


def restored_check(manifest: Manifest) -> RestoreResult:
    """Recount the tables and verify the audit chain of the configured database."""
    with connection.cursor() as cursor:
        counts = table_counts(cursor, connection.vendor)
    mismatches = [
        (table, expected, counts.get(table))
        for table, expected in manifest.tables.items()
        if counts.get(table) != expected
    ]
    head = AuditHead.objects.filter(id=1).first()
    return RestoreResult(
        manifest=manifest,
        count_mismatches=mismatches,
        audit=audit_verify(),
        audit_head_matches=(head.last_hash if head else None) == manifest.audit_head_hash,
        unapplied_migrations=_unapplied_migrations(manifest),
    )


def backup_restore(path: Path, *, force: bool = False, ignore_keys: bool = False) -> RestoreResult:
    """Replace the configured database and uploaded files by the archive's.

    Nothing is touched until the whole archive has been verified, the database vendor and
    migrations are known to match, the keys match (unless ``ignore_keys``) and the database
    is empty (unless ``force``).
    """
    manifest = backup_verify(path)
    vendor = _vendor()
    if manifest.vendor != vendor:
        raise BackupError(
            _(
                "Bản sao lưu là của cơ sở dữ liệu %(backup)s, nhưng máy này cấu hình "
                "%(current)s (DATABASE_URL)."
            )
            % {"backup": manifest.vendor, "current": vendor}
        )
    if unknown := unknown_migrations(manifest):
        raise BackupError(
            _(
                "Bản sao lưu được tạo bởi phiên bản ANTQ mới hơn (có bước chuyển đổi cơ sở dữ "
                "liệu %(migration)s mà bản này không có). Hãy cài phiên bản ANTQ %(version)s "
                "hoặc mới hơn rồi khôi phục."
            )
            % {"migration": unknown[0], "version": manifest.antq_version}
        )
    if not ignore_keys and not keys_match(manifest):
        raise BackupError(
            _(
                "Khoá của máy này (SECRET_KEY, ANTQ_ENCRYPTION_KEY) khác khoá lúc sao lưu: "
                "thông tin người báo tin sẽ không đọc được. Hãy đặt đúng các khoá cũ rồi chạy "
                "lại. Nếu khoá cũ đã mất hẳn, thêm --ignore-keys."
            )
        )
    if not force and (found := database_contents()):
        what = ", ".join(f"{table}: {n}" for table, n in found.items())
        raise BackupError(
            _(
                "Cơ sở dữ liệu đích đang có dữ liệu (%(what)s). Khôi phục sẽ thay toàn bộ dữ "
                "liệu này. Nếu chắc chắn, chạy lại với --force."
            )
            % {"what": what}
        )
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    if vendor == "sqlite":
        db_dir = Path(settings.DATABASES["default"]["NAME"]).parent
        db_dir.mkdir(parents=True, exist_ok=True)
    else:
        db_dir = var_dir
    fd, db_tmp_name = tempfile.mkstemp(dir=db_dir, prefix=".antq-restore-", suffix=".part")
    os.close(fd)
    db_tmp = Path(db_tmp_name)
    media_stage = Path(tempfile.mkdtemp(dir=media.parent, prefix=".media-restore-"))
    try:
        _extract(path, manifest, db_tmp, media_stage)
        if vendor == "sqlite":
            _replace_sqlite(db_tmp)
        else:
            _restore_postgresql(db_tmp)
        _swap_media(media_stage)
    finally:
        db_tmp.unlink(missing_ok=True)
        with suppress(OSError):
            shutil.rmtree(media_stage)
    connections.close_all()
    return restored_check(manifest)
