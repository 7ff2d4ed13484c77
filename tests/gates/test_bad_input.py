"""Gate 8: the bad input corpus.

Every form of ANTQ (found from the URL configuration: each route whose view accepts a POST
or reads a query form), the unit import, the tip attachments, the exports and the API get the
hostile inputs of :mod:`tests.gates.corpus`. Each answer is a clear Vietnamese error, or the
value is stored safely (NFC, no NUL) and shown escaped — never a 5xx.

Each submission runs in a savepoint that is rolled back, so one form sees the corpus one
string at a time, on the same starting data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import tracemalloc
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm
from django.urls import reverse
from openpyxl import load_workbook

from antq.accounts.models import ApiToken, User
from antq.accounts.services import token_create
from antq.cases import documents
from antq.cases import models as case_models
from antq.cases import services as case_services
from antq.cases.status import CaseStatus, DocumentType, Stage
from antq.core.crypto import decrypt
from antq.core.models import AuditAction, AuditEntry
from antq.registry import services as registry_services
from antq.registry.models import ImportBatch, Unit
from antq.registry.status import UnitKind
from antq.textvn.normalize import _INVISIBLE
from antq.tips import services as tip_services
from antq.tips.models import (
    Bulletin,
    Partner,
    Tip,
    TipAttachment,
    TipCategory,
    TipDeadlineRule,
    TipMessage,
    TipNote,
)
from antq.tips.services import partner_create
from tests.conftest import Cast
from tests.factories import make_tip
from tests.gates import corpus
from tests.gates.corpus import RAW_BYTES, STRINGS, SUBSET, Hostile

pytestmark = pytest.mark.gate

# A letter only Vietnamese uses: an error message without one is not in Vietnamese.
VIETNAMESE = re.compile(
    "[ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]", re.IGNORECASE
)
BAD_DATES = ("0001-01-01", "9999-12-31", "2024-02-30", "<script>")
BAD_DATETIMES = ("0001-01-01T00:00", "9999-12-31T23:59", "2024-02-30T10:00", "<script>")
BAD_INTS = ("999999999999999999999999", "-1", "1e3", "<script>")


def hostile_raw(name: str, value: bytes) -> Hostile:
    return Hostile(name, value.decode("utf-8", "replace"), fits=True)


# (value sent, how to judge it): bytes are sent as they are, percent-encoded.
Sample = tuple[str | bytes, Hostile]


def full_corpus() -> list[Sample]:
    samples: list[Sample] = [(h.value, h) for h in STRINGS]
    samples += [(raw, hostile_raw(name, raw)) for name, raw in RAW_BYTES.items()]
    return samples


def subset() -> list[Sample]:
    return [(h.value, h) for h in SUBSET]


MINI_NAMES = ("html_script", "nul_byte", "nfd_vietnamese", "very_long")


def mini() -> list[Sample]:
    """One string of each family a secondary field must survive."""
    return [(h.value, h) for h in STRINGS if h.name in MINI_NAMES]


def odd(values: tuple[str, ...]) -> list[Sample]:
    return [(v, Hostile(f"odd:{v}", v, "<script>" if v == "<script>" else None)) for v in values]


# -- the world the forms act on -------------------------------------------------------------


@dataclass
class World:
    cast: Cast
    tip: Tip
    passphrase: str
    category: TipCategory
    bulletin: Bulletin
    rule: TipDeadlineRule
    subject: User
    partner: Partner
    token: ApiToken
    # An accepted denunciation about unit X (its acceptance notice may be issued) and the
    # deadline rule its acceptance was counted by (a rule in use: its key fields are locked).
    case: case_models.Case
    case_rule: case_models.DeadlineRule
    units_before: set[int] = field(default_factory=set)


@pytest.fixture
def world(cast: Cast, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    settings.TIP_SUBMIT_PER_HOUR = 1_000_000
    settings.TIP_LOOKUP_PER_HOUR = 1_000_000
    receipt = tip_services.tip_receive(
        channel="web",
        category=TipCategory.objects.get(code="bao-luc-hoc-duong"),
        text="Có nhóm học sinh đánh nhau trước cổng trường vào giờ tan học",
        ward=cast.ward_a,
        unit=cast.unit_x,
        anonymous=False,
        reporter_name="Nguyễn Văn Báo",
        reporter_phone="0912345678",
    )
    tip_services.tip_assign(tip=receipt.tip, assignee=cast.department, actor=cast.department)
    assert receipt.passphrase is not None
    category = TipCategory.objects.get(code="khac")
    bulletin = Bulletin.objects.create(
        title="Cảnh giác lừa đảo", slug="canh-giac", summary="Tóm tắt", body="Nội dung"
    )
    token, _raw = token_create(actor=cast.admin, user=cast.unit_x_officer, name="Ứng dụng A")
    partner, _key = partner_create(actor=None, name="Ứng dụng đối tác")
    case = case_services.case_register(
        actor=cast.department,
        kind="denunciation",
        subject="Tố cáo bảo vệ thu tiền gửi xe trái quy định",
        content="Nội dung đơn tố cáo.",
        channel="post",
        received_on=case_services.today() - dt.timedelta(days=20),
        unit=cast.unit_x,
        respondent="Ông Phạm Văn Bảo, bảo vệ",
        sealed=case_services.SealedInput(name="Trần Thị Tố Giác"),
    )
    for to in (CaseStatus.INITIAL, CaseStatus.ACCEPTED):
        case = case_services.case_transition(case=case, to=to, actor=cast.department)
    return World(
        cast=cast,
        tip=Tip.objects.get(pk=receipt.tip.pk),
        passphrase=receipt.passphrase,
        category=category,
        bulletin=bulletin,
        rule=TipDeadlineRule.objects.get(),
        subject=cast.unit_y_officer,
        partner=partner,
        token=token,
        case=case_models.Case.objects.get(pk=case.pk),
        case_rule=case.deadlines.get(stage=Stage.ACCEPTANCE).rule,
        units_before={cast.unit_x.pk, cast.unit_y.pk},
    )


# -- form cases ----------------------------------------------------------------------------


@dataclass
class Case:
    """One form: who may use it, a valid submission, and which fields get which inputs."""

    role: str | None
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    # field → the samples it gets
    fields: Callable[[], dict[str, list[Sample]]]
    # field → the value now stored (None: not stored, or not readable for that field)
    stored: Callable[[World, str], str | None] = lambda w, f: None
    # pages that show what was stored, and the fields they show
    shown: Callable[[World], list[str]] = lambda w: []
    displayed: frozenset[str] = frozenset()
    # free-text fields whose content must survive storage (no tag stripping, no truncation)
    verbatim: frozenset[str] = frozenset()
    method: str = "post"
    # who looks at the pages shown (the role itself when None)
    viewer: str | None = None


def _new_unit(w: World) -> Unit | None:
    return Unit.objects.exclude(pk__in=w.units_before).order_by("-pk").first()


def _attr(obj: Any, name: str) -> str | None:
    return None if obj is None else str(getattr(obj, name) or "")


def _unit_data(w: World) -> dict[str, Any]:
    return {
        "name": "Trường Mầm non Hoa Sen",
        "kind": UnitKind.HOSPITAL.value,
        "sector": "",
        "code": "",
        "address": "",
        "ward": w.cast.ward_a.pk,
        "headcount": "",
        "phone": "",
        "email": "",
        "security_contact_name": "",
        "security_contact_phone": "",
        "head_name": "",
        "head_title": "",
        "status": "active",
        "notes": "",
    }


UNIT_SHOWN = frozenset(
    {"name", "notes", "address", "sector", "head_name", "head_title", "security_contact_name"}
)


def _unit_edit_data(w: World) -> dict[str, Any]:
    u = w.cast.unit_x
    return {
        "address": u.address,
        "headcount": u.headcount or "",
        "phone": u.phone,
        "email": u.email,
        "security_contact_name": u.security_contact_name,
        "security_contact_phone": u.security_contact_phone,
        "head_name": u.head_name,
        "head_title": u.head_title,
        "notes": u.notes,
    }


def _latest_tip(w: World) -> Tip | None:
    return Tip.objects.exclude(pk=w.tip.pk).order_by("-pk").first()


def _public_data(w: World) -> dict[str, Any]:
    return {
        "nonce": "gate-bad-input-nonce-0001",
        "category": TipCategory.objects.get(code="ma-tuy").pk,
        "text": "Có người bán ma tuý ở ngõ 12, thường vào buổi tối.",
        "occurred_date": "",
        "occurred_time": "",
        "ward": w.cast.ward_a.pk,
        "place": "",
        "unit_q": "",
        "unit": "",
        "anonymous": "no",
        "reporter_name": "Người báo tin",
        "reporter_phone": "",
    }


def _operator_data(w: World) -> dict[str, Any]:
    return {
        "category": TipCategory.objects.get(code="ma-tuy").pk,
        "text": "Người gọi báo có nhóm thanh niên mua bán ma túy ở cuối ngõ 12",
        "ward": "",
        "place": "",
        "urgency": "",
        "occurred_at": "",
        "reporter_name": "Người gọi",
        "reporter_phone": "",
        "nonce": "gate-bad-input-nonce-0002",
    }


def _tip_url(w: World) -> str:
    return reverse("tips:tip_detail", args=[w.tip.pk])


def _last_body(model: Any, w: World) -> str | None:
    row = model.objects.filter(tip=w.tip).order_by("-pk").first()
    return None if row is None else row.body


def _user_data(w: World) -> dict[str, Any]:
    return {
        "username": "canbo_moi",
        "full_name": "Cán bộ mới",
        "title": "",
        "phone": "",
        "email": "",
        "role": "department",
        "unit": "",
        "password": "mat-khau-rat-dai-2026!",
    }


# -- complaint and denunciation cases (antq/cases) ------------------------------------------


def _only(
    names: tuple[str, ...], read: Callable[[World], Any]
) -> Callable[[World, str], str | None]:
    """``Case.stored`` for the fields ``names`` of the object ``read`` finds."""
    return lambda w, f: _attr(read(w), f) if f in names else None


def _case_url(w: World) -> str:
    return reverse("cases:case_detail", args=[w.case.pk])


def _new_case(w: World) -> case_models.Case | None:
    return case_models.Case.objects.exclude(pk=w.case.pk).order_by("-pk").first()


def _new_case_url(w: World) -> str:
    case = _new_case(w)
    assert case is not None
    return reverse("cases:case_detail", args=[case.pk])


def _case_data(w: World, **fields: Any) -> dict[str, Any]:
    data = {
        "kind": "complaint_1",
        "subject": "Khiếu nại quyết định kỷ luật khiển trách",
        "content": "Ông A khiếu nại quyết định kỷ luật của bệnh viện.",
        "filer_name": "Lê Thị Khiếu",
        "respondent": "Giám đốc bệnh viện",
        "channel": "direct",
        "received_on": (case_services.today() - dt.timedelta(days=3)).isoformat(),
        "unit": w.cast.unit_x.pk,
        "ward": "",
        "complexity": "normal",
        "handler": "",
        "sealed_name": "",
        "sealed_address": "",
        "sealed_contact": "",
    }
    data.update(fields)
    return data


def _sealed(w: World, field_name: str) -> str | None:
    """A field of the new denunciation's sealed identity, decrypted."""
    case = _new_case(w)
    identity = case_models.SealedIdentity.objects.filter(case=case).first()
    if identity is None:
        return None
    return decrypt(getattr(identity, field_name.replace("sealed_", "") + "_enc"))


