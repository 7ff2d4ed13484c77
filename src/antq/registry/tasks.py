"""Background work of the registry: checking and importing large files, large exports.

Each task takes the id of a ``core.Job`` that holds its parameters, claims it (only a pending
job can be claimed, in one UPDATE, so a task enqueued or run twice works once), reports
progress on it and finishes or fails it; the page of the batch (or the job page) polls that
job.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from antq.core.jobs import job_claim, job_fail, job_files_dir, job_finish, job_progress
from antq.registry import exporting, importing
from antq.registry.models import ImportBatch, ImportStatus
from antq.registry.selectors import UnitFilters, unit_list_for

logger = logging.getLogger(__name__)


@task()
def import_check_task(job_id: int) -> None:
    """Read and check every row of an uploaded file (the upload is deleted afterwards)."""
    job = job_claim(job_id)
    if job is None:
        return
    batch = ImportBatch.objects.get(pk=job.params["batch"])
    path = job_files_dir() / job.params["upload"]
    checking = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKING)

    def cancelled() -> bool:
        return not checking.exists()

    try:
        if cancelled():
            job_finish(job, message=_("Lần nhập đã bị huỷ."))
            return
        # Rows of an earlier run of this check that was cut short (a killed worker).
        batch.rows.all().delete()
        with path.open("rb") as source:
            table = importing.open_table(source, batch.filename)
            try:
                importing.batch_fill(
                    batch,
                    table,
                    progress=lambda done: job_progress(job, done, max(job.total, done)),
                    cancelled=cancelled,
                )
            finally:
                table.close()
        if not checking.update(status=ImportStatus.PREVIEW):
            batch.rows.all().delete()  # a chunk may have landed after the cancel
            job_finish(job, message=_("Lần nhập đã bị huỷ."))
            return
        job.total = batch.total_rows
        job_finish(
            job,
            message=_("Đã kiểm tra %(n)s dòng: %(ok)s dòng hợp lệ, %(bad)s dòng có lỗi.")
            % {"n": batch.total_rows, "ok": batch.valid_rows, "bad": batch.invalid_rows},
        )
    except importing.ImportFileError as exc:
        job_fail(job, exc.message)
        checking.update(status=ImportStatus.FAILED)
    except Exception:
        logger.exception("checking import batch %s failed", batch.pk)
        job_fail(job, _("Không đọc được tệp do lỗi hệ thống; chưa có gì được nhập."))
        checking.update(status=ImportStatus.FAILED)
        raise
    finally:
        path.unlink(missing_ok=True)


@task()
def import_apply_task(job_id: int) -> None:
    """Insert the accepted rows of a confirmed batch, all or nothing."""
    job = job_claim(job_id)
    if job is None:
        return
    batch_id = int(job.params["batch"])
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != ImportStatus.QUEUED or batch.job_id != job.pk:
                job_finish(job, message=_("Lần nhập này đã được xử lý trước đó."))
                return
            result = importing.batch_apply(batch, actor=job.owner)
            if result.status != "imported":
                # Back to the preview: the rows now show why; the user decides again.
                batch.status = ImportStatus.PREVIEW
                batch.save(update_fields=["status"])
        if result.status == "imported":
            job_finish(job, message=_("Đã nhập %(n)s đơn vị.") % {"n": result.count})
        elif result.status == "conflict":
            job_fail(job, importing.conflict_message(result.count))
        else:
            job_fail(job, importing.failed_message())
    except Exception:
        logger.exception("import of batch %s failed", batch_id)
        # Nothing was inserted (the transaction rolled back): let the user decide again.
        ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.PREVIEW
        )
        job_fail(job, importing.failed_message())
        raise


@task()
def units_export_task(job_id: int) -> None:
    """Write the units the job's owner may see, filtered as he asked, to an .xlsx file."""
    job = job_claim(job_id)
    if job is None:
        return
    try:
        filters = UnitFilters(**job.params.get("filters", {}))
        # The scope is the owner's scope now, not when he asked: a revoked area is not
        # exported.
        units = unit_list_for(job.owner, filters)
        total = units.count()
        job_progress(job, 0, total)
        path = job_files_dir() / f"export-{job.pk}.xlsx"
        with path.open("wb") as out:
            exporting.write_units_xlsx(
                units, out, progress=lambda done: job_progress(job, done, total)
            )
        job_finish(
            job,
            message=_("Đã xuất %(n)s đơn vị.") % {"n": total},
            result=path,
            name=exporting.export_filename(timezone.localtime()),
        )
    except Exception:
        logger.exception("export job %s failed", job_id)
        job_fail(job, _("Không xuất được tệp do lỗi hệ thống."))
        raise
