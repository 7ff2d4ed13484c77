"""The notices and decisions of a case, as DOCX files in the administrative form of NĐ 30/2020.

Three steps: ``draft_for`` pre-fills a document from the case (the officer edits it in a
form), ``layout.render_docx`` lays it out (pure: fields in, bytes out) and ``document_issue`` keeps
it with its audit entry. A denunciator is never named (Luật Tố cáo Điều 47): the draft uses
the case's pseudonym and issuing refuses a text that contains the sealed name.

The text of a document is Vietnamese whatever the language of the screen: an administrative
document of the State is written in Vietnamese (NĐ 30/2020 Điều 8), so the wording below is
not marked for translation; the messages shown to the officer are.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from antq.accounts import permissions
from antq.cases import services
from antq.cases.layout import DocFields, render_docx
from antq.cases.models import Case, CaseDeadline, CaseDocument, SealedIdentity
from antq.cases.status import COMPLAINT_KINDS, CaseKind, CaseStatus, DocumentType, Stage
from antq.core.audit import audit_record, snapshot
from antq.core.crypto import decrypt
from antq.core.dates import day_text
from antq.core.models import AuditAction
from antq.textvn import fold, nfc, squash_spaces

# A gap the officer must fill before issuing (who the petition is sent to, the measures).
BLANK = "[…]"
AUDIT_FIELDS = ("case", "doc_type", "number", "place", "issued_on", "title", "signer")
DOCX_MAX_FIELD = {
    "issuer": 200,
    "superior": 200,
    "number": 60,
    "place": 100,
    "title": 300,
    "signer": 200,
    "signer_title": 200,
}


@dataclass(frozen=True)
class Spec:
    """What a type of document is called, how it is numbered, when it can be issued."""

    kind_name: str  # tên loại văn bản
    symbol: str  # its part of the ký hiệu (Phụ lục III NĐ 30/2020)
    slug: str  # start of the downloaded file's name
    statuses: frozenset[str]
    kinds: frozenset[str] | None = None  # None: every kind of case


_RESOLVING = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.VERIFYING, CaseStatus.SUSPENDED, CaseStatus.EXTENDED}
)
_DECIDED = frozenset({CaseStatus.CONCLUDED, CaseStatus.HANDLED, CaseStatus.PUBLISHED})

SPECS: dict[str, Spec] = {
    DocumentType.ACCEPT_NOTICE: Spec("Thông báo", "TB", "TB-thu-ly", _RESOLVING),
    DocumentType.REJECT_NOTICE: Spec(
        "Thông báo", "TB", "TB-khong-thu-ly", frozenset({CaseStatus.REJECTED})
    ),
    DocumentType.TRANSFER_NOTICE: Spec(
        "Phiếu chuyển đơn", "PC", "phieu-chuyen-don", frozenset({CaseStatus.TRANSFERRED})
    ),
    DocumentType.EXTENSION_DECISION: Spec(
        "Quyết định", "QĐ", "QD-gia-han", frozenset({CaseStatus.EXTENDED})
    ),
    DocumentType.SUSPENSION_DECISION: Spec(
        "Quyết định", "QĐ", "QD-tam-dinh-chi", frozenset({CaseStatus.SUSPENDED})
    ),
    DocumentType.TERMINATION_DECISION: Spec(
        "Quyết định", "QĐ", "QD-dinh-chi", frozenset({CaseStatus.TERMINATED})
    ),
    DocumentType.CONCLUSION: Spec(
        "Kết luận",
        "KL",
        "KL-noi-dung-to-cao",
        _DECIDED,
        frozenset({CaseKind.DENUNCIATION}),
    ),
    DocumentType.COMPLAINT_DECISION: Spec(
        "Quyết định", "QĐ", "QD-giai-quyet-khieu-nai", _DECIDED, frozenset(COMPLAINT_KINDS)
    ),
}

# How the documents speak of the petition, its filer and the person it is about.
NOUN = {
    CaseKind.DENUNCIATION: "tố cáo",
    CaseKind.COMPLAINT_FIRST: "khiếu nại",
    CaseKind.COMPLAINT_SECOND: "khiếu nại lần hai",
    CaseKind.PETITION: "kiến nghị, phản ánh",
    CaseKind.INTERNAL: "đề nghị giải quyết mâu thuẫn nội bộ",
}
FILER_ROLE = {
    CaseKind.DENUNCIATION: "người tố cáo",
    CaseKind.COMPLAINT_FIRST: "người khiếu nại",
    CaseKind.COMPLAINT_SECOND: "người khiếu nại",
    CaseKind.PETITION: "người kiến nghị, phản ánh",
    CaseKind.INTERNAL: "người gửi đơn",
}
RESPONDENT_ROLE = {
    CaseKind.DENUNCIATION: "người bị tố cáo",
    CaseKind.COMPLAINT_FIRST: "người bị khiếu nại",
    CaseKind.COMPLAINT_SECOND: "người bị khiếu nại",
    CaseKind.PETITION: "đối tượng bị kiến nghị, phản ánh",
    CaseKind.INTERNAL: "các bên liên quan",
}
LAW_DENUNCIATION = "Luật Tố cáo số 25/2018/QH14 ngày 12 tháng 6 năm 2018"
DECREE_DENUNCIATION = (
    "Nghị định số 31/2019/NĐ-CP ngày 10 tháng 4 năm 2019 của Chính phủ quy định chi tiết "
    "một số điều và biện pháp tổ chức thi hành Luật Tố cáo"
)
LAW_COMPLAINT = "Luật Khiếu nại số 02/2011/QH13 ngày 11 tháng 11 năm 2011"
DECREE_COMPLAINT = (
    "Nghị định số 124/2020/NĐ-CP ngày 19 tháng 10 năm 2020 của Chính phủ quy định chi tiết "
    "một số điều và biện pháp thi hành Luật Khiếu nại"
)
LAW_CITIZENS = "Luật Tiếp công dân số 42/2013/QH13 ngày 25 tháng 11 năm 2013"
RULE_INTERNAL = "quy định của Công an thành phố về giải quyết mâu thuẫn nội bộ"


@dataclass(frozen=True)
class Issuer:
    """Who issues a case's documents by default: the unit for a unit's case, otherwise the
    police of the ward; the officer may change it in the form."""

    name: str
    superior: str
    place: str
    authority: str  # who decides, the line under the title of a decision
    signer: str
    signer_title: str


# -- what applies when ------------------------------------------------------------------------


def applies(case: Case, doc_type: str) -> bool:
    spec = SPECS.get(doc_type)
    if spec is None or case.status not in spec.statuses:
        return False
    return spec.kinds is None or case.kind in spec.kinds


def available_documents(case: Case) -> list[tuple[str, str]]:
    """The documents the case's present stage calls for: ``(doc_type, label)``."""
    return [(value, str(label)) for value, label in DocumentType.choices if applies(case, value)]