def _case_edit_data(w: World) -> dict[str, Any]:
    case = w.case
    return {
        "subject": case.subject,
        "content": case.content,
        "respondent": case.respondent,
        "complexity": case.complexity,
        "remote_area": "",
        "handler": "",
        "reason": "",
    }


def _last_event_reason(w: World) -> str | None:
    event = case_models.CaseEvent.objects.filter(case=w.case).order_by("-pk").first()
    return None if event is None else event.reason


def _document_url(w: World) -> str:
    return reverse("cases:document_new", args=[w.case.pk]) + f"?type={DocumentType.ACCEPT_NOTICE}"


def _document_data(w: World) -> dict[str, Any]:
    """The pre-filled draft of the acceptance notice as an officer completes and posts it."""
    draft = documents.draft_for_case(
        w.case, DocumentType.ACCEPT_NOTICE, today=case_services.today()
    )
    data = {
        k: v.replace(documents.BLANK, "Công an phường Hoàn Kiếm") if isinstance(v, str) else v
        for k, v in draft.items()
    }
    data.pop("doc_type")
    data["signer"] = data["signer"] or "Nguyễn Văn Trưởng"
    data["issued_on"] = draft["issued_on"].isoformat()
    return data


# The fields a CaseDocument keeps as typed (the issuer and superior are printed only).
DOCUMENT_STORED = ("body", "title", "recipients", "number", "place", "signer", "signer_title")


def _rule_data(rule: case_models.DeadlineRule | None = None) -> dict[str, Any]:
    if rule is None:  # a later law's version of a stage
        return {
            "law": "tc2018",
            "article": "Điều 30 khoản 1",
            "kind": "denunciation",
            "stage": "resolution",
            "private_enterprise": "",
            "effective_from": "2035-01-01",
            "day_count": "calendar",
            "days": "30",
            "complex_days": "60",
            "remote_days": "",
            "remote_complex_days": "",
            "extension_days": "30",
            "extensions_complex": "1",
            "extensions_very_complex": "2",
            "note": "",
        }
    return {
        name: ("on" if value else "")
        if isinstance(value, bool)
        else (value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value))
        for name in (
            "law",
            "article",
            "kind",
            "stage",
            "private_enterprise",
            "effective_from",
            "day_count",
            "days",
            "complex_days",
            "remote_days",
            "remote_complex_days",
            "extension_days",
            "extensions_complex",
            "extensions_very_complex",
            "note",
        )
        for value in [getattr(rule, name)]
    }


def _swap_day() -> dt.date:
    """A Saturday of next January before any Tết: a weekend day that may be worked."""
    day = dt.date(case_services.today().year + 1, 1, 8)
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


