"""Hotline tips (tin báo, tố giác tội phạm), their messages, notes, files and reference data.

Nothing here identifies a tipster unless he chose to: no address, user agent or session is
ever stored. A non-anonymous tipster's name and phone, and the SMS sender's number, are kept
encrypted (``antq.core.crypto``) and read only through an audited service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antq.core.choices import choice_label
from antq.tips.status import OPEN_STATUSES, Channel, Outcome, Sender, TipStatus, Urgency


class TipCategory(models.Model):
    """What a tip is about; the list is edited by an administrator."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    description = models.CharField(_("mô tả"), max_length=500, blank=True)
    # Tips of this category about a unit are also shown to the unit's security officer.
    notify_unit = models.BooleanField(_("báo cho đơn vị liên quan"), default=False)
    default_urgency = models.CharField(
        _("mức độ mặc định"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        verbose_name = _("loại tin báo")
        verbose_name_plural = _("loại tin báo")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class TipDeadlineRule(models.Model):
    """How long verification may take, from a law and its effective date (BLTTHS Điều 147).

    A rule without a category applies to every category that has no rule of its own; the
    rule in force on the day a tip is received decides its deadline.
    """

    category = models.ForeignKey(
        TipCategory,
        verbose_name=_("loại tin báo"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_rules",
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    effective_from = models.DateField(_("hiệu lực từ"))
    days = models.PositiveSmallIntegerField(_("thời hạn (ngày)"))
    complex_days = models.PositiveSmallIntegerField(_("thời hạn khi phức tạp (ngày)"))

    class Meta:
        verbose_name = _("thời hạn giải quyết tin báo")
        verbose_name_plural = _("thời hạn giải quyết tin báo")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "effective_from"], name="tip_rule_unique_per_date"
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0) & Q(complex_days__gte=models.F("days")),
                name="tip_rule_days_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_basis} ({self.days}/{self.complex_days})"


class Partner(models.Model):
    """An application that files tips through the API or Open311 with its own key."""

    name = models.CharField(_("tên ứng dụng"), max_length=200)
    contact = models.CharField(_("đầu mối liên hệ"), max_length=300, blank=True)
    key_prefix = models.CharField(max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    class Meta:
        verbose_name = _("ứng dụng đối tác")
        verbose_name_plural = _("ứng dụng đối tác")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tip(models.Model):
    code = models.CharField(_("mã tin báo"), max_length=16, unique=True, editable=False)
    # HMAC-SHA256 of the passphrase with the server's tip key; the passphrase is never stored.
    passphrase_digest = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("kênh tiếp nhận"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        TipCategory, verbose_name=_("loại tin báo"), on_delete=models.PROTECT, related_name="+"
    )
    urgency = models.CharField(
        _("mức độ"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TipStatus.choices, default=TipStatus.NEW
    )
    outcome = models.CharField(
        _("kết quả"), max_length=24, choices=Outcome.choices, default=Outcome.NONE, blank=True
    )
    is_complex = models.BooleanField(_("phức tạp"), default=False)
    text = models.TextField(_("nội dung"))
    # ``text`` with its diacritics restored by ``textvn.restore_diacritics`` when it came
    # typed without them (an SMS, mostly); empty otherwise. Shown beside the original, which
    # is always kept as received.
    text_restored = models.TextField(_("nội dung đã thêm dấu tự động"), blank=True, editable=False)
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm xảy ra"), null=True, blank=True)
    ward = models.ForeignKey(
        "registry.AdministrativeArea",
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("đơn vị liên quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tips",
    )
    # Set when routing shows the tip to the unit's security officer as well.
    unit_notified = models.BooleanField(_("đã báo đơn vị"), default=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tips",
    )
    anonymous = models.BooleanField(_("ẩn danh"), default=True)
    # Encrypted with antq.core.crypto; empty for anonymous tipsters.
    reporter_name_enc = models.TextField(blank=True, editable=False)
    reporter_phone_enc = models.TextField(blank=True, editable=False)
    # The SMS sender's number, encrypted, kept only to reply and erased when the tip closes.
    reply_to_enc = models.TextField(blank=True, editable=False)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="tips"
    )
    # "<channel>:<source>:<key>" — a retry with the same key returns the same tip.
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("gộp vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
    )
    deadline = models.DateField(_("hạn xác minh"), null=True, blank=True)
    deadline_rule = models.ForeignKey(
        TipDeadlineRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    # Folded, abbreviation-expanded text the full-text index is built on (tips/search.py).
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("tin báo")
        verbose_name_plural = _("tin báo")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["ward", "-received_at"], name="tip_ward_received"),
            # "Mine" (an officer's open tips) and its count, from the index alone: with the
            # ward that the officer's scope tests, and the time the box is sorted by.
            models.Index(
                fields=["assignee", "status", "ward", "received_at"], name="tip_assignee_open"
            ),
            # The due and overdue boxes, read from the index alone: with the ward for a ward
            # officer's count, with the time that orders tips of the same deadline.
            models.Index(
                fields=["status", "deadline", "ward", "received_at"], name="tip_status_deadline"
            ),
            models.Index(fields=["-received_at", "-id"], name="tip_received"),
            models.Index(fields=["unit", "-received_at"], name="tip_unit_received"),
            models.Index(fields=["partner", "-received_at"], name="tip_partner_received"),
            # The inbox filtered by status or category, newest first: the database walks the
            # index and stops after the page (1.4-2.8 s → ~50 ms at a million tips).
            models.Index(fields=["status", "-received_at", "-id"], name="tip_status_received"),
            models.Index(fields=["category", "-received_at", "-id"], name="tip_category_received"),
            # A ward officer's inbox by status (and its count), from the index alone.
            models.Index(
                fields=["ward", "status", "-received_at", "-id"], name="tip_ward_status_received"
            ),
            # Covers every column the statistics of a period count (tips.statistics): each
            # grouped count reads a narrow index range, not the rows with their texts.
            models.Index(
                fields=[
                    "received_at",
                    "status",
                    "channel",
                    "category",
                    "urgency",
                    "outcome",
                    "ward",
                    "unit",
                    "deadline",
                    "closed_at",
                ],
                name="tip_statistics",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TipStatus.values), name="tip_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="tip_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="tip_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="tip_outcome_valid"
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="tip_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | (Q(reporter_name_enc="") & Q(reporter_phone_enc="")),
                name="tip_anonymous_has_no_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    # The inbox shows these on every line (core.choices says why they are
    # redefined; django-stubs declares Django's own).
    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(TipStatus, self.status)

    def get_channel_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Channel, self.channel)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def attachment_path(instance: TipAttachment, filename: str) -> str:
    # The stored name is random: the original name may identify the tipster's device.
    return f"tips/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class TipAttachment(models.Model):
    """A photo or document; served only to users who may see the tip, never by URL."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("tên tệp"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    from_tipster = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class TipMessage(models.Model):
    """The two-way dialogue with the tipster: everything here is shown to him."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(default=timezone.now)
    # When the other side first saw it (officers see unread tipster messages in the inbox).
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sender__in=Sender.values), name="tipmsg_sender_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tip_id}:{self.sender}"


class TipNote(models.Model):
    """Internal notes of the police; never shown to the tipster."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.tip_id}:note"


class Bulletin(models.Model):
    """A public crime-prevention warning (tuyên truyền phương thức, thủ đoạn)."""

    title = models.CharField(_("tiêu đề"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(_("tóm tắt"), max_length=500)
    body = models.TextField(_("nội dung"))
    category = models.ForeignKey(
        TipCategory,
        verbose_name=_("loại tin báo liên quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_published = models.BooleanField(_("đã đăng"), default=False)
    published_at = models.DateTimeField(_("ngày đăng"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cảnh báo phòng ngừa")
        verbose_name_plural = _("cảnh báo phòng ngừa")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["is_published", "-published_at"], name="bulletin_pub")]

    def __str__(self) -> str:
        return self.title