def download_name(document: CaseDocument) -> str:
    """``TB-thu-ly-TC2026-000012.docx``: ASCII, the type of document and the case."""
    spec = SPECS.get(document.doc_type)
    slug = spec.slug if spec else "van-ban"
    return f"{slug}-{document.case.code}.docx"


# -- the draft --------------------------------------------------------------------------------


def _place_of(area: Any) -> str:
    """The địa danh of NĐ 30 drops the level: "Phường Hoàn Kiếm" → "Hoàn Kiếm"."""
    name = area.name
    level = (area.division_type or "").strip()
    if level and name.casefold().startswith(level.casefold() + " "):
        return name[len(level) + 1 :]
    return name


def issuer_for(case: Case) -> Issuer:
    department = settings.ANTQ_DEPARTMENT_NAME
    ward = case.ward
    place = _place_of(ward)
    if case.unit is not None:
        unit = case.unit
        return Issuer(
            name=unit.name,
            superior="",
            place=place,
            authority=f"{unit.head_title or 'Thủ trưởng'} {unit.name}",
            signer=unit.head_name,
            signer_title=unit.head_title or "Thủ trưởng đơn vị",
        )
    level = (ward.division_type or "").strip().lower() or "xã, phường"
    police = f"Công an {level} {place}"
    return Issuer(
        name=police,
        superior=department,
        place=place,
        authority=f"Trưởng {police}",
        signer="",
        signer_title=f"Trưởng Công an {level}",
    )


def _symbol_of(issuer: str) -> str:
    """The issuer's part of the ký hiệu: its initials, without tone marks but with Đ
    ("Công an phường Hoàn Kiếm" → "CAPHK")."""
    letters = []
    for word in issuer.split():
        first = unicodedata.normalize("NFD", word[0])[0].upper()
        if first.isalnum():
            letters.append(first)
    return "".join(letters)[:12]