CASES: dict[str, Case] = {
    "registry:unit_create": Case(
        role="department",
        url=lambda w: reverse("registry:unit_create"),
        data=_unit_data,
        fields=lambda: {
            "name": full_corpus(),
            "notes": subset(),
            "address": subset(),
            **dict.fromkeys(
                (
                    "sector",
                    "code",
                    "phone",
                    "email",
                    "security_contact_name",
                    "security_contact_phone",
                    "head_name",
                    "head_title",
                ),
                mini(),
            ),
            "headcount": odd(BAD_INTS),
            "ward": odd(BAD_INTS),
            "kind": subset()[:2],
        },
        stored=lambda w, f: _attr(_new_unit(w), f),
        shown=lambda w: [reverse("registry:unit_detail", args=[_new_unit(w).pk])],  # type: ignore[union-attr]
        displayed=UNIT_SHOWN,
        verbatim=frozenset({"name", "notes", "address"}),
    ),
    "registry:unit_edit": Case(
        role="unit_x_officer",
        url=lambda w: reverse("registry:unit_edit", args=[w.cast.unit_x.pk]),
        data=_unit_edit_data,
        fields=lambda: {
            "notes": full_corpus(),
            "address": subset(),
            "head_name": mini(),
            "email": mini(),
            "phone": mini(),
            "headcount": odd(BAD_INTS),
        },
        stored=lambda w, f: _attr(Unit.objects.get(pk=w.cast.unit_x.pk), f),
        shown=lambda w: [reverse("registry:unit_detail", args=[w.cast.unit_x.pk])],
        displayed=UNIT_SHOWN,
        verbatim=frozenset({"notes", "address"}),
    ),
    "registry:unit_delete": Case(
        role="department",
        url=lambda w: reverse("registry:unit_delete", args=[w.cast.unit_y.pk]),
        data=lambda w: {"reason": "Đơn vị giải thể"},
        fields=lambda: {"reason": subset()},
        shown=lambda w: ["/nhat-ky/"],
    ),
    "registry:unit_list": Case(
        role="ward_a_officer",
        url=lambda w: "/don-vi/",
        data=lambda w: {"q": "", "block": "", "kind": "", "ward": "", "status": ""},
        fields=lambda: {"q": full_corpus(), "ward": odd(BAD_INTS), "kind": subset()[:2]},
        method="get",
    ),
    "registry:area_list": Case(
        role="department",
        url=lambda w: "/dia-ban/",
        data=lambda w: {"q": ""},
        fields=lambda: {"q": subset(), "page": odd(BAD_INTS)},
        method="get",
    ),
    "accounts:user_create": Case(
        role="admin",
        url=lambda w: reverse("accounts:user_create"),
        data=_user_data,
        fields=lambda: {
            "full_name": full_corpus(),
            "username": mini(),
            "title": mini(),
            "phone": mini(),
            "email": mini(),
            "password": mini(),
            "unit": odd(BAD_INTS),
        },
        stored=lambda w, f: _attr(
            User.objects.filter(email__isnull=False).order_by("-pk").first()
            if f != "password"
            else None,
            f,
        ),
        shown=lambda w: [
            reverse("accounts:user_detail", args=[User.objects.order_by("-pk").first().pk]),  # type: ignore[union-attr]
            "/tai-khoan/nguoi-dung/",
        ],
        displayed=frozenset({"full_name", "title"}),
        verbatim=frozenset({"full_name"}),
    ),
    "accounts:user_list": Case(
        role="admin",
        url=lambda w: "/tai-khoan/nguoi-dung/",
        data=lambda w: {"q": "", "role": ""},
        fields=lambda: {"q": subset(), "role": subset()[:2]},
        method="get",
    ),
    "accounts:token_create": Case(
        role="admin",
        url=lambda w: reverse("accounts:token_create", args=[w.subject.pk]),
        data=lambda w: {"name": "Ứng dụng B"},
        fields=lambda: {"name": subset()},
        stored=lambda w, f: _attr(ApiToken.objects.order_by("-pk").first(), f),
        shown=lambda w: [reverse("accounts:user_detail", args=[w.subject.pk])],
        displayed=frozenset({"name"}),
    ),
    "accounts:user_set_active": Case(
        role="admin",
        url=lambda w: reverse("accounts:user_set_active", args=[w.subject.pk]),
        data=lambda w: {"reason": "Nghỉ việc", "active": "0"},
        fields=lambda: {"reason": subset()},
        shown=lambda w: ["/nhat-ky/"],
    ),
    "accounts:login": Case(
        role=None,
        url=lambda w: reverse("accounts:login"),
        data=lambda w: {"username": "khong_co", "password": "sai"},
        fields=lambda: {"username": subset(), "password": subset()[:4]},
    ),
    "accounts:password_change": Case(
        role="ward_a_officer",
        url=lambda w: reverse("accounts:password_change"),
        data=lambda w: {"old_password": "sai", "new_password1": "x", "new_password2": "x"},
        fields=lambda: {"old_password": subset(), "new_password1": subset()},
    ),
    "tips:tip_list": Case(
        role="department",
        url=lambda w: "/tin-bao/",
        data=lambda w: {"q": ""},
        fields=lambda: {
            "q": full_corpus(),
            "date_from": odd(BAD_DATES),
            "category": odd(BAD_INTS),
            "ward": odd(BAD_INTS),
            "box": subset()[:2],
        },
        method="get",
    ),
    "tips:tip_message": Case(
        role="department",
        url=lambda w: reverse("tips:tip_message", args=[w.tip.pk]),
        data=lambda w: {"body": "Cảm ơn bạn"},
        fields=lambda: {"body": full_corpus()},
        stored=lambda w, f: _last_body(TipMessage, w),
        shown=lambda w: [_tip_url(w)],
        displayed=frozenset({"body"}),
        verbatim=frozenset({"body"}),
    ),
    "tips:tip_note": Case(
        role="ward_a_officer",
        url=lambda w: reverse("tips:tip_note", args=[w.tip.pk]),
        data=lambda w: {"body": "Ghi chú"},
        fields=lambda: {"body": full_corpus()},
        stored=lambda w, f: _last_body(TipNote, w),
        shown=lambda w: [_tip_url(w)],
        displayed=frozenset({"body"}),
        verbatim=frozenset({"body"}),
    ),
    "tips:tip_transition": Case(
        role="department",
        url=lambda w: reverse("tips:tip_transition", args=[w.tip.pk]),
        data=lambda w: {"status": "received", "reason": "", "outcome": ""},
        fields=lambda: {"reason": subset(), "status": subset()[:2], "outcome": subset()[:2]},
        shown=lambda w: [_tip_url(w)],
    ),
    "tips:tip_merge": Case(
        role="department",
        url=lambda w: reverse("tips:tip_merge", args=[w.tip.pk]),
        data=lambda w: {"into": "ABCDE-23456", "reason": ""},
        fields=lambda: {"into": subset(), "reason": subset()},
    ),
    "tips:tip_identity": Case(
        role="department",
        url=lambda w: reverse("tips:tip_identity", args=[w.tip.pk]),
        data=lambda w: {"reason": "Cần liên hệ xác minh"},
        fields=lambda: {"reason": subset()},
        shown=lambda w: [_tip_url(w)],
    ),
    "tips:tip_assign": Case(
        role="department",
        url=lambda w: reverse("tips:tip_assign", args=[w.tip.pk]),
        data=lambda w: {"assignee": ""},
        fields=lambda: {"assignee": odd(BAD_INTS) + subset()[:1]},
    ),
    "tips:tip_bulk_assign": Case(
        role="department",
        url=lambda w: reverse("tips:tip_bulk_assign"),
        data=lambda w: {"tips": w.tip.pk, "assignee": w.cast.department.pk, "next": "/tin-bao/"},
        fields=lambda: {
            "tips": odd(BAD_INTS) + subset()[:1],
            "assignee": odd(BAD_INTS),
            "next": [*subset()[:2], ("//evil.example/", Hostile("open_redirect", "x"))],
        },
    ),
    "tips:tip_edit": Case(
        role="department",
        url=lambda w: reverse("tips:tip_edit", args=[w.tip.pk]),
        data=lambda w: {
            "category": w.tip.category_id,
            "urgency": w.tip.urgency,
            "ward": w.tip.ward_id,
            "unit": w.tip.unit_id,
            "place": "",
            "outcome": "",
            "reason": "",
        },
        fields=lambda: {
            "place": full_corpus(),
            "reason": mini(),
            "ward": odd(BAD_INTS),
            "unit": odd(BAD_INTS),
            "category": odd(BAD_INTS),
        },
        stored=lambda w, f: _attr(Tip.objects.get(pk=w.tip.pk), f) if f == "place" else None,
        shown=lambda w: [_tip_url(w)],
        displayed=frozenset({"place"}),
        verbatim=frozenset({"place"}),
    ),
    "tipmanage:operator_form": Case(
        role="department",
        url=lambda w: reverse("tipmanage:operator_form"),
        data=_operator_data,
        fields=lambda: {
            "text": full_corpus(),
            "place": subset(),
            "reporter_name": mini(),
            "reporter_phone": mini(),
            "occurred_at": odd(BAD_DATETIMES),
            "ward": odd(BAD_INTS),
            "nonce": subset()[:3],
        },
        stored=lambda w, f: _attr(_latest_tip(w), f) if f in ("text", "place") else None,
        shown=lambda w: [reverse("tips:tip_detail", args=[_latest_tip(w).pk])],  # type: ignore[union-attr]
        displayed=frozenset({"text", "place"}),
        verbatim=frozenset({"text", "place"}),
    ),
    # "Thêm dấu" without JavaScript: the form comes back with the text restored, unsaved.
    "tipmanage:operator_form (thêm dấu)": Case(
        role="department",
        url=lambda w: reverse("tipmanage:operator_form"),
        data=lambda w: {**_operator_data(w), "restore": "1"},
        fields=lambda: {
            "text": full_corpus(),
            "place": subset(),
            "occurred_at": odd(BAD_DATETIMES),
            "ward": odd(BAD_INTS),
            "category": odd(BAD_INTS),
            "nonce": subset()[:3],
        },
    ),
    "tipmanage:operator_form (hoàn tác)": Case(
        role="department",
        url=lambda w: reverse("tipmanage:operator_form"),
        data=lambda w: {**_operator_data(w), "restore_undo": "1", "typed": "co nguoi ban"},
        fields=lambda: {"typed": full_corpus(), "reporter_name": mini()},
    ),
    "tipmanage:text_restore": Case(
        role="ward_a_officer",
        url=lambda w: reverse("tipmanage:text_restore"),
        data=lambda w: {"text": "co nguoi ban ma tuy o ngo 12 phuong hoan kiem"},
        fields=lambda: {"text": full_corpus()},
    ),
    "tipmanage:tip_export": Case(
        role="department",
        url=lambda w: reverse("tipmanage:tip_export"),
        data=lambda w: {"q": "", "format": "csv"},
        fields=lambda: {"q": subset(), "date_to": odd(BAD_DATES), "format": subset()[:1]},
        method="get",
    ),
    "tipmanage:statistics": Case(
        role="department",
        url=lambda w: reverse("tipmanage:statistics"),
        data=lambda w: {"year": "", "date_from": "", "date_to": ""},
        fields=lambda: {
            "date_from": odd(BAD_DATES),
            "date_to": odd(BAD_DATES),
            "year": odd(BAD_INTS),
        },
        method="get",
    ),
    "tipmanage:category_create": Case(
        role="admin",
        url=lambda w: reverse("tipmanage:category_create"),
        data=lambda w: {
            "code": "loai-moi",
            "name": "Loại mới",
            "description": "",
            "default_urgency": "normal",
            "is_active": "on",
            "sort_order": "10",
        },
        fields=lambda: {
            "name": full_corpus(),
            "description": subset(),
            "code": mini(),
            "sort_order": odd(BAD_INTS),
        },
        stored=lambda w, f: _attr(TipCategory.objects.order_by("-pk").first(), f),
        shown=lambda w: [reverse("tipmanage:category_list"), "/gui-tin-bao/"],
        displayed=frozenset({"name"}),
        verbatim=frozenset({"name", "description"}),
    ),
    "tipmanage:rule_create": Case(
        role="admin",
        url=lambda w: reverse("tipmanage:rule_create"),
        data=lambda w: {
            "category": w.category.pk,
            "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 147",
            "effective_from": "2030-01-01",
            "days": "20",
            "complex_days": "60",
        },
        fields=lambda: {
            "legal_basis": full_corpus(),
            "effective_from": odd(BAD_DATES),
            "days": odd(BAD_INTS),
        },
        stored=lambda w, f: _attr(TipDeadlineRule.objects.order_by("-pk").first(), f),
        shown=lambda w: [reverse("tipmanage:rule_list")],
        displayed=frozenset({"legal_basis"}),
        verbatim=frozenset({"legal_basis"}),
    ),
    "bulletins:bulletin_create": Case(
        role="department",
        url=lambda w: reverse("bulletins:bulletin_create"),
        data=lambda w: {"title": "Cảnh báo mới", "summary": "Tóm tắt", "body": "Nội dung"},
        fields=lambda: {"title": full_corpus(), "summary": subset(), "body": subset()},
        stored=lambda w, f: _attr(Bulletin.objects.order_by("-pk").first(), f),
        shown=lambda w: [
            reverse("bulletins:bulletin_edit", args=[Bulletin.objects.order_by("-pk").first().pk]),  # type: ignore[union-attr]
            reverse("bulletins:bulletin_list"),
        ],
        displayed=frozenset({"title"}),
        verbatim=frozenset({"title", "summary", "body"}),
    ),
    "partners:partner_create": Case(
        role="admin",
        url=lambda w: reverse("partners:partner_create"),
        data=lambda w: {"name": "Ứng dụng mới", "contact": ""},
        fields=lambda: {"name": full_corpus(), "contact": subset()},
        stored=lambda w, f: _attr(Partner.objects.order_by("-pk").first(), f),
        shown=lambda w: [reverse("partners:partner_list")],
        displayed=frozenset({"name"}),
        verbatim=frozenset({"name"}),
    ),
    "public:tip_submit": Case(
        role=None,
        url=lambda w: "/gui-tin-bao/",
        data=_public_data,
        fields=lambda: {
            "text": full_corpus(),
            "place": subset(),
            "reporter_name": mini(),
            "reporter_phone": mini(),
            "unit_q": mini(),
            "occurred_date": odd(BAD_DATES),
            "occurred_time": odd(("25:61", "-1:00", "<script>")),
            "ward": odd(BAD_INTS),
            "unit": odd(BAD_INTS),
            "nonce": subset()[:3],
        },
        stored=lambda w, f: _attr(_latest_tip(w), f) if f in ("text", "place") else None,
        shown=lambda w: [reverse("tips:tip_detail", args=[_latest_tip(w).pk])],  # type: ignore[union-attr]
        displayed=frozenset({"text", "place"}),
        verbatim=frozenset({"text", "place"}),
        viewer="department",
    ),
    "public:unit_options": Case(
        role=None,
        url=lambda w: "/gui-tin-bao/don-vi/",
        data=lambda w: {"ward": w.cast.ward_a.pk, "unit_q": ""},
        fields=lambda: {"unit_q": full_corpus(), "ward": odd(BAD_INTS)},
        method="get",
    ),
    "public:tip_lookup": Case(
        role=None,
        url=lambda w: "/tra-cuu/",
        data=lambda w: {"code": w.tip.code, "passphrase": w.passphrase},
        fields=lambda: {"code": subset(), "passphrase": subset()},
    ),
    "public:tip_reply": Case(
        role=None,
        url=lambda w: "/tra-cuu/tra-loi/",
        data=lambda w: {"code": w.tip.code, "passphrase": w.passphrase, "body": "Xin cảm ơn"},
        fields=lambda: {"body": full_corpus(), "code": subset()[:3]},
        stored=lambda w, f: _last_body(TipMessage, w) if f == "body" else None,
        shown=lambda w: [_tip_url(w)],
        displayed=frozenset({"body"}),
        verbatim=frozenset({"body"}),
        viewer="department",
    ),
    # -- complaint and denunciation cases
    "cases:case_create": Case(
        role="department",
        url=lambda w: reverse("cases:case_create"),
        data=_case_data,
        fields=lambda: {
            "subject": full_corpus(),
            "content": full_corpus(),
            "filer_name": subset(),
            "respondent": subset(),
            "received_on": odd(BAD_DATES),
            "unit": odd(BAD_INTS),
            "handler": odd(BAD_INTS),
            "kind": subset()[:2],
            "channel": subset()[:2],
            "complexity": subset()[:2],
            "tip": odd(BAD_INTS),
        },
        stored=_only(("subject", "content", "filer_name", "respondent"), _new_case),
        shown=lambda w: [_new_case_url(w), reverse("cases:case_list")],
        displayed=frozenset({"subject", "content", "filer_name", "respondent"}),
        verbatim=frozenset({"subject", "content", "filer_name", "respondent"}),
    ),
    "cases:unit_options": Case(
        role="ward_a_officer",
        url=lambda w: reverse("cases:unit_options"),
        data=lambda w: {"ward": w.cast.ward_a.pk, "unit_q": ""},
        fields=lambda: {"unit_q": full_corpus(), "ward": odd(BAD_INTS) + subset()[:2]},
        method="get",
    ),
    # The same form for a denunciation: the denunciator's identity, stored sealed.
    "cases:case_create (denunciation)": Case(
        role="ward_a_officer",
        url=lambda w: reverse("cases:case_create"),
        data=lambda w: _case_data(
            w,
            kind="denunciation",
            filer_name="",
            unit="",
            ward=w.cast.ward_a.pk,
            sealed_name="Nguyễn Văn Tố",
            sealed_address="Số 1 Hàng Bạc",
            sealed_contact="0912345678",
        ),
        fields=lambda: {
            "sealed_name": full_corpus(),
            "sealed_address": subset(),
            "sealed_contact": subset(),
            "ward": odd(BAD_INTS),
        },
        stored=lambda w, f: _sealed(w, f) if f.startswith("sealed_") else None,
        shown=lambda w: [_new_case_url(w), reverse("cases:case_list")],
        verbatim=frozenset({"sealed_name", "sealed_address", "sealed_contact"}),
    ),
    "cases:case_edit": Case(
        role="unit_x_officer",
        url=lambda w: reverse("cases:case_edit", args=[w.case.pk]),
        data=_case_edit_data,
        fields=lambda: {
            "subject": full_corpus(),
            "content": subset(),
            "respondent": subset(),
            "reason": subset(),
            "handler": odd(BAD_INTS),
            "complexity": subset()[:2],
        },
        stored=_only(
            ("subject", "content", "respondent"),
            lambda w: case_models.Case.objects.get(pk=w.case.pk),
        ),
        shown=lambda w: [_case_url(w), "/nhat-ky/"],
        displayed=frozenset({"subject", "content", "respondent"}),
        verbatim=frozenset({"subject", "content", "respondent"}),
    ),
    "cases:case_transition": Case(
        role="department",
        url=lambda w: reverse("cases:case_transition", args=[w.case.pk]),
        data=lambda w: {"to": CaseStatus.VERIFYING, "on": "", "reason": "", "conclusion": ""},
        fields=lambda: {
            "reason": full_corpus(),
            "conclusion": subset(),
            "on": odd(BAD_DATES),
            "to": subset()[:2],
        },
        stored=lambda w, f: _last_event_reason(w) if f == "reason" else None,
        shown=lambda w: [_case_url(w), "/nhat-ky/"],
        displayed=frozenset({"reason"}),
        verbatim=frozenset({"reason"}),
    ),
    "cases:case_unseal": Case(
        role="leader",
        url=lambda w: reverse("cases:case_unseal", args=[w.case.pk]),
        data=lambda w: {"reason": "Cần liên hệ người tố cáo để xác minh thêm"},
        fields=lambda: {"reason": full_corpus(), "petition": subset()[:2]},
        stored=_only(
            ("reason",),
            lambda w: AuditEntry.objects.filter(action=AuditAction.REVEAL).order_by("-pk").first(),
        ),
        shown=lambda w: [_case_url(w), "/nhat-ky/"],
        verbatim=frozenset({"reason"}),
    ),
    "cases:document_new": Case(
        role="department",
        url=_document_url,
        data=_document_data,
        fields=lambda: {
            "body": full_corpus(),
            "title": full_corpus(),
            "recipients": subset(),
            "number": subset(),
            "issuer": mini(),
            "superior": mini(),
            "place": mini(),
            "signer": mini(),
            "signer_title": mini(),
            "issued_on": odd(BAD_DATES),
        },
        stored=_only(
            DOCUMENT_STORED, lambda w: case_models.CaseDocument.objects.order_by("-pk").first()
        ),
        shown=lambda w: [_case_url(w)],
        displayed=frozenset({"title", "number"}),
        verbatim=frozenset({"body", "title", "recipients"}),
    ),
    "cases:case_list": Case(
        role="ward_a_officer",
        url=lambda w: reverse("cases:case_list"),
        data=lambda w: {"q": "", "kind": "", "status": "", "ward": "", "year": "", "unit": ""},
        fields=lambda: {
            "q": full_corpus(),
            "year": odd(BAD_INTS),
            "ward": odd(BAD_INTS),
            "unit": odd(BAD_INTS),
            "page": odd(BAD_INTS),
            "kind": subset()[:2],
            "status": subset()[:2],
        },
        method="get",
    ),
    "cases:overdue_board": Case(
        role="department",  # who may look ahead with ?ngay=
        url=lambda w: reverse("cases:overdue_board"),
        data=lambda w: {"stage": "", "kind": "", "ward": "", "block": ""},
        fields=lambda: {
            "ngay": odd(BAD_DATES),
            "ward": odd(BAD_INTS),
            "page": odd(BAD_INTS),
            "stage": subset()[:2],
            "kind": subset()[:2],
            "block": subset()[:2],
        },
        method="get",
    ),
    "cases:statistics": Case(
        role="department",
        url=lambda w: reverse("cases:statistics"),
        data=lambda w: {"year": "", "date_from": "", "date_to": ""},
        fields=lambda: {
            "date_from": odd(BAD_DATES),
            "date_to": odd(BAD_DATES),
            "year": odd(BAD_INTS),
        },
        method="get",
    ),
    "cases:statistics_xlsx": Case(
        role="ward_a_officer",
        url=lambda w: reverse("cases:statistics_xlsx"),
        data=lambda w: {"year": "", "date_from": "", "date_to": ""},
        fields=lambda: {
            "date_from": odd(BAD_DATES),
            "date_to": odd(BAD_DATES),
            "year": odd(BAD_INTS),
        },
        method="get",
    ),
    "cases:rule_create": Case(
        role="department",
        url=lambda w: reverse("cases:rule_create"),
        data=lambda w: _rule_data(),
        fields=lambda: {
            "article": full_corpus(),
            "note": subset(),
            "effective_from": odd(BAD_DATES),
            "days": odd(BAD_INTS),
            "complex_days": odd(BAD_INTS),
            "extension_days": odd(BAD_INTS),
            "extensions_very_complex": odd(BAD_INTS),
            "law": subset()[:2],
            "kind": subset()[:2],
            "stage": subset()[:2],
            "day_count": subset()[:2],
        },
        stored=_only(
            ("article", "note"), lambda w: case_models.DeadlineRule.objects.order_by("-pk").first()
        ),
        shown=lambda w: [reverse("cases:rule_list")],
        displayed=frozenset({"article", "note"}),
        verbatim=frozenset({"article", "note"}),
    ),
    # ?from=<id> copies a rule into the new one.
    "cases:rule_create (copy)": Case(
        role="admin",
        url=lambda w: reverse("cases:rule_create"),
        data=lambda w: {"from": w.case_rule.pk},
        fields=lambda: {"from": odd(BAD_INTS) + subset()[:2]},
        method="get",
    ),
    # A rule in use: what it applies to is locked, its figures and wording are not.
    "cases:rule_edit": Case(
        role="admin",
        url=lambda w: reverse("cases:rule_edit", args=[w.case_rule.pk]),
        data=lambda w: _rule_data(w.case_rule),
        fields=lambda: {
            "article": subset(),
            "note": full_corpus(),
            "days": odd(BAD_INTS),
            "remote_days": odd(BAD_INTS),
            "effective_from": odd(BAD_DATES),
            "kind": subset()[:2],
        },
        stored=_only(
            ("article", "note"),
            lambda w: case_models.DeadlineRule.objects.get(pk=w.case_rule.pk),
        ),
        shown=lambda w: [reverse("cases:rule_list"), _case_url(w)],
        displayed=frozenset({"article", "note"}),
        verbatim=frozenset({"article", "note"}),
    ),
    "cases:calendar_days": Case(
        role="department",
        url=lambda w: reverse("cases:calendar_days"),
        data=lambda w: {
            "day": _swap_day().isoformat(),
            "kind": "working",
            "note": "Thông báo làm bù ngày thứ Bảy",
        },
        fields=lambda: {
            "note": full_corpus(),
            "day": odd(BAD_DATES),
            "kind": subset()[:2],
        },
        stored=_only(("note",), lambda w: case_models.CalendarDay.objects.order_by("-pk").first()),
        shown=lambda w: [f"{reverse('cases:calendar_days')}?year={_swap_day().year}"],
        displayed=frozenset({"note"}),
        verbatim=frozenset({"note"}),
    ),
    "cases:calendar_days (year)": Case(
        role="unit_y_officer",
        url=lambda w: reverse("cases:calendar_days"),
        data=lambda w: {"year": str(_swap_day().year)},
        fields=lambda: {"year": odd(BAD_INTS) + subset()[:2]},
        method="get",
    ),
    "cases:scan_run": Case(
        role="department",
        url=lambda w: reverse("cases:scan_run"),
        data=lambda w: {"day": ""},
        fields=lambda: {"day": odd(BAD_DATES) + subset()[:2]},
        shown=lambda w: [reverse("cases:rule_list")],
    ),
    # -- the user's own notifications
    "core:notification_mark_read": Case(
        role="ward_a_officer",
        url=lambda w: reverse("core:notification_mark_read"),
        data=lambda w: {"id": "", "next": "/"},
        fields=lambda: {
            "id": odd(BAD_INTS) + subset()[:2],
            "next": [*subset()[:2], ("//evil.example/", Hostile("open_redirect", "x"))],
        },
    ),
}


