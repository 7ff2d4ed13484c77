"""P5 (export of every tip to CSV and XLSX) and P6 (import of 50,000 units from XLSX): the
background tasks of the product, run directly, each in a process of its own.

    .venv/bin/python bench/jobs.py [--quick] [--database-url URL] [--only p5|p6]

- P5 runs ``tips.tasks.tips_export_task`` on a job of the department's officer with no
  filter (the whole city: 1M tips) over the generated city, once per format.
- P6 builds an .xlsx of ``--units`` new units in the import template's columns (names from
  ``registry.demo.units_generate``), then runs what the upload page and the worker do:
  ``import_batch_create`` (a large file goes to the worker), ``import_check_task``,
  ``import_batch_confirm`` and ``import_apply_task`` — on a fresh instance of its own
  (``var/bench/p6-<database>/``; on PostgreSQL the database ``<name>_import``), so that the
  city stays as generated.

Each measured run is a child of a small launcher process that reports the wall time and
``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident memory of that run alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from results import record

HERE = Path(__file__).resolve()
EXPORT_LIMIT_S = 60
MEMORY_LIMIT_MB = 300
IMPORT_LIMIT_S = 60


# --- Inside an instance (``--inner``): Django is set up ------------------------------------


def _setup() -> None:
    import django

    django.setup()


def inner_export(fmt: str) -> dict[str, Any]:
    _setup()
    from antq.accounts.models import User
    from antq.core.jobs import job_create, job_result_file
    from antq.core.models import Job
    from antq.tips import exporting
    from antq.tips.selectors import TipFilters
    from antq.tips.tasks import tips_export_task

    owner = User.objects.get(username="phongxdpt")
    job = job_create(
        owner=owner,
        kind=exporting.JOB_KIND_EXPORT,
        params={"filters": exporting.filters_to_params(TipFilters()), "q": "", "format": fmt},
    )
    tips_export_task.call(job.pk)
    job = Job.objects.get(pk=job.pk)
    path = job_result_file(job)
    size = path.stat().st_size if path else 0
    if path:
        path.unlink()
    return {"status": job.status, "rows": job.progress, "bytes": size, "message": job.message}


def inner_make_xlsx(units: int, seed: int, out: str) -> dict[str, Any]:
    """Write the import file (and the department's user who imports it)."""
    _setup()
    from openpyxl import Workbook

    from antq.accounts.models import User
    from antq.accounts.roles import Role
    from antq.accounts.services import user_create
    from antq.registry.demo import DEMO_PASSWORD, WardRef, units_generate
    from antq.registry.importing import COLUMNS
    from antq.registry.models import AdministrativeArea
    from antq.registry.status import UnitKind

    if not User.objects.filter(username="phongxdpt").exists():
        user_create(
            actor=None,
            data={"username": "phongxdpt", "full_name": "Cán bộ Phòng", "role": Role.DEPARTMENT},
            password=DEMO_PASSWORD,
        )
    wards = list(AdministrativeArea.objects.filter(parent__code="01", level="ward"))
    specs = units_generate(seed=seed, count=units, wards=[WardRef(w.code, w.name) for w in wards])
    ward_names = {w.code: w.name for w in wards}
    kinds = {k.value: str(k.label) for k in UnitKind}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đơn vị")
    sheet.append([c.header for c in COLUMNS])
    for s in specs:
        values = {
            **{c.field: getattr(s, c.field, "") for c in COLUMNS},
            "kind": kinds[s.kind],
            "ward": ward_names[s.ward_code],
        }
        sheet.append([values[c.field] if values[c.field] is not None else "" for c in COLUMNS])
    workbook.save(out)
    return {"units": len(specs), "bytes": Path(out).stat().st_size}


def inner_import(path: str) -> dict[str, Any]:
    _setup()
    from django.core.files import File

    from antq.accounts.models import User
    from antq.registry import importing
    from antq.registry.models import ImportBatch, Unit
    from antq.registry.tasks import import_apply_task, import_check_task

    owner = User.objects.get(username="phongxdpt")
    before = Unit.objects.count()
    with open(path, "rb") as f:
        upload = importing.import_batch_create(owner=owner, upload=File(f, name="don-vi.xlsx"))
    batch = upload.batch
    if batch.job_id:
        import_check_task.call(batch.job_id)
    batch = ImportBatch.objects.get(pk=batch.pk)
    result = importing.import_batch_confirm(batch=batch, actor=owner, only_valid=True)
    if result.status == "queued":
        batch = ImportBatch.objects.get(pk=batch.pk)
        assert batch.job_id is not None
        import_apply_task.call(batch.job_id)
    batch = ImportBatch.objects.get(pk=batch.pk)
    return {
        "status": batch.status,
        "rows": batch.total_rows,
        "valid": batch.valid_rows,
        "imported": Unit.objects.count() - before,
    }


# --- Outside --------------------------------------------------------------------------------


def launch(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``jobs.py --inner ARGS`` under a launcher; the figures, wall time and peak RSS."""
    out = subprocess.run(
        [sys.executable, str(HERE), "--launch", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def launcher(args: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(HERE), "--inner", *args], check=True, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        **json.loads(out.stdout.strip().splitlines()[-1]),
        "seconds": seconds,
        # CPU time of the run: on a busy machine it tells the work from the waiting.
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def p5(env: dict[str, str], database: str, tips: int) -> None:
    for fmt in ("csv", "xlsx"):
        figures = launch(env, "export", fmt)
        if figures["status"] != "done":
            print(f"P5 {fmt}: the job ended {figures['status']}: {figures['message']}")
        extra = {
            "rows": figures["rows"],
            "tips": tips,
            "file_mb": round(figures["bytes"] / 1e6, 1),
            "job": figures["status"],
            "cpu_seconds": round(figures["cpu_seconds"], 1),
        }
        record(
            benchmark=f"P5 export {fmt.upper()} time",
            database=database,
            value=figures["seconds"],
            unit="s",
            extra={
                **extra,
                "target": f"≤ {EXPORT_LIMIT_S} s"
                if fmt == "csv"
                else "(none; CSV's for reference)",
                **({"limit": EXPORT_LIMIT_S} if fmt == "csv" else {}),
            },
        )
        record(
            benchmark=f"P5 export {fmt.upper()} peak memory",
            database=database,
            value=figures["peak_mb"],
            unit="MB",
            extra={**extra, "target": f"≤ {MEMORY_LIMIT_MB} MB", "limit": MEMORY_LIMIT_MB},
        )


def p6(database_url: str | None, *, units: int, seed: int) -> None:
    from server import prepare

    database = "postgresql" if database_url else "sqlite"
    url = database_url + "_import" if database_url else None
    server = prepare(f"p6-{database}", database_url=url, extra={})
    path = server.var_dir / "units.xlsx"
    launch(server.env, "make-xlsx", str(units), str(seed), str(path))
    figures = launch(server.env, "import", str(path))
    if figures["imported"] != units:
        print(f"P6: {figures['imported']} of {units} units imported ({figures['status']})")
    extra = {
        "units": units,
        "imported": figures["imported"],
        "valid": figures["valid"],
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "cpu_seconds": round(figures["cpu_seconds"], 1),
    }
    record(
        benchmark="P6 import units XLSX time",
        database=database,
        value=figures["seconds"],
        unit="s",
        extra={**extra, "target": f"≤ {IMPORT_LIMIT_S} s", "limit": IMPORT_LIMIT_S},
    )
    record(
        benchmark="P6 import units XLSX peak memory",
        database=database,
        value=figures["peak_mb"],
        unit="MB",
        extra={**extra, "target": f"≤ {MEMORY_LIMIT_MB} MB", "limit": MEMORY_LIMIT_MB},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("p5", "p6"))
    parser.add_argument("--units", type=int, help="units in the P6 file (50,000; quick 5,000)")
    parser.add_argument("--inner", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--launch", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        kind, *rest = args.inner
        if kind == "export":
            figures = inner_export(rest[0])
        elif kind == "make-xlsx":
            figures = inner_make_xlsx(int(rest[0]), int(rest[1]), rest[2])
        else:
            figures = inner_import(rest[0])
        print(json.dumps(figures))
        return 0
    if args.launch:
        print(json.dumps(launcher(args.launch)))
        return 0
    database_url = args.database_url or None
    if args.only != "p6":
        from generate import city

        server = city(database_url=database_url, quick=args.quick)
        tips = int(
            server.antq(
                "shell",
                "--no-imports",
                "-c",
                "from antq.tips.models import Tip; print(Tip.objects.count())",
            ).stdout
        )
        p5(server.env, "postgresql" if database_url else "sqlite", tips)
    if args.only != "p5":
        units = args.units or (5_000 if args.quick else 50_000)
        p6(database_url, units=units, seed=7)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