def _register_of(case: Case) -> QuerySet[CaseDocument]:
    """The documents numbered in the same register as the case's: those of its unit, or of
    its ward's cases without a unit."""
    qs = CaseDocument.objects.filter(case__ward_id=case.ward_id)
    if case.unit_id is None:
        return qs.filter(case__unit__isnull=True)
    return qs.filter(case__unit_id=case.unit_id)


def _next_number(case: Case, doc_type: str, issuer: str, year: int) -> str:
    """The next free number of the issuer's register of this kind of document this year.
    The register is kept per ward (or unit) and symbol; the officer may change it."""
    spec = SPECS[doc_type]
    same_symbol = [value for value, s in SPECS.items() if s.symbol == spec.symbol]
    issued = _register_of(case).filter(doc_type__in=same_symbol, issued_on__year=year)
    suffix = f"/{spec.symbol}-{_symbol_of(issuer)}"
    used = {number.casefold() for number in issued.values_list("number", flat=True)}
    n = len(used) + 1
    # NĐ 30: a number below 10 is written with a leading zero.
    while f"{n:02d}{suffix}".casefold() in used:
        n += 1
    return f"{n:02d}{suffix}"


def _sealed_name(case: Case) -> str:
    if case.kind != CaseKind.DENUNCIATION:
        return ""
    try:
        return decrypt(case.identity.name_enc)
    except SealedIdentity.DoesNotExist:
        return ""


def _name_pattern(name: str, *, folded: bool) -> re.Pattern[str] | None:
    words = (fold(name) if folded else nfc(name).casefold()).split()
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)")


def _name_patterns(name: str) -> list[re.Pattern[str]]:
    """How a name may be written: as given (any case), and without its tone marks when it
    has two words or more (one word, folded, would match common words)."""
    exact = _name_pattern(name, folded=False)
    patterns = [exact] if exact else []
    if len(name.split()) >= 2:
        loose = _name_pattern(name, folded=True)
        if loose is not None:
            patterns.append(loose)
    return patterns


def contains_name(text: str, name: str) -> bool:
    """Whether ``text`` names ``name``, case-insensitively after NFC, on word boundaries."""
    if not name.strip() or not text:
        return False
    exact, *loose = _name_patterns(name)
    if exact.search(nfc(text).casefold()):
        return True
    return any(p.search(fold(text)) for p in loose)


def _redact(text: str, name: str, label: str) -> str:
    """``text`` with ``name`` replaced by the pseudonym (a subject or conclusion typed with
    the denunciator's name in it must not reach the draft)."""
    if not name.strip() or not contains_name(text, name):
        return text
    words = nfc(name).split()
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
    text = pattern.sub(label, nfc(text))
    if contains_name(text, name):
        # Written without its tone marks: the whole line goes rather than the name stay.
        text = "\n".join(label if contains_name(line, name) else line for line in text.splitlines())
    return text


def _reason(case: Case, status: str) -> str:
    event = case.events.filter(to_status=status).order_by("-at", "-id").first()
    return event.reason if event else ""


def _deadline(case: Case, stage: str) -> CaseDeadline | None:
    return case.deadlines.filter(stage=stage).select_related("rule").first()


def _cap(text: str) -> str:
    """The first letter in capitals, the rest as written (names keep theirs)."""
    return text[:1].upper() + text[1:]


def _day(value: dt.date | None) -> str:
    return day_text(value) if value else BLANK


def _subject(case: Case) -> str:
    return case.subject.rstrip(" .;")


def _basis_lines(case: Case) -> list[str]:
    """The laws a decision rests on, as its "Căn cứ" lines."""
    if case.kind == CaseKind.DENUNCIATION:
        return [f"Căn cứ {LAW_DENUNCIATION};", f"Căn cứ {DECREE_DENUNCIATION};"]
    if case.kind in COMPLAINT_KINDS:
        return [f"Căn cứ {LAW_COMPLAINT};", f"Căn cứ {DECREE_COMPLAINT};"]
    if case.kind == CaseKind.PETITION:
        return [f"Căn cứ {LAW_CITIZENS};"]
    return [f"Căn cứ {RULE_INTERNAL};"]


def _received_line(case: Case, issuer: str, *, with_filer: bool = False) -> str:
    noun = NOUN[CaseKind(case.kind)]
    # A denunciator's pseudonym repeats the case's code: it says nothing here.
    named = with_filer and case.filer_display and not case.sealed
    filer = f" của {case.filer_display}" if named else ""
    return (
        f"Ngày {day_text(case.received_on)}, {issuer} nhận được đơn {noun}{filer} "
        f"(hồ sơ số {case.code}) về việc: {_subject(case)}."
    )