# -- running a case ------------------------------------------------------------------------


def _errors(response: Any) -> list[str]:
    """Every error the page shows: form errors (of the forms of its context) and messages."""
    found: list[str] = []
    contexts = response.context if response.context is not None else []
    seen: set[int] = set()
    for context in contexts if isinstance(contexts, list) else [contexts]:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, BaseForm) and id(value) not in seen and value.is_bound:
                seen.add(id(value))
                for messages in value.errors.values():
                    found.extend(str(m) for m in messages)
        if hasattr(context, "get") and context.get("error"):
            found.append(str(context["error"]))
    found += [
        str(m) for m in get_messages(response.wsgi_request) if m.level >= message_levels.WARNING
    ]
    return found


def _comparable(text: str) -> str:
    """What must survive storage: the characters, less spacing, invisible and control ones."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return "".join(
        ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("C")
    )


def _check_page(client: Any, url: str, hostile: Hostile, expect_escaped: bool) -> list[str]:
    response = client.get(url)
    if response.status_code >= 500:
        return [f"{url} answers {response.status_code}"]
    html = response.content.decode("utf-8", "replace")
    problems = []
    if hostile.marker and hostile.marker in html:
        problems.append(f"{url} shows {hostile.marker!r} unescaped")
    if expect_escaped and hostile.escaped and hostile.escaped not in html:
        problems.append(f"{url} does not show the escaped {hostile.escaped!r}")
    return problems


def _send(client: Any, case: Case, url: str, data: dict[str, Any]) -> Any:
    body = urlencode(data, doseq=True)
    if case.method == "get":
        return client.get(f"{url}?{body}")
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def _judge(
    client: Any, case: Case, w: World, name: str, hostile: Hostile, response: Any
) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"answered {status}"]
    html = response.content.decode("utf-8", "replace")
    problems = []
    if hostile.marker and hostile.marker in html:
        problems.append(f"the answer shows {hostile.marker!r} unescaped")
    errors = _errors(response)
    english = [e for e in errors if not VIETNAMESE.search(e)]
    if english:
        problems.append(f"errors not in Vietnamese: {english}")
    if errors or status in (403, 404, 405, 429) or case.method == "get":
        return problems
    stored = case.stored(w, name)
    if stored is not None:
        if "\x00" in stored:
            problems.append("a NUL character was stored")
        if not unicodedata.is_normalized("NFC", stored):
            problems.append("the stored text is not NFC")
        if name in case.verbatim and hostile.fits:
            sent = hostile.value.replace("\x00", "")
            if _comparable(stored) != _comparable(sent):
                problems.append(f"stored {stored[:60]!r} instead of the text sent")
    displayed = stored is not None and name in case.displayed and hostile.fits
    pages = case.shown(w)
    if pages and case.viewer is not None:
        client.force_login(w.cast.by_name(case.viewer))
    # The first page shown is the object's own page, where ``displayed`` fields appear.
    for index, page in enumerate(pages):
        problems += _check_page(client, page, hostile, displayed and index == 0)
    if pages and case.viewer is not None:
        client.logout()
    return problems


def run_case(client: Any, w: World, case: Case) -> tuple[int, list[str]]:
    """Send every sample to every field of ``case``; (requests sent, problems found)."""
    client.raise_request_exception = False  # a 500 is a finding like the others: go on
    if case.role is not None:
        client.force_login(w.cast.by_name(case.role))
    url = case.url(w)
    sent = 0
    failures = []
    for name, samples in case.fields().items():
        for value, hostile in samples:
            with transaction.atomic():
                data = case.data(w)
                data[name] = value
                response = _send(client, case, url, data)
                sent += 1
                problems = _judge(client, case, w, name, hostile, response)
                transaction.set_rollback(True)
            failures += [f"{name} ← {hostile.name}: {p}" for p in problems]
    return sent, failures


@pytest.mark.parametrize("form", list(CASES))
def test_each_form_answers_the_corpus_in_vietnamese_or_stores_it_safely(
    client: Any, world: World, form: str
) -> None:
    sent, failures = run_case(client, world, CASES[form])
    assert sent > 0
    assert failures == [], f"{form}: {len(failures)} of {sent} inputs\n" + "\n".join(failures)


def _route_names() -> list[str]:
    """Every named route of the URL configuration."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names: list[str] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])) or None)
            elif isinstance(p, URLPattern):
                names.append(f"{namespace}:{p.name}" if namespace else str(p.name))

    walk(get_resolver().url_patterns, None)
    return names


