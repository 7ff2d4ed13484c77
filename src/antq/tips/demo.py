"""The hotline of the demo city: a few hundred realistic tips over the last year, a few
public warnings and one partner application with a known key.

Tips are written with their historical dates (and audit rows dated like them), in the states
an officer would find after a year of work: old tips mostly closed with an outcome, recent
ones new or being verified, some with a dialogue with the tipster. Demo data only.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from antq.accounts.models import User
from antq.core.audit import Change, audit_record_many, snapshot
from antq.core.crypto import encrypt
from antq.core.models import AuditAction
from antq.registry.demo import (
    HA_NOI_PHO,
    PHAN_DINH_PHUNG,
    VIET_DUC,
    WARD_BA_DINH,
    WARD_CUA_NAM,
    WARD_HOAN_KIEM,
)
from antq.registry.models import AdministrativeArea, Unit
from antq.textvn import fold, strip_marks
from antq.tips import codes
from antq.tips.deadlines import deadline_for, rule_for
from antq.tips.models import Bulletin, Partner, Tip, TipCategory, TipDeadlineRule, TipMessage
from antq.tips.restoration import restored_text
from antq.tips.search import search_document
from antq.tips.services import AUDIT_FIELDS, partner_create
from antq.tips.status import CLOSED_STATUSES, Channel, Outcome, Sender, TipStatus, Urgency

DEFAULT_TIPS = 400
# Printed by `antq demo-logins` and listed in the README: try the tipster's follow-up page.
DEMO_TIP_CODE = "DEMTB-2K6HN"
DEMO_TIP_PASSPHRASE = "hoa sen tay ho trang tien hang bai nam dinh"  # noqa: S105
DEMO_PARTNER_KEY = "demo-open311-key"

# (category code, weight, texts). "{pho}" is a street, "{n}" a house number.
TEMPLATES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    (
        "ma-tuy",
        18,
        (
            "Có nhóm thanh niên tụ tập sử dụng ma túy tại ngõ {n} phố {pho}, thường sau 22 giờ.",
            "Nghi có người bán ma túy đá tại quán nước đầu ngõ {n} {pho}, nhiều người lạ ra vào.",
            "Phát hiện bơm kim tiêm vứt ở khu tập thể số {n} {pho}, nghi có người nghiện tụ tập.",
            "Một căn hộ tầng 3 số {n} phố {pho} mở nhạc to, nhiều người lạ ra vào ban đêm, "
            "nghi tổ chức sử dụng ma túy.",
        ),
    ),
    (
        "trom-cap",
        22,
        (
            "Bị mất xe máy Honda Vision trước cửa nhà số {n} phố {pho} khoảng 2 giờ sáng.",
            "Có đối tượng đi xe máy không biển số giật túi xách của người đi bộ trên phố {pho}.",
            "Nhà số {n} {pho} bị cạy cửa lấy trộm tài sản khi chủ nhà đi vắng.",
            "Thường xuyên mất trộm gương xe, mũ bảo hiểm tại bãi gửi xe số {n} {pho}.",
        ),
    ),
    (
        "lua-dao",
        20,
        (
            "Nhận cuộc gọi giả danh công an yêu cầu chuyển tiền để xác minh tài khoản.",
            "Có người tự xưng nhân viên ngân hàng gửi đường link lạ đề nghị cập nhật thông tin, "
            "tôi đã mất 15 triệu đồng.",
            "Tại cổng bệnh viện có người giả làm nhân viên y tế hứa xếp giường bệnh để lấy tiền.",
            "Trang mạng xã hội tuyển cộng tác viên bán hàng online yêu cầu nạp tiền trước, "
            "nhiều người ở phường đã bị lừa.",
            "Đối tượng giả danh cán bộ điện lực đến từng nhà thu tiền thay công tơ.",
        ),
    ),
    (
        "gay-roi",
        15,
        (
            "Nhóm thanh niên tụ tập đua xe, nẹt pô trên phố {pho} vào đêm cuối tuần.",
            "Quán karaoke số {n} {pho} hát to quá nửa đêm, khách say xỉn gây gổ đánh nhau.",
            "Hai nhóm thanh niên cầm hung khí đánh nhau trước cửa hàng số {n} {pho}.",
        ),
    ),
    (
        "chay-no",
        7,
        (
            "Cửa hàng số {n} phố {pho} tàng trữ nhiều bình gas và hàng dễ cháy, không có "
            "bình chữa cháy.",
            "Có mùi khét và khói bốc ra từ kho hàng trong ngõ {n} {pho}.",
            "Nhà trọ số {n} {pho} câu mắc điện chằng chịt, nguy cơ chập cháy.",
        ),
    ),
    (
        "bao-luc-hoc-duong",
        8,
        (
            "Học sinh lớp 10 bị một nhóm bạn chặn đánh ở cổng sau trường sau giờ tan học.",
            "Có video học sinh bị bắt nạt, đánh hội đồng lan truyền trên mạng, xảy ra gần trường.",
            "Một nhóm đối tượng ngoài trường thường xuyên đứng ở cổng trường đe dọa, "
            "thu tiền học sinh.",
        ),
    ),
    (
        "vi-pham-don-vi",
        6,
        (
            "Tại khoa cấp cứu có đối tượng cò mồi, môi giới dịch vụ xe cấp cứu tư nhân "
            "với giá cao.",
            "Kho vật tư của đơn vị bị mất trộm nhiều lần, nghi có người trong nội bộ tiếp tay.",
            "Có người lạ thường xuyên vào khu ký túc xá ban đêm, bảo vệ không kiểm soát.",
        ),
    ),
    (
        "khac",
        4,
        (
            "Có người lạ thuê nhà số {n} phố {pho} nhưng không khai báo tạm trú.",
            "Đề nghị công an kiểm tra khu đất trống cuối ngõ {n} {pho}, thường có người lạ tụ tập.",
        ),
    ),
)

OFFICER_REPLIES = (
    "Cảm ơn anh/chị đã cung cấp thông tin. Công an phường đã tiếp nhận và đang xác minh.",
    "Đề nghị anh/chị cho biết thêm thời điểm thường xảy ra sự việc và đặc điểm nhận dạng.",
    "Công an phường đã kiểm tra địa điểm anh/chị phản ánh. Cảm ơn anh/chị đã hợp tác.",
)
TIPSTER_REPLIES = (
    "Thường khoảng 22 giờ đến nửa đêm, có 3 đến 4 người đi xe máy màu đen.",
    "Tôi không tiện nêu tên, nhưng sự việc vẫn tiếp diễn tối qua.",
    "Cảm ơn các anh, khu vực đã yên ổn hơn.",
)
OUTCOMES = (
    (Outcome.CRIME_DETECTED, 18),
    (Outcome.SUSPECT_ARRESTED, 14),
    (Outcome.CAUGHT_IN_ACT, 6),
    (Outcome.ADMIN_PENALTY, 22),
    (Outcome.PREVENTED, 25),
    (Outcome.WEAPONS_SEIZED, 2),
    (Outcome.WANTED_SURRENDERED, 1),
    (Outcome.NOT_CONFIRMED, 12),
)
CHANNELS = (
    (Channel.WEB, 45),
    (Channel.PHONE, 25),
    (Channel.SMS, 18),
    (Channel.OPEN311, 7),
    (Channel.API, 5),
)
REPORTER_NAMES = ("Nguyễn Văn Bình", "Trần Thị Mai", "Lê Minh Tuấn", "Phạm Thu Hà")
BULLETINS = (
    (
        "lua-dao",
        "Thủ đoạn lừa đảo chiếm đoạt tài sản tại bệnh viện",
        "Đối tượng giả danh nhân viên y tế, hứa “xếp giường”, “mua thuốc hộ” để lấy tiền.",
        "Thời gian gần đây xuất hiện đối tượng giả danh nhân viên y tế tiếp cận người nhà "
        "bệnh nhân tại các bệnh viện lớn, hứa hẹn xếp giường, làm thủ tục nhanh hoặc mua thuốc "
        "hộ rồi chiếm đoạt tiền.\n\nBệnh viện không thu bất kỳ khoản tiền nào ngoài quầy thu "
        "phí. Khi gặp trường hợp nghi vấn, hãy báo ngay cho bảo vệ bệnh viện hoặc gửi tin báo "
        "cho Công an phường.",
    ),
    (
        "lua-dao",
        "Cảnh giác cuộc gọi giả danh công an yêu cầu chuyển tiền",
        "Công an không làm việc qua điện thoại và không yêu cầu chuyển tiền để “xác minh”.",
        "Các đối tượng gọi điện tự xưng là cán bộ công an, viện kiểm sát, thông báo người nghe "
        "liên quan đến vụ án và yêu cầu chuyển tiền vào “tài khoản tạm giữ”.\n\nCơ quan công "
        "an không giải quyết vụ việc qua điện thoại. Tuyệt đối không chuyển tiền, không cung "
        "cấp mã OTP cho bất kỳ ai.",
    ),
    (
        "bao-luc-hoc-duong",
        "Phòng ngừa bạo lực học đường dịp cuối năm học",
        "Phụ huynh và nhà trường cần chú ý dấu hiệu học sinh bị bắt nạt, đe dọa.",
        "Dịp cuối năm học thường gia tăng các vụ xô xát giữa học sinh. Phụ huynh hãy quan tâm "
        "đến thay đổi tâm lý của con, nhà trường tăng cường kiểm tra khu vực cổng trường.\n\n"
        "Mọi thông tin về bạo lực học đường có thể gửi ẩn danh qua đường dây nóng.",
    ),
    (
        "chay-no",
        "Phòng cháy tại nhà ở kết hợp kinh doanh",
        "Không để xe máy, hàng hóa dễ cháy ở lối thoát nạn; trang bị bình chữa cháy.",
        "Nhà ở kết hợp kinh doanh là nơi có nguy cơ cháy cao. Hãy bố trí lối thoát nạn thứ hai, "
        "trang bị bình chữa cháy và ngắt điện thiết bị khi không sử dụng.",
    ),
)


@dataclass(frozen=True)
class DemoTipsResult:
    tips: int
    messages: int
    bulletins: int


def _weighted(rng: random.Random, items: tuple[tuple[object, int], ...]) -> object:
    values, weights = zip(*items, strict=True)
    return rng.choices(values, weights=weights)[0]


def _status_for(rng: random.Random, age_days: int) -> str:
    if age_days < 2:
        return TipStatus.NEW
    if age_days < 12:
        return rng.choice([TipStatus.RECEIVED, TipStatus.VERIFYING, TipStatus.VERIFYING])
    if age_days < 25 and rng.random() < 0.35:
        return TipStatus.VERIFYING  # some old enough to be overdue
    return str(
        _weighted(
            rng,
            (
                (TipStatus.HANDLED, 62),
                (TipStatus.UNFOUNDED, 18),
                (TipStatus.TRANSFERRED, 9),
                (TipStatus.SPAM, 5),
                (TipStatus.DUPLICATE, 6),
            ),
        )
    )


@transaction.atomic
def demo_tips_create(*, seed: int = 2026, count: int = DEFAULT_TIPS) -> DemoTipsResult:
    """Create ``count`` tips in the demo wards (mostly the wards of the demo officers) with
    their audit rows, the public warnings and the demo partner. Runs once: a second call
    finds the demo tip and does nothing."""
    if Tip.objects.filter(code=DEMO_TIP_CODE).exists():
        return DemoTipsResult(0, 0, 0)
    rng = random.Random(seed)
    now = timezone.now()
    categories = {c.code: c for c in TipCategory.objects.all()}
    rules = list(TipDeadlineRule.objects.all())
    focus = list(
        AdministrativeArea.objects.filter(code__in=[WARD_HOAN_KIEM, WARD_CUA_NAM, WARD_BA_DINH])
    )
    others = list(
        AdministrativeArea.objects.filter(level="ward").exclude(pk__in=[w.pk for w in focus])
    )
    units = {u.name: u for u in Unit.objects.filter(name__in=[VIET_DUC, PHAN_DINH_PHUNG])}
    officers = {
        WARD_HOAN_KIEM: User.objects.filter(username="ca.hoankiem").first(),
        WARD_CUA_NAM: User.objects.filter(username="ca.hoankiem").first(),
        WARD_BA_DINH: User.objects.filter(username="ca.badinh").first(),
    }
    department = User.objects.filter(username="phongxdpt").first()
    partner = Partner.objects.filter(name__startswith="Hà Nội Smart City").first()
    if partner is None:
        partner, _key = partner_create(
            actor=None,
            name="Hà Nội Smart City (ứng dụng mẫu)",
            contact="Trung tâm điều hành đô thị thông minh",
            key=DEMO_PARTNER_KEY,
        )

    tips: list[Tip] = []
    for i in range(count):
        code, _weight, texts = TEMPLATES[
            rng.choices(range(len(TEMPLATES)), weights=[t[1] for t in TEMPLATES])[0]
        ]
        category = categories[code]
        text = rng.choice(texts).format(pho=rng.choice(HA_NOI_PHO), n=rng.randint(2, 180))
        ward = rng.choice(focus) if rng.random() < 0.7 else rng.choice(others)
        unit = None
        if code == "vi-pham-don-vi" or (code == "lua-dao" and "bệnh viện" in text):
            unit = units.get(VIET_DUC)
        elif code == "bao-luc-hoc-duong":
            unit = units.get(PHAN_DINH_PHUNG)
        if unit is not None:
            ward = unit.ward
        age = int(rng.expovariate(1 / 70)) % 365 if i else 3
        received = now - dt.timedelta(
            days=age, hours=rng.randint(0, 23), minutes=rng.randint(0, 59)
        )
        channel = Channel.WEB if i == 0 else str(_weighted(rng, CHANNELS))
        status = TipStatus.VERIFYING if i == 0 else _status_for(rng, age)
        anonymous = i == 0 or rng.random() < 0.75
        rule = rule_for(rules, category_id=category.pk, on=timezone.localdate(received))
        is_complex = rng.random() < 0.1
        if channel == Channel.SMS:
            # Most people text without diacritics; the tip gets its restored text as an SMS
            # received through the gateway does.
            text = strip_marks(text)
        tip = Tip(
            code=DEMO_TIP_CODE if i == 0 else codes.new_code(),
            passphrase_digest=codes.passphrase_digest(
                DEMO_TIP_PASSPHRASE if i == 0 else codes.new_passphrase()
            ),
            channel=channel,
            category=category,
            urgency=Urgency.URGENT if code == "chay-no" or rng.random() < 0.08 else Urgency.NORMAL,
            status=status,
            is_complex=is_complex,
            text=text,
            text_restored=restored_text(text),
            place=f"phố {rng.choice(HA_NOI_PHO)}" if rng.random() < 0.5 else "",
            occurred_at=received - dt.timedelta(hours=rng.randint(1, 48)),
            ward=ward,
            unit=unit,
            unit_notified=bool(unit and category.notify_unit),
            anonymous=anonymous,
            reporter_name_enc="" if anonymous else encrypt(rng.choice(REPORTER_NAMES)),
            reporter_phone_enc=""
            if anonymous
            else encrypt(f"+8498{rng.randint(1000000, 9999999)}"),
            partner=partner if channel == Channel.OPEN311 else None,
            received_at=received,
            deadline=deadline_for(timezone.localdate(received), rule, is_complex=is_complex)
            if rule
            else None,
            deadline_rule=rule,
            assignee=None if status == TipStatus.NEW else (officers.get(ward.code) or department),
        )
        if status in CLOSED_STATUSES:
            tip.closed_at = received + dt.timedelta(days=rng.randint(2, 24))
            if status == TipStatus.HANDLED:
                tip.outcome = str(_weighted(rng, OUTCOMES))
            elif status == TipStatus.TRANSFERRED:
                tip.outcome = Outcome.TRANSFERRED
            elif status == TipStatus.UNFOUNDED:
                tip.outcome = Outcome.NOT_CONFIRMED
        tip.search_text = search_document(tip)
        tips.append(tip)
    tips.sort(key=lambda t: t.received_at)
    Tip.objects.bulk_create(tips, batch_size=500)
    # Duplicates point at an earlier tip of the same ward.
    by_ward: dict[int, Tip] = {}
    merged = []
    for tip in tips:
        if tip.status == TipStatus.DUPLICATE and tip.ward_id in by_ward:
            tip.merged_into = by_ward[tip.ward_id]
            merged.append(tip)
        elif tip.status == TipStatus.DUPLICATE:
            tip.status = TipStatus.HANDLED
            tip.outcome = Outcome.PREVENTED
            merged.append(tip)
        by_ward.setdefault(tip.ward_id, tip)  # type: ignore[arg-type]
    Tip.objects.bulk_update(merged, ["merged_into", "status", "outcome"])
    # One audit row per tip, dated when the tip arrived (in arrival order, like the chain).
    for tip in tips:
        change = Change(
            AuditAction.RECEIVE,
            tip,
            after=snapshot(tip, AUDIT_FIELDS),
            ward_id=tip.ward_id,
            unit_id=tip.unit_id,
            reason="Dữ liệu mẫu",
        )
        audit_record_many(actor=None, changes=[change], at=tip.received_at)
    messages = _dialogues(rng, tips)
    bulletins = _bulletins(categories, department, now)
    return DemoTipsResult(len(tips), messages, bulletins)


def _dialogues(rng: random.Random, tips: list[Tip]) -> int:
    rows = []
    for tip in tips:
        if tip.code != DEMO_TIP_CODE and (tip.status == TipStatus.NEW or rng.random() > 0.3):
            continue
        at = tip.received_at + dt.timedelta(hours=rng.randint(2, 30))
        rows.append(
            TipMessage(
                tip=tip,
                sender=Sender.OFFICER,
                author=tip.assignee,
                body=rng.choice(OFFICER_REPLIES[:2]),
                created_at=at,
                read_at=at + dt.timedelta(hours=5),
            )
        )
        if rng.random() < 0.6 or tip.code == DEMO_TIP_CODE:
            body = rng.choice(TIPSTER_REPLIES)
            rows.append(
                TipMessage(
                    tip=tip,
                    sender=Sender.TIPSTER,
                    # He answers as he wrote the tip: an SMS tipster without diacritics.
                    body=strip_marks(body) if tip.channel == Channel.SMS else body,
                    created_at=at + dt.timedelta(hours=6),
                    read_at=None
                    if tip.status not in CLOSED_STATUSES
                    else at + dt.timedelta(days=1),
                )
            )
    TipMessage.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _bulletins(categories: dict[str, TipCategory], author: User | None, now: dt.datetime) -> int:
    created = 0
    for days_ago, (code, title, summary, body) in zip((3, 20, 45, 90), BULLETINS, strict=True):
        slug = slugify(fold(title))[:80]
        _b, was_created = Bulletin.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": summary,
                "body": body,
                "category": categories.get(code),
                "is_published": True,
                "published_at": now - dt.timedelta(days=days_ago),
                "author": author,
            },
        )
        created += int(was_created)
    return created