def _accept_notice(case: Case, issuer: str) -> tuple[str, list[str], list[str]]:
    kind = CaseKind(case.kind)
    noun = NOUN[kind]
    if kind == CaseKind.DENUNCIATION:
        title, article = "Về việc thụ lý tố cáo", "Điều 29 Luật Tố cáo năm 2018"
    elif kind == CaseKind.COMPLAINT_FIRST:
        title, article = "Về việc thụ lý giải quyết khiếu nại", "Điều 27 Luật Khiếu nại năm 2011"
    elif kind == CaseKind.COMPLAINT_SECOND:
        title = "Về việc thụ lý giải quyết khiếu nại lần hai"
        article = "Điều 36 Luật Khiếu nại năm 2011"
    elif kind == CaseKind.PETITION:
        title, article = "Về việc thụ lý giải quyết kiến nghị, phản ánh", LAW_CITIZENS
    else:
        title, article = "Về việc thụ lý giải quyết mâu thuẫn nội bộ", RULE_INTERNAL
    filer_role = FILER_ROLE[kind]
    body = [
        f"Kính gửi: {case.filer_display or _cap(filer_role)}.",
        _received_line(case, issuer),
    ]
    if case.respondent:
        body.append(f"{_cap(RESPONDENT_ROLE[kind])}: {case.respondent}.")
    body.append(
        f"Căn cứ {article}, {issuer} thông báo: đơn {noun} nêu trên đủ điều kiện thụ lý; "
        f"ngày {_day(case.accepted_on)}, {issuer} đã thụ lý giải quyết."
    )
    resolution = _deadline(case, Stage.RESOLUTION)
    if resolution is not None and resolution.due_on is not None:
        body.append(
            f"Thời hạn giải quyết đến hết ngày {day_text(resolution.due_on)}; "
            "trường hợp gia hạn sẽ có thông báo bằng văn bản."
        )
    if kind == CaseKind.DENUNCIATION:
        body.append(
            "Họ tên, địa chỉ, bút tích và các thông tin cá nhân khác của người tố cáo được "
            "giữ bí mật theo quy định tại Điều 47 Luật Tố cáo năm 2018."
        )
    body.append(f"{issuer} thông báo để {filer_role} được biết.")
    if kind == CaseKind.DENUNCIATION:
        recipients = ["Người tố cáo", "Người bị tố cáo"]
    elif kind in COMPLAINT_KINDS:
        recipients = ["Người khiếu nại", "Cơ quan thanh tra nhà nước cùng cấp"]
    else:
        recipients = [_cap(filer_role)]
    return title, body, recipients


def _reject_notice(case: Case, issuer: str) -> tuple[str, list[str], list[str]]:
    kind = CaseKind(case.kind)
    noun = NOUN[kind]
    if kind == CaseKind.DENUNCIATION:
        title, article = "Về việc không thụ lý tố cáo", "khoản 2 Điều 29 Luật Tố cáo năm 2018"
    elif kind in COMPLAINT_KINDS:
        title = "Về việc không thụ lý giải quyết khiếu nại"
        article = "Điều 11 Luật Khiếu nại năm 2011"
    elif kind == CaseKind.PETITION:
        title, article = "Về việc không thụ lý giải quyết kiến nghị, phản ánh", LAW_CITIZENS
    else:
        title, article = "Về việc không thụ lý giải quyết đơn", RULE_INTERNAL
    filer_role = FILER_ROLE[kind]
    reason = _reason(case, CaseStatus.REJECTED).rstrip(" .;") or BLANK
    body = [
        f"Kính gửi: {case.filer_display or _cap(filer_role)}.",
        _received_line(case, issuer),
        f"Căn cứ {article}, {issuer} thông báo không thụ lý giải quyết đơn {noun} nêu trên.",
        f"Lý do: {reason}.",
        f"{issuer} thông báo để {filer_role} được biết.",
    ]
    return title, body, [_cap(filer_role)]