# Routes that take user input but are covered elsewhere in this file, or take none.
COVERED_ELSEWHERE: dict[str, str] = {
    "registry:import_upload": "test_the_import_refuses_hostile_files_in_vietnamese",
    "registry:import_confirm": "takes no text (mode only)",
    "registry:import_cancel": "takes no text",
    "registry:import_preview": "test_the_import_refuses_hostile_files_in_vietnamese",
    "registry:unit_export": "test_exports_neutralise_formulas",
    "tipmanage:category_edit": "same form as category_create",
    "tipmanage:category_delete": "takes no text",
    "tipmanage:rule_edit": "same form as rule_create",
    "tipmanage:statistics_export": "same form as statistics",
    "bulletins:bulletin_edit": "same form as bulletin_create",
    "bulletins:bulletin_publish": "a choice only",
    "partners:partner_set_active": "a choice only",
    "accounts:user_edit": "same form as user_create",
    "accounts:logout": "takes no input",
    "accounts:token_revoke": "takes no input",
    "channels:sms_inbound": "signed by the gateway (tests/tips/test_sms_webhook.py)",
    "set_language": "Django's view",
    "cases:case_add_files": "test_case_files_are_refused_in_vietnamese_or_stored_inert",
    "cases:rule_delete": "takes no input",
    "cases:calendar_day_delete": "takes no input",
}


