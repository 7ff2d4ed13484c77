"""Administrative areas (a tree) and the units of the movement."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from antq.core.choices import choice_label
from antq.registry.status import KIND_BLOCK, AreaLevel, Block, UnitKind, UnitStatus


class AdministrativeArea(models.Model):
    """Province → xã/phường/đặc khu → khu dân cư/tổ dân phố.

    ``path`` is the materialised chain of codes ("01/00070/") so a subtree is one indexed
    ``LIKE 'prefix%'`` query. ``code`` is the official code from vietnam-provinces for the
    first two levels and ``<ward code>-<n>`` for residential areas added locally.
    """

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    level = models.CharField(_("cấp"), max_length=12, choices=AreaLevel.choices)
    division_type = models.CharField(_("loại"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=120, unique=True, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)

    class Meta:
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=AreaLevel.values), name="area_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level=AreaLevel.PROVINCE, parent__isnull=True)
                | (~models.Q(level=AreaLevel.PROVINCE) & models.Q(parent__isnull=False)),
                name="area_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[AdministrativeArea]:
        chain: list[AdministrativeArea] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class AreaAlias(models.Model):
    """A former name of an area (before the July 2025 merger, or any rename).

    Old records and old spreadsheets that say "Phường Hàng Bạc" still resolve to the ward
    that absorbed it.
    """

    area = models.ForeignKey(AdministrativeArea, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("tên cũ"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    former_code = models.CharField(_("mã cũ"), max_length=20, blank=True)
    valid_until = models.DateField(_("dùng đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("tên cũ của địa bàn")
        verbose_name_plural = _("tên cũ của địa bàn")
        constraints = [
            models.UniqueConstraint(fields=["area", "name_folded"], name="area_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.area.name}"


class Unit(models.Model):
    """An agency, enterprise, hospital, school or other organisation of the movement."""

    name = models.CharField(_("tên đơn vị"), max_length=300)
    name_folded = models.CharField(max_length=300, editable=False)
    kind = models.CharField(_("loại hình"), max_length=30, choices=UnitKind.choices)
    sector = models.CharField(_("ngành, lĩnh vực"), max_length=120, blank=True)
    code = models.CharField(
        _("mã số thuế / mã đơn vị"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Mã số thuế (doanh nghiệp) hoặc mã đơn vị có quan hệ ngân sách."),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    ward = models.ForeignKey(
        AdministrativeArea,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    headcount = models.PositiveIntegerField(_("số cán bộ, nhân viên"), null=True, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    security_contact_name = models.CharField(_("cán bộ phụ trách ANTT"), max_length=120, blank=True)
    security_contact_phone = models.CharField(
        _("điện thoại cán bộ phụ trách ANTT"), max_length=20, blank=True
    )
    head_name = models.CharField(_("thủ trưởng đơn vị"), max_length=120, blank=True)
    head_title = models.CharField(_("chức vụ thủ trưởng"), max_length=120, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name_folded", "id"]
        indexes = [
            # The list's order (all, or of a kind); with the ward, a deep page skips its rows
            # in the index without reading them (the city scope tests the ward).
            models.Index(fields=["name_folded", "id", "ward"], name="unit_name"),
            models.Index(fields=["ward", "name_folded", "id"], name="unit_ward_name"),
            models.Index(fields=["kind", "name_folded", "id", "ward"], name="unit_kind_name_ward"),
            # The counts by block and by ward read this index alone.
            models.Index(fields=["kind", "ward"], name="unit_kind_ward"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UnitStatus.values), name="unit_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def block(self) -> str:
        return KIND_BLOCK[self.kind]

    def get_block_display(self) -> str:
        return str(Block(self.block).label)

    # The unit list shows these on every line (core.choices says why they are
    # redefined; django-stubs declares Django's own).
    def get_kind_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(UnitKind, self.kind)

    def get_status_display(self) -> str:  # type: ignore[no-redef]
        return choice_label(UnitStatus, self.status)


class ImportStatus(models.TextChoices):
    # A large file waits for (or is in) the worker's check; then PREVIEW, or FAILED.
    CHECKING = "checking", _("Đang kiểm tra")
    PREVIEW = "preview", _("Chờ xác nhận")
    QUEUED = "queued", _("Đang chờ nhập")
    DONE = "done", _("Đã nhập")
    FAILED = "failed", _("Lỗi")
    CANCELLED = "cancelled", _("Đã huỷ")


class ImportBatch(models.Model):
    """An uploaded file of units, parsed and checked row by row, waiting for confirmation.

    Nothing reaches ``Unit`` until the owner confirms; then all accepted rows are inserted in
    one transaction (or none are).
    """

    owner = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="import_batches"
    )
    filename = models.CharField(_("tên tệp"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    only_valid = models.BooleanField(default=False)
    # SHA-256 of the uploaded file: the preview warns when the same file was imported before.
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # {unit field: header of the file}, matched once when the file is read.
    columns = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập đơn vị")
        verbose_name_plural = _("các lần nhập đơn vị")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="import_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def invalid_rows(self) -> int:
        return self.total_rows - self.valid_rows


class ImportRow(models.Model):
    """One line of an uploaded file: what it said, what it will become, what is wrong."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("dòng"))
    raw = models.JSONField(default=dict)
    cleaned = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    valid = models.BooleanField(default=False)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "valid", "line"])]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"