def _transfer_notice(case: Case, issuer: str) -> tuple[str, list[str], list[str]]:
    kind = CaseKind(case.kind)
    noun = NOUN[kind]
    if kind == CaseKind.DENUNCIATION:
        basis = "khoản 3 Điều 24 Luật Tố cáo năm 2018"
    elif kind in COMPLAINT_KINDS:
        basis = LAW_COMPLAINT
    elif kind == CaseKind.PETITION:
        basis = LAW_CITIZENS
    else:
        basis = RULE_INTERNAL
    reason = _reason(case, CaseStatus.TRANSFERRED).rstrip(" .;") or BLANK
    body = [
        f"Kính gửi: {BLANK}.",
        _received_line(case, issuer, with_filer=True),
        f"Căn cứ {basis}, xét thấy nội dung đơn không thuộc thẩm quyền giải quyết của "
        f"{issuer}, {issuer} chuyển đơn đến Quý cơ quan để xem xét, giải quyết theo thẩm quyền.",
        f"Lý do chuyển đơn: {reason}.",
    ]
    if kind == CaseKind.DENUNCIATION:
        body.append(
            "Đề nghị Quý cơ quan giữ bí mật họ tên, địa chỉ, bút tích và các thông tin cá nhân "
            "khác của người tố cáo theo quy định của Luật Tố cáo năm 2018."
        )
    body.append("Kèm theo: đơn và tài liệu kèm theo (nếu có).")
    return f"Về việc chuyển đơn {noun}", body, ["Như trên", _cap(FILER_ROLE[kind])]


def _decision_head(case: Case, authority: str) -> list[str]:
    return [authority.upper(), *_basis_lines(case)]


def _execution(case: Case, number: int) -> str:
    kind = CaseKind(case.kind)
    who = [FILER_ROLE[kind]]
    if case.respondent:
        who.append(f"{RESPONDENT_ROLE[kind]} ({case.respondent})")
    else:
        who.append(RESPONDENT_ROLE[kind])
    return (
        f"Điều {number}. Quyết định này có hiệu lực kể từ ngày ký. {_cap(', '.join(who))} "
        "và cơ quan, tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này."
    )


def _extension_decision(
    case: Case, issuer: str, authority: str
) -> tuple[str, list[str], list[str]]:
    kind = CaseKind(case.kind)
    noun = NOUN[kind]
    resolution = _deadline(case, Stage.RESOLUTION)
    days = resolution.rule.extension_days if resolution is not None else 0
    due = resolution.due_on if resolution is not None else None
    if kind == CaseKind.DENUNCIATION:
        article = "Điều 30 Luật Tố cáo năm 2018"
    elif kind == CaseKind.COMPLAINT_SECOND:
        article = "Điều 37 Luật Khiếu nại năm 2011"
    elif kind == CaseKind.COMPLAINT_FIRST:
        article = "Điều 28 Luật Khiếu nại năm 2011"
    else:
        article = _basis_lines(case)[0].removeprefix("Căn cứ ").rstrip(";")
    reason = _reason(case, CaseStatus.EXTENDED).rstrip(" .;") or BLANK
    body = [
        *_decision_head(case, authority),
        f"Căn cứ việc thụ lý giải quyết đơn {noun} ngày {_day(case.accepted_on)} "
        f"(hồ sơ số {case.code});",
        f"Xét vụ việc có tính chất {case.get_complexity_display().lower()}: {reason};",
        "QUYẾT ĐỊNH:",
        f"Điều 1. Gia hạn giải quyết đơn {noun} (hồ sơ số {case.code}) về việc: "
        f"{_subject(case)}. Thời gian gia hạn {days or BLANK} ngày (lần thứ {case.extensions}); "
        f"thời hạn giải quyết đến hết ngày {_day(due)}, theo quy định tại {article}.",
        f"Điều 2. {issuer} thông báo việc gia hạn đến {FILER_ROLE[kind]}, "
        f"{RESPONDENT_ROLE[kind]} và cơ quan, tổ chức, cá nhân có liên quan.",
        _execution(case, 3),
    ]
    return f"Về việc gia hạn giải quyết {noun}", body, ["Như Điều 3"]