# Pages that read no input but the object in their URL (or a page number).
NO_INPUT = {
    "core:home",
    "core:job",
    "core:job_download",
    "core:audit_list",
    "core:audit_detail",
    "core:healthz",
    "core:liveness",
    "registry:unit_detail",
    "registry:area_detail",
    "registry:import_template",
    "registry:import_rejected",
    "tips:tip_detail",
    "tips:attachment_download",
    "accounts:user_detail",
    "tipmanage:category_list",
    "tipmanage:rule_list",
    "bulletins:bulletin_list",
    "partners:partner_list",
    "public:bulletin_list",
    "public:bulletin_detail",
    "public:bulletin_feed",
    "cases:case_detail",
    "cases:attachment_download",
    "cases:document_download",
    "cases:rule_list",
    "core:notification_list",
    "core:notification_open",
}


def test_every_route_is_in_the_corpus_run_or_said_to_take_no_input() -> None:
    """Like the scoping matrix: a new page fails here until it says how bad input reaches it."""
    routes = [n for n in _route_names() if not n.startswith(("api:", "open311:"))]
    missing = [n for n in routes if n not in CASES and n not in set(COVERED_ELSEWHERE) | NO_INPUT]
    assert missing == [], f"routes without a bad-input case: {missing}"


# -- the unit import -----------------------------------------------------------------------

