"""Cross-cutting records: the audit trail and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xoá")
    IMPORT = "import", _("Nhập từ tệp")
    DEACTIVATE = "deactivate", _("Khoá")
    ACTIVATE = "activate", _("Mở khoá")
    TOKEN_CREATE = "token_create", _("Cấp token API")
    TOKEN_REVOKE = "token_revoke", _("Thu hồi token API")
    RECEIVE = "receive", _("Tiếp nhận")
    TRANSITION = "transition", _("Chuyển trạng thái")
    ASSIGN = "assign", _("Phân công")
    MERGE = "merge", _("Gộp tin trùng")
    REVEAL = "reveal", _("Xem thông tin người báo")
    MESSAGE = "message", _("Nhắn tin")
    NOTE = "note", _("Ghi chú nội bộ")
    ERASE = "erase", _("Xoá dữ liệu cá nhân")


class AuditEntry(models.Model):
    """One append-only line of the trail, chained to the line before it by ``prev_hash``.

    Rows are never updated or deleted: database triggers refuse it (migration 0002), and
    ``antq audit-verify`` recomputes every hash to detect a row changed behind the triggers.
    ``ward_id``/``unit_id`` copy the scope of the object at the time, so the trail can be
    filtered by the same rules as the objects themselves, even after the object is deleted.
    """

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    # Plain ids rather than enforced foreign keys: an append-only row must never be touched
    # by a cascade.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("tên người thực hiện"), max_length=200, blank=True)
    action = models.CharField(_("hành động"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=100)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=300)
    ward_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    unit_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field whose value differs; a related object is
        given by the name recorded with it (see ``core.audit.snapshot``)."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(k for k in set(before) | set(after) if not k.endswith("__label"))
        return [
            (k, before.get(k + "__label", before.get(k)), after.get(k + "__label", after.get(k)))
            for k in keys
            if before.get(k) != after.get(k)
        ]


class AuditHead(models.Model):
    """The single row that holds the end of the chain; locking it serialises writers."""

    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return f"{self.length} @ {self.last_hash[:12]}"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Lỗi")


class Job(models.Model):
    """A long piece of work (import, export) run by the worker, with a progress bar.

    Only its owner may see it or download its result.
    """

    kind = models.CharField(_("loại việc"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    params = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result_path = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="job_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.progress * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class OutboxChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Thư điện tử")


class OutboxMessage(models.Model):
    """A message to send outside ANTQ (SMS reply, email), written in the same transaction as
    the change that causes it and sent by the worker (``core.outbox``).

    The recipient is encrypted: an SMS tipster's number is never readable in the database,
    and it is erased once the message is sent or given up.
    """

    channel = models.CharField(max_length=10, choices=OutboxChannel.choices)
    recipient_enc = models.TextField()
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # What the message is about, e.g. ("tips.tip", "42"); never who it goes to.
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"], name="outbox_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OutboxStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=OutboxChannel.values), name="outbox_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}#{self.pk}"


class Notification(models.Model):
    """A message to one user in ANTQ's own inbox (reminders, overdue alerts).

    ``key`` makes a notification idempotent: the same event for the same user is stored
    once, however many times the job that raises it runs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=100)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(_("khẩn"), default=False)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")
        ]
        indexes = [
            models.Index(
                fields=["user", "id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self) -> str:
        return self.title