def _suspension_decision(
    case: Case, issuer: str, authority: str
) -> tuple[str, list[str], list[str]]:
    kind = CaseKind(case.kind)
    noun = NOUN[kind]
    period = case.suspensions.order_by("-starts_on", "-id").first()
    since = period.starts_on if period else None
    reason = _reason(case, CaseStatus.SUSPENDED).rstrip(" .;") or BLANK
    law = " theo quy định tại Điều 34 Luật Tố cáo năm 2018" if kind == CaseKind.DENUNCIATION else ""
    body = [
        *_decision_head(case, authority),
        f"Xét thấy: {reason};",
        "QUYẾT ĐỊNH:",
        f"Điều 1. Tạm đình chỉ việc giải quyết đơn {noun} (hồ sơ số {case.code}) về việc: "
        f"{_subject(case)}, kể từ ngày {_day(since)}{law}.",
        "Điều 2. Thời gian tạm đình chỉ không tính vào thời hạn giải quyết. Việc giải quyết "
        "được tiếp tục khi lý do tạm đình chỉ không còn.",
        _execution(case, 3),
    ]
    return f"Về việc tạm đình chỉ việc giải quyết {noun}", body, ["Như Điều 3"]


def _termination_decision(
    case: Case, issuer: str, authority: str
) -> tuple[str, list[str], list[str]]:
    kind = CaseKind(case.kind)
    noun = NOUN[kind]
    reason = _reason(case, CaseStatus.TERMINATED).rstrip(" .;") or BLANK
    law = " theo quy định tại Điều 34 Luật Tố cáo năm 2018" if kind == CaseKind.DENUNCIATION else ""
    body = [
        *_decision_head(case, authority),
        f"Xét thấy: {reason};",
        "QUYẾT ĐỊNH:",
        f"Điều 1. Đình chỉ việc giải quyết đơn {noun} (hồ sơ số {case.code}) về việc: "
        f"{_subject(case)}, kể từ ngày {_day(case.closed_on)}{law}.",
        f"Điều 2. {issuer} thông báo việc đình chỉ đến {FILER_ROLE[kind]}, "
        f"{RESPONDENT_ROLE[kind]} và cơ quan, tổ chức, cá nhân có liên quan.",
        _execution(case, 3),
    ]
    return f"Về việc đình chỉ việc giải quyết {noun}", body, ["Như Điều 3"]


def _conclusion_lines(case: Case) -> list[str]:
    lines = [line.strip() for line in case.conclusion.splitlines() if line.strip()]
    return lines or [BLANK]


def _conclusion(case: Case, issuer: str) -> tuple[str, list[str], list[str]]:
    respondent = f" đối với {case.respondent}" if case.respondent else ""
    body = [
        f"Ngày {_day(case.accepted_on)}, {issuer} thụ lý giải quyết tố cáo (hồ sơ số "
        f"{case.code}){respondent} về việc: {_subject(case)}.",
        f"Căn cứ Điều 35 Luật Tố cáo năm 2018, trên cơ sở kết quả xác minh nội dung tố cáo, "
        f"{issuer} kết luận như sau:",
        "1. Kết quả xác minh và kết luận nội dung tố cáo:",
        *_conclusion_lines(case),
        f"2. Biện pháp xử lý theo thẩm quyền, kiến nghị: {BLANK}.",
        "3. Kết luận nội dung tố cáo được gửi cho người bị tố cáo, người tố cáo và được công "
        "khai theo quy định tại Điều 40 Luật Tố cáo năm 2018.",
    ]
    title = f"Nội dung tố cáo{respondent}"
    return title, body, ["Người tố cáo", "Người bị tố cáo", "Cơ quan thanh tra nhà nước cùng cấp"]


def _complaint_decision(
    case: Case, issuer: str, authority: str
) -> tuple[str, list[str], list[str]]:
    second = case.kind == CaseKind.COMPLAINT_SECOND
    filer = case.filer_name or "người khiếu nại"
    respondent = f" đối với {case.respondent}" if case.respondent else ""
    article = "Điều 40" if second else "Điều 31"
    if second:
        rights = (
            "Điều 2. Trong thời hạn theo quy định của Luật Tố tụng hành chính, nếu không đồng "
            "ý với quyết định này, người khiếu nại có quyền khởi kiện vụ án hành chính tại Tòa án."
        )
    else:
        rights = (
            "Điều 2. Trong thời hạn 30 ngày kể từ ngày nhận được quyết định này (45 ngày đối với "
            "vùng sâu, vùng xa, đi lại khó khăn), nếu không đồng ý, người khiếu nại có quyền "
            "khiếu nại lần hai hoặc khởi kiện vụ án hành chính tại Tòa án theo quy định của "
            "Luật Tố tụng hành chính."
        )
    body = [
        *_decision_head(case, authority),
        f"Xét đơn khiếu nại ngày {day_text(case.received_on)} của {filer} (hồ sơ số "
        f"{case.code}){respondent} về việc: {_subject(case)};",
        f"Căn cứ {article} Luật Khiếu nại năm 2011 và kết quả xác minh, đối thoại, kết luận "
        "như sau:",
        *_conclusion_lines(case),
        "QUYẾT ĐỊNH:",
        f"Điều 1. {BLANK} (giữ nguyên, sửa đổi, bổ sung hoặc hủy bỏ một phần hay toàn bộ "
        "quyết định hành chính, hành vi hành chính bị khiếu nại; giải quyết các vấn đề cụ "
        "thể trong nội dung khiếu nại).",
        rights,
        _execution(case, 3),
    ]
    title = "Về việc giải quyết khiếu nại lần hai" if second else "Về việc giải quyết khiếu nại"
    title += f" của {filer}" if case.filer_name else ""
    return title, body, ["Như Điều 3", "Cơ quan thanh tra nhà nước cùng cấp"]