IMPORT_FILES = (
    "zip_bomb_xlsx",
    "lying_zip_bomb_xlsx",
    "formula_xlsx",
    "html_named_xlsx",
    "invalid_utf8_csv",
    "empty",
    "jpeg_pdf_polyglot",
)
# Each file is read within this time and this much traced memory (a bomb inflates to 300 MiB).
IMPORT_SECONDS = 15
IMPORT_PEAK_BYTES = 64 * 1024 * 1024


def _files() -> dict[str, corpus.HostileFile]:
    return {f.name: f for f in corpus.upload_files()}


def _page_errors(html: str) -> list[str]:
    """Error texts of a page: field errors and error messages, as the user sees them."""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    found += re.findall(r'<div class="msg msg-error"[^>]*>(.*?)</div>', html, re.S)
    return [re.sub(r"<[^>]+>", " ", f).strip() for f in found]


def _assert_no_formula(workbook_bytes: bytes) -> list[str]:
    """Cells that a spreadsheet would evaluate: formulas, or texts starting with = + - @."""
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    bad = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (
                    isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
                ):
                    bad.append(f"{sheet.title}!{cell.coordinate}={value!r}")
    return bad


@pytest.mark.parametrize("name", [*IMPORT_FILES, "formula_csv", "whitespace_bomb_xlsx"])
def test_the_import_refuses_hostile_files_in_vietnamese(
    client: Any, cast: Cast, settings: Any, tmp_path: Any, name: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.department)
    if name == "formula_csv":
        hostile = corpus.HostileFile(name, "don-vi.csv", corpus.formula_csv(), "text/csv")
    elif name == "whitespace_bomb_xlsx":
        hostile = corpus.HostileFile(name, "don-vi.xlsx", corpus.whitespace_bomb_xlsx())
    else:
        hostile = _files()[name]
    units = Unit.objects.count()
    upload = SimpleUploadedFile(hostile.filename, hostile.content, hostile.content_type)
    tracemalloc.start()
    started = time.monotonic()
    response = client.post(reverse("registry:import_upload"), {"file": upload})
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code < 500
    assert elapsed < IMPORT_SECONDS, f"{name} took {elapsed:.1f} s"
    assert peak < IMPORT_PEAK_BYTES, f"{name} used {peak / 2**20:.0f} MiB"
    assert Unit.objects.count() == units  # nothing is imported before the confirmation
    if response.status_code == 200:
        errors = _page_errors(response.content.decode())
        assert errors, f"{name}: neither an error nor a preview"
        assert all(VIETNAMESE.search(e) for e in errors), errors
        assert not ImportBatch.objects.exists()
        return
    # Read as rows: each is shown escaped in the preview, with its errors in Vietnamese.
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    preview = client.get(reverse("registry:import_preview", args=[batch.pk]))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "<script>alert(" not in html and "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(" in html
    rows = list(batch.rows.all())
    assert rows
    for row in rows:
        assert all(VIETNAMESE.search(e) for e in row.errors), row.errors
        for value in row.raw.values():
            assert "\x00" not in value and unicodedata.is_normalized("NFC", value)
    rejected = client.get(reverse("registry:import_rejected", args=[batch.pk]))
    assert rejected.status_code == 200
    assert _assert_no_formula(rejected.content) == []
    # The valid rows go in whole; the export of them is neutralised too.
    client.post(reverse("registry:import_confirm", args=[batch.pk]), {"mode": "valid"})
    imported = Unit.objects.count() - units
    assert imported == batch.rows.filter(valid=True).count()
    exported = client.get(reverse("registry:unit_export"))
    assert exported.status_code == 200
    assert _assert_no_formula(exported.content) == []


# -- tip attachments ---------------------------------------------------------------------

ATTACHMENT_FILES = (
    "jpeg_pdf_polyglot",
    "pdf_javascript",
    "png_decompression_bomb",
    "html_named_jpg",
    "svg_named_png",
    "empty_jpg",
    "hostile_filename",
    "zip_bomb_xlsx",
)


