"""The scoping matrix: every URL of ANTQ, every role, an in-scope and an out-of-scope object.

Routes are enumerated from the URL configuration at test time. A route that is not in
``ROUTES`` fails ``test_every_route_has_a_rule``: whoever adds a page or an API operation
must say here who may see it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from antq.accounts.services import token_create
from antq.cases import documents
from antq.cases import services as case_services
from antq.cases.models import CalendarDay, CalendarDayKind, Case, DeadlineRule
from antq.cases.status import CaseStatus, DocumentType
from antq.core.jobs import job_create, job_files_dir, job_finish
from antq.core.models import AuditEntry, Notification
from antq.registry import services
from antq.registry.models import ImportBatch
from antq.tips.attachments import CleanFile
from antq.tips.models import Bulletin, TipAttachment, TipCategory, TipDeadlineRule, TipMessage
from antq.tips.services import partner_create
from tests.conftest import ROLES, Cast
from tests.factories import make_tip, receive_tip

pytestmark = pytest.mark.gate  # gate 1 of the quality gates (docs/security.md)

ANON = "anonymous"
ALL_ROLES = [*ROLES, ANON]
CITY = {"admin", "department", "leader"}
WRITERS = {"admin", "department"}
TIP_HANDLERS = {*WRITERS, "ward_a_officer", "ward_b_officer"}
UNIT_EDITORS = {*TIP_HANDLERS, "unit_x_officer", "unit_y_officer"}
# Everyone but the leaders registers cases, and handles the cases of his own scope (each
# role's in-scope case is one of its ward or unit); leaders read.
CASE_HANDLERS = set(ROLES) - {"leader"}
# settings.CASE_UNSEAL_ROLES: the leaders, and the head of the unit the case is about.
UNSEALERS = {"leader", "unit_x_head"}


def _expect(ok: int, ok_roles: set[str] | None = None, other: int = 403, anon: int = 302):
    """Status per role: ``ok`` for ``ok_roles`` (all roles when None), ``other`` otherwise."""

    def table(role: str) -> int:
        if role == ANON:
            return anon
        if ok_roles is None or role in ok_roles:
            return ok
        return other

    return table


@dataclass
class Route:
    """How to reach a route and what each role gets back for GET."""

    # Object the URL points at: unit, area, audit, job, import, user, token, tip,
    # tip_attachment, bulletin (by pk), bulletin_public (by slug), tip_category, tip_rule, partner,
    # case, case_attachment, case_document, case_rule, calendar_day, notification.
    kind: str | None
    expect: Callable[[str], int]
    # Status for an object outside the role's scope (roles that have such an object).
    out_of_scope: int = 404
    query: dict[str, str] = field(default_factory=dict)
    # What each role gets back for an empty POST, for routes that accept POST (None: the
    # route answers 405, or sends anonymous visitors to the login page first). An
    # out-of-scope object is a 404 for POST as for GET.
    post: Callable[[str], int] | None = None

    def expect_post(self, role: str) -> int:
        if self.post is not None:
            return self.post(role)
        return 302 if role == ANON and self.expect(ANON) == 302 else 405


ROUTES: dict[str, Route] = {
    # -- core
    "core:home": Route(None, _expect(200)),
    "core:job": Route("job", _expect(200)),
    "core:job_download": Route("job", _expect(200)),
    "core:audit_list": Route(None, _expect(200)),
    "core:audit_detail": Route("audit", _expect(200)),
    "core:healthz": Route(None, _expect(200, anon=200)),
    "core:liveness": Route(None, _expect(200, anon=200)),
    "set_language": Route(None, _expect(302, anon=302), post=_expect(302, anon=302)),  # GET: back
    # -- accounts
    "accounts:login": Route(
        None, _expect(302, anon=200), post=_expect(302, anon=200)
    ),  # logged-in users go home
    "accounts:logout": Route(None, _expect(405), post=_expect(302)),
    "accounts:password_change": Route(None, _expect(200), post=_expect(200)),
    "accounts:user_list": Route(None, _expect(200, {"admin"}, other=404)),
    "accounts:user_create": Route(
        None, _expect(200, {"admin"}, other=404), post=_expect(200, {"admin"}, other=404)
    ),
    "accounts:user_detail": Route("user", _expect(200, {"admin"}, other=404)),
    "accounts:user_edit": Route(
        "user", _expect(200, {"admin"}, other=404), post=_expect(200, {"admin"}, other=404)
    ),
    "accounts:user_set_active": Route(
        "user", _expect(405), out_of_scope=405, post=_expect(302, {"admin"}, other=404)
    ),
    "accounts:token_create": Route(
        "user", _expect(405), out_of_scope=405, post=_expect(302, {"admin"}, other=404)
    ),
    "accounts:token_revoke": Route(
        "token", _expect(405), out_of_scope=405, post=_expect(302, {"admin"}, other=404)
    ),
    # -- registry
    "registry:unit_list": Route(None, _expect(200)),
    "registry:unit_create": Route(None, _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "registry:unit_detail": Route("unit", _expect(200)),
    "registry:unit_edit": Route(
        "unit", _expect(200, UNIT_EDITORS), post=_expect(200, UNIT_EDITORS)
    ),
    "registry:unit_delete": Route("unit", _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "registry:unit_export": Route(None, _expect(200)),
    "registry:import_upload": Route(None, _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "registry:import_template": Route(None, _expect(200, WRITERS)),
    "registry:import_preview": Route("import", _expect(200, WRITERS)),
    "registry:import_confirm": Route(
        "import", _expect(405), out_of_scope=405, post=_expect(302, WRITERS)
    ),
    "registry:import_cancel": Route(
        "import", _expect(405), out_of_scope=405, post=_expect(302, WRITERS)
    ),
    "registry:import_rejected": Route("import", _expect(200, WRITERS)),
    "registry:area_list": Route(None, _expect(200)),
    "registry:area_detail": Route("area", _expect(200)),
    # -- tips: staff inbox, tip page and its actions (antq/tips/urls.py)
    "tips:tip_list": Route(None, _expect(200)),
    "tips:tip_detail": Route("tip", _expect(200)),
    "tips:tip_edit": Route("tip", _expect(200, TIP_HANDLERS), post=_expect(200, TIP_HANDLERS)),
    "tips:tip_assign": Route(
        "tip", _expect(405), out_of_scope=405, post=_expect(302, TIP_HANDLERS)
    ),
    "tips:tip_transition": Route(
        "tip", _expect(405), out_of_scope=405, post=_expect(200, TIP_HANDLERS)
    ),
    "tips:tip_message": Route(
        "tip", _expect(405), out_of_scope=405, post=_expect(200, TIP_HANDLERS)
    ),
    # Unit officers and heads may add a note to a tip about their unit; leadership only reads.
    "tips:tip_note": Route(
        "tip", _expect(405), out_of_scope=405, post=_expect(200, set(ROLES) - {"leader"})
    ),
    "tips:tip_merge": Route("tip", _expect(405), out_of_scope=405, post=_expect(200, TIP_HANDLERS)),
    # Only the department (and the administrator) may reveal a named tipster.
    "tips:tip_identity": Route("tip", _expect(405), out_of_scope=405, post=_expect(302, WRITERS)),
    "tips:tip_bulk_assign": Route(None, _expect(405), post=_expect(302, TIP_HANDLERS)),
    "tips:attachment_download": Route("tip_attachment", _expect(200)),
    # -- tips: operator form, export, statistics, categories, rules, partners (urls_manage.py)
    "tipmanage:operator_form": Route(
        None, _expect(200, TIP_HANDLERS), post=_expect(200, TIP_HANDLERS)
    ),
    # "Thêm dấu" (htmx/fetch panel) for whoever takes calls: an empty text is a 400.
    "tipmanage:text_restore": Route(None, _expect(405), post=_expect(400, TIP_HANDLERS)),
    "tipmanage:tip_export": Route(None, _expect(200)),
    "tipmanage:statistics": Route(None, _expect(200)),
    "tipmanage:statistics_export": Route(None, _expect(200)),
    "tipmanage:category_list": Route(None, _expect(200, WRITERS)),
    "tipmanage:category_create": Route(None, _expect(200, {"admin"}), post=_expect(200, {"admin"})),
    "tipmanage:category_edit": Route(
        "tip_category", _expect(200, {"admin"}), post=_expect(200, {"admin"})
    ),
    "tipmanage:category_delete": Route(
        "tip_category", _expect(405), out_of_scope=405, post=_expect(302, {"admin"})
    ),
    "tipmanage:rule_list": Route(None, _expect(200, WRITERS)),
    "tipmanage:rule_create": Route(None, _expect(200, {"admin"}), post=_expect(200, {"admin"})),
    "tipmanage:rule_edit": Route("tip_rule", _expect(200, {"admin"}), post=_expect(200, {"admin"})),
    # -- tips: bulletins management (urls_bulletins.py)
    "bulletins:bulletin_list": Route(None, _expect(200, WRITERS)),
    "bulletins:bulletin_create": Route(None, _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "bulletins:bulletin_edit": Route("bulletin", _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "bulletins:bulletin_publish": Route(
        "bulletin", _expect(405), out_of_scope=405, post=_expect(302, WRITERS)
    ),
    # -- tips: public pages (urls_public.py): anonymous visitors are welcome
    "public:tip_submit": Route(None, _expect(200, anon=200), post=_expect(200, anon=200)),
    "public:unit_options": Route(None, _expect(200, anon=200)),
    "public:tip_lookup": Route(None, _expect(200, anon=200), post=_expect(200, anon=200)),
    "public:tip_reply": Route(None, _expect(405, anon=405), post=_expect(200, anon=200)),
    "public:bulletin_list": Route(None, _expect(200, anon=200)),
    "public:bulletin_detail": Route("bulletin_public", _expect(200, anon=200)),
    "public:bulletin_feed": Route(None, _expect(200, anon=200)),
    # -- tips: SMS webhook (urls_channels.py), Open311 (open311/urls.py), partners (urls_partners)
    # Machines authenticate by signature or key, never by session: every role gets the same.
    "channels:sms_inbound": Route(None, _expect(405, anon=405), post=_expect(401, anon=401)),
    "open311:discovery_json": Route(None, _expect(200, anon=200)),
    "open311:discovery_xml": Route(None, _expect(200, anon=200)),
    "open311:services_json": Route(None, _expect(200, anon=200)),
    "open311:services_xml": Route(None, _expect(200, anon=200)),
    "open311:requests_json": Route(
        None, _expect(401, anon=401), post=_expect(401, anon=401)
    ),  # listing needs api_key
    "open311:requests_xml": Route(None, _expect(401, anon=401), post=_expect(401, anon=401)),
    "partners:partner_list": Route(None, _expect(200, {"admin"})),
    "partners:partner_create": Route(None, _expect(200, {"admin"}), post=_expect(200, {"admin"})),
    "partners:partner_set_active": Route(
        "partner", _expect(405), out_of_scope=405, post=_expect(302, {"admin"})
    ),
    # -- the user's own notifications (antq/core/views_notifications.py): another's is a 404
    "core:notification_list": Route(None, _expect(200)),
    "core:notification_mark_read": Route(None, _expect(405), post=_expect(302)),
    "core:notification_open": Route("notification", _expect(302)),  # read, then its link
    # -- complaint and denunciation cases (antq/cases/urls.py)
    "cases:case_list": Route(None, _expect(200)),
    "cases:case_create": Route(None, _expect(200, CASE_HANDLERS), post=_expect(200, CASE_HANDLERS)),
    # The register form's list of units of a ward (htmx), for whoever may register.
    "cases:unit_options": Route(None, _expect(200, CASE_HANDLERS)),
    "cases:case_detail": Route("case", _expect(200)),
    "cases:case_edit": Route("case", _expect(200, CASE_HANDLERS), post=_expect(200, CASE_HANDLERS)),
    # An empty move or an upload without a file is a form error on the case page.
    "cases:case_transition": Route(
        "case", _expect(405), out_of_scope=405, post=_expect(200, CASE_HANDLERS)
    ),
    "cases:case_add_files": Route(
        "case", _expect(405), out_of_scope=405, post=_expect(200, CASE_HANDLERS)
    ),
    "cases:attachment_download": Route("case_attachment", _expect(200)),
    # GET goes back to the case page; reading the identity takes the form and its reason.
    "cases:case_unseal": Route("case", _expect(302, UNSEALERS), post=_expect(200, UNSEALERS)),
    "cases:document_new": Route(
        "case",
        _expect(200, CASE_HANDLERS),
        query={"type": DocumentType.ACCEPT_NOTICE},
        post=_expect(200, CASE_HANDLERS),
    ),
    "cases:document_download": Route("case_document", _expect(200)),
    "cases:overdue_board": Route(None, _expect(200)),
    "cases:statistics": Route(None, _expect(200)),
    "cases:statistics_xlsx": Route(None, _expect(200)),
    # Everyone reads the deadline rules and the calendar; the department changes them.
    "cases:rule_list": Route(None, _expect(200)),
    "cases:rule_create": Route(None, _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "cases:rule_edit": Route("case_rule", _expect(200, WRITERS), post=_expect(200, WRITERS)),
    "cases:rule_delete": Route(
        "case_rule", _expect(405), out_of_scope=405, post=_expect(302, WRITERS)
    ),
    "cases:calendar_days": Route(None, _expect(200), post=_expect(200, WRITERS)),
    "cases:calendar_day_delete": Route(
        "calendar_day", _expect(405), out_of_scope=405, post=_expect(302, WRITERS)
    ),
    "cases:scan_run": Route(None, _expect(405), post=_expect(302, WRITERS)),
}


def _route_names() -> list[str]:
    names: list[str] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                names.append(f"{namespace}:{p.name}" if namespace else str(p.name))

    walk(get_resolver().url_patterns, None)
    return names


def test_every_route_has_a_rule() -> None:
    missing = [name for name in _route_names() if name not in ROUTES and name not in API_ROUTES]
    assert missing == [], (
        f"routes without a scoping rule in tests/test_scoping_matrix.py: {missing}"
    )


# API operations answer JSON; their role-by-role matrix is tests/api/test_api_matrix.py.
# They are listed here so that no operation is added without a rule there.
API_ROUTES: set[str] = {
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "api:me_get",
    "api:units_list",
    "api:units_create",
    "api:units_get",
    "api:units_update",
    "api:areas_list",
    "api:areas_get",
    # -- tips (antq/api/tips.py)
    "api:tips_list",
    "api:tips_create",
    "api:tips_get",
    "api:tips_transition",
    "api:tips_assign",
    "api:tips_messages_list",
    "api:tips_messages_create",
    "api:tip_categories_list",
    # -- cases (antq/api/cases.py)
    "api:cases_list",
    "api:cases_overdue",
    "api:cases_get",
    # Open311 resources addressed by a service code or a request id (no pk URL to build
    # here): every role and anonymous in tests/tips/test_open311.py,
    # test_every_role_gets_the_same_answers_from_open311.
    "open311:service_json",
    "open311:service_xml",
    "open311:request_json",
    "open311:request_xml",
}


# A word of each tip's text that no other fixture uses: searching it finds only that tip.
TIP_WORDS = {"unit_x": "Xuânmai", "unit_y": "Yênhòa"}
TIP_TEXTS = {k: f"Học sinh bị đánh hội đồng sau giờ học ở {w}" for k, w in TIP_WORDS.items()}


# The denunciator of each world case: sealed, so that unsealing applies.
CASE_SEALED = {"unit_x": "Trần Thị Tố Giác", "unit_y": "Lê Văn Tố Giác"}


def _world_case(cast: Cast, key: str) -> Case:
    """A denunciation about a unit, accepted (its notice can be issued), with a file in its
    case file and an issued acceptance notice."""
    unit = cast.unit_x if key == "unit_x" else cast.unit_y
    case = case_services.case_register(
        actor=cast.department,
        kind="denunciation",
        subject="Tố cáo bảo vệ thu tiền gửi xe trái quy định",
        content="Nội dung đơn tố cáo.",
        channel="post",
        received_on=case_services.today() - dt.timedelta(days=20),
        unit=unit,
        respondent="Ông Phạm Văn Bảo, bảo vệ",
        sealed=case_services.SealedInput(name=CASE_SEALED[key]),
    )
    for to in (CaseStatus.INITIAL, CaseStatus.ACCEPTED):
        case = case_services.case_transition(case=case, to=to, actor=cast.department)
    pdf = CleanFile(
        name="bien-ban.pdf", content_type="application/pdf", extension=".pdf", data=b"%PDF-1.4"
    )
    case_services.case_add_files(case=case, actor=cast.department, files=[pdf])
    draft = documents.draft_for_case(case, DocumentType.ACCEPT_NOTICE, today=case_services.today())
    filled = {
        k: v.replace(documents.BLANK, "Công an phường") if isinstance(v, str) else v
        for k, v in draft.items()
    }
    filled["signer"] = filled["signer"] or "Nguyễn Văn Trưởng"
    documents.document_issue(case=case, actor=cast.department, data=filled)
    return Case.objects.get(pk=case.pk)


@dataclass
class World:
    cast: Cast
    in_scope: dict[tuple[str, str], Any]
    out_of_scope: dict[tuple[str, str], Any]


def _own(cast: Cast, role: str) -> tuple[str, str]:
    """(in-scope, out-of-scope) unit names for a role; city roles see everything."""
    if role in ("ward_b_officer", "unit_y_officer"):
        return "unit_y", "unit_x"
    return "unit_x", "unit_y"


@pytest.fixture
def world(cast: Cast, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    settings.ANTQ_SMS_WEBHOOK_SECRET = "matrix-sms-secret"  # an unsigned POST is then a 401
    # One audit entry about each unit.
    services.unit_update(actor=cast.department, unit=cast.unit_x, data={"headcount": 10})
    services.unit_update(actor=cast.department, unit=cast.unit_y, data={"headcount": 20})
    audit = {
        "unit_x": AuditEntry.objects.get(object_id=str(cast.unit_x.pk)),
        "unit_y": AuditEntry.objects.get(object_id=str(cast.unit_y.pk)),
    }
    units = {"unit_x": cast.unit_x, "unit_y": cast.unit_y}
    areas = {"unit_x": cast.ward_a, "unit_y": cast.ward_b}
    other_user = cast.unit_y_officer
    # A tip about each unit, of a category routed to the unit: each unit's roles see theirs.
    tips = {
        k: make_tip(category="bao-luc-hoc-duong", unit=unit, text=TIP_TEXTS[k])
        for k, unit in (("unit_x", cast.unit_x), ("unit_y", cast.unit_y))
    }
    attachments = {
        k: TipAttachment.objects.create(
            tip=t,
            token=f"matrix{k}",
            extension=".pdf",
            file=default_storage.save(f"tips/matrix-{k}.pdf", ContentFile(b"%PDF")),
            name="bien-ban.pdf",
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
        )
        for k, t in tips.items()
    }
    bulletin = Bulletin.objects.create(
        title="Thủ đoạn lừa đảo tại bệnh viện",
        slug="lua-dao-benh-vien",
        summary="Cảnh giác",
        body="Nội dung",
        is_published=True,
        published_at=timezone.now(),
    )
    partner, _key = partner_create(actor=None, name="Ứng dụng phản ánh hiện trường")
    category = TipCategory.objects.get(code="khac")
    rule = TipDeadlineRule.objects.get()
    token, _ = token_create(actor=cast.admin, user=cast.unit_x_officer, name="Ứng dụng A")
    # Made after the audit entries above are read: a case's entry may share a unit's id.
    cases = {k: _world_case(cast, k) for k in ("unit_x", "unit_y")}
    case_rule = DeadlineRule.objects.create(  # a later law's version, used by no case yet
        law="tc2018",
        article="Điều 30",
        kind="denunciation",
        stage="resolution",
        effective_from=dt.date(2035, 1, 1),
        day_count="calendar",
        days=30,
    )
    calendar_day = CalendarDay.objects.create(
        day=dt.date(2035, 1, 6), kind=CalendarDayKind.WORKING, note="Thông báo làm bù"
    )
    notifications = {
        user: Notification.objects.create(
            user=user,
            key=f"matrix-{user.username}",
            title="Vụ việc sắp đến hạn thụ lý",
            url=reverse("cases:case_detail", args=[cases["unit_x"].pk]),
        )
        for user in (cast.by_name(role) for role in ROLES)
    }
    in_scope: dict[tuple[str, str], Any] = {}
    out: dict[tuple[str, str], Any] = {}
    # Jobs and import batches are private: a "stranger" owns the out-of-scope ones.
    strangers = {cast.leader: cast.admin}
    stranger_jobs = {
        u: job_create(owner=u, kind="export_units", params={}) for u in (cast.leader, cast.admin)
    }
    stranger_batches = {
        u: ImportBatch.objects.create(owner=u, filename="x.csv") for u in (cast.leader, cast.admin)
    }
    for role in ROLES:
        user = cast.by_name(role)
        mine, theirs = _own(cast, role)
        job = job_create(owner=user, kind="export_units", params={})
        path = job_files_dir() / f"matrix-{role}-{job.pk}.xlsx"
        path.write_bytes(b"PK")
        job.total = 1
        job_finish(job, result=path, name="don-vi.xlsx")
        in_scope[(role, "unit")] = units[mine]
        in_scope[(role, "area")] = areas[mine]
        in_scope[(role, "audit")] = audit[mine]
        in_scope[(role, "job")] = job
        in_scope[(role, "import")] = ImportBatch.objects.create(owner=user, filename="a.csv")
        in_scope[(role, "user")] = other_user
        in_scope[(role, "token")] = token
        in_scope[(role, "tip")] = tips[mine]
        in_scope[(role, "tip_attachment")] = attachments[mine]
        in_scope[(role, "bulletin")] = bulletin
        in_scope[(role, "bulletin_public")] = bulletin
        in_scope[(role, "tip_category")] = category
        in_scope[(role, "tip_rule")] = rule
        in_scope[(role, "partner")] = partner
        in_scope[(role, "case")] = cases[mine]
        in_scope[(role, "case_attachment")] = cases[mine].attachments.get()
        in_scope[(role, "case_document")] = cases[mine].documents.get()
        in_scope[(role, "case_rule")] = case_rule
        in_scope[(role, "calendar_day")] = calendar_day
        in_scope[(role, "notification")] = notifications[user]
        stranger = strangers.get(user, cast.leader)
        out[(role, "job")] = stranger_jobs[stranger]
        out[(role, "import")] = stranger_batches[stranger]
        out[(role, "notification")] = notifications[stranger]
        if role not in CITY:
            out[(role, "unit")] = units[theirs]
            out[(role, "area")] = areas[theirs]
            out[(role, "audit")] = audit[theirs]
            out[(role, "tip")] = tips[theirs]
            out[(role, "tip_attachment")] = attachments[theirs]
            out[(role, "case")] = cases[theirs]
            out[(role, "case_attachment")] = cases[theirs].attachments.get()
            out[(role, "case_document")] = cases[theirs].documents.get()
    return World(cast, in_scope, out)


# URL keyword of each kind whose URLs do not use the primary key.
URL_KWARGS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "bulletin_public": lambda b: {"slug": b.slug},
    "case_attachment": lambda a: {"pk": a.case_id, "token": a.token},
    "case_document": lambda d: {"pk": d.case_id, "doc_id": d.pk},
    "case_rule": lambda r: {"rule_id": r.pk},
    "calendar_day": lambda c: {"day_id": c.pk},
}


def _url(name: str, obj: Any, kind: str | None = None) -> str:
    if obj is None:
        return reverse(name)
    kwargs = URL_KWARGS[kind](obj) if kind in URL_KWARGS else {"pk": obj.pk}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_gets_what_the_table_says(client: Any, world: World, role: str) -> None:
    if role != ANON:
        client.force_login(world.cast.by_name(role))
    as_role = "admin" if role == ANON else role  # anonymous users aim at the admin's objects
    failures = []
    for name, route in ROUTES.items():
        obj = world.in_scope[(as_role, route.kind)] if route.kind else None
        response = client.get(_url(name, obj, route.kind), route.query)
        expected = route.expect(role)
        if response.status_code != expected:
            failures.append(f"{name}: {response.status_code} ≠ {expected}")
        if role == ANON or not route.kind or (role, route.kind) not in world.out_of_scope:
            continue
        out_obj = world.out_of_scope[(role, route.kind)]
        response = client.get(_url(name, out_obj, route.kind), route.query)
        if response.status_code != route.out_of_scope:
            failures.append(f"{name} out of scope: {response.status_code} ≠ {route.out_of_scope}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_posts_what_the_table_says(client: Any, world: World, role: str) -> None:
    """An empty POST to every route, as every role, on an in-scope and an out-of-scope
    object: the permission is checked before the form, and a refusal changes nothing."""
    user = None if role == ANON else world.cast.by_name(role)
    as_role = "admin" if role == ANON else role
    failures = []

    def post(name: str, url: str, expected: int) -> None:
        if user is not None:
            client.force_login(user)  # the logout route logs out: log in before each POST
        before = AuditEntry.objects.count()
        response = client.post(url, {})
        if response.status_code != expected:
            failures.append(f"POST {name}: {response.status_code} ≠ {expected}")
        # An empty form that comes back (200, 400) is refused too: it changes nothing either.
        refused = response.status_code in (200, 400, 401, 403, 404, 405) or (
            role == ANON and response.status_code == 302
        )
        if refused and AuditEntry.objects.count() != before:
            failures.append(f"POST {name}: refused with {response.status_code} yet audited")

    for name, route in ROUTES.items():
        # A form's URL keeps its query (document_new is ?type=...): the POST goes there too.
        query = f"?{urlencode(route.query)}" if route.query else ""
        obj = world.in_scope[(as_role, route.kind)] if route.kind else None
        post(name, _url(name, obj, route.kind) + query, route.expect_post(role))
        if role == ANON or not route.kind or (role, route.kind) not in world.out_of_scope:
            continue
        out_obj = world.out_of_scope[(role, route.kind)]
        out_url = _url(name, out_obj, route.kind) + query
        post(f"{name} out of scope", out_url, 404 if route.post else 405)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", ["ward_b_officer", "unit_y_officer", "unit_x_head"])
def test_lists_and_counts_never_show_an_out_of_scope_unit(
    client: Any, world: World, role: str
) -> None:
    user = world.cast.by_name(role)
    client.force_login(user)
    hidden = world.out_of_scope[(role, "unit")]
    for url in ["/", "/don-vi/", "/don-vi/?q=" + hidden.name[:6], "/nhat-ky/", "/dia-ban/"]:
        body = client.get(url).content.decode()
        assert hidden.name not in body, url


@pytest.mark.parametrize(
    "role", ["ward_a_officer", "ward_b_officer", "unit_x_officer", "unit_x_head", "unit_y_officer"]
)
def test_tip_lists_search_exports_statistics_and_api_hold_no_out_of_scope_tip(
    client: Any, world: World, role: str
) -> None:
    """Every way of listing tips — the inbox, its search, both exports, the statistics, the
    API list and its search — shows the role's own tip and never the other ward's."""
    client.force_login(world.cast.by_name(role))
    mine, theirs = world.in_scope[(role, "tip")], world.out_of_scope[(role, "tip")]
    own_word = next(w for k, w in TIP_WORDS.items() if TIP_TEXTS[k] == mine.text)
    hidden_word = next(w for k, w in TIP_WORDS.items() if TIP_TEXTS[k] == theirs.text)
    inbox, export, api = reverse("tips:tip_list"), reverse("tipmanage:tip_export"), "/api/v1/tips"
    lists = {
        "inbox": (inbox, {}),
        "inbox search (own word)": (inbox, {"q": own_word}),
        "export xlsx": (export, {}),
        "export csv": (export, {"format": "csv"}),
        "api list": (api, {}),
    }
    searches = {
        "inbox search (their word)": (inbox, {"q": hidden_word}),
        "inbox search (their code)": (inbox, {"q": theirs.code}),
        "export csv (their word)": (export, {"format": "csv", "q": hidden_word}),
        "api search (their word)": (api, {"q": hidden_word}),
    }
    failures = []
    for label, (url, query) in {**lists, **searches}.items():
        response = client.get(url, query)
        assert response.status_code == 200, (label, response.status_code)
        body = _text_of(response)
        # The search box repeats what was searched: look for the tip's other trace.
        traces = {theirs.code, hidden_word} - set(query.values())
        if any(trace in body for trace in traces):
            failures.append(f"{label}: shows the out-of-scope tip")
        if label in lists and mine.code not in body:
            failures.append(f"{label}: does not show the role's own tip (the check is blind)")
    stats = client.get(reverse("tipmanage:statistics")).context["stats"]
    if stats.total != 1:
        failures.append(f"statistics count {stats.total} tips, the role sees 1")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(
    "role", ["ward_a_officer", "ward_b_officer", "unit_x_officer", "unit_x_head", "unit_y_officer"]
)
def test_case_lists_search_board_statistics_and_api_hold_no_out_of_scope_case(
    client: Any, world: World, role: str
) -> None:
    """Every way of listing cases — the register, its search, the overdue board, the
    statistics, the API list and overdue list — shows the role's own case and never the
    other ward's or unit's."""
    client.force_login(world.cast.by_name(role))
    mine, theirs = world.in_scope[(role, "case")], world.out_of_scope[(role, "case")]
    # Both cases overdue, so that the board and the overdue lists have something to hide.
    late = case_services.today() - dt.timedelta(days=3)
    for case in (mine, theirs):
        case.deadlines.filter(met_on__isnull=True).update(due_on=late)
        Case.objects.filter(pk=case.pk).update(next_due_on=late)
    register = reverse("cases:case_list")
    lists = {
        "register": (register, {}),
        "register search (own code)": (register, {"q": mine.code}),
        "register, overdue only": (register, {"status": "overdue"}),
        "overdue board": (reverse("cases:overdue_board"), {}),
        "api list": ("/api/v1/cases", {}),
        "api overdue": ("/api/v1/cases/overdue", {}),
    }
    searches = {
        "register search (their code)": (register, {"q": theirs.code}),
        "register, their ward": (register, {"ward": str(theirs.ward_id)}),
        "register, their unit": (register, {"unit": str(theirs.unit_id)}),
        "overdue board, their ward": (reverse("cases:overdue_board"), {"ward": theirs.ward_id}),
        "api list, their ward": ("/api/v1/cases", {"ward": str(theirs.ward_id)}),
    }
    failures = []
    for label, (url, query) in {**lists, **searches}.items():
        response = client.get(url, query)
        assert response.status_code == 200, (label, response.status_code)
        body = _text_of(response)
        # The search box repeats what was searched: look for the case's other trace.
        traces = {theirs.code, reverse("cases:case_detail", args=[theirs.pk])}
        if any(trace in body for trace in traces - set(query.values())):
            failures.append(f"{label}: shows the out-of-scope case")
        if label in lists and mine.code not in body:
            failures.append(f"{label}: does not show the role's own case (the check is blind)")
    stats = client.get(reverse("cases:statistics")).context["stats"]
    if stats.total != 1:
        failures.append(f"statistics count {stats.total} cases, the role sees 1")
    assert failures == [], "\n".join(failures)


def _text_of(response: Any) -> str:
    """The text of a page, a JSON answer, a CSV or every cell of an XLSX workbook."""
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return content.decode("utf-8-sig")


def test_a_citizen_with_a_tip_code_reaches_only_his_own_tip(client: Any, world: World) -> None:
    """The tipster holds a code and a passphrase, not an account: with them he reads and
    answers his own tip, and nothing else — no staff page, no other tip."""
    receipt = receive_tip(category="khac", text="Có người lạ rình rập ở cổng chợ Đồng Xuân")
    code, passphrase = receipt.tip.code, receipt.passphrase
    other = world.in_scope[("admin", "tip")]
    lookup, reply = reverse("public:tip_lookup"), reverse("public:tip_reply")
    page = client.post(lookup, {"code": code, "passphrase": passphrase})
    assert page.status_code == 200 and "chợ Đồng Xuân" in page.content.decode()
    # The same passphrase with another tip's code opens nothing and reveals nothing.
    page = client.post(lookup, {"code": other.code, "passphrase": passphrase})
    assert page.status_code == 200 and other.text not in page.content.decode()
    before = TipMessage.objects.filter(tip=other).count()
    client.post(reply, {"code": other.code, "passphrase": passphrase, "body": "Xin chào"})
    assert TipMessage.objects.filter(tip=other).count() == before
    # With the code in hand he is still an anonymous visitor everywhere else.
    failures = []
    for name, route in ROUTES.items():
        obj = world.in_scope[("admin", route.kind)] if route.kind else None
        response = client.get(_url(name, obj, route.kind), route.query)
        if response.status_code != route.expect(ANON):
            failures.append(f"{name}: {response.status_code} ≠ {route.expect(ANON)}")
    assert failures == [], "\n".join(failures)
