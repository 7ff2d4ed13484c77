"""Complaint and denunciation cases, their legal deadlines and the rules those come from.

The denunciator's identity (Luật Tố cáo 2018 Điều 47, 56) lives in ``SealedIdentity``,
encrypted, apart from the case; the case itself carries only a pseudonym.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from antq.cases.status import (
    CaseChannel,
    CaseKind,
    CaseStatus,
    Complexity,
    DayCount,
    DocumentType,
    Stage,
)
from antq.core.choices import choice_label


class Law(models.TextChoices):
    COMPLAINTS_2011 = "kn2011", _("Luật Khiếu nại 02/2011/QH13")
    DENUNCIATIONS_2018 = "tc2018", _("Luật Tố cáo 25/2018/QH14")
    LABOUR_2018 = "nd24_2018", _("Nghị định 24/2018/NĐ-CP (khiếu nại về lao động)")
    CITIZENS_2013 = "tcd2013", _("Luật Tiếp công dân 42/2013/QH13")
    AMENDMENT_2025 = "l136_2025", _("Luật 136/2025/QH15 (sửa đổi)")
    INTERNAL = "noi_bo", _("Quy định của Công an thành phố")


class DeadlineRule(models.Model):
    """How many days a stage of a kind of case may take under a law, from a date on.

    Rules are data: a new law (Luật 136/2025 from 01/07/2026) is a new row with a later
    ``effective_from``; the row in force on the day a stage starts decides its deadline.
    Empty columns fall back: complex → normal, remote → normal, remote and complex →
    complex. ``extension_days`` is what one extension adds (Luật Tố cáo Điều 30); a complex
    case may be extended ``extensions_complex`` times, a very complex one
    ``extensions_very_complex`` times.
    """

    law = models.CharField(_("văn bản"), max_length=20, choices=Law.choices)
    article = models.CharField(_("điều, khoản"), max_length=200)
    kind = models.CharField(_("loại vụ việc"), max_length=20, choices=CaseKind.choices)
    stage = models.CharField(_("giai đoạn"), max_length=20, choices=Stage.choices)
    private_enterprise = models.BooleanField(
        _("khiếu nại trong doanh nghiệp ngoài nhà nước"),
        default=False,
        help_text=_("Khiếu nại về lao động trong doanh nghiệp tư nhân, FDI (NĐ 24/2018)."),
    )
    effective_from = models.DateField(_("hiệu lực từ ngày"))
    day_count = models.CharField(_("cách tính"), max_length=10, choices=DayCount.choices)
    days = models.PositiveSmallIntegerField(_("thời hạn (ngày)"))
    complex_days = models.PositiveSmallIntegerField(_("vụ việc phức tạp"), null=True, blank=True)
    remote_days = models.PositiveSmallIntegerField(_("vùng sâu, vùng xa"), null=True, blank=True)
    remote_complex_days = models.PositiveSmallIntegerField(
        _("vùng sâu, vùng xa và phức tạp"), null=True, blank=True
    )
    extension_days = models.PositiveSmallIntegerField(_("mỗi lần gia hạn (ngày)"), default=0)
    extensions_complex = models.PositiveSmallIntegerField(
        _("số lần gia hạn, vụ việc phức tạp"), default=0
    )
    extensions_very_complex = models.PositiveSmallIntegerField(
        _("số lần gia hạn, vụ việc đặc biệt phức tạp"), default=0
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("quy định thời hạn")
        verbose_name_plural = _("quy định thời hạn")
        ordering = ["kind", "stage", "private_enterprise", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stage", "private_enterprise", "effective_from"],
                name="case_rule_one_per_day",
            ),
            models.CheckConstraint(condition=models.Q(days__gt=0), name="case_rule_days_positive"),
            models.CheckConstraint(
                condition=models.Q(day_count__in=DayCount.values), name="case_rule_day_count_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_law_display()} {self.article}: {self.days}"

    def get_law_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(Law, self.law)


class CalendarDayKind(models.TextChoices):
    OFF = "off", _("Ngày nghỉ")
    WORKING = "working", _("Ngày làm bù")


class CalendarDay(models.Model):
    """A day the government moved: an extra day off, or a weekend worked in exchange.

    The fixed and lunar holidays (Tết Nguyên đán, Giỗ Tổ Hùng Vương) come from the
    ``holidays`` package; these rows override it for the swaps announced each year.
    """

    day = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=CalendarDayKind.choices)
    note = models.CharField(_("căn cứ, ghi chú"), max_length=300)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CalendarDayKind.values), name="calendar_day_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.kind}"


class Case(models.Model):
    """One complaint, denunciation, petition or internal conflict, from receipt to closing."""

    code = models.CharField(_("số hồ sơ"), max_length=20, unique=True)
    kind = models.CharField(_("loại vụ việc"), max_length=20, choices=CaseKind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    subject = models.CharField(_("trích yếu"), max_length=300)
    content = models.TextField(_("nội dung"))
    # Parties. The filer of a complaint or petition is named here; a denunciator never is:
    # his identity is in SealedIdentity and the case shows ``filer_label`` instead.
    filer_name = models.CharField(_("người gửi đơn"), max_length=200, blank=True)
    filer_label = models.CharField(_("bí danh người tố cáo"), max_length=40, blank=True)
    respondent = models.CharField(
        _("người, cơ quan bị khiếu nại, tố cáo"), max_length=300, blank=True
    )
    channel = models.CharField(_("hình thức tiếp nhận"), max_length=20, choices=CaseChannel.choices)
    received_on = models.DateField(_("ngày nhận đơn"))
    complexity = models.CharField(
        _("mức độ phức tạp"), max_length=20, choices=Complexity.choices, default=Complexity.NORMAL
    )
    remote_area = models.BooleanField(_("vùng sâu, vùng xa, đi lại khó khăn"), default=False)
    private_enterprise = models.BooleanField(default=False, editable=False)
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    ward = models.ForeignKey(
        "registry.AdministrativeArea",
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    tip = models.ForeignKey(
        "tips.Tip",
        verbose_name=_("từ tin báo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_handled",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    extensions = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=0)
    accepted_on = models.DateField(_("ngày thụ lý"), null=True, blank=True)
    concluded_on = models.DateField(_("ngày kết luận"), null=True, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    conclusion = models.TextField(_("kết luận, quyết định"), blank=True)
    # The nearest open deadline, copied here so lists sort and filter on one indexed column.
    next_due_on = models.DateField(_("hạn gần nhất"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vụ việc khiếu nại, tố cáo")
        verbose_name_plural = _("vụ việc khiếu nại, tố cáo")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["ward", "status", "received_on"], name="case_ward_status"),
            models.Index(fields=["unit", "status", "received_on"], name="case_unit_status"),
            models.Index(fields=["status", "next_due_on"], name="case_status_due"),
            models.Index(fields=["received_on", "id"], name="case_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CaseKind.values), name="case_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(complexity__in=Complexity.values), name="case_complexity_valid"
            ),
            # A denunciator is never named on the case itself.
            models.CheckConstraint(
                condition=~models.Q(kind=CaseKind.DENUNCIATION) | models.Q(filer_name=""),
                name="case_denunciator_not_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"

    @property
    def sealed(self) -> bool:
        return self.kind == CaseKind.DENUNCIATION

    @property
    def filer_display(self) -> str:
        return self.filer_label if self.sealed else self.filer_name

    def get_kind_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(CaseKind, self.kind)

    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(CaseStatus, self.status)


class SealedIdentity(models.Model):
    """Who denounced, encrypted at rest; read only through ``services.case_unseal``."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="identity")
    name_enc = models.TextField()
    address_enc = models.TextField(blank=True)
    contact_enc = models.TextField(blank=True)
    # The signed petition (scan), encrypted as a whole, kept out of the media folder.
    petition_enc = models.BinaryField(blank=True, default=b"")
    # Scans are often named after the person: the file name is encrypted as well.
    petition_name_enc = models.TextField(blank=True)
    petition_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("thông tin người tố cáo")
        verbose_name_plural = _("thông tin người tố cáo")

    def __str__(self) -> str:
        return f"identity of case {self.case_id}"