@pytest.mark.parametrize("name", ATTACHMENT_FILES)
def test_tip_attachments_are_refused_in_vietnamese_or_stored_inert(
    client: Any, world: World, name: str
) -> None:
    hostile = _files()[name]
    data = _public_data(world)
    data["attachments"] = SimpleUploadedFile(
        hostile.filename, hostile.content, hostile.content_type
    )
    started = time.monotonic()
    response = client.post("/gui-tin-bao/", data)
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    attachment = TipAttachment.objects.filter(tip__channel="web").exclude(tip=world.tip).first()
    if attachment is None:
        errors = _page_errors(response.content.decode())
        assert errors and all(VIETNAMESE.search(e) for e in errors), errors
        assert Tip.objects.count() == 1  # the tip waits for a file it can keep
        return
    stored = attachment.file.read()
    if attachment.content_type == "image/jpeg":
        assert b"%PDF" not in stored and b"JavaScript" not in stored  # re-encoded pixels only
    assert "\u202e" not in attachment.name and "<" not in attachment.name[:1]
    client.force_login(world.cast.department)
    download = client.get(reverse("tips:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in download["Content-Disposition"]
    assert "\u202e" not in download["Content-Disposition"]
    page = client.get(reverse("tips:tip_detail", args=[attachment.tip_id])).content.decode()
    assert "<script>alert(" not in page


@pytest.mark.parametrize("name", ATTACHMENT_FILES)
def test_case_files_are_refused_in_vietnamese_or_stored_inert(
    client: Any, world: World, name: str
) -> None:
    """The case file takes the same checks as a tip's attachments: a hostile file is refused
    with a Vietnamese message and nothing is written, or kept inert and served as a download."""
    hostile = _files()[name]
    client.force_login(world.cast.unit_x_officer)
    before = AuditEntry.objects.count()
    upload = SimpleUploadedFile(hostile.filename, hostile.content, hostile.content_type)
    started = time.monotonic()
    response = client.post(
        reverse("cases:case_add_files", args=[world.case.pk]), {"attachments": upload}
    )
    assert time.monotonic() - started < 10
    attachment = case_models.CaseAttachment.objects.filter(case=world.case).first()
    if attachment is None:
        assert response.status_code == 200
        errors = _errors(response)
        assert errors and all(VIETNAMESE.search(e) for e in errors), errors
        assert AuditEntry.objects.count() == before  # nothing kept, nothing audited
        return
    assert response.status_code == 302
    stored = attachment.file.read()
    if attachment.content_type == "image/jpeg":
        assert b"%PDF" not in stored and b"JavaScript" not in stored  # re-encoded pixels only
    assert "\u202e" not in attachment.name and "<" not in attachment.name[:1]
    download = client.get(
        reverse("cases:attachment_download", args=[world.case.pk, attachment.token])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    assert "<script>" not in download["Content-Disposition"]
    assert "\u202e" not in download["Content-Disposition"]
    page = client.get(reverse("cases:case_detail", args=[world.case.pk])).content.decode()
    assert "<script>alert(" not in page


@pytest.mark.parametrize("name", ATTACHMENT_FILES)
def test_a_hostile_signed_petition_is_refused_in_vietnamese_or_sealed_inert(
    client: Any, world: World, name: str
) -> None:
    """The scan of a signed denunciation goes through the same checks before it is sealed."""
    hostile = _files()[name]
    client.force_login(world.cast.ward_a_officer)
    data = _case_data(
        world,
        kind="denunciation",
        filer_name="",
        unit="",
        ward=world.cast.ward_a.pk,
        sealed_name="Nguyễn Văn Tố",
    )
    data["sealed_petition"] = SimpleUploadedFile(
        hostile.filename, hostile.content, hostile.content_type
    )
    started = time.monotonic()
    response = client.post(reverse("cases:case_create"), data)
    assert time.monotonic() - started < 10
    case = _new_case(world)
    if case is None:
        assert response.status_code == 200
        errors = _errors(response)
        assert errors and all(VIETNAMESE.search(e) for e in errors), errors
        return
    assert response.status_code == 302
    identity = case_models.SealedIdentity.objects.get(case=case)
    assert identity.petition_type in {"application/pdf", "image/jpeg", "image/png", "image/webp"}
    assert hostile.content not in bytes(identity.petition_enc)  # kept encrypted


# The forms of the cases app accept their own valid data: the corpus above is not judged
# against a form that refuses everything anyway.
VALID_FIRST = [n for n in CASES if n.startswith(("cases:", "core:")) and CASES[n].method == "post"]


@pytest.mark.parametrize("form", VALID_FIRST)
def test_each_case_form_accepts_its_valid_data(client: Any, world: World, form: str) -> None:
    case = CASES[form]
    if case.role is not None:
        client.force_login(world.cast.by_name(case.role))
    response = _send(client, case, case.url(world), case.data(world))
    assert _errors(response) == []
    # Saved and sent on (302), or the page the action shows (the unsealed identity).
    assert response.status_code == (200 if form == "cases:case_unseal" else 302)


def test_a_photo_of_the_largest_accepted_size_is_cleaned_in_bounded_time() -> None:
    """A decompression bomb is refused before decoding; the largest PNG that is decoded
    is cleaned within seconds (PNG and WebP have no reduced-scale decoding)."""
    from antq.tips import attachments

    side = int(attachments.MAX_DECODED_PIXELS**0.5)
    too_big = corpus.png_file(side + 2, side + 2, rgba=True)
    started = time.monotonic()
    with pytest.raises(Exception) as refused:
        attachments.clean_upload(SimpleUploadedFile("to.png", too_big))
    assert time.monotonic() - started < 1
    assert VIETNAMESE.search(" ".join(refused.value.messages))  # type: ignore[attr-defined]
    largest = corpus.png_file(side, side)
    started = time.monotonic()
    cleaned = attachments.clean_upload(SimpleUploadedFile("lon.png", largest))
    assert time.monotonic() - started < 8
    assert cleaned.content_type == "image/png"


# -- exports -----------------------------------------------------------------------------


def test_exports_neutralise_formulas(client: Any, cast: Cast) -> None:
    for hostile in [corpus.by_name(n) for n in corpus.FORMULA_NAMES]:
        registry_services.unit_create(
            actor=cast.department,
            data={
                "name": f"{hostile.value} {hostile.name}",
                "kind": UnitKind.HOSPITAL,
                "ward": cast.ward_a,
                "notes": hostile.value,
                "head_name": hostile.value,
            },
        )
        make_tip(text=f"{hostile.value} — nội dung tin {hostile.name}", place=hostile.value)
    client.force_login(cast.department)
    units = client.get(reverse("registry:unit_export"))
    assert _assert_no_formula(units.content) == []
    tips_xlsx = client.get(reverse("tipmanage:tip_export"))
    assert _assert_no_formula(tips_xlsx.content) == []
    tips_csv = client.get(reverse("tipmanage:tip_export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(tips_csv.content.decode("utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert len(rows) == 1 + len(corpus.FORMULA_NAMES)
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert any(c.startswith("'=HYPERLINK(") for c in cells)


# -- the API -------------------------------------------------------------------------------


def _json(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _api_samples() -> list[tuple[str, Hostile]]:
    """(JSON literal, string): the corpus, and a lone surrogate only JSON can carry."""
    samples = [(_json(h.value), h) for h in STRINGS]
    samples.append((corpus.LONE_SURROGATE_JSON, Hostile("lone_surrogate", "Tên ? lẻ")))
    return samples


def _api_check(response: Any, hostile: Hostile) -> list[str]:
    if response.status_code >= 500:
        return [f"answered {response.status_code}"]
    body = response.json()
    if response.status_code >= 400:
        messages = [body.get("message", "")] + [e["message"] for e in body.get("errors") or []]
        english = [m for m in messages if not VIETNAMESE.search(m)]
        return [f"errors not in Vietnamese: {english}"] if english else []
    return []


def _stored_ok(value: str) -> list[str]:
    problems = []
    if "\x00" in value:
        problems.append("a NUL character was stored")
    if not unicodedata.is_normalized("NFC", value):
        problems.append("the stored text is not NFC")
    return problems


def _api_send(
    client: Any, method: str, url: str, body: str, hostile: Hostile, stored: Callable[[Any], str]
) -> list[str]:
    """One request in a rolled-back transaction: the answer's problems, and the stored
    value's (``stored`` reads it back from a successful answer's JSON)."""
    with transaction.atomic():
        response = client.generic(method, url, body, content_type="application/json")
        problems = _api_check(response, hostile)
        if response.status_code in (200, 201):
            problems += _stored_ok(stored(response.json()))
        transaction.set_rollback(True)
    return problems


def _reader(find: Callable[[Any], Any], field_name: str) -> Callable[[Any], str]:
    """How to read back the stored ``field_name`` from a successful answer's JSON."""
    return lambda data: str(getattr(find(data), field_name))


def test_the_api_answers_the_corpus_with_a_vietnamese_4xx_or_stores_it_safely(
    client: Any, world: World
) -> None:
    cast = world.cast
    client.force_login(cast.department)
    failures = []
    sent = 0
    kind, ward = UnitKind.HOSPITAL.value, cast.ward_a.pk
    unit_fields = f'"name": "Đơn vị API", "kind": "{kind}", "ward": {ward}'
    for literal, hostile in _api_samples():
        requests: list[tuple[str, str, str, str, Callable[[Any], str]]] = []
        for field_name in ("name", "notes"):
            requests += [
                (
                    f"POST units {field_name}",
                    "POST",
                    "/api/v1/units",
                    f'{{{unit_fields}, "{field_name}": {literal}}}',
                    _reader(lambda data: Unit.objects.get(pk=data["id"]), field_name),
                ),
                (
                    f"PATCH units {field_name}",
                    "PATCH",
                    f"/api/v1/units/{cast.unit_x.pk}",
                    f'{{"{field_name}": {literal}}}',
                    _reader(lambda data: Unit.objects.get(pk=cast.unit_x.pk), field_name),
                ),
            ]
        for field_name in ("text", "place"):
            requests.append(
                (
                    f"POST tips {field_name}",
                    "POST",
                    "/api/v1/tips",
                    f'{{"category": "khac", "text": "Nội dung tin báo qua API", '
                    f'"{field_name}": {literal}}}',
                    _reader(lambda data: Tip.objects.get(code=data["code"]), field_name),
                )
            )
        for label, method, url, body, stored in requests:
            sent += 1
            problems = _api_send(client, method, url, body, hostile, stored)
            failures += [f"{label} ← {hostile.name}: {p}" for p in problems]
    assert failures == [], f"{len(failures)} of {sent} requests\n" + "\n".join(failures)
