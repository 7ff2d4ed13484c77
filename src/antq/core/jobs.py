"""Background jobs: create one, report progress from the worker, store its result file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from antq.core.models import Job, JobStatus


def job_files_dir() -> Path:
    """Result files live outside MEDIA and STATIC: they are served only to their owner."""
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_create(*, owner: Any, kind: str, params: dict[str, Any], total: int = 0) -> Job:
    return Job.objects.create(owner=owner, kind=kind, params=params, total=total)


def job_progress(job: Job, progress: int, total: int | None = None) -> None:
    """Save progress outside any surrounding transaction so the page can poll it."""
    job.progress = progress
    fields = ["progress", "status"]
    job.status = JobStatus.RUNNING
    if total is not None:
        job.total = total
        fields.append("total")
    Job.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})


def job_finish(job: Job, *, message: str = "", result: Path | None = None, name: str = "") -> None:
    job.status = JobStatus.DONE
    job.progress = job.total
    job.message = message[:500]
    job.finished_at = timezone.now()
    if result is not None:
        job.result_path = str(result.relative_to(job_files_dir()))
        job.result_name = name or result.name
    job.save()


def job_fail(job: Job, message: str) -> None:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=message[:500], finished_at=timezone.now()
        )


def job_result_file(job: Job) -> Path | None:
    if job.status != JobStatus.DONE or not job.result_path:
        return None
    base = job_files_dir().resolve()
    path = (base / job.result_path).resolve()
    if base not in path.parents or not path.exists():
        return None
    return path
