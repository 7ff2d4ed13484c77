"""Choice lists of the registry: area levels, unit blocks and kinds, unit status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    WARD = "ward", _("Xã, phường, đặc khu")
    RESIDENTIAL = "residential", _("Khu dân cư, tổ dân phố, thôn")


class Block(models.TextChoices):
    """The four blocks of the movement (plus "other"), used for grouping and reports."""

    AGENCY = "co_quan", _("Cơ quan nhà nước")
    ENTERPRISE = "doanh_nghiep", _("Doanh nghiệp")
    HEALTH = "y_te", _("Bệnh viện, cơ sở y tế")
    EDUCATION = "giao_duc", _("Trường học, cơ sở giáo dục")
    OTHER = "khac", _("Khác")


class UnitKind(models.TextChoices):
    CENTRAL_AGENCY = "co_quan_trung_uong", _("Cơ quan Trung ương")
    CITY_AGENCY = "co_quan_thanh_pho", _("Cơ quan cấp thành phố")
    WARD_AGENCY = "co_quan_cap_xa", _("Cơ quan cấp xã")
    PUBLIC_SERVICE = "don_vi_su_nghiep", _("Đơn vị sự nghiệp công lập")
    STATE_ENTERPRISE = "dnnn", _("Doanh nghiệp nhà nước")
    PRIVATE_ENTERPRISE = "dn_ngoai_nha_nuoc", _("Doanh nghiệp ngoài nhà nước")
    FOREIGN_ENTERPRISE = "dn_fdi", _("Doanh nghiệp có vốn đầu tư nước ngoài")
    HOSPITAL = "benh_vien", _("Bệnh viện")
    CLINIC = "co_so_y_te", _("Cơ sở y tế khác")
    UNIVERSITY = "dai_hoc", _("Đại học, cao đẳng")
    VOCATIONAL = "giao_duc_nghe_nghiep", _("Cơ sở giáo dục nghề nghiệp")
    HIGH_SCHOOL = "thpt", _("Trường trung học phổ thông")
    SECONDARY_SCHOOL = "thcs", _("Trường trung học cơ sở")
    PRIMARY_SCHOOL = "tieu_hoc", _("Trường tiểu học")
    PRESCHOOL = "mam_non", _("Trường mầm non")
    OTHER = "khac", _("Khác")


# Each kind belongs to exactly one block; the block is derived, never stored.
KIND_BLOCK: dict[str, str] = {
    UnitKind.CENTRAL_AGENCY: Block.AGENCY,
    UnitKind.CITY_AGENCY: Block.AGENCY,
    UnitKind.WARD_AGENCY: Block.AGENCY,
    UnitKind.PUBLIC_SERVICE: Block.AGENCY,
    UnitKind.STATE_ENTERPRISE: Block.ENTERPRISE,
    UnitKind.PRIVATE_ENTERPRISE: Block.ENTERPRISE,
    UnitKind.FOREIGN_ENTERPRISE: Block.ENTERPRISE,
    UnitKind.HOSPITAL: Block.HEALTH,
    UnitKind.CLINIC: Block.HEALTH,
    UnitKind.UNIVERSITY: Block.EDUCATION,
    UnitKind.VOCATIONAL: Block.EDUCATION,
    UnitKind.HIGH_SCHOOL: Block.EDUCATION,
    UnitKind.SECONDARY_SCHOOL: Block.EDUCATION,
    UnitKind.PRIMARY_SCHOOL: Block.EDUCATION,
    UnitKind.PRESCHOOL: Block.EDUCATION,
    UnitKind.OTHER: Block.OTHER,
}


def kinds_of_block(block: str) -> list[str]:
    return [kind for kind, b in KIND_BLOCK.items() if b == block]


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    CLOSED = "closed", _("Đã giải thể, ngừng hoạt động")
