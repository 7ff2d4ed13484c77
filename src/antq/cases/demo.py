"""The complaints and denunciations of the demo city: a few dozen cases in every state.

Each case is registered and moved through its stages by the real services
(``case_register``, ``case_transition`` with the day each step happened), so its deadlines,
history and audit trail are the product's own. The dates are chosen backwards from today:
some cases wait past their deadline (received long ago and still not accepted, or still
being verified), some are due within one or five working days, one is suspended, one very
complex denunciation has been extended twice; the rest are spread over the last months,
closed, withdrawn, concluded. Each accepted denunciation has its acceptance notice issued
from the document's draft (which meets its notice deadline). The deadline scan runs once at
the end, so the demo inbox has its reminders. Every name is invented. Demo data only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import TypeVar

from django.db import transaction

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.cases import services
from antq.cases.calendar import WorkCalendar
from antq.cases.deadlines import add_working_days, days_for, due_date, rule_for
from antq.cases.documents import document_issue, draft_for_case
from antq.cases.models import Case, CaseDeadline, DeadlineRule
from antq.cases.reminders import deadline_scan
from antq.cases.services import (
    PRIVATE_KINDS,
    SealedInput,
    case_register,
    case_transition,
    work_calendar,
)
from antq.cases.status import (
    COMPLAINT_KINDS,
    CaseChannel,
    CaseKind,
    CaseStatus,
    Complexity,
    DocumentType,
    Stage,
)
from antq.registry.demo import (
    DEFAULT_SEED,
    GIVEN_FEMALE,
    GIVEN_MALE,
    HA_NOI_PHO,
    MIDDLE_FEMALE,
    MIDDLE_MALE,
    PHAN_DINH_PHUNG,
    SURNAMES,
    VIET_DUC,
    WARD_BA_DINH,
    WARD_CUA_NAM,
    WARD_HOAN_KIEM,
)
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel, UnitKind, UnitStatus

DEFAULT_CASES = 60
K = TypeVar("K", bound=str)
# Mountain communes of Hà Nội (after 01/07/2025): their cases count the remote-area days.
REMOTE_WARDS = ("09700", "09694", "04936")
FOCUS_WARDS = (WARD_HOAN_KIEM, WARD_CUA_NAM, WARD_BA_DINH)
# Who handles a case of a ward with no unit: the ward's police officer (demo logins).
WARD_OFFICER = {
    WARD_HOAN_KIEM: "ca.hoankiem",
    WARD_CUA_NAM: "ca.hoankiem",
    WARD_BA_DINH: "ca.badinh",
}
UNIT_OFFICER = {VIET_DUC: "antt.vietduc", PHAN_DINH_PHUNG: "antt.thpt"}
DEPARTMENT = "phongxdpt"

HOSPITAL, SCHOOL, ENTERPRISE, WARD = "hospital", "school", "enterprise", "ward"
SETTING_KINDS: dict[str, tuple[str, ...]] = {
    HOSPITAL: (UnitKind.HOSPITAL, UnitKind.CLINIC),
    SCHOOL: (UnitKind.HIGH_SCHOOL, UnitKind.SECONDARY_SCHOOL, UnitKind.PRIMARY_SCHOOL),
    ENTERPRISE: (
        UnitKind.PRIVATE_ENTERPRISE,
        UnitKind.FOREIGN_ENTERPRISE,
        UnitKind.STATE_ENTERPRISE,
    ),
    WARD: (),
}
FIXED_UNIT = {HOSPITAL: VIET_DUC, SCHOOL: PHAN_DINH_PHUNG}
# What a case is about where no unit of its kind is registered (a remote commune).
UNIT_STANDIN = {
    HOSPITAL: "Trạm Y tế {ward}",
    SCHOOL: "Trường Trung học cơ sở {ward}",
    ENTERPRISE: "Hợp tác xã dịch vụ nông nghiệp {ward}",
    WARD: "",
}
HOSPITAL_WARDS = (
    "Ngoại tổng hợp",
    "Cấp cứu",
    "Gây mê hồi sức",
    "Chấn thương chỉnh hình",
    "Khám bệnh",
)


@dataclass(frozen=True)
class Topic:
    """What a case is about. ``{unit}``, ``{head}`` (the unit's head and its name),
    ``{khoa}``, ``{pho}``, ``{ward}``, ``{n}`` and ``{person}`` are filled in."""

    key: str
    kind: str
    setting: str
    subject: str
    content: str
    respondent: str
    conclusion: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        "kn-kyluat",
        CaseKind.COMPLAINT_FIRST,
        HOSPITAL,
        "Khiếu nại quyết định kỷ luật khiển trách",
        "Tôi là điều dưỡng khoa {khoa}, {unit}. Tôi bị kỷ luật khiển trách với lý do bỏ "
        "ca trực đêm, trong khi việc đổi ca đã được trưởng khoa đồng ý bằng văn bản. Đề nghị "
        "xem xét hủy quyết định kỷ luật.",
        "{head}",
        "Khiếu nại đúng một phần: việc đổi ca có ý kiến đồng ý của trưởng khoa nhưng chưa "
        "báo phòng Điều dưỡng. Hủy quyết định kỷ luật khiển trách; nhắc nhở rút kinh nghiệm.",
    ),
    Topic(
        "kn-phucap",
        CaseKind.COMPLAINT_FIRST,
        HOSPITAL,
        "Khiếu nại việc không chi trả phụ cấp trực đêm",
        "Tập thể bác sĩ khoa {khoa}, {unit} khiếu nại việc đơn vị chưa chi trả phụ cấp "
        "trực đêm của {n} tháng gần đây dù đã có bảng chấm công được duyệt.",
        "{head}",
        "Khiếu nại đúng. Yêu cầu {unit} chi trả đủ phụ cấp trực còn thiếu trong 30 ngày.",
    ),
    Topic(
        "kn-thidua",
        CaseKind.COMPLAINT_FIRST,
        SCHOOL,
        "Khiếu nại kết quả bình xét thi đua năm học",
        "Tôi là giáo viên tổ Ngữ văn, {unit}. Hội đồng thi đua không xét danh hiệu lao động "
        "tiên tiến của tôi với lý do không có sáng kiến, trong khi sáng kiến của tôi đã được "
        "công nhận cấp trường.",
        "{head}",
        "Khiếu nại đúng: sáng kiến đã được công nhận. Yêu cầu Hội đồng thi đua xét lại.",
    ),
    Topic(
        "kn-dieuchuyen",
        CaseKind.COMPLAINT_FIRST,
        SCHOOL,
        "Khiếu nại quyết định điều chuyển công tác",
        "Tôi là nhân viên thư viện, {unit}. Tôi bị điều chuyển sang làm nhân viên bảo vệ mà "
        "không được thông báo trước và không có lý do rõ ràng.",
        "{head}",
        "Khiếu nại không có cơ sở: việc điều chuyển đúng thẩm quyền, có thông báo trước 10 "
        "ngày. Giữ nguyên quyết định.",
    ),
    Topic(
        "kn-hopdong",
        CaseKind.COMPLAINT_FIRST,
        ENTERPRISE,
        "Khiếu nại quyết định chấm dứt hợp đồng lao động",
        "Tôi là công nhân {unit}, làm việc từ năm 2019. Công ty đơn phương chấm dứt hợp "
        "đồng lao động của tôi khi tôi đang nghỉ ốm có giấy của bệnh viện.",
        "{head}",
        "Khiếu nại đúng. Công ty nhận người lao động trở lại làm việc và trả lương những "
        "ngày không được làm việc.",
    ),
    Topic(
        "kn-luong",
        CaseKind.COMPLAINT_FIRST,
        ENTERPRISE,
        "Khiếu nại việc chậm trả lương, không đóng bảo hiểm xã hội",
        "Công nhân tổ {n}, {unit} khiếu nại việc công ty chậm trả lương hai tháng và không "
        "đóng bảo hiểm xã hội từ đầu năm.",
        "{head}",
        "Khiếu nại đúng. Công ty cam kết trả đủ lương trong 15 ngày và đóng bù bảo hiểm xã "
        "hội; chuyển thông tin đến cơ quan bảo hiểm xã hội theo dõi.",
    ),
    Topic(
        "kn2-kyluat",
        CaseKind.COMPLAINT_SECOND,
        HOSPITAL,
        "Khiếu nại lần hai về quyết định kỷ luật cảnh cáo",
        "Tôi không đồng ý với quyết định giải quyết khiếu nại lần đầu số {n}/QĐ-BV về việc "
        "giữ nguyên hình thức kỷ luật cảnh cáo đối với tôi, nhân viên khoa {khoa}, {unit}.",
        "{head}",
        "Công nhận quyết định giải quyết khiếu nại lần đầu; khiếu nại lần hai không có cơ sở.",
    ),
    Topic(
        "kn2-dinhmuc",
        CaseKind.COMPLAINT_SECOND,
        ENTERPRISE,
        "Khiếu nại lần hai về việc trừ lương do không đạt định mức",
        "Tôi không đồng ý với quyết định giải quyết khiếu nại lần đầu của {unit} về việc trừ "
        "lương vì không đạt định mức sản phẩm, vì định mức được nâng mà không báo trước.",
        "{head}",
        "Khiếu nại đúng một phần: định mức mới chỉ áp dụng từ khi được thông báo. Hoàn trả "
        "tiền lương đã trừ của tháng đầu tiên.",
    ),
    Topic(
        "tc-xeplich",
        CaseKind.DENUNCIATION,
        HOSPITAL,
        "Tố cáo nhân viên nhận tiền của người bệnh để xếp lịch khám sớm",
        "Tại khu Khám bệnh, {unit}, một nhân viên thường xuyên nhận tiền của người nhà bệnh "
        "nhân (từ 200.000 đến 500.000 đồng) để xếp lịch khám và chụp chiếu sớm.",
        "{person}, nhân viên khoa Khám bệnh, {unit}",
        "Nội dung tố cáo đúng một phần: có việc nhận tiền ở {n} trường hợp. Kiến nghị Giám "
        "đốc bệnh viện xử lý kỷ luật và trả lại tiền cho người bệnh.",
    ),
    Topic(
        "tc-thuoc",
        CaseKind.DENUNCIATION,
        HOSPITAL,
        "Tố cáo việc kê đơn thuốc ngoài danh mục, chỉ định mua tại nhà thuốc bên ngoài",
        "Một số bác sĩ khoa {khoa}, {unit} kê đơn thuốc ngoài danh mục bảo hiểm và hướng "
        "dẫn người bệnh mua tại một nhà thuốc trên phố {pho}.",
        "{person}, bác sĩ khoa {khoa}, {unit}",
        "Tố cáo đúng một phần. Kiến nghị kiểm điểm bác sĩ kê đơn, chấn chỉnh việc kê đơn.",
    ),
    Topic(
        "tc-lamthu",
        CaseKind.DENUNCIATION,
        SCHOOL,
        "Tố cáo lạm thu các khoản ngoài quy định đầu năm học",
        "Đầu năm học, {unit} thu của mỗi học sinh {n}00.000 đồng tiền cơ sở vật chất và "
        "tiền máy lọc nước ngoài các khoản được phép thu.",
        "{person}, Phó Hiệu trưởng {unit}",
        "Nội dung tố cáo đúng: các khoản thu ngoài quy định phải hoàn trả cho cha mẹ học "
        "sinh. Kiến nghị xử lý trách nhiệm người đứng đầu.",
    ),
    Topic(
        "tc-trudap",
        CaseKind.DENUNCIATION,
        ENTERPRISE,
        "Tố cáo quản đốc trù dập, ép công nhân làm thêm giờ quá quy định",
        "Quản đốc phân xưởng {n}, {unit} buộc công nhân làm thêm 4 giờ mỗi ngày, ai không "
        "làm bị chuyển sang khâu nặng nhọc và cắt thưởng.",
        "{person}, Quản đốc phân xưởng {n}, {unit}",
        "Tố cáo đúng: thời giờ làm thêm vượt mức cho phép. Kiến nghị thanh tra lao động xử "
        "phạt công ty; công ty cam kết bố trí lại ca làm việc.",
    ),
    Topic(
        "tc-trongxe",
        CaseKind.DENUNCIATION,
        WARD,
        "Tố cáo thành viên tổ bảo vệ an ninh trật tự thu tiền trông giữ xe trái quy định",
        "Một thành viên tổ bảo vệ an ninh, trật tự ở cơ sở thuộc {ward} tự ý thu tiền trông "
        "giữ xe trên vỉa hè phố {pho} mỗi tối và không có biên lai.",
        "{person}, tổ bảo vệ an ninh, trật tự ở cơ sở, {ward}",
        "Tố cáo đúng. Đề nghị miễn nhiệm thành viên tổ bảo vệ và hoàn trả số tiền đã thu.",
    ),
    Topic(
        "pa-comoi",
        CaseKind.PETITION,
        HOSPITAL,
        "Kiến nghị xử lý cò mồi, xe cấp cứu tư nhân trước cổng bệnh viện",
        "Người nhà bệnh nhân phản ánh tình trạng cò mồi xe cấp cứu tư nhân và dịch vụ nhà "
        "trọ chèo kéo trước cổng {unit}, phố {pho}.",
        "{unit}",
        "Đã phối hợp bệnh viện lập chốt kiểm tra, xử lý {n} trường hợp cò mồi.",
    ),
    Topic(
        "pa-congtruong",
        CaseKind.PETITION,
        SCHOOL,
        "Phản ánh hàng rong, trông giữ xe trái phép trước cổng trường",
        "Cha mẹ học sinh {unit} phản ánh hàng rong và điểm trông giữ xe tự phát chiếm lòng "
        "đường trước cổng trường giờ tan học, gây ùn tắc và mất an toàn.",
        "{unit}",
        "Đã phối hợp nhà trường và lực lượng trật tự đô thị giải tỏa; duy trì chốt giờ tan học.",
    ),
    Topic(
        "pa-karaoke",
        CaseKind.PETITION,
        WARD,
        "Phản ánh quán karaoke hoạt động quá giờ, gây mất trật tự",
        "Các hộ dân phố {pho}, {ward} phản ánh quán karaoke số {n} hát to quá 24 giờ, khách "
        "say xỉn gây ồn ào, đỗ xe chắn lối đi.",
        "Chủ cơ sở karaoke số {n} phố {pho}",
        "Đã kiểm tra, lập biên bản vi phạm hành chính; chủ cơ sở cam kết đóng cửa trước 24 giờ.",
    ),
    Topic(
        "pa-nhatro",
        CaseKind.PETITION,
        ENTERPRISE,
        "Kiến nghị bảo đảm an ninh khu nhà trọ công nhân",
        "Công nhân {unit} kiến nghị tăng cường tuần tra khu nhà trọ gần công ty vì nhiều "
        "lần bị mất trộm xe máy và điện thoại vào ban đêm.",
        "{unit}",
        "Đã tăng cường tuần tra ban đêm, hướng dẫn chủ nhà trọ lắp camera và khóa cổng.",
    ),
    Topic(
        "mt-truc",
        CaseKind.INTERNAL,
        HOSPITAL,
        "Mâu thuẫn giữa hai khoa về phân công trực cấp cứu dịp Tết",
        "Khoa {khoa} và khoa Cấp cứu, {unit} mâu thuẫn về phân công trực dịp Tết, đã xảy ra "
        "lời qua tiếng lại trước người bệnh.",
        "{unit}",
        "Đã tổ chức hòa giải; Ban Giám đốc ban hành lịch trực luân phiên, các bên thống nhất.",
    ),
    Topic(
        "mt-tochuyenmon",
        CaseKind.INTERNAL,
        SCHOOL,
        "Mâu thuẫn trong tổ chuyên môn về phân công giảng dạy",
        "Giáo viên tổ Toán, {unit} mâu thuẫn kéo dài về phân công giảng dạy các lớp chọn, "
        "ảnh hưởng đến không khí làm việc của nhà trường.",
        "{unit}",
        "Nhà trường đã phân công lại theo tiêu chí công khai; các giáo viên nhất trí.",
    ),
    Topic(
        "mt-xoxat",
        CaseKind.INTERNAL,
        ENTERPRISE,
        "Mâu thuẫn giữa công nhân và tổ trưởng dây chuyền, có xô xát",
        "Tại dây chuyền {n}, {unit}, một công nhân và tổ trưởng xô xát sau khi bị nhắc nhở "
        "về năng suất; nhiều công nhân bỏ việc theo dõi.",
        "{unit}",
        "Đã hòa giải thành; công ty điều chuyển tổ trưởng sang dây chuyền khác.",
    ),
    Topic(
        "mt-nhavanhoa",
        CaseKind.INTERNAL,
        WARD,
        "Mâu thuẫn trong tổ dân phố về sử dụng nhà văn hóa",
        "Các hộ dân tổ dân phố số {n}, {ward} mâu thuẫn về việc cho thuê nhà văn hóa làm "
        "nơi trông trẻ, đã có lời lẽ xúc phạm nhau tại cuộc họp.",
        "Tổ dân phố số {n}, {ward}",
        "Đã hòa giải tại cơ sở; tổ dân phố lấy ý kiến các hộ và dừng việc cho thuê.",
    ),
)
_TOPIC = {t.key: t for t in TOPICS}

# The reason written for each move that needs one, by the status it moves to.
REASONS: dict[str, tuple[str, ...]] = {
    CaseStatus.REJECTED: (
        "Đơn đã quá thời hiệu khiếu nại 90 ngày, người khiếu nại không có lý do chính đáng.",
        "Nội dung đã được giải quyết bằng quyết định có hiệu lực, không có tình tiết mới.",
    ),
    CaseStatus.TRANSFERRED: (
        "Nội dung không thuộc thẩm quyền của Công an thành phố; chuyển Ủy ban nhân dân phường.",
        "Chuyển Thanh tra Sở Y tế giải quyết theo thẩm quyền.",
    ),
    CaseStatus.WITHDRAWN: (
        "Người gửi đơn có đơn xin rút toàn bộ nội dung sau khi đơn vị đã giải quyết quyền lợi.",
        "Các bên đã tự thỏa thuận, người gửi đơn rút đơn.",
    ),
    CaseStatus.SUSPENDED: (
        "Chờ kết quả giám định chữ ký trên chứng từ của Viện Khoa học hình sự.",
        "Chờ kết quả giải quyết của Tòa án nhân dân về vụ việc có liên quan.",
    ),
    CaseStatus.EXTENDED: (
        "Vụ việc phức tạp, phải xác minh tại nhiều khoa, phòng và người bệnh.",
        "Vụ việc đặc biệt phức tạp, phải trưng cầu giám định tài liệu kế toán.",
    ),
    CaseStatus.TERMINATED: (
        "Tổ chức bị tố cáo đã giải thể, không còn cơ quan kế thừa quyền và nghĩa vụ.",
        "Người tố cáo rút toàn bộ nội dung tố cáo, xét thấy không có dấu hiệu vi phạm.",
    ),
    CaseStatus.VERIFYING: ("Đã có kết quả giám định, tiếp tục giải quyết.",),
}

# Calendar days between a move and the one before it (forward layout of a finished case).
GAPS: dict[str, tuple[int, int]] = {
    CaseStatus.INITIAL: (0, 1),
    CaseStatus.ACCEPTED: (2, 6),
    CaseStatus.VERIFYING: (1, 3),
    CaseStatus.CONCLUDED: (15, 26),
    CaseStatus.HANDLED: (3, 10),
    CaseStatus.PUBLISHED: (2, 5),
    CaseStatus.CLOSED: (3, 12),
    CaseStatus.REJECTED: (2, 6),
    CaseStatus.TRANSFERRED: (1, 4),
    CaseStatus.WITHDRAWN: (5, 15),
    CaseStatus.TERMINATED: (10, 20),
    CaseStatus.SUSPENDED: (8, 15),
    CaseStatus.EXTENDED: (24, 28),
}

# A suspension lasts a few weeks before the case resumes.
RESUME_GAP = (10, 25)

# The statuses a case passes through after it is received.
S = CaseStatus
TO_VERIFY = (S.INITIAL, S.ACCEPTED, S.VERIFYING)
PATHS: dict[str, tuple[str, ...]] = {
    "received": (),
    "initial": (S.INITIAL,),
    "accepted": (S.INITIAL, S.ACCEPTED),
    "verifying": TO_VERIFY,
    "suspended": (*TO_VERIFY, S.SUSPENDED),
    "resumed": (*TO_VERIFY, S.SUSPENDED, S.VERIFYING),
    "extended": (*TO_VERIFY, S.EXTENDED),
    "extended2": (*TO_VERIFY, S.EXTENDED, S.EXTENDED),
    "concluded": (*TO_VERIFY, S.CONCLUDED),
    "handled": (*TO_VERIFY, S.CONCLUDED, S.HANDLED),
    "published": (*TO_VERIFY, S.CONCLUDED, S.HANDLED, S.PUBLISHED),
    "closed_published": (*TO_VERIFY, S.CONCLUDED, S.HANDLED, S.PUBLISHED, S.CLOSED),
    "closed_handled": (*TO_VERIFY, S.CONCLUDED, S.HANDLED, S.CLOSED),
    "rejected": (S.INITIAL, S.REJECTED),
    "rejected_closed": (S.INITIAL, S.REJECTED, S.CLOSED),
    "transferred": (S.INITIAL, S.TRANSFERRED),
    "transferred_closed": (S.INITIAL, S.TRANSFERRED, S.CLOSED),
    "withdrawn": (*TO_VERIFY, S.WITHDRAWN),
    "withdrawn_early": (S.WITHDRAWN,),
    "terminated": (*TO_VERIFY, S.TERMINATED),
}
# Where the open deadline of a case in progress stands today.
OVERDUE, DUE_1, DUE_5, LATER = "overdue", "due1", "due5", "later"
# Paths whose open deadline is placed on purpose: acceptance counts from the receipt,
# resolution from the acceptance.
ACCEPTANCE_OPEN = frozenset({"received", "initial"})
RESOLUTION_OPEN = frozenset({"accepted", "verifying", "extended", "extended2"})


@dataclass(frozen=True)
class Plan:
    """One demo case before it exists: what, where, and how far it has gone."""

    topic: str
    path: str
    due: str = LATER
    complexity: str = Complexity.NORMAL
    remote: bool = False
    # Days since receipt of a case whose deadline is not placed (finished, suspended).
    age: int = 60


# First come the cases the tour shows (every state, overdue, due soon, suspended, extended
# twice, remote); then cases drawn at random.
TOUR: tuple[Plan, ...] = (
    Plan("kn-kyluat", "received", OVERDUE),
    Plan("pa-karaoke", "initial", OVERDUE),
    Plan("kn2-kyluat", "verifying", OVERDUE),
    Plan("tc-xeplich", "received", DUE_1),
    Plan("kn-hopdong", "initial", DUE_5),
    Plan("mt-truc", "verifying", DUE_1),
    Plan("pa-congtruong", "verifying", DUE_5),
    Plan("kn-thidua", "accepted", LATER),
    Plan("tc-lamthu", "suspended", complexity=Complexity.COMPLEX, age=50),
    Plan("tc-thuoc", "extended2", LATER, complexity=Complexity.VERY_COMPLEX),
    Plan("kn-luong", "rejected", age=20),
    Plan("tc-trongxe", "transferred", age=9),
    Plan("kn-phucap", "concluded", age=40),
    Plan("kn2-dinhmuc", "handled", age=70),
    Plan("tc-xeplich", "published", age=80),
    Plan("tc-trudap", "closed_published", age=150),
    Plan("kn-dieuchuyen", "closed_handled", age=120),
    Plan("kn-hopdong", "withdrawn", age=45),
    Plan("tc-lamthu", "terminated", age=60),
    Plan("kn-luong", "verifying", LATER, complexity=Complexity.COMPLEX, remote=True),
    Plan("tc-trudap", "resumed", complexity=Complexity.COMPLEX, age=55),
    Plan("tc-thuoc", "extended", LATER, complexity=Complexity.COMPLEX),
    Plan("pa-nhatro", "initial", DUE_5, remote=True),
    Plan("mt-xoxat", "accepted", OVERDUE),
    Plan("kn-dieuchuyen", "rejected_closed", age=100),
    Plan("tc-trongxe", "transferred_closed", age=130),
    Plan("mt-nhavanhoa", "withdrawn_early", age=15),
)

KIND_WEIGHTS = {
    CaseKind.COMPLAINT_FIRST: 30,
    CaseKind.COMPLAINT_SECOND: 8,
    CaseKind.DENUNCIATION: 22,
    CaseKind.PETITION: 25,
    CaseKind.INTERNAL: 15,
}
# Paths of the random cases (weights); a denunciation's own moves only for denunciations.
OPEN_PATHS = {"received": 8, "initial": 12, "accepted": 6, "verifying": 30}
DONE_PATHS = {
    "concluded": 5,
    "handled": 5,
    "closed_handled": 14,
    "rejected_closed": 5,
    "transferred_closed": 4,
    "withdrawn": 4,
}
DENUNCIATION_PATHS = {"published": 3, "closed_published": 8, "extended": 3, "suspended": 2}
# How long ago a random case of these paths was received (days); others 20 to 300 days.
AGES = {"concluded": (25, 60), "handled": (35, 90), "suspended": (40, 90), "published": (50, 150)}
DUE_WEIGHTS = {OVERDUE: 15, DUE_1: 8, DUE_5: 12, LATER: 65}
CHANNEL_WEIGHTS = {
    CaseChannel.DIRECT: 35,
    CaseChannel.POST: 25,
    CaseChannel.ONLINE: 25,
    CaseChannel.TRANSFERRED: 15,
}


def _weighted(rng: random.Random, weights: Mapping[K, int]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_case_plans(*, seed: int = DEFAULT_SEED, count: int = DEFAULT_CASES) -> list[Plan]:
    """The tour's cases, then random ones up to ``count``; the same seed, the same plans."""
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    plans = list(TOUR[:count])
    by_kind: dict[str, list[Topic]] = {}
    for topic in TOPICS:
        by_kind.setdefault(topic.kind, []).append(topic)
    while len(plans) < count:
        kind = _weighted(rng, KIND_WEIGHTS)
        topic = rng.choice(by_kind[kind])
        paths = {**OPEN_PATHS, **DONE_PATHS}
        if kind == CaseKind.DENUNCIATION:
            paths.update(DENUNCIATION_PATHS)
        path = _weighted(rng, paths)
        complexity = Complexity.NORMAL
        roll = rng.random()
        if path in ("extended", "suspended") or roll < 0.2:
            complexity = Complexity.COMPLEX
        elif roll < 0.24 and kind == CaseKind.DENUNCIATION:
            complexity = Complexity.VERY_COMPLEX
        plans.append(
            Plan(
                topic.key,
                path,
                _weighted(rng, DUE_WEIGHTS),
                complexity=complexity,
                remote=rng.random() < 0.05,
                age=rng.randint(*AGES.get(path, (20, 300))),
            )
        )
    return plans


# --- Writing them ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCasesResult:
    cases: int
    overdue: int
    alerts: int
    notifications: int


class _Dates:
    """The days of a case's steps, placed so that its open deadline lands where the plan
    says, with the real rules and calendar."""

    def __init__(self, today: dt.date, calendar: WorkCalendar, rules: list[DeadlineRule]):
        self.today = today
        self.calendar = calendar
        self.rules = rules
        self.next_1 = add_working_days(today, 1, calendar)
        self.next_5 = add_working_days(today, 5, calendar)

    def due_fn(
        self, kind: str, stage: str, plan: Plan, private: bool, extensions: int
    ) -> Callable[[int], dt.date]:
        """Due date of the stage started ``k`` days before today."""
        rule = rule_for(
            self.rules, kind=kind, stage=stage, on=self.today, private_enterprise=private
        )
        if rule is None:
            raise LookupError(f"no deadline rule for {kind} {stage}")
        days = days_for(rule, complexity=plan.complexity, remote=plan.remote, extensions=extensions)

        def due(k: int) -> dt.date:
            found = due_date(self.today - dt.timedelta(days=k), days, rule.day_count, self.calendar)
            assert found is not None  # no suspension is passed
            return found

        return due

    @staticmethod
    def first_at_most(due: Callable[[int], dt.date], limit: dt.date) -> int:
        """The fewest days ago a stage must have started to be due on ``limit`` or before
        (due dates only move earlier as the start does)."""
        low, high = 0, 600
        while low < high:
            mid = (low + high) // 2
            if due(mid) <= limit:
                high = mid
            else:
                low = mid + 1
        return low

    def start_ago(
        self, rng: random.Random, due: Callable[[int], dt.date], target: str, min_age: int
    ) -> int:
        if target == OVERDUE:
            late = rng.randint(3, 35)
            return self.first_at_most(due, self.today - dt.timedelta(days=late))
        if target == DUE_1:
            return self.first_at_most(due, self.next_1)
        if target == DUE_5:
            last = add_working_days(self.today, rng.randint(2, 5), self.calendar)
            return self.first_at_most(due, last)
        latest = self.first_at_most(due, self.next_5) - 1  # still due after five working days
        return rng.randint(min(min_age, latest), latest) if latest > 0 else 0


def person_name(rng: random.Random) -> str:
    """An invented Vietnamese full name, surnames as common as in life."""
    surnames, weights = zip(*SURNAMES, strict=True)
    surname = rng.choices(surnames, cum_weights=list(accumulate(weights)))[0]
    male = rng.random() < 0.5
    middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
    given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
    return f"{surname} {middle} {given}"


class _Cast:
    """The demo logins who register and handle the cases, the wards and the units."""

    def __init__(self) -> None:
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}
        wards = AdministrativeArea.objects.filter(level=AreaLevel.WARD)
        by_code = {a.code: a for a in wards.filter(code__in=[*FOCUS_WARDS, *REMOTE_WARDS])}
        # Another province than Hà Nội: its first wards stand for the demo wards.
        self.focus = [by_code[c] for c in FOCUS_WARDS if c in by_code] or list(
            wards.order_by("code")[:3]
        )
        self.remote = [by_code[c] for c in REMOTE_WARDS if c in by_code] or self.focus
        units = Unit.objects.filter(status=UnitStatus.ACTIVE).select_related("ward")
        self.fixed = {u.name: u for u in units.filter(name__in=list(FIXED_UNIT.values()))}
        self.by_setting = {
            setting: list(units.filter(kind__in=kinds).order_by("id")[:400])
            for setting, kinds in SETTING_KINDS.items()
        }
        self.department = self.users.get(DEPARTMENT) or next(
            (u for u in self.users.values() if u.role == Role.DEPARTMENT), None
        )

    def place(
        self, rng: random.Random, setting: str, *, number: int, remote: bool
    ) -> tuple[Unit | None, AdministrativeArea]:
        """The unit a case is about (none for a ward's own matters) and its ward: the unit
        of a demo login half the time, otherwise mostly a unit of the demo wards."""
        pool = self.by_setting.get(setting, [])
        if remote:
            ward = self.remote[number % len(self.remote)]
            here = [u for u in pool if u.ward_id == ward.pk]
            return (rng.choice(here) if here else None), ward
        if setting == WARD:
            return None, self.focus[number % len(self.focus)]
        fixed = self.fixed.get(FIXED_UNIT.get(setting, ""))
        if fixed is not None and rng.random() < 0.5:
            return fixed, fixed.ward
        focus_ids = {w.pk for w in self.focus}
        near = [u for u in pool if u.ward_id in focus_ids]
        choices = near if near and rng.random() < 0.6 else pool
        unit = rng.choice(choices) if choices else fixed
        if unit is None:
            return None, self.focus[number % len(self.focus)]
        return unit, unit.ward

    def handler(self, *, unit: Unit | None, ward: AdministrativeArea, kind: str) -> User | None:
        """A unit's own officer handles its complaints, petitions and conflicts; a
        denunciation, or a case of a unit without a demo login, goes to the ward's police
        officer, and outside the demo wards to the department."""
        if unit is not None and kind != CaseKind.DENUNCIATION:
            officer = self.users.get(UNIT_OFFICER.get(unit.name, ""))
            if officer is not None:
                return officer
        return self.users.get(WARD_OFFICER.get(ward.code, "")) or self.department


