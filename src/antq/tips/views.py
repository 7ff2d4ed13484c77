"""The officers' side of tips: the inbox, a tip's page with its actions, private downloads.

The tipster's identity never appears here except through ``tip_identity``, which shows it
once, in the answer to a POST with a reason, after the service has audited the reading.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.accounts import permissions, scoping
from antq.core.dates import day_text, moment_text
from antq.core.forms import add_service_errors
from antq.core.http import HtmxHttpRequest, private_file
from antq.core.pagination import paginate
from antq.tips import deadlines, search, selectors, services
from antq.tips.duplicates import duplicates_for
from antq.tips.forms import (
    BOXES,
    AssignForm,
    BulkAssignForm,
    IdentityForm,
    MergeForm,
    MessageForm,
    NoteForm,
    TipEditForm,
    TipFilterForm,
    TransitionForm,
    officers_for_user,
)
from antq.tips.models import Tip, TipAttachment, TipMessage, TipNote
from antq.tips.restoration import restored_text
from antq.tips.status import ALLOWED_TRANSITIONS, CLOSED_STATUSES, Sender, TipStatus, Urgency

# The inbox counts for orientation, up to a thousand: its tabs, its list and its searches say
# "1.000+" beyond. Exact figures are the statistics page's (a count of 10,000 filtered rows
# costs more than the rest of the page).
COUNT_CAP = 1000
# What a line of the inbox shows: nothing else of the tip (its tipster least of all) is read.
ROW_FIELDS = (
    "code",
    "urgency",
    "status",
    "channel",
    "received_at",
    "deadline",
    "text",
    "text_restored",
    "category__name",
    "ward__name",
    "assignee__full_name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)


@dataclass(frozen=True)
class Tab:
    box: str
    label: str
    count: int
    capped: bool
    url: str
    active: bool


@dataclass(frozen=True)
class Due:
    """How far an open tip is from its verification deadline."""

    days: int  # negative when overdue

    @property
    def overdue(self) -> int:
        return max(0, -self.days)

    @property
    def soon(self) -> bool:
        return 0 <= self.days <= settings.TIP_DUE_SOON_DAYS

    @property
    def css(self) -> str:
        if self.overdue:
            return "deadline-over"
        return "deadline-soon" if self.soon else "muted"

    @property
    def label(self) -> str:
        if self.overdue:
            return ngettext("quá hạn %(n)s ngày", "quá hạn %(n)s ngày", self.overdue) % {
                "n": self.overdue
            }
        if self.days == 0:
            return _("hết hạn hôm nay")
        return ngettext("còn %(n)s ngày", "còn %(n)s ngày", self.days) % {"n": self.days}


class Row(TypedDict):
    """One line of the inbox with its texts ready. A dict: the template engine looks every
    name up as a key first, and 50 lines of some twenty names each were a fifth of the page's
    time in failed key lookups on objects. Never anything about the tipster."""

    pk: int
    code: str
    url: str
    urgent: bool
    unread: int  # the tipster's messages nobody has read
    unread_label: str
    category: str
    snippet: str
    snippet_restored: str  # the same extract of the text restored automatically, if any
    ward: str
    received: str
    deadline: str
    overdue: bool
    due_css: str
    due_label: str
    status: str
    status_label: str
    assignee: str
    channel: str
    channel_label: str
    select_label: str


def _row(tip: Tip, *, today: dt.date, unread: int, snippet: str, snippet_restored: str = "") -> Row:
    assignee = tip.assignee
    due = _due(tip, today)
    return Row(
        pk=tip.pk,
        code=tip.code,
        url=reverse("tips:tip_detail", args=[tip.pk]),
        urgent=tip.urgency == Urgency.URGENT,
        unread=unread,
        unread_label=(
            ngettext("%(n)s tin nhắn mới", "%(n)s tin nhắn mới", unread) % {"n": unread}
            if unread
            else ""
        ),
        category=tip.category.name,
        snippet=snippet,
        snippet_restored=snippet_restored,
        ward=tip.ward.name if tip.ward else "",
        received=moment_text(tip.received_at),
        deadline=day_text(tip.deadline) if tip.deadline else "",
        overdue=bool(due and due.overdue),
        due_css=due.css if due else "",
        due_label=due.label if due else "",
        status=tip.status,
        status_label=tip.get_status_display(),
        assignee=(assignee.get_full_name() or assignee.username) if assignee else "",
        channel=tip.channel,
        channel_label=tip.get_channel_display(),
        select_label=_("Chọn tin %(code)s") % {"code": tip.code},
    )


def _due(tip: Tip, today: dt.date) -> Due | None:
    days = deadlines.days_left(tip.deadline, today)
    if days is None or tip.status in CLOSED_STATUSES:
        return None
    return Due(days)


def _unread_counts(tip_ids: list[int]) -> dict[int, int]:
    rows = (
        TipMessage.objects.filter(tip_id__in=tip_ids, sender=Sender.TIPSTER, read_at__isnull=True)
        .values("tip_id")
        .annotate(n=Count("id"))
    )
    return {row["tip_id"]: row["n"] for row in rows}


def _tabs(request: HttpRequest, active: str) -> list[Tab]:
    """The inbox views with their (capped) counts; each link keeps the other filters.

    The counts are those of the whole box in the user's scope, not of the filtered list: they
    say how much work waits, and stay cheap (one capped count per box, no search)."""
    base = request.GET.copy()
    base.pop("page", None)
    tabs = []
    for box, label in BOXES:
        count, capped = selectors.tip_box_count(request.user, box, cap=COUNT_CAP)
        query = base.copy()
        query.pop("box", None)
        if box:
            query["box"] = box
        encoded = query.urlencode()
        tabs.append(
            Tab(
                box=box,
                label=str(label),
                count=count,
                capped=capped,
                url=reverse("tips:tip_list") + (f"?{encoded}" if encoded else ""),
                active=box == active,
            )
        )
    return tabs


@require_GET
def tip_list(request: HtmxHttpRequest) -> HttpResponse:
    form = TipFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    q = form.query()
    tips = selectors.tip_list_for(request.user, filters).only(*ROW_FIELDS)
    page = (
        # A search is counted as far as it is ranked: past that, "more than 500" tells the
        # officer to narrow it, and the count of a common word costs more than the page.
        paginate(request, search.tip_search(tips, q), count_cap=search.RANK_LIMIT)
        if q
        else paginate(
            request,
            tips,
            page_ids=selectors.tip_page_ids_for(request.user, filters),
            by_id=True,
            count_cap=COUNT_CAP,
        )
    )
    today = timezone.localdate()
    unread = _unread_counts([t.pk for t in page.items])
    terms = search.search_terms(q)
    rows = [
        _row(
            t,
            today=today,
            unread=unread.get(t.pk, 0),
            snippet=search.highlight(t.text, terms) if q else "",
            snippet_restored=(
                search.highlight(t.text_restored, terms) if q and t.text_restored else ""
            ),
        )
        for t in page.items
    ]
    can_assign = permissions.can_handle_tips(request.user)
    filtered = any(
        [q, filters.category, filters.ward, filters.status, filters.channel, filters.urgency]
    ) or bool(filters.date_from or filters.date_to)
    context = {
        "form": form,
        "filters": filters,
        "q": q,
        "page": page,
        "rows": rows,
        "tabs": _tabs(request, filters.box),
        "filtered": filtered,
        "can_assign": can_assign,
        "officers": officers_for_user(request.user) if can_assign else [],
        "next": request.get_full_path(),
    }
    if request.htmx and request.htmx.target == "tip-results":
        return render(request, "tips/tip_list.html#results", context)
    return render(request, "tips/tip_list.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    # A path of this site only: ``redirect`` would take anything else for a URL name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def tip_bulk_assign(request: HttpRequest) -> HttpResponse:
    if not permissions.can_handle_tips(request.user):
        raise PermissionDenied(_("Bạn không được phân công tin báo."))
    back = _safe_next(request, reverse("tips:tip_list"))
    form = BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    assignee = form.cleaned_data["assignee"]
    try:
        count = services.tips_assign(
            tips=list(form.cleaned_data["tips"]), assignee=assignee, actor=request.user
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, _("Chưa phân công tin nào: %(error)s") % {"error": error})
        return redirect(back)
    messages.success(
        request,
        _("Đã phân công %(count)s tin báo cho %(name)s.")
        % {"count": count, "name": assignee.get_full_name() or assignee.get_username()},
    )
    return redirect(back)


# -- one tip -------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, tip: Tip, bound: dict[str, forms.Form]) -> dict:
    user = request.user
    can_handle = permissions.can_handle_tip(user, tip)
    can_note = permissions.can_note_tip(user, tip)
    visible = scoping.tips_for(user)
    merged = list(visible.filter(merged_into=tip).order_by("received_at"))
    attachments = list(
        TipAttachment.objects.filter(tip__in=[tip, *merged]).select_related("tip").order_by("id")
    )
    tip_messages = list(tip.messages.select_related("author"))
    # A message typed without diacritics shows its restored reading on demand ("Thêm dấu");
    # the stored message is never changed.
    dialogue = [(m, restored_text(m.body)) for m in tip_messages]
    context: dict[str, Any] = {
        "tip": tip,
        "rule": tip.deadline_rule,
        "due": _due(tip, timezone.localdate()),
        "can_handle": can_handle,
        "can_open_case": permissions.can_register_case(user),
        "can_note": can_note,
        "can_reveal": not tip.anonymous and permissions.can_view_tipster(user, tip),
        "merged": merged,
        "merged_into_visible": (
            tip.merged_into_id is not None and visible.filter(pk=tip.merged_into_id).exists()
        ),
        "attachments": attachments,
        "tip_messages": tip_messages,
        "dialogue": dialogue,
        "unread": sum(1 for m in tip_messages if m.sender == Sender.TIPSTER and not m.read_at),
        # Internal notes are for everyone on the police side who may see the tip.
        "notes": list(
            TipNote.objects.filter(tip__in=[tip, *merged])
            .select_related("author", "tip")
            .order_by("created_at", "id")
        ),
        "history": list(selectors.tip_history_for(user, tip)[:200]),
        "can_merge": tip.merged_into_id is None
        and TipStatus.DUPLICATE in ALLOWED_TRANSITIONS.get(tip.status, frozenset()),
        "duplicates": (
            duplicates_for(user, tip) if tip.is_open and tip.merged_into_id is None else []
        ),
    }
    if can_handle:
        context["assign_form"] = bound.get("assign") or AssignForm(tip=tip, user=user)
        context["transition_form"] = bound.get("transition") or TransitionForm(tip=tip)
        context["message_form"] = bound.get("message") or MessageForm()
        context["merge_form"] = bound.get("merge") or MergeForm(user=user)
        context["may_take"] = tip.assignee_id != user.pk
    if can_note:
        context["note_form"] = bound.get("note") or NoteForm()
    if context["can_reveal"]:
        context["identity_form"] = bound.get("identity") or IdentityForm()
    return context


def _detail(
    request: HttpRequest, tip: Tip, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    return render(request, "tips/tip_detail.html", _detail_context(request, tip, bound or {}))


@require_GET
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.tip_get_for(request.user, pk))


def _act(
    request: HttpRequest,
    tip: Tip,
    *,
    key: str,
    form: forms.Form,
    run: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """Validate ``form``, run the service; on an error show the tip page with the form and
    its messages (nothing was changed)."""
    if form.is_valid():
        try:
            return run(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    messages.error(request, _("Chưa thực hiện được, hãy xem lỗi ở ô tương ứng bên dưới."))
    return _detail(request, tip, {key: form})


def _handled_tip(request: HttpRequest, pk: int) -> Tip:
    tip = selectors.tip_get_for(request.user, pk)
    if not permissions.can_handle_tip(request.user, tip):
        raise PermissionDenied(_("Bạn chỉ được xem tin báo này, không được xử lý."))
    return tip


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


@require_POST
def tip_assign(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _handled_tip(request, pk)

    def run(data: dict[str, Any]) -> HttpResponse:
        assignee = data["assignee"]
        services.tip_assign(tip=tip, assignee=assignee, actor=request.user)
        if assignee is None:
            messages.success(request, _("Đã bỏ phân công tin báo."))
        elif assignee.pk == request.user.pk:
            messages.success(request, _("Bạn đã nhận xử lý tin báo %(code)s.") % {"code": tip.code})
        else:
            messages.success(
                request,
                _("Đã phân công tin báo cho %(name)s.") % {"name": _name(assignee)},
            )
        return redirect("tips:tip_detail", pk=tip.pk)

    form = AssignForm(request.POST, tip=tip, user=request.user)
    return _act(request, tip, key="assign", form=form, run=run)


@require_POST
def tip_transition(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _handled_tip(request, pk)

    def run(data: dict[str, Any]) -> HttpResponse:
        to = data["status"]
        outcome = data.get("outcome") or None
        updated = services.tip_transition(
            tip=tip,
            to=to,
            actor=request.user,
            reason=data.get("reason", ""),
            outcome=outcome if to in CLOSED_STATUSES else None,
        )
        messages.success(
            request,
            _("Đã chuyển tin báo sang “%(status)s”.") % {"status": updated.get_status_display()},
        )
        return redirect("tips:tip_detail", pk=tip.pk)

    form = TransitionForm(request.POST, tip=tip)
    return _act(request, tip, key="transition", form=form, run=run)


@require_POST
def tip_message(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _handled_tip(request, pk)

    def run(data: dict[str, Any]) -> HttpResponse:
        services.tip_message_post(tip=tip, body=data["body"], actor=request.user)
        # Answering means the tipster's messages have been read.
        services.tip_messages_mark_read(tip=tip, reader_is_tipster=False)
        if tip.reply_to_enc:
            messages.success(request, _("Đã gửi tin nhắn; người báo tin sẽ nhận được qua SMS."))
        else:
            messages.success(
                request, _("Đã gửi tin nhắn; người báo tin xem được khi tra cứu bằng mã tin báo.")
            )
        return redirect(reverse("tips:tip_detail", args=[tip.pk]) + "#trao-doi")

    return _act(request, tip, key="message", form=MessageForm(request.POST), run=run)


@require_POST
def tip_note(request: HttpRequest, pk: int) -> HttpResponse:
    tip = selectors.tip_get_for(request.user, pk)
    if not permissions.can_note_tip(request.user, tip):
        raise PermissionDenied(_("Bạn không được ghi chú vào tin báo này."))

    def run(data: dict[str, Any]) -> HttpResponse:
        services.tip_note_add(tip=tip, body=data["body"], actor=request.user)
        messages.success(request, _("Đã thêm ghi chú nội bộ."))
        return redirect(reverse("tips:tip_detail", args=[tip.pk]) + "#ghi-chu")

    return _act(request, tip, key="note", form=NoteForm(request.POST), run=run)


@require_POST
def tip_merge(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _handled_tip(request, pk)

    def run(data: dict[str, Any]) -> HttpResponse:
        into = data["into"]
        services.tip_merge(
            duplicate=tip, into=into, actor=request.user, reason=data.get("reason", "")
        )
        messages.success(
            request,
            _("Đã gộp tin báo %(dup)s vào tin báo %(into)s.")
            % {"dup": tip.code, "into": into.code},
        )
        return redirect("tips:tip_detail", pk=into.pk)

    form = MergeForm(request.POST, user=request.user)
    return _act(request, tip, key="merge", form=form, run=run)


@never_cache
@require_POST
def tip_identity(request: HttpRequest, pk: int) -> HttpResponse:
    tip = selectors.tip_get_for(request.user, pk)
    if not permissions.can_view_tipster(request.user, tip):
        raise PermissionDenied(
            _("Chỉ cán bộ được phân công và phòng Xây dựng phong trào được xem người báo tin.")
        )
    if tip.anonymous:
        messages.info(request, _("Người báo tin chọn ẩn danh: không có thông tin để xem."))
        return redirect("tips:tip_detail", pk=tip.pk)

    def run(data: dict[str, Any]) -> HttpResponse:
        identity = services.tip_identity_reveal(tip=tip, actor=request.user, reason=data["reason"])
        return render(request, "tips/tip_identity.html", {"tip": tip, "identity": identity})

    return _act(request, tip, key="identity", form=IdentityForm(request.POST), run=run)


@require_http_methods(["GET", "POST"])
def tip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _handled_tip(request, pk)
    form = TipEditForm(request.POST or None, tip=tip)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Không có gì thay đổi."))
            return redirect("tips:tip_detail", pk=tip.pk)
        try:
            updated = services.tip_update(
                tip=tip, actor=request.user, data=changes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not scoping.tips_for(request.user).filter(pk=updated.pk).exists():
                messages.success(
                    request,
                    _("Đã chuyển tin báo %(code)s sang %(ward)s.")
                    % {"code": updated.code, "ward": updated.ward},
                )
                return redirect("tips:tip_list")
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("tips:tip_detail", pk=tip.pk)
    return render(request, "tips/tip_edit.html", {"tip": tip, "form": form})


# -- files ---------------------------------------------------------------------------------


def _attachment_get_for(user: Any, pk: Any) -> TipAttachment:
    """An attachment of a tip the user may see, or 404."""
    try:
        return TipAttachment.objects.filter(tip__in=scoping.tips_for(user)).get(pk=int(pk))
    except (TipAttachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def download_name(attachment: TipAttachment) -> str:
    """The name offered to the browser: no folders, no control characters, and the extension
    the content was recognised as (never one the sender chose)."""
    name = os.path.basename(attachment.name.replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = os.path.splitext(name)[0].strip(" .")[:150]
    return f"{stem or f'tep-dinh-kem-{attachment.pk}'}{attachment.extension}"


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment_get_for(request.user, pk)
    return private_file(
        attachment.file, filename=download_name(attachment), content_type=attachment.content_type
    )
