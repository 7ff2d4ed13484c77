"""Background jobs: claiming, result files and their expiry, ``antq prune-jobs``."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from antq.core.jobs import (
    job_claim,
    job_create,
    job_files_dir,
    job_finish,
    job_result_file,
    job_stop,
    jobs_prune,
)
from antq.core.models import Job, JobStatus


@pytest.fixture
def var_dir(settings, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def finished_job(user: Any, *, hours_ago: float, name: str = "ket-qua.xlsx") -> Job:
    job = job_create(owner=user, kind="units_export", params={})
    path = job_files_dir() / f"export-{job.pk}.xlsx"
    path.write_bytes(b"xlsx")
    job_finish(job, result=path, name=name)
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    Job.objects.filter(pk=job.pk).update(finished_at=at)
    age(path, hours_ago)
    return Job.objects.get(pk=job.pk)


def age(path: Path, hours: float) -> None:
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def test_a_pending_job_is_claimed_once(cast) -> None:
    job = job_create(owner=cast.department, kind="units_export", params={})
    claimed = job_claim(job.pk)
    assert claimed is not None and claimed.status == JobStatus.RUNNING
    assert job_claim(job.pk) is None
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


@pytest.mark.parametrize("status", [JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED])
def test_a_job_that_is_not_pending_cannot_be_claimed(cast, status) -> None:
    job = job_create(owner=cast.department, kind="units_export", params={})
    Job.objects.filter(pk=job.pk).update(status=status)
    assert job_claim(job.pk) is None
    assert Job.objects.get(pk=job.pk).status == status


def test_a_missing_job_cannot_be_claimed(db) -> None:
    assert job_claim(987654) is None


def test_stopping_ends_only_an_unfinished_job(cast) -> None:
    pending = job_create(owner=cast.department, kind="units_import", params={})
    failed = job_create(owner=cast.department, kind="units_import", params={})
    Job.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED, message="Lỗi cũ.")
    for job in (pending, failed):
        job_stop(job.pk, "Lần nhập đã bị huỷ.")
    assert Job.objects.get(pk=pending.pk).status == JobStatus.DONE
    assert Job.objects.get(pk=pending.pk).message == "Lần nhập đã bị huỷ."
    assert Job.objects.get(pk=failed.pk).message == "Lỗi cũ."


def test_a_result_is_served_for_a_day(cast, var_dir) -> None:
    fresh = finished_job(cast.department, hours_ago=23)
    old = finished_job(cast.department, hours_ago=25)
    assert job_result_file(fresh) == (job_files_dir() / fresh.result_path).resolve()
    assert job_result_file(old) is None


def test_the_result_lifetime_is_a_setting(cast, var_dir, settings) -> None:
    settings.JOB_RESULT_HOURS = 2
    job = finished_job(cast.department, hours_ago=3)
    assert job_result_file(job) is None


def test_an_expired_result_is_not_downloaded(client, cast, var_dir) -> None:
    job = finished_job(cast.department, hours_ago=25)
    client.force_login(cast.department)
    assert client.get(f"/viec/{job.pk}/tai-ve/").status_code == 404


def test_pruning_removes_old_files_and_old_jobs_and_keeps_the_rest(cast, var_dir) -> None:
    fresh = finished_job(cast.department, hours_ago=1)
    expired = finished_job(cast.department, hours_ago=25)
    finished_job(cast.department, hours_ago=31 * 24)  # its job row goes too
    running = job_create(owner=cast.department, kind="units_import_check", params={})
    Job.objects.filter(pk=running.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    uploads = job_files_dir() / "uploads"
    uploads.mkdir()
    leftover, waiting = uploads / "cu.xlsx", uploads / "moi.xlsx"
    leftover.write_bytes(b"x")
    waiting.write_bytes(b"x")
    age(leftover, 25)

    result = jobs_prune()

    assert (result.files, result.jobs) == (3, 1)
    assert sorted(p.name for p in job_files_dir().rglob("*") if p.is_file()) == [
        f"export-{fresh.pk}.xlsx",
        "moi.xlsx",
    ]
    assert set(Job.objects.values_list("pk", flat=True)) == {fresh.pk, expired.pk, running.pk}


def test_the_prune_jobs_command_reports_what_it_removed(cast, var_dir) -> None:
    finished_job(cast.department, hours_ago=31 * 24)
    out = io.StringIO()
    call_command("prune-jobs", stdout=out)
    assert out.getvalue() == ("Đã xoá 1 tệp cũ hơn 24 giờ và 1 việc nền đã xong hơn 30 ngày.\n")
    assert Job.objects.count() == 0