def demo_cases_create(
    *, seed: int = DEFAULT_SEED, count: int = DEFAULT_CASES, today: dt.date | None = None
) -> DemoCasesResult:
    """Register ``count`` demo cases and move each to its state as of ``today`` (the real
    today by default, never later), then run that day's deadline scan. Runs once: when
    cases exist, or without the demo city's wards and logins, it does nothing."""
    cast = _Cast()
    if Case.objects.exists() or not cast.focus or cast.department is None:
        return DemoCasesResult(0, 0, 0, 0)
    day = min(today or services.today(), services.today())
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    dates = _Dates(day, work_calendar(), list(DeadlineRule.objects.all()))
    with transaction.atomic():
        for number, plan in enumerate(demo_case_plans(seed=seed, count=count)):
            _create(rng, plan, number, cast, dates)
    overdue = (
        CaseDeadline.objects.filter(met_on__isnull=True, due_on__lt=day)
        .values("case_id")
        .distinct()
        .count()
    )
    scan = deadline_scan(day=day)
    return DemoCasesResult(Case.objects.count(), overdue, scan.total, scan.notifications)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _create(rng: random.Random, plan: Plan, number: int, cast: _Cast, dates: _Dates) -> Case:
    topic = _TOPIC[plan.topic]
    unit, ward = cast.place(rng, topic.setting, number=number, remote=plan.remote)
    handler = cast.handler(unit=unit, ward=ward, kind=topic.kind)
    unit_name = (
        unit.name if unit else UNIT_STANDIN[topic.setting].format(ward=_lower_first(ward.name))
    )
    if unit is not None:
        head = f"{unit.head_title} {unit.name}".strip()
    else:
        head = (
            f"Lãnh đạo {unit_name}" if unit_name else f"Ủy ban nhân dân {_lower_first(ward.name)}"
        )
    filer = person_name(rng)
    values = {
        "unit": unit_name,
        "head": head,
        "khoa": rng.choice(HOSPITAL_WARDS),
        "pho": rng.choice(HA_NOI_PHO),
        "ward": _lower_first(ward.name),
        "n": str(rng.randint(2, 9)),
        "person": person_name(rng),
    }
    days = _days(rng, plan, topic, unit, dates)
    denunciation = topic.kind == CaseKind.DENUNCIATION
    sealed = None
    if denunciation:
        sealed = SealedInput(
            name=filer,
            address=f"Số {rng.randint(1, 200)} phố {rng.choice(HA_NOI_PHO)}, Hà Nội",
            contact=f"+849{rng.randint(10_000_000, 99_999_999)}",
        )
    case = case_register(
        actor=handler,
        kind=topic.kind,
        subject=topic.subject,
        content=topic.content.format(**values),
        channel=_weighted(rng, CHANNEL_WEIGHTS),
        received_on=days[0],
        unit=unit,
        ward_id=ward.pk,
        filer_name="" if denunciation else filer,
        respondent=topic.respondent.format(**values),
        complexity=plan.complexity,
        remote_area=plan.remote,
        handler=handler,
        sealed=sealed,
    )
    extensions = 0
    steps = PATHS[plan.path]
    for step, (to, on) in enumerate(zip(steps, days[1:], strict=True)):
        reason = ""
        if to == S.EXTENDED:
            reason = REASONS[to][min(extensions, len(REASONS[to]) - 1)]
            extensions += 1
        elif to in REASONS:
            reason = rng.choice(REASONS[to])
        case = case_transition(
            case=case,
            to=to,
            actor=handler,
            reason=reason,
            on=on,
            conclusion=topic.conclusion.format(**values) if to == S.CONCLUDED else "",
        )
        if to == S.ACCEPTED and denunciation:
            # The denunciator is told within five working days (Luật Tố cáo Điều 29).
            later = days[step + 2] if step + 2 < len(days) else dates.today
            _notice(case, handler, min(on + dt.timedelta(days=rng.randint(0, 2)), later))
    return case