def draft_for(
    case: Case,
    doc_type: str,
    *,
    issuer_name: str,
    place: str,
    today: dt.date,
    superior: str = "",
    authority: str = "",
    signer: str = "",
    signer_title: str = "",
) -> dict[str, Any]:
    """The fields of a new document of ``doc_type`` for ``case``, pre-filled from the case.

    Gaps the officer must fill are marked ``[…]``; issuing refuses a text that still has
    one. A denunciator is called by the case's pseudonym only.
    """
    if not applies(case, doc_type):
        raise ValueError(f"{doc_type} does not apply to a {case.kind} case in {case.status}")
    authority = authority or f"Thủ trưởng {issuer_name}"
    if doc_type == DocumentType.ACCEPT_NOTICE:
        title, body, recipients = _accept_notice(case, issuer_name)
    elif doc_type == DocumentType.REJECT_NOTICE:
        title, body, recipients = _reject_notice(case, issuer_name)
    elif doc_type == DocumentType.TRANSFER_NOTICE:
        title, body, recipients = _transfer_notice(case, issuer_name)
    elif doc_type == DocumentType.EXTENSION_DECISION:
        title, body, recipients = _extension_decision(case, issuer_name, authority)
    elif doc_type == DocumentType.SUSPENSION_DECISION:
        title, body, recipients = _suspension_decision(case, issuer_name, authority)
    elif doc_type == DocumentType.TERMINATION_DECISION:
        title, body, recipients = _termination_decision(case, issuer_name, authority)
    elif doc_type == DocumentType.CONCLUSION:
        title, body, recipients = _conclusion(case, issuer_name)
    else:
        title, body, recipients = _complaint_decision(case, issuer_name, authority)
    recipients = [*recipients, f"Lưu: VT, hồ sơ {case.code}"]
    draft: dict[str, Any] = {
        "doc_type": doc_type,
        "superior": superior,
        "issuer": issuer_name,
        "number": _next_number(case, doc_type, issuer_name, today.year),
        "place": place,
        "issued_on": today,
        "title": title,
        "body": "\n".join(body),
        "recipients": "\n".join(recipients),
        "signer": signer,
        "signer_title": signer_title,
    }
    name = _sealed_name(case)
    if name:
        for key, value in draft.items():
            if isinstance(value, str) and key != "doc_type":
                draft[key] = _redact(value, name, case.filer_label)
    return draft


def draft_for_case(case: Case, doc_type: str, *, today: dt.date) -> dict[str, Any]:
    """``draft_for`` with the case's default issuer."""
    issuer = issuer_for(case)
    return draft_for(
        case,
        doc_type,
        issuer_name=issuer.name,
        place=issuer.place,
        today=today,
        superior=issuer.superior,
        authority=issuer.authority,
        signer=issuer.signer,
        signer_title=issuer.signer_title,
    )


# -- issuing ----------------------------------------------------------------------------------


# What XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return): python-docx
# refuses such a character with a ValueError, so it is dropped from what is typed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _one_line(value: Any, *, limit: int) -> str:
    return squash_spaces(nfc(_NOT_XML.sub("", str(value or ""))))[:limit]


