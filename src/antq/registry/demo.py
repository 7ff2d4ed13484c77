"""The demo city: a plausible, deterministic registry of Hà Nội for ``make demo`` and benchmarks.

Generation is pure: :func:`units_generate` turns a seed and a list of wards into plain
:class:`UnitSpec` values, so the same seed always gives the same city. :func:`demo_city_create`
writes them in one transaction, with their audit trail, a few residential areas and the demo
logins. The wards are the real ones (vietnam-provinces); every company, person, tax code and
phone number is invented.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from antq.accounts.models import User
from antq.accounts.roles import CITY_ROLES, Role
from antq.accounts.services import user_create
from antq.registry.areas import areas_load, residential_area_create
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.services import units_insert
from antq.registry.status import AreaLevel, UnitKind, UnitStatus
from antq.textvn import fold

# Demo data only: every demo login shares this password, and `antq demo-logins` prints it.
# The demo-data command refuses to run outside demo mode, so it never reaches production.
DEMO_PASSWORD = "antq-demo-2026"  # noqa: S105
DEFAULT_SEED = 2026
DEFAULT_UNITS = 2400
DEMO_REASON = "Dữ liệu mẫu"
HA_NOI = 1

WARD_HOAN_KIEM = "00070"
WARD_CUA_NAM = "00073"
WARD_BA_DINH = "00004"
VIET_DUC = "Bệnh viện Hữu Nghị Việt Đức"
PHAN_DINH_PHUNG = "Trường THPT Phan Đình Phùng"


@dataclass(frozen=True)
class WardRef:
    code: str
    name: str


@dataclass(frozen=True)
class UnitSpec:
    """One generated unit, with the ward by code: plain values, nothing saved."""

    name: str
    kind: str
    sector: str
    code: str | None
    address: str
    ward_code: str
    headcount: int | None
    phone: str
    email: str
    security_contact_name: str
    security_contact_phone: str
    head_name: str
    head_title: str
    status: str = UnitStatus.ACTIVE
    notes: str = ""


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    title: str
    phone: str
    area_codes: tuple[str, ...] = ()
    unit_name: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, "Trần Quốc Huy", "Thiếu tá, quản trị hệ thống", "+84912640118"),
    DemoUser(
        "phongxdpt",
        Role.DEPARTMENT,
        "Nguyễn Thị Thu Hà",
        "Thiếu tá, cán bộ Phòng Xây dựng phong trào bảo vệ ANTQ",
        "+84983215064",
    ),
    DemoUser(
        "lanhdao",
        Role.LEADER,
        "Lê Minh Tuấn",
        "Đại tá, Phó Giám đốc Công an thành phố",
        "+84903118427",
    ),
    DemoUser(
        "ca.hoankiem",
        Role.WARD_OFFICER,
        "Phạm Văn Nam",
        "Thượng úy, Công an phường Hoàn Kiếm",
        "+84976402285",
        area_codes=(WARD_HOAN_KIEM, WARD_CUA_NAM),
    ),
    DemoUser(
        "ca.badinh",
        Role.WARD_OFFICER,
        "Hoàng Thị Lan",
        "Trung úy, Công an phường Ba Đình",
        "+84358710642",
        area_codes=(WARD_BA_DINH,),
    ),
    DemoUser(
        "antt.vietduc",
        Role.UNIT_OFFICER,
        "Đỗ Văn Hùng",
        "Trưởng phòng Hành chính quản trị",
        "+84936027519",
        unit_name=VIET_DUC,
    ),
    DemoUser(
        "thutruong.vietduc",
        Role.UNIT_HEAD,
        "Ngô Đức Thành",
        "Giám đốc bệnh viện",
        "+84913550247",
        unit_name=VIET_DUC,
    ),
    DemoUser(
        "antt.thpt",
        Role.UNIT_OFFICER,
        "Bùi Thị Hồng",
        "Phó Hiệu trưởng",
        "+84388146903",
        unit_name=PHAN_DINH_PHUNG,
    ),
)
_DEMO_USER = {u.username: u for u in DEMO_USERS}

# The two units the demo logins belong to, at their real addresses (wards after 01/07/2025).
FIXED_UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        name=VIET_DUC,
        kind=UnitKind.HOSPITAL,
        sector="Y tế",
        code=None,
        address="Số 40 phố Tràng Thi",
        ward_code=WARD_CUA_NAM,
        headcount=2500,
        phone="+842438253217",
        email="",
        security_contact_name=_DEMO_USER["antt.vietduc"].full_name,
        security_contact_phone=_DEMO_USER["antt.vietduc"].phone,
        head_name=_DEMO_USER["thutruong.vietduc"].full_name,
        head_title="Giám đốc",
    ),
    UnitSpec(
        name=PHAN_DINH_PHUNG,
        kind=UnitKind.HIGH_SCHOOL,
        sector="Giáo dục",
        code=None,
        address="Số 67 phố Cửa Bắc",
        ward_code=WARD_BA_DINH,
        headcount=140,
        phone="+842438291742",
        email="",
        security_contact_name=_DEMO_USER["antt.thpt"].full_name,
        security_contact_phone=_DEMO_USER["antt.thpt"].phone,
        head_name="Lương Văn Khải",
        head_title="Hiệu trưởng",
    ),
)

# A few tổ dân phố, so the third level of the area tree is not empty in the demo.
RESIDENTIAL_AREAS: tuple[tuple[str, int], ...] = (
    (WARD_HOAN_KIEM, 6),
    (WARD_CUA_NAM, 5),
    (WARD_BA_DINH, 6),
)

# --- Name parts -------------------------------------------------------------------------


def _items(text: str) -> tuple[str, ...]:
    """A list written as one text, items separated by semicolons."""
    return tuple(item.strip() for item in text.split(";"))


# Surnames with their rough share of the population (%), so "Nguyễn" is as common as in life.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Vũ", 4),
    ("Phan", 3),
    ("Đỗ", 2.5),
    ("Bùi", 2.5),
    ("Đặng", 2),
    ("Ngô", 1.5),
    ("Dương", 1.2),
    ("Đinh", 1),
    ("Đào", 1),
    ("Trịnh", 1),
    ("Lương", 0.8),
    ("Mai", 0.7),
    ("Hà", 0.7),
    ("Tạ", 0.5),
    ("Lưu", 0.5),
    ("Cao", 0.5),
    ("Kiều", 0.4),
    ("Chu", 0.4),
    ("Tô", 0.4),
    ("Nghiêm", 0.3),
    ("Phùng", 0.3),
    ("Khúc", 0.2),
    ("Quách", 0.2),
)
MIDDLE_MALE = _items(
    "Văn; Đức; Minh; Quang; Hữu; Công; Thanh; Xuân; Mạnh; Tiến; Quốc; Duy; Ngọc; Trọng; Việt; "
    "Đình; Thế; Bá; Anh; Hải"
)
MIDDLE_FEMALE = _items(
    "Thị; Thu; Thanh; Ngọc; Minh; Phương; Thúy; Hồng; Mai; Kim; Bích; Diệu; Khánh; Hoài; "
    "Thị Thu; Thị Minh"
)
GIVEN_MALE = _items(
    "An; Anh; Bình; Cường; Dũng; Duy; Đạt; Đức; Giang; Hải; Hiếu; Hòa; Hoàng; Hùng; Huy; "
    "Khánh; Khoa; Kiên; Long; Lâm; Minh; Nam; Nghĩa; Phong; Phúc; Quân; Quang; Sơn; Tài; "
    "Thắng; Thành; Thịnh; Toàn; Trung; Tú; Tuấn; Tùng; Việt; Vinh; Vũ"
)
GIVEN_FEMALE = _items(
    "An; Anh; Chi; Dung; Giang; Hà; Hằng; Hạnh; Hiền; Hoa; Hồng; Huyền; Hương; Lan; Linh; "
    "Loan; Mai; My; Nga; Ngân; Ngọc; Nhung; Oanh; Phương; Quỳnh; Tâm; Thảo; Thu; Thủy; Trang; "
    "Uyên; Vân; Yến"
)

# Historical figures that schools (and streets) are named after all over the country.
FIGURES = _items(
    "Nguyễn Trãi; Lê Lợi; Trần Hưng Đạo; Chu Văn An; Lý Thường Kiệt; Ngô Quyền; Quang Trung; "
    "Nguyễn Du; Lê Quý Đôn; Nguyễn Bỉnh Khiêm; Trần Phú; Phan Bội Châu; Phan Chu Trinh; "
    "Lê Hồng Phong; Nguyễn Thị Minh Khai; Võ Thị Sáu; Hai Bà Trưng; Đinh Tiên Hoàng; "
    "Lý Thái Tổ; Trần Nhân Tông; Lương Thế Vinh; Nguyễn Gia Thiều; Tô Hiến Thành; Trưng Vương; "
    "Nguyễn Văn Cừ; Kim Đồng; Lê Ngọc Hân; Trần Quốc Toản; Nguyễn Đình Chiểu; Hoàng Hoa Thám; "
    "Bà Triệu; Đoàn Thị Điểm; Nguyễn Khuyến; Mạc Đĩnh Chi; Nguyễn Hiền; Ngô Sĩ Liên; "
    "Phạm Ngũ Lão; Yết Kiêu; Lê Thánh Tông; Trần Quang Khải; Tuệ Tĩnh; Hải Thượng Lãn Ông; "
    "Lê Văn Hưu; Phùng Khắc Khoan; Nguyễn Tất Thành"
)
# Streets of Hà Nội, "phố" or "đường" as the city says it.
HA_NOI_PHO = _items(
    "Hàng Bài; Hàng Bông; Hàng Gai; Hàng Đào; Hàng Bạc; Hàng Trống; Tràng Thi; Tràng Tiền; "
    "Lý Thường Kiệt; Hai Bà Trưng; Bà Triệu; Quang Trung; Phan Đình Phùng; Hoàng Diệu; "
    "Điện Biên Phủ; Nguyễn Thái Học; Kim Mã; Đội Cấn; Liễu Giai; Giảng Võ; Láng Hạ; Thái Hà; "
    "Tây Sơn; Chùa Bộc; Xã Đàn; Bạch Mai; Minh Khai; Huế; Lò Đúc; Thụy Khuê; Văn Cao; Đào Tấn; "
    "Duy Tân; Ngọc Lâm; Vũ Trọng Phụng"
)
HA_NOI_DUONG = _items(
    "Láng; Giải Phóng; Trường Chinh; Lê Duẩn; Nguyễn Chí Thanh; Cầu Giấy; Xuân Thủy; "
    "Hồ Tùng Mậu; Trần Duy Hưng; Nguyễn Trãi; Khuất Duy Tiến; Lê Văn Lương; Hoàng Quốc Việt; "
    "Phạm Văn Đồng; Lạc Long Quân; Âu Cơ; Nguyễn Văn Cừ; Nguyễn Văn Linh; Tam Trinh; Lĩnh Nam; "
    "Kim Giang; Tố Hữu; Quang Trung"
)
HAMLETS = _items(
    "Đông; Đoài; Thượng; Hạ; Trung; Nam; Bắc; Tiền; Hậu; Cao; Đình; Chùa; Phú Mỹ; An Lạc; "
    "Ngọc Trì; Yên Thái; Văn Giáp; Phúc Lâm"
)
HIGHWAYS = _items("1A; 2; 3; 5; 6; 18; 21; 21B; 32")
# Two halves of a business name ("Thành" + "Công"), the way Vietnamese firms are named.
BRAND_FIRST = _items(
    "An; Bảo; Đại; Đức; Gia; Hải; Hoàng; Hưng; Kim; Minh; Nam; Ngọc; Phú; Phúc; Quang; Tân; "
    "Thái; Thành; Thiên; Thịnh; Trường; Việt; Vĩnh; Vạn; Xuân; Hồng; Long; Sao; Hà; Đông"
)
BRAND_SECOND = _items(
    "Phát; Thịnh; Long; Việt; Hưng; An; Thành; Khang; Lộc; Phúc; Anh; Minh; Nam; Sơn; Tiến; "
    "Đạt; Hải; Phong; Quang; Tín; Trí; Vượng; Bình; Cường; Công; Hà; Đô; Mỹ; Á; Lợi"
)
# Invented, foreign-sounding names for the FDI companies; no real group is meant.
FOREIGN_FIRST = _items(
    "Kor; Sun; Dae; Hwa; Myo; Nami; Taka; Ori; Vel; Zen; Lumi; Aki; Bora; Sora; Tera; Kiyo"
)
FOREIGN_SECOND = _items("tek; won; sei; tron; ris; dyne; lux; nix; kon; bell; tas")
FOREIGN_INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("Điện tử", "Electronics", "Điện tử"),
    ("Cơ khí Chính xác", "Precision", "Cơ khí"),
    ("Linh kiện Điện tử", "Components", "Điện tử"),
    ("Nhựa", "Plastics", "Sản xuất nhựa"),
    ("May mặc", "Apparel", "Dệt may"),
    ("Bao bì", "Packaging", "Bao bì"),
    ("Thiết bị Điện", "Electric", "Thiết bị điện"),
    ("Quang học", "Optics", "Quang học"),
    ("Vật liệu mới", "Materials", "Vật liệu"),
    ("Phần mềm", "Software", "Công nghệ thông tin"),
    ("Hóa chất", "Chemical", "Hóa chất"),
)
ENTERPRISE_SECTORS: tuple[tuple[str, str], ...] = (
    ("May mặc", "Dệt may"),
    ("Xây dựng", "Xây dựng"),
    ("Thương mại và Dịch vụ", "Thương mại"),
    ("Đầu tư và Phát triển", "Đầu tư"),
    ("Công nghệ Thông tin", "Công nghệ thông tin"),
    ("Vận tải", "Vận tải"),
    ("Du lịch", "Du lịch"),
    ("Thực phẩm", "Thực phẩm"),
    ("Dược phẩm", "Dược phẩm"),
    ("Điện tử", "Điện tử"),
    ("Cơ khí", "Cơ khí"),
    ("In và Bao bì", "In ấn"),
    ("Bất động sản", "Bất động sản"),
    ("Tư vấn Thiết kế", "Tư vấn"),
    ("Xuất nhập khẩu", "Thương mại"),
    ("Dịch vụ Bảo vệ", "Dịch vụ bảo vệ"),
    ("Vật liệu Xây dựng", "Vật liệu xây dựng"),
    ("Nội thất", "Nội thất"),
    ("Môi trường", "Môi trường"),
    ("Truyền thông", "Truyền thông"),
    ("Logistics", "Vận tải, kho bãi"),
    ("Nhà hàng và Khách sạn", "Lưu trú, ăn uống"),
    ("Thiết bị Y tế", "Thiết bị y tế"),
    ("Điện lạnh", "Điện lạnh"),
    ("Phần mềm", "Công nghệ thông tin"),
    ("Cơ điện", "Xây dựng"),
    ("Kế toán và Kiểm toán", "Tài chính"),
    ("Vàng bạc Đá quý", "Thương mại"),
    ("Thời trang", "Dệt may"),
    ("Giáo dục và Đào tạo", "Giáo dục"),
)
PRIVATE_BANKS = _items(
    "Quân đội; Kỹ thương Việt Nam; Á Châu; Sài Gòn – Hà Nội; Việt Nam Thịnh Vượng; Tiên Phong; "
    "Hàng Hải Việt Nam; Phương Đông; Quốc tế Việt Nam; Đông Nam Á; Bắc Á; Sài Gòn Thương Tín; "
    "Xuất Nhập khẩu Việt Nam; An Bình"
)
STATE_BANKS = (
    "Ngân hàng TMCP Ngoại thương Việt Nam",
    "Ngân hàng TMCP Công Thương Việt Nam",
    "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam",
    "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam",
)
CENTRAL_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("Cục Quản lý Dược (Bộ Y tế)", "Y tế", "Cục trưởng"),
    ("Cục An toàn thực phẩm (Bộ Y tế)", "Y tế", "Cục trưởng"),
    ("Viện Vệ sinh Dịch tễ Trung ương", "Y tế", "Viện trưởng"),
    ("Viện Dinh dưỡng", "Y tế", "Viện trưởng"),
    ("Cục Quản lý chất lượng (Bộ Giáo dục và Đào tạo)", "Giáo dục", "Cục trưởng"),
    ("Nhà xuất bản Giáo dục Việt Nam", "Xuất bản", "Tổng Giám đốc"),
    ("Cục Thống kê (Bộ Tài chính)", "Thống kê", "Cục trưởng"),
    ("Cục Thuế (Bộ Tài chính)", "Thuế", "Cục trưởng"),
    ("Cục Hải quan (Bộ Tài chính)", "Hải quan", "Cục trưởng"),
    ("Cục Đường bộ Việt Nam", "Giao thông", "Cục trưởng"),
    ("Viện Kiến trúc Quốc gia", "Xây dựng", "Viện trưởng"),
    ("Cục Sở hữu trí tuệ", "Khoa học, công nghệ", "Cục trưởng"),
    ("Cục Di sản văn hóa", "Văn hóa", "Cục trưởng"),
    ("Cục Du lịch Quốc gia Việt Nam", "Du lịch", "Cục trưởng"),
    ("Bảo tàng Lịch sử Quốc gia", "Văn hóa", "Giám đốc"),
    ("Thư viện Quốc gia Việt Nam", "Văn hóa", "Giám đốc"),
    ("Cục Khí tượng Thủy văn", "Môi trường", "Cục trưởng"),
    ("Viện Hàn lâm Khoa học xã hội Việt Nam", "Khoa học", "Chủ tịch Viện Hàn lâm"),
    ("Viện Hàn lâm Khoa học và Công nghệ Việt Nam", "Khoa học", "Chủ tịch Viện Hàn lâm"),
    ("Đài Tiếng nói Việt Nam", "Báo chí", "Tổng Giám đốc"),
    ("Thông tấn xã Việt Nam", "Báo chí", "Tổng Giám đốc"),
    ("Bảo hiểm xã hội Việt Nam", "Bảo hiểm xã hội", "Giám đốc"),
    ("Kiểm toán Nhà nước", "Kiểm toán", "Tổng Kiểm toán Nhà nước"),
    ("Thanh tra Chính phủ", "Thanh tra", "Tổng Thanh tra Chính phủ"),
    ("Tòa án nhân dân tối cao", "Tư pháp", "Chánh án"),
    ("Viện kiểm sát nhân dân tối cao", "Tư pháp", "Viện trưởng"),
)
RESEARCH_TOPICS = _items(
    "Chiến lược, Chính sách Y tế; Khoa học Giáo dục Việt Nam; Khoa học Lao động và Xã hội; "
    "Nghiên cứu Quản lý Kinh tế; Khoa học Thủy lợi; Khoa học Vật liệu Xây dựng; "
    "Chiến lược, Chính sách Tài chính; Công nghệ Thông tin; Nghiên cứu Văn hóa; "
    "Khoa học Môi trường; Ngôn ngữ học; Sử học; Khảo cổ học; Kinh tế Việt Nam; "
    "Nghiên cứu Con người"
)
CITY_DEPARTMENTS = _items(
    "Nội vụ; Tư pháp; Tài chính; Công Thương; Xây dựng; Nông nghiệp và Môi trường; "
    "Khoa học và Công nghệ; Văn hóa và Thể thao; Du lịch; Giáo dục và Đào tạo; Y tế; "
    "Quy hoạch – Kiến trúc; Dân tộc và Tôn giáo; Ngoại vụ"
)
CITY_CENTRES = _items(
    "Kiểm soát bệnh tật; Cấp cứu 115; Pháp y; Giám định y khoa; Phát triển quỹ đất; "
    "Dịch vụ việc làm; Bảo trợ xã hội; Công tác xã hội; "
    "Xúc tiến Đầu tư, Thương mại và Du lịch; Trợ giúp pháp lý Nhà nước; Lưu trữ lịch sử; "
    "Đăng kiểm xe cơ giới; Quản lý và Điều hành giao thông đô thị; Quan trắc môi trường; "
    "Khuyến nông"
)
WARD_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("UBND {w}", "Quản lý nhà nước", "Chủ tịch UBND"),
    ("Đảng ủy {w}", "Công tác Đảng", "Bí thư Đảng ủy"),
    ("Hội đồng nhân dân {w}", "Dân cử", "Chủ tịch HĐND"),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam {w}", "Mặt trận", "Chủ tịch Ủy ban MTTQ"),
    ("Trung tâm Phục vụ hành chính công {w}", "Hành chính công", "Giám đốc"),
    ("Đoàn Thanh niên Cộng sản Hồ Chí Minh {w}", "Đoàn thể", "Bí thư Đoàn"),
)
SPECIALTIES = _items(
    "Mắt; Phụ sản; Nhi; Da liễu; Tâm thần; Y học cổ truyền; Phục hồi chức năng; Ung bướu; Tim; "
    "Thận; Phổi; Răng Hàm Mặt; Nội tiết; Lão khoa"
)
CLINIC_SPECIALTIES = _items(
    "Răng Hàm Mặt; Tai Mũi Họng; Mắt; Da liễu; Sản phụ khoa; Nhi; Nội; Chẩn đoán hình ảnh; "
    "Y học cổ truyền"
)
UNIVERSITIES = _items(
    "Bách khoa Hà Nội; Xây dựng Hà Nội; Kinh tế Quốc dân; Thương mại; Ngoại thương; "
    "Luật Hà Nội; Y Hà Nội; Dược Hà Nội; Sư phạm Hà Nội; Thủy lợi; Mỏ – Địa chất; "
    "Giao thông Vận tải; Kiến trúc Hà Nội; Công đoàn; Văn hóa Hà Nội; Mở Hà Nội; Điện lực; "
    "Lao động – Xã hội; Công nghiệp Hà Nội; Thủ đô Hà Nội"
)
COLLEGE_FIELDS = _items(
    "Y tế; Sư phạm; Du lịch; Thương mại; Công nghệ; Kinh tế – Kỹ thuật; Nghệ thuật; Truyền hình"
)
VOCATIONAL_FIELDS = _items(
    "Công nghệ; Cơ điện; Giao thông Vận tải; Xây dựng; Du lịch; Công nghiệp; "
    "Kỹ thuật – Mỹ nghệ; Bách khoa; Điện tử – Điện lạnh; Ô tô"
)
PRESCHOOL_NAMES = _items(
    "Hoa Sen; Hoa Mai; Hoa Hồng; Hoa Sữa; Hoa Ban; Sơn Ca; Họa Mi; Vành Khuyên; Chim Non; "
    "Tuổi Thơ; Ánh Dương; Bình Minh; Mặt Trời Nhỏ; Búp Sen Hồng; Thỏ Ngọc; Hướng Dương; "
    "Ngôi Sao; Bông Sen"
)

# Out of 100 units, roughly the mix of an urban registry: many companies and schools, few
# ministries. The blocks add up to agencies 15, enterprises 43, health 10, education 30, other 2.
KIND_WEIGHTS: dict[str, float] = {
    UnitKind.CENTRAL_AGENCY: 1.5,
    UnitKind.CITY_AGENCY: 2.5,
    UnitKind.WARD_AGENCY: 5,
    UnitKind.PUBLIC_SERVICE: 6,
    UnitKind.STATE_ENTERPRISE: 3,
    UnitKind.PRIVATE_ENTERPRISE: 34,
    UnitKind.FOREIGN_ENTERPRISE: 6,
    UnitKind.HOSPITAL: 2,
    UnitKind.CLINIC: 8,
    UnitKind.UNIVERSITY: 2,
    UnitKind.VOCATIONAL: 2,
    UnitKind.HIGH_SCHOOL: 4,
    UnitKind.SECONDARY_SCHOOL: 7,
    UnitKind.PRIMARY_SCHOOL: 8,
    UnitKind.PRESCHOOL: 7,
    UnitKind.OTHER: 2,
}
# Staff numbers (low, high, most likely) per kind.
HEADCOUNTS: dict[str, tuple[int, int, int]] = {
    UnitKind.CENTRAL_AGENCY: (60, 600, 150),
    UnitKind.CITY_AGENCY: (40, 400, 90),
    UnitKind.WARD_AGENCY: (12, 80, 30),
    UnitKind.PUBLIC_SERVICE: (10, 200, 35),
    UnitKind.STATE_ENTERPRISE: (30, 3000, 250),
    UnitKind.PRIVATE_ENTERPRISE: (3, 600, 15),
    UnitKind.FOREIGN_ENTERPRISE: (50, 8000, 600),
    UnitKind.HOSPITAL: (120, 2500, 400),
    UnitKind.CLINIC: (5, 80, 15),
    UnitKind.UNIVERSITY: (200, 3000, 700),
    UnitKind.VOCATIONAL: (30, 300, 80),
    UnitKind.HIGH_SCHOOL: (60, 160, 100),
    UnitKind.SECONDARY_SCHOOL: (35, 110, 60),
    UnitKind.PRIMARY_SCHOOL: (35, 120, 60),
    UnitKind.PRESCHOOL: (15, 70, 30),
    UnitKind.OTHER: (3, 60, 10),
}
MOBILE_PREFIXES = _items("90; 91; 93; 94; 96; 97; 98; 32; 33; 34; 35; 36; 37")
# Weights of the check digit (the 10th) of a mã số thuế.
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_NOT_EMAIL = re.compile(r"[^a-z0-9]")

# Who may be where: (weight of a phường, weight of a xã) when a unit's ward is drawn.
_URBAN = (1.0, 0.15)
_MIXED = (2.0, 1.0)
_INDUSTRIAL = (1.0, 2.0)
_WARD_PROFILE: dict[str, tuple[float, float]] = {
    UnitKind.CENTRAL_AGENCY: _URBAN,
    UnitKind.CITY_AGENCY: _URBAN,
    UnitKind.UNIVERSITY: _URBAN,
    UnitKind.HOSPITAL: _URBAN,
    UnitKind.FOREIGN_ENTERPRISE: _INDUSTRIAL,
}
_PUBLIC = "budget"  # a 7-digit "mã đơn vị có quan hệ ngân sách"
_TAX = "tax"  # a 10-digit "mã số thuế"


class _Draft(NamedTuple):
    name: str
    ward: WardRef
    sector: str
    head_title: str
    code_kind: str  # _PUBLIC, _TAX


def short_name(area_name: str) -> str:
    """'Phường Hoàn Kiếm' → 'Hoàn Kiếm'; 'Thành phố Hà Nội' → 'Hà Nội'."""
    for prefix in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
        if area_name.startswith(prefix):
            return area_name[len(prefix) :]
    return area_name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def tax_code_check_digit(first_nine: str) -> int:
    """The 10th digit of a mã số thuế; 10 means the first nine digits are never issued."""
    return 10 - sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True)) % 11


class _CityGenerator:
    def __init__(
        self,
        *,
        seed: int,
        wards: Sequence[WardRef],
        province_name: str,
        province_code: int,
        taken_codes: Collection[str],
        taken_names: Collection[str],
    ) -> None:
        if not wards:
            raise ValueError("the demo city needs at least one ward")
        self.rng = random.Random(seed)
        self.wards = list(wards)
        self.province = short_name(province_name)
        self.province_code = province_code
        self.ha_noi = province_code == HA_NOI
        self.taken = taken_codes
        self.codes: set[str] = set()
        self.names: set[str] = set(taken_names)
        self.repeats: dict[str, int] = {}
        self.surname_cum = list(accumulate(w for _, w in SURNAMES))
        urban = [w.name.startswith("Phường") for w in self.wards]
        self.ward_cum = {
            profile: list(accumulate(profile[0] if u else profile[1] for u in urban))
            for profile in (_URBAN, _MIXED, _INDUSTRIAL)
        }
        # Elsewhere, the streets named after heroes that every Vietnamese town has.
        self.streets = (
            [("phố", n) for n in HA_NOI_PHO] + [("đường", n) for n in HA_NOI_DUONG]
            if self.ha_noi
            else [("đường", n) for n in FIGURES[:20]]
        )
        self.makers: dict[str, Callable[[], _Draft]] = {
            UnitKind.CENTRAL_AGENCY: self._central_agency,
            UnitKind.CITY_AGENCY: self._city_agency,
            UnitKind.WARD_AGENCY: self._ward_agency,
            UnitKind.PUBLIC_SERVICE: self._public_service,
            UnitKind.STATE_ENTERPRISE: self._state_enterprise,
            UnitKind.PRIVATE_ENTERPRISE: self._private_enterprise,
            UnitKind.FOREIGN_ENTERPRISE: self._foreign_enterprise,
            UnitKind.HOSPITAL: self._hospital,
            UnitKind.CLINIC: self._clinic,
            UnitKind.UNIVERSITY: self._university,
            UnitKind.VOCATIONAL: self._vocational,
            UnitKind.HIGH_SCHOOL: self._school(UnitKind.HIGH_SCHOOL, "Trường THPT"),
            UnitKind.SECONDARY_SCHOOL: self._school(UnitKind.SECONDARY_SCHOOL, "Trường THCS"),
            UnitKind.PRIMARY_SCHOOL: self._school(UnitKind.PRIMARY_SCHOOL, "Trường Tiểu học"),
            UnitKind.PRESCHOOL: self._preschool,
            UnitKind.OTHER: self._other,
        }

    # --- plumbing ---------------------------------------------------------------------

    def ward(self, kind: str) -> WardRef:
        cum = self.ward_cum[_WARD_PROFILE.get(kind, _MIXED)]
        return self.rng.choices(self.wards, cum_weights=cum)[0]

    def pick(self, options: Sequence[str]) -> str:
        return options[self.rng.randrange(len(options))]

    def brand(self) -> str:
        first, second = self.pick(BRAND_FIRST), self.pick(BRAND_SECOND)
        return f"{first} {second}" if first != second else f"{first} Phát"

    def place(self, ward: WardRef) -> str:
        return short_name(ward.name)

    def unique(self, kind: str) -> tuple[str, _Draft]:
        """A kind and a draft whose name is not taken yet.

        When a kind's names run out (ward agencies in a city of tens of thousands of units),
        the unit becomes a company instead; when even those run out, "… – cơ sở 2".
        """
        for attempt in range(14):
            if attempt == 7:
                kind = UnitKind.PRIVATE_ENTERPRISE
            draft = self.makers[kind]()
            if draft.name not in self.names:
                self.names.add(draft.name)
                return kind, draft
        n = self.repeats.get(draft.name, 1)
        while f"{draft.name} – cơ sở {n + 1}" in self.names:
            n += 1
        self.repeats[draft.name] = n + 1
        draft = draft._replace(name=f"{draft.name} – cơ sở {n + 1}")
        self.names.add(draft.name)
        return kind, draft

    def code(self, code_kind: str) -> str:
        while True:
            if code_kind == _TAX:
                # The province (01: Hà Nội), a sequence number, then the check digit.
                first_nine = f"{self.province_code:02d}{self.rng.randrange(1_200_000):07d}"
                check = tax_code_check_digit(first_nine)
                if check == 10:
                    continue
                value = f"{first_nine}{check}"
            else:
                value = f"1{self.rng.randrange(1_000_000):06d}"
            if value not in self.codes and value not in self.taken:
                self.codes.add(value)
                return value

    def person(self) -> str:
        surname = self.rng.choices(SURNAMES, cum_weights=self.surname_cum)[0][0]
        male = self.rng.random() < 0.5
        middle = self.pick(MIDDLE_MALE if male else MIDDLE_FEMALE)
        given = self.pick(GIVEN_MALE if male else GIVEN_FEMALE)
        if given in middle.split():  # no "Thị Thu Thu"
            given = self.pick(GIVEN_MALE if male else GIVEN_FEMALE)
        return f"{surname} {middle} {given}"

    def mobile(self) -> str:
        return f"+84{self.pick(MOBILE_PREFIXES)}{self.rng.randrange(10_000_000):07d}"

    def landline(self) -> str:
        if not self.ha_noi:
            return self.mobile()
        return f"+8424{self.pick('367')}{self.rng.randrange(10_000_000):07d}"

    def address(self, ward: WardRef, kind: str) -> str:
        rng = self.rng
        number = rng.randint(1, 220)
        if ward.name.startswith("Xã"):
            roll = rng.random()
            if kind in (UnitKind.PRIVATE_ENTERPRISE, UnitKind.FOREIGN_ENTERPRISE) and roll < 0.4:
                lot = f"{self.pick('ABCDE')}{rng.randint(1, 30)}"
                return f"Lô {lot}, Cụm công nghiệp {self.place(ward)}"
            if roll < 0.75:
                return f"Thôn {self.pick(HAMLETS)}"
            return f"Km {rng.randint(2, 60)}, Quốc lộ {self.pick(HIGHWAYS)}"
        prefix, street = self.streets[rng.randrange(len(self.streets))]
        roll = rng.random()
        if roll < 0.55:
            return f"Số {number} {prefix} {street}"
        lane = rng.randint(2, 180)
        if roll < 0.85:
            return f"Số {number} ngõ {lane} {prefix} {street}"
        return f"Số {number} ngách {rng.randint(2, 90)} ngõ {lane} {prefix} {street}"

    # --- one maker per kind -----------------------------------------------------------

    def _central_agency(self) -> _Draft:
        ward = self.ward(UnitKind.CENTRAL_AGENCY)
        if self.rng.random() < 0.6:
            name, sector, title = CENTRAL_AGENCIES[self.rng.randrange(len(CENTRAL_AGENCIES))]
            return _Draft(name, ward, sector, title, _PUBLIC)
        return _Draft(
            f"Viện {self.pick(RESEARCH_TOPICS)}",
            ward,
            "Nghiên cứu khoa học",
            "Viện trưởng",
            _PUBLIC,
        )

    def _city_agency(self) -> _Draft:
        ward = self.ward(UnitKind.CITY_AGENCY)
        p = self.province
        roll = self.rng.random()
        if roll < 0.45:
            return _Draft(
                f"Sở {self.pick(CITY_DEPARTMENTS)} {p}",
                ward,
                "Quản lý nhà nước",
                "Giám đốc Sở",
                _PUBLIC,
            )
        if roll < 0.55 and self.ha_noi:
            name, title = self.rng.choice(
                [
                    ("Chi cục Thuế khu vực I", "Chi cục trưởng"),
                    ("Kho bạc Nhà nước khu vực I", "Giám đốc"),
                    ("Văn phòng UBND thành phố Hà Nội", "Chánh Văn phòng"),
                    ("Thanh tra thành phố Hà Nội", "Chánh Thanh tra"),
                    ("Ban Quản lý các khu công nghiệp và chế xuất Hà Nội", "Trưởng ban"),
                ]
            )
            return _Draft(name, ward, "Quản lý nhà nước", title, _PUBLIC)
        if roll < 0.75:
            return _Draft(
                f"Thuế cơ sở {self.rng.randint(1, 25)} thành phố {p}",
                ward,
                "Thuế",
                "Trưởng Thuế cơ sở",
                _PUBLIC,
            )
        if roll < 0.9:
            return _Draft(
                f"Kho bạc Nhà nước {p} – Phòng giao dịch số {self.rng.randint(1, 30)}",
                ward,
                "Tài chính",
                "Trưởng phòng giao dịch",
                _PUBLIC,
            )
        return _Draft(
            f"Bảo hiểm xã hội cơ sở {self.place(ward)}",
            ward,
            "Bảo hiểm xã hội",
            "Giám đốc",
            _PUBLIC,
        )

    def _ward_agency(self) -> _Draft:
        ward = self.ward(UnitKind.WARD_AGENCY)
        template, sector, title = WARD_AGENCIES[self.rng.randrange(len(WARD_AGENCIES))]
        return _Draft(template.format(w=_lower_first(ward.name)), ward, sector, title, _PUBLIC)

    def _public_service(self) -> _Draft:
        ward = self.ward(UnitKind.PUBLIC_SERVICE)
        roll = self.rng.random()
        if roll < 0.35:
            return _Draft(
                f"Trung tâm Văn hóa – Thông tin và Thể thao {_lower_first(ward.name)}",
                ward,
                "Văn hóa, thể thao",
                "Giám đốc",
                _PUBLIC,
            )
        if roll < 0.55:
            return _Draft(
                f"Trung tâm {self.pick(CITY_CENTRES)} {self.province}",
                ward,
                "Sự nghiệp công",
                "Giám đốc",
                _PUBLIC,
            )
        if roll < 0.75:
            return _Draft(
                f"Ban Quản lý dự án đầu tư xây dựng khu vực {self.place(ward)}",
                ward,
                "Xây dựng",
                "Trưởng ban",
                _PUBLIC,
            )
        return _Draft(
            f"Ban Quản lý chợ {self.place(ward)}", ward, "Quản lý chợ", "Trưởng ban", _PUBLIC
        )

    def _state_enterprise(self) -> _Draft:
        ward = self.ward(UnitKind.STATE_ENTERPRISE)
        roll = self.rng.random()
        if roll < 0.45:
            return _Draft(
                f"{self.pick(STATE_BANKS)} – chi nhánh {self.place(ward)}",
                ward,
                "Ngân hàng",
                "Giám đốc chi nhánh",
                _TAX,
            )
        if roll < 0.75:
            return _Draft(
                f"Công ty Điện lực {self.place(ward)}", ward, "Điện lực", "Giám đốc", _TAX
            )
        sector, field = ENTERPRISE_SECTORS[self.rng.randrange(len(ENTERPRISE_SECTORS))]
        return _Draft(f"Công ty TNHH MTV {sector} {self.brand()}", ward, field, "Giám đốc", _TAX)

    def _private_enterprise(self) -> _Draft:
        ward = self.ward(UnitKind.PRIVATE_ENTERPRISE)
        roll = self.rng.random()
        if roll < 0.1:
            return _Draft(
                f"Ngân hàng TMCP {self.pick(PRIVATE_BANKS)} – chi nhánh {self.place(ward)}",
                ward,
                "Ngân hàng",
                "Giám đốc chi nhánh",
                _TAX,
            )
        sector, field = ENTERPRISE_SECTORS[self.rng.randrange(len(ENTERPRISE_SECTORS))]
        if roll < 0.15:
            return _Draft(
                f"Doanh nghiệp tư nhân {sector} {self.brand()}",
                ward,
                field,
                "Chủ doanh nghiệp",
                _TAX,
            )
        if roll < 0.5:
            return _Draft(
                f"Công ty Cổ phần {sector} {self.brand()}", ward, field, "Tổng Giám đốc", _TAX
            )
        form = "TNHH MTV" if roll > 0.9 else "TNHH"
        return _Draft(f"Công ty {form} {sector} {self.brand()}", ward, field, "Giám đốc", _TAX)

    def _foreign_enterprise(self) -> _Draft:
        ward = self.ward(UnitKind.FOREIGN_ENTERPRISE)
        brand = (self.pick(FOREIGN_FIRST) + self.pick(FOREIGN_SECOND)).capitalize()
        vietnamese, english, field = FOREIGN_INDUSTRIES[self.rng.randrange(len(FOREIGN_INDUSTRIES))]
        if self.rng.random() < 0.5:
            name = f"Công ty TNHH {vietnamese} {brand} Việt Nam"
        else:
            name = f"Công ty TNHH {brand} {english} Việt Nam"
        return _Draft(name, ward, field, "Tổng Giám đốc", _TAX)

    def _hospital(self) -> _Draft:
        ward = self.ward(UnitKind.HOSPITAL)
        roll = self.rng.random()
        if roll < 0.35:
            name, code_kind = f"Bệnh viện Đa khoa {self.place(ward)}", _PUBLIC
        elif roll < 0.6:
            name, code_kind = f"Bệnh viện {self.pick(SPECIALTIES)} {self.province}", _PUBLIC
        elif roll < 0.85:
            name, code_kind = f"Bệnh viện Đa khoa {self.brand()}", _TAX
        else:
            name, code_kind = f"Bệnh viện Quốc tế {self.brand()}", _TAX
        return _Draft(name, ward, "Y tế", "Giám đốc", code_kind)

    def _clinic(self) -> _Draft:
        ward = self.ward(UnitKind.CLINIC)
        roll = self.rng.random()
        if roll < 0.3:
            return _Draft(
                f"Trạm Y tế {_lower_first(ward.name)}", ward, "Y tế", "Trạm trưởng", _PUBLIC
            )
        if roll < 0.65:
            return _Draft(f"Phòng khám Đa khoa {self.brand()}", ward, "Y tế", "Giám đốc", _TAX)
        if roll < 0.9:
            return _Draft(
                f"Phòng khám Chuyên khoa {self.pick(CLINIC_SPECIALTIES)} {self.brand()}",
                ward,
                "Y tế",
                "Giám đốc",
                _TAX,
            )
        return _Draft(
            f"Trung tâm Y tế khu vực {self.place(ward)}", ward, "Y tế", "Giám đốc", _PUBLIC
        )

    def _university(self) -> _Draft:
        ward = self.ward(UnitKind.UNIVERSITY)
        roll = self.rng.random()
        if roll < 0.5 and self.ha_noi:
            return _Draft(
                f"Trường Đại học {self.pick(UNIVERSITIES)}",
                ward,
                "Giáo dục",
                "Hiệu trưởng",
                _PUBLIC,
            )
        if roll < 0.75:
            return _Draft(
                f"Trường Cao đẳng {self.pick(COLLEGE_FIELDS)} {self.province}",
                ward,
                "Giáo dục",
                "Hiệu trưởng",
                _PUBLIC,
            )
        return _Draft(f"Trường Đại học {self.brand()}", ward, "Giáo dục", "Hiệu trưởng", _TAX)

    def _vocational(self) -> _Draft:
        ward = self.ward(UnitKind.VOCATIONAL)
        roll = self.rng.random()
        if roll < 0.4:
            name = f"Trường Cao đẳng nghề {self.pick(VOCATIONAL_FIELDS)} {self.province}"
            return _Draft(name, ward, "Giáo dục nghề nghiệp", "Hiệu trưởng", _PUBLIC)
        if roll < 0.7:
            name = f"Trường Trung cấp {self.pick(VOCATIONAL_FIELDS)} {self.brand()}"
            return _Draft(name, ward, "Giáo dục nghề nghiệp", "Hiệu trưởng", _TAX)
        name = f"Trung tâm Giáo dục nghề nghiệp – Giáo dục thường xuyên {_lower_first(ward.name)}"
        return _Draft(name, ward, "Giáo dục nghề nghiệp", "Giám đốc", _PUBLIC)

    def _school(self, kind: str, prefix: str) -> Callable[[], _Draft]:
        def make() -> _Draft:
            ward = self.ward(kind)
            roll = self.rng.random()
            if roll < 0.5:
                name, code_kind = f"{prefix} {self.pick(FIGURES)}", _PUBLIC
            elif roll < 0.9:
                suffix = self.pick(("", "", "", " A", " B"))
                name, code_kind = f"{prefix} {self.place(ward)}{suffix}", _PUBLIC
            else:
                name, code_kind = f"{prefix} {self.brand()}", _TAX
            return _Draft(name, ward, "Giáo dục", "Hiệu trưởng", code_kind)

        return make

    def _preschool(self) -> _Draft:
        ward = self.ward(UnitKind.PRESCHOOL)
        roll = self.rng.random()
        if roll < 0.45:
            suffix = self.pick(("", "", " A", " B"))
            name, code_kind = f"Trường Mầm non {self.place(ward)}{suffix}", _PUBLIC
        elif roll < 0.65:
            name, code_kind = f"Trường Mầm non {self.pick(PRESCHOOL_NAMES)}", _PUBLIC
        else:
            kind = self.pick(("tư thục", "tư thục", "Song ngữ"))
            name, code_kind = f"Trường Mầm non {kind} {self.brand()}", _TAX
        return _Draft(name, ward, "Giáo dục", "Hiệu trưởng", code_kind)

    def _other(self) -> _Draft:
        ward = self.ward(UnitKind.OTHER)
        roll = self.rng.random()
        if roll < 0.4:
            return _Draft(
                f"Hợp tác xã Dịch vụ Nông nghiệp {self.place(ward)}",
                ward,
                "Nông nghiệp",
                "Giám đốc",
                _TAX,
            )
        if roll < 0.7:
            return _Draft(
                f"Ban Quản trị nhà chung cư {self.brand()} Tower",
                ward,
                "Quản lý nhà ở",
                "Trưởng ban",
                _PUBLIC,
            )
        return _Draft(
            f"Quỹ Tín dụng nhân dân {self.place(ward)}", ward, "Tín dụng", "Giám đốc", _TAX
        )

    # --- the unit ---------------------------------------------------------------------

    def unit(self, kind: str) -> UnitSpec:
        rng = self.rng
        kind, draft = self.unique(kind)
        roll = rng.random()
        if draft.code_kind == _TAX:
            code = self.code(_TAX) if roll < 0.95 else None
        else:
            code = self.code(_PUBLIC) if roll < 0.7 else None
        low, high, mode = HEADCOUNTS[kind]
        headcount = round(rng.triangular(low, high, mode)) if rng.random() < 0.95 else None
        enterprise = kind in (
            UnitKind.PRIVATE_ENTERPRISE,
            UnitKind.FOREIGN_ENTERPRISE,
            UnitKind.STATE_ENTERPRISE,
        )
        roll = rng.random()
        if roll < 0.1:
            phone = ""
        elif enterprise and roll < 0.5:
            phone = self.mobile()
        else:
            phone = self.landline()
        email = ""
        if rng.random() < 0.6:
            words = fold(draft.name).split()
            local = "".join(w[0] for w in words[:-2]) + "".join(words[-2:])
            email = f"{_NOT_EMAIL.sub('', local)}@example.com"
        closed = rng.random() < 0.03
        notes = ""
        if closed:
            notes = f"Ngừng hoạt động từ tháng {rng.randint(1, 12)}/{rng.randint(2019, 2025)}."
        return UnitSpec(
            name=draft.name,
            kind=kind,
            sector=draft.sector,
            code=code,
            address=self.address(draft.ward, kind),
            ward_code=draft.ward.code,
            headcount=headcount,
            phone=phone,
            email=email,
            security_contact_name=self.person(),
            security_contact_phone=self.mobile(),
            head_name=self.person(),
            head_title=draft.head_title,
            status=UnitStatus.CLOSED if closed else UnitStatus.ACTIVE,
            notes=notes,
        )


def units_generate(
    *,
    seed: int = DEFAULT_SEED,
    count: int = DEFAULT_UNITS,
    wards: Sequence[WardRef],
    province_name: str = "Thành phố Hà Nội",
    province_code: int = HA_NOI,
    taken_codes: Collection[str] = (),
    taken_names: Collection[str] = (),
) -> list[UnitSpec]:
    """``count`` units spread over ``wards``; the same arguments always give the same list.

    The two units of the demo logins come first when their wards are among ``wards``.
    Codes and names already in the database (``taken_codes``, ``taken_names``) are never
    handed out again, so running the demo twice does not give two units the same name.
    """
    gen = _CityGenerator(
        seed=seed,
        wards=wards,
        province_name=province_name,
        province_code=province_code,
        taken_codes=taken_codes,
        taken_names=taken_names,
    )
    ward_codes = {w.code for w in wards}
    fixed = [u for u in FIXED_UNITS if u.ward_code in ward_codes and u.name not in gen.names]
    fixed = fixed[:count]
    gen.names.update(spec.name for spec in fixed)
    kinds = list(KIND_WEIGHTS)
    drawn = gen.rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds], k=count - len(fixed))
    return fixed + [gen.unit(kind) for kind in drawn]


# --- Writing it -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    units: int
    closed: int
    residential_areas: int
    users: int


@transaction.atomic
def demo_city_create(
    *,
    seed: int = DEFAULT_SEED,
    units: int = DEFAULT_UNITS,
    province_code: int = HA_NOI,
) -> DemoResult:
    """Load the province's wards and add the demo city to them, all in one transaction.

    Units get one ``import`` audit row each, like any import; the demo users are created
    through the accounts service and audited as usual. Running it again adds ``units`` more
    units with new names and codes, but never a second copy of the fixed units, the
    residential areas or the users.
    """
    areas_load(province_code=province_code)
    province = AdministrativeArea.objects.get(code=f"{province_code:02d}")
    ward_rows = list(
        AdministrativeArea.objects.filter(parent=province, level=AreaLevel.WARD).order_by("code")
    )
    ward_ids = {w.code: w.pk for w in ward_rows}
    existing = list(Unit.objects.values_list("name", "code"))
    specs = units_generate(
        seed=seed,
        count=units,
        wards=[WardRef(w.code, w.name) for w in ward_rows],
        province_name=province.name,
        province_code=province_code,
        taken_codes={code for _name, code in existing if code},
        taken_names={name for name, _code in existing},
    )
    created = units_insert(
        actor=None,
        units=[_unit(spec, ward_ids[spec.ward_code]) for spec in specs],
        reason=DEMO_REASON,
    )
    wards_by_code = {w.code: w for w in ward_rows}
    return DemoResult(
        units=len(created),
        closed=sum(1 for s in specs if s.status == UnitStatus.CLOSED),
        residential_areas=_residential_areas_create(wards_by_code),
        users=demo_users_create(wards_by_code),
    )


def _unit(spec: UnitSpec, ward_id: int) -> Unit:
    return Unit(
        name=spec.name,
        name_folded=fold(spec.name),
        kind=spec.kind,
        sector=spec.sector,
        code=spec.code,
        address=spec.address,
        ward_id=ward_id,
        headcount=spec.headcount,
        phone=spec.phone,
        email=spec.email,
        security_contact_name=spec.security_contact_name,
        security_contact_phone=spec.security_contact_phone,
        head_name=spec.head_name,
        head_title=spec.head_title,
        status=spec.status,
        notes=spec.notes,
    )


def _residential_areas_create(wards: dict[str, AdministrativeArea]) -> int:
    created = 0
    for ward_code, count in RESIDENTIAL_AREAS:
        ward = wards.get(ward_code)
        if ward is None:
            continue
        existing = set(ward.children.values_list("name", flat=True))
        for number in range(1, count + 1):
            name = f"Tổ dân phố số {number}"
            if name not in existing:
                residential_area_create(ward=ward, name=name)
                created += 1
    return created


def demo_users_create(wards: dict[str, AdministrativeArea]) -> int:
    """The demo logins (``DEMO_USERS``) not yet there, scoped to ``wards`` (by code) or to
    their unit; also used by the benchmark's city generator."""
    existing = set(
        User.objects.filter(username__in=list(_DEMO_USER)).values_list("username", flat=True)
    )
    created = 0
    for demo in DEMO_USERS:
        if demo.username in existing:
            continue
        unit = None
        if demo.unit_name:
            unit = Unit.objects.filter(name=demo.unit_name).order_by("id").first()
            if unit is None:
                continue
        areas = [wards[code] for code in demo.area_codes if code in wards]
        if demo.area_codes and not areas:
            continue
        user_create(
            actor=None,
            data={
                "username": demo.username,
                "full_name": demo.full_name,
                "title": demo.title,
                "phone": demo.phone,
                "role": demo.role,
                "unit": unit,
            },
            areas=areas,
            password=DEMO_PASSWORD,
        )
        created += 1
    return created


# --- Reading it back --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    password: str


def demo_logins() -> list[DemoLogin]:
    """The demo users that exist, in the order of the tour (empty: no demo data).

    The password shown is the one demo-data set; checking each hash (Argon2, ~0.4 s each)
    would slow down every ``make demo`` for the rare user who changed his.
    """
    users = {
        u.username: u
        for u in User.objects.filter(username__in=list(_DEMO_USER))
        .select_related("unit")
        .prefetch_related("areas")
    }
    rows = []
    for demo in DEMO_USERS:
        user = users.get(demo.username)
        if user is None:
            continue
        if user.role in CITY_ROLES:
            scope = _("Toàn thành phố")
        elif user.unit is not None:
            scope = user.unit.name
        else:
            scope = ", ".join(a.name for a in sorted(user.areas.all(), key=lambda a: a.code))
        rows.append(
            DemoLogin(
                username=user.username,
                role=str(user.get_role_display()),
                scope=scope,
                password=DEMO_PASSWORD,
            )
        )
    return rows