class CaseDeadline(models.Model):
    """One legal deadline of a case, computed from the rule in force when its stage began.

    ``due_on`` is empty while the case is suspended (the time is not counted); ``met_on`` is
    set when the stage is done. The overdue board and the reminder scan read open rows by
    ``due_on`` through a partial index.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    stage = models.CharField(_("giai đoạn"), max_length=20, choices=Stage.choices)
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("tính từ ngày"))
    due_on = models.DateField(_("hạn"), null=True, blank=True)
    met_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True)
    # Copied from the case for the scan and the board (no join to filter by scope).
    ward_id_copy = models.BigIntegerField(db_index=False)
    unit_id_copy = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("thời hạn")
        verbose_name_plural = _("thời hạn")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(met_on__isnull=True, due_on__isnull=False),
                name="case_deadline_open_due",
            ),
            models.Index(
                fields=["ward_id_copy", "due_on"],
                condition=models.Q(met_on__isnull=True, due_on__isnull=False),
                name="case_deadline_open_ward",
            ),
            models.Index(
                fields=["unit_id_copy", "due_on"],
                condition=models.Q(met_on__isnull=True, due_on__isnull=False),
                name="case_deadline_open_unit",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage"], name="case_deadline_one_per_stage"),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="case_deadline_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.due_on}"


class Suspension(models.Model):
    """A period during which the case's time does not run (Luật Tố cáo Điều 34)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=500)

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.starts_on}–{self.ends_on or ''}"


class CaseEvent(models.Model):
    """One line of the case's history: a transition with its legal basis."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("thời điểm"))
    on = models.DateField(_("ngày"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    basis = models.CharField(_("căn cứ"), max_length=300)
    reason = models.CharField(_("lý do"), max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_status}→{self.to_status}"


class CaseAttachment(models.Model):
    """A document of the case file (scans, minutes), stored under a random name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to="cases/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DeadlineAlert(models.Model):
    """A reminder or overdue alert already sent for a deadline: one row per (deadline,
    level, due date), so a second scan or a second worker sends nothing again."""

    deadline = models.ForeignKey(CaseDeadline, on_delete=models.CASCADE, related_name="alerts")
    level = models.CharField(max_length=20)
    # The due date alerted: a deadline moved by an extension or a suspension is a new date,
    # reminded again.
    due_on = models.DateField(null=True)
    run = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "level", "due_on"], name="case_alert_once_per_date"
            )
        ]
        indexes = [models.Index(fields=["run"], name="case_alert_run")]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.level}"


class CaseDocument(models.Model):
    """A notice or decision issued for the case, kept as issued (text and DOCX file).

    The text is the officer's, edited from a pre-filled draft; a denunciator's identity is
    never put in it (the draft uses the pseudonym and issuing refuses the sealed name).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("loại văn bản"), max_length=30, choices=DocumentType.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    place = models.CharField(_("địa danh"), max_length=100)
    issued_on = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=300)
    body = models.TextField(_("nội dung"))
    recipients = models.TextField(_("nơi nhận"), blank=True)
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    file = models.FileField(upload_to="case-documents/%Y/%m/")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(doc_type__in=DocumentType.values),
                name="case_document_type_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
