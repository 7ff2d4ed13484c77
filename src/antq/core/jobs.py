"""Background jobs: create one, claim it in the worker, report progress, store its result file.

Result files (and uploads waiting for the worker) live in ``job_files_dir()``; they are kept
for ``settings.JOB_RESULT_HOURS`` hours, then refused and removed by ``antq prune-jobs``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from antq.core.models import Job, JobStatus

# Finished jobs are kept this long for their page and message, then deleted.
JOB_KEEP_DAYS = 30


def job_files_dir() -> Path:
    """Result files live outside MEDIA and STATIC: they are served only to their owner."""
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_result_hours() -> int:
    return int(getattr(settings, "JOB_RESULT_HOURS", 24))


def job_create(*, owner: Any, kind: str, params: dict[str, Any], total: int = 0) -> Job:
    return Job.objects.create(owner=owner, kind=kind, params=params, total=total)


def job_claim(job_id: int) -> Job | None:
    """Take a pending job for this worker; None if it is gone or another run has taken it.

    The status changes in one UPDATE, so of two runs of the same task (a retried or
    duplicated enqueue) exactly one proceeds.
    """
    if Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(status=JobStatus.RUNNING):
        return Job.objects.select_related("owner").get(pk=job_id)
    return None


def job_progress(job: Job, progress: int, total: int | None = None) -> None:
    """Save progress outside any surrounding transaction so the page can poll it."""
    job.progress = progress
    fields = ["progress"]
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
    """The result file of a finished job, while it is kept; None otherwise."""
    if job.status != JobStatus.DONE or not job.result_path or job.finished_at is None:
        return None
    if job.finished_at < timezone.now() - dt.timedelta(hours=job_result_hours()):
        return None
    base = job_files_dir().resolve()
    path = (base / job.result_path).resolve()
    if base not in path.parents or not path.exists():
        return None
    return path


@dataclass(frozen=True)
class PruneResult:
    files: int
    jobs: int


def jobs_prune(*, now: dt.datetime | None = None) -> PruneResult:
    """Delete files of the jobs directory older than the result lifetime (results, uploads the
    worker never read) and finished jobs older than ``JOB_KEEP_DAYS``."""
    now = now or timezone.now()
    cutoff = (now - dt.timedelta(hours=job_result_hours())).timestamp()
    files = 0
    for path in job_files_dir().rglob("*"):
        # A file's age is its last write: a result is written when its job finishes.
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            files += 1
    old = Job.objects.filter(
        status__in=(JobStatus.DONE, JobStatus.FAILED),
        finished_at__lt=now - dt.timedelta(days=JOB_KEEP_DAYS),
    )
    _total, by_model = old.delete()
    return PruneResult(files=files, jobs=by_model.get(Job._meta.label, 0))


def job_stop(job_id: int, message: str) -> None:
    """End a job the worker has not finished because what it works on is gone (a cancelled
    import): a pending job is never claimed; a running task finds out by itself."""
    Job.objects.filter(pk=job_id, status__in=(JobStatus.PENDING, JobStatus.RUNNING)).update(
        status=JobStatus.DONE, message=message[:500], finished_at=timezone.now()
    )