def _text(value: Any) -> str:
    lines = nfc(_NOT_XML.sub("", str(value or ""))).replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _check_texts(case: Case, texts: dict[str, str]) -> None:
    errors: dict[str, list[str]] = {}
    for key, value in texts.items():
        if BLANK in value:
            errors.setdefault(key, []).append(
                _("Còn chỗ đánh dấu %(blank)s chưa điền: hãy điền hoặc xoá trước khi ban hành.")
                % {"blank": BLANK}
            )
    name = _sealed_name(case)
    if name:
        for key, value in texts.items():
            if contains_name(value, name):
                errors.setdefault(key, []).append(
                    _(
                        "Văn bản không được ghi họ tên người tố cáo (Luật Tố cáo Điều 47); "
                        "hãy gọi là “%(label)s”."
                    )
                    % {"label": case.filer_label}
                )
    if errors:
        raise ValidationError(errors)


def _check_day(case: Case, doc_type: str, day: Any) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError({"issued_on": _("Hãy nhập ngày ban hành.")})
    if day > services.today():
        raise ValidationError({"issued_on": _("Ngày ban hành không được sau ngày hôm nay.")})
    if day < case.received_on:
        raise ValidationError({"issued_on": _("Ngày ban hành không được trước ngày nhận đơn.")})
    if doc_type == DocumentType.ACCEPT_NOTICE and case.accepted_on and day < case.accepted_on:
        raise ValidationError(
            {"issued_on": _("Thông báo thụ lý không được ban hành trước ngày thụ lý.")}
        )
    return day


def _check_number(case: Case, number: str, year: int) -> None:
    taken = _register_of(case).filter(issued_on__year=year, number__iexact=number).exists()
    if taken:
        raise ValidationError(
            {
                "number": _(
                    "Số %(number)s đã dùng cho một văn bản khác năm %(year)s; hãy lấy số khác."
                )
                % {"number": number, "year": year}
            }
        )


def document_issue(*, case: Case, actor: Any, data: Mapping[str, Any]) -> CaseDocument:
    """Issue a document of the case from the officer's edited draft: the text, the DOCX
    file and the audit entry in one transaction. An acceptance notice meets the case's
    notice deadline (Luật Tố cáo Điều 29 khoản 4, Luật Khiếu nại Điều 27)."""
    if not permissions.can_handle_case(actor, case):
        raise PermissionDenied(_("Bạn không có quyền ban hành văn bản của vụ việc này."))
    doc_type = str(data.get("doc_type", ""))
    with transaction.atomic():
        # "of self": PostgreSQL cannot lock the nullable side of the join to the unit.
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("ward", "unit")
            .get(pk=case.pk)
        )
        if not applies(case, doc_type):
            raise ValidationError(
                {"doc_type": _("Văn bản này không áp dụng cho vụ việc ở bước hiện tại.")}
            )
        fields = {key: _one_line(data.get(key), limit=n) for key, n in DOCX_MAX_FIELD.items()}
        body = _text(data.get("body"))
        recipients = _text(data.get("recipients"))
        missing = {
            key: _("Trường này không được để trống.")
            for key in ("issuer", "number", "place", "title", "signer", "signer_title")
            if not fields[key]
        }
        if not body:
            missing["body"] = _("Hãy nhập nội dung văn bản.")
        if missing:
            raise ValidationError(missing)
        day = _check_day(case, doc_type, data.get("issued_on"))
        _check_texts(case, {**fields, "body": body, "recipients": recipients})
        _check_number(case, fields["number"], day.year)
        content = render_docx(
            DocFields(
                superior=fields["superior"],
                issuer=fields["issuer"],
                number=fields["number"],
                place=fields["place"],
                issued_on=day,
                kind_name=SPECS[doc_type].kind_name,
                title=fields["title"],
                body=body,
                recipients=recipients,
                signer=fields["signer"],
                signer_title=fields["signer_title"],
            )
        )
        document = CaseDocument(
            case=case,
            doc_type=doc_type,
            number=fields["number"],
            place=fields["place"],
            issued_on=day,
            title=fields["title"],
            body=body,
            recipients=recipients,
            signer=fields["signer"],
            signer_title=fields["signer_title"],
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        document.full_clean(exclude=["file", "case", "issued_by"])
        document.file.save(f"{secrets.token_hex(16)}.docx", ContentFile(content), save=False)
        try:
            document.save()
            if doc_type == DocumentType.ACCEPT_NOTICE:
                case.deadlines.filter(stage=Stage.NOTICE, met_on__isnull=True).update(met_on=day)
                services.deadlines_refresh(case)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=document,
                after=snapshot(document, AUDIT_FIELDS),
                ward_id=case.ward_id,
                unit_id=case.unit_id,
            )
        except BaseException:
            document.file.storage.delete(document.file.name)
            raise
    return document