def _notice(case: Case, actor: User | None, day: dt.date) -> None:
    """Issue the acceptance notice from its draft, as an officer would, signed by the
    unit's head or, for the ward police, by the officer handling the case."""
    draft = draft_for_case(case, DocumentType.ACCEPT_NOTICE, today=day)
    if not draft["signer"] and actor is not None:
        draft["signer"] = actor.full_name or actor.username
    document_issue(case=case, actor=actor, data=draft)


def _days(
    rng: random.Random, plan: Plan, topic: Topic, unit: Unit | None, dates: _Dates
) -> list[dt.date]:
    """The day of the receipt and of each move of the plan's path, none after today."""
    today = dates.today
    steps = PATHS[plan.path]
    private = bool(
        unit is not None and unit.kind in PRIVATE_KINDS and topic.kind in COMPLAINT_KINDS
    )
    extensions = steps.count(S.EXTENDED)
    if plan.path in ACCEPTANCE_OPEN:
        due = dates.due_fn(topic.kind, Stage.ACCEPTANCE, plan, private, 0)
        received = today - dt.timedelta(days=dates.start_ago(rng, due, plan.due, 0))
        days = [received]
        if steps:
            days.append(min(received + dt.timedelta(days=rng.randint(0, 1)), today))
        return days
    if plan.path in RESOLUTION_OPEN:
        due = dates.due_fn(topic.kind, Stage.RESOLUTION, plan, private, extensions)
        accepted = today - dt.timedelta(
            days=dates.start_ago(rng, due, plan.due, 30 * extensions + 2)
        )
        received = accepted - dt.timedelta(days=rng.randint(2, 6))
        days = [received, min(received + dt.timedelta(days=1), accepted), accepted]
        if S.VERIFYING in steps:
            days.append(min(accepted + dt.timedelta(days=rng.randint(1, 3)), today))
        # Each extension is decided a few days before the period it extends runs out.
        for n in range(1, extensions + 1):
            days.append(min(accepted + dt.timedelta(days=30 * n - rng.randint(1, 4)), today))
        return days
    received = today - dt.timedelta(days=plan.age)
    days = [received]
    for before, to in zip((S.RECEIVED, *steps), steps, strict=False):
        low, high = RESUME_GAP if before == S.SUSPENDED else GAPS[to]
        days.append(min(days[-1] + dt.timedelta(days=rng.randint(low, high)), today))
    return days
