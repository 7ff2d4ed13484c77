"""The citizen's side of the hotline, without an account: file a tip, come back with the code
and passphrase, read the officer's answers and reply.

Nothing here remembers the visitor: no session, no cookie but the CSRF token, no log line
with his address or browser. Every answer says ``Cache-Control: no-store`` (a shared phone's
browser keeps no copy of the passphrase page) and ``Referrer-Policy: same-origin`` (see
:data:`REFERRER_POLICY`). The passphrase exists only in the answer to the submission, so that
answer is a page, not a redirect.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antq.core import ratelimit
from antq.core.uploads import upload_too_large
from antq.textvn import nfc, squash_spaces
from antq.tips import services
from antq.tips.forms_public import LookupForm, PublicTipForm, ReplyForm, public_units
from antq.tips.models import Bulletin, Tip, TipMessage
from antq.tips.status import PUBLIC_STATUS, Channel, Sender

SUBMIT_BUCKET = "tip_submit"
# Wrong code or passphrase: what a guesser produces. Only failures count.
LOOKUP_BUCKET = "tip_lookup"
REPLY_BUCKET = "tip_reply"
UNIT_SEARCH_BUCKET = "tip_unit_search"
# The unit search answers as the citizen types; generous, but not a way to list every unit.
UNIT_SEARCH_PER_HOUR = 600
LATEST_BULLETINS = 5
# No address of these pages ever reaches another site. Not "no-referrer": under that policy
# browsers send "Origin: null" with the page's own form posts, which Django's CSRF check
# rightly refuses — the tip form and the language switch would stop working.
REFERRER_POLICY = "same-origin"
RESEND_WINDOW = dt.timedelta(minutes=10)

PUBLIC_STATUS_LABELS = {
    "new": gettext_lazy("Mới tiếp nhận"),
    "received": gettext_lazy("Đã tiếp nhận"),
    "verifying": gettext_lazy("Đang xác minh"),
    "closed": gettext_lazy("Đã kết thúc xử lý"),
}


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Headers of every public tip page: nothing cached, no address sent to other sites."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = REFERRER_POLICY
        return response

    return wrapped


def latest_bulletins() -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(is_published=True).order_by("-published_at", "-id")[
        :LATEST_BULLETINS
    ]


def _render_form(
    request: HttpRequest, form: PublicTipForm, *, ward_id: Any = None, unit_q: str = ""
) -> HttpResponse:
    try:
        ward = int(ward_id) if ward_id not in (None, "") else None
    except (TypeError, ValueError):
        ward = None
    chosen = str(form["unit"].value() or "")
    units = public_units(ward, unit_q)
    if chosen.isdigit() and int(chosen) not in {pk for pk, _name in units}:
        # The unit picked before an error stays picked, even beyond the first matches.
        units = public_units(ward, unit_id=int(chosen)) + units
    return render(
        request,
        "tips/public/submit.html",
        {
            "form": form,
            "units": units,
            "ward_chosen": ward is not None,
            "unit_chosen": chosen,
            "bulletins": latest_bulletins(),
        },
    )


def _form_errors(form: PublicTipForm, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they are about."""
    aliases = {"occurred_at": "occurred_date"}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


@private
@require_http_methods(["GET", "POST"])
def tip_submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_form(request, PublicTipForm(initial={"nonce": secrets.token_urlsafe(18)}))
    if request.POST.get("action") == "find_unit":
        # The unit search of browsers without JavaScript: show the form again with the units
        # found, nothing is filed.
        if not ratelimit.hit(request, UNIT_SEARCH_BUCKET, UNIT_SEARCH_PER_HOUR):
            return ratelimit.too_many_requests(request)
        kept = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action")}
        return _render_form(
            request,
            PublicTipForm(initial=kept),
            ward_id=kept.get("ward"),
            unit_q=request.POST.get("unit_q", ""),
        )
    if not ratelimit.hit(request, SUBMIT_BUCKET, settings.TIP_SUBMIT_PER_HOUR):
        return ratelimit.too_many_requests(request)
    form = PublicTipForm(request.POST, request.FILES)
    valid = form.is_valid()
    if upload_too_large(request):
        form.add_error(
            "attachments",
            _("Có tệp lớn quá %(mb)s MB nên không được nhận; hãy chọn lại tệp nhỏ hơn.")
            % {"mb": settings.TIP_MAX_FILE_BYTES // (1024 * 1024)},
        )
        valid = False
    if valid:
        try:
            receipt = services.tip_receive(
                channel=Channel.WEB,
                idempotency_key=f"web:{form.cleaned_data['nonce']}",
                **form.tip_data(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(
                request,
                "tips/public/receipt.html",
                {
                    "code": receipt.tip.code,
                    "passphrase": receipt.passphrase,
                    "created": receipt.created,
                    "files": len(form.cleaned_data.get("attachments") or []),
                    "lookup_url": request.build_absolute_uri(reverse("public:tip_lookup")),
                },
            )
    if "nonce" in form.errors:
        # A page from before (or a robot): the next attempt gets a valid key.
        data = request.POST.copy()
        data["nonce"] = secrets.token_urlsafe(18)
        form.data = data
    return _render_form(
        request, form, ward_id=request.POST.get("ward"), unit_q=request.POST.get("unit_q", "")
    )


@private
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the active units of a ward whose name matches (htmx, as one types)."""
    if not ratelimit.hit(request, UNIT_SEARCH_BUCKET, UNIT_SEARCH_PER_HOUR, ratelimit.HOUR):
        return ratelimit.too_many_requests(request)
    try:
        ward = int(request.GET.get("ward", ""))
    except ValueError:
        ward = None
    q = request.GET.get("unit_q", "")[:100]
    return render(
        request,
        "tips/public/submit.html#unit_options",
        {"units": public_units(ward, q), "ward_chosen": ward is not None, "unit_chosen": ""},
    )


def _public_status(tip: Tip) -> str:
    # A merged duplicate lives on in the tip it was merged into: that one's progress counts.
    shown = tip.merged_into if tip.merged_into_id else tip
    assert shown is not None
    return str(PUBLIC_STATUS_LABELS[PUBLIC_STATUS[shown.status]])


def _render_tip(
    request: HttpRequest, tip: Tip, reply_form: ReplyForm, *, sent: bool = False
) -> HttpResponse:
    """The tipster's view of his tip: what he filed, its public status and the dialogue."""
    thread: list[TipMessage] = list(tip.messages.only("sender", "body", "created_at", "read_at"))
    unread = {m.pk for m in thread if m.sender == Sender.OFFICER and m.read_at is None}
    services.tip_messages_mark_read(tip=tip, reader_is_tipster=True)
    return render(
        request,
        "tips/public/tip.html",
        {
            "tip": tip,
            "status_label": _public_status(tip),
            "merged": tip.merged_into_id is not None,
            "thread": thread,
            "unread": unread,
            "reply_form": reply_form,
            "sent": sent,
        },
    )


def _wrong_credentials(request: HttpRequest, code: str) -> HttpResponse:
    """One answer for a wrong code and a wrong passphrase: a guesser learns nothing."""
    ratelimit.hit(request, LOOKUP_BUCKET, settings.TIP_LOOKUP_PER_HOUR)
    error = _(
        "Mã tin báo hoặc mật khẩu tra cứu không đúng. Hãy kiểm tra lại (mật khẩu gõ không "
        "dấu, các từ cách nhau bởi dấu cách)."
    )
    form = LookupForm(initial={"code": code[:20]})
    return render(request, "tips/public/lookup.html", {"form": form, "error": error})


@private
@require_http_methods(["GET", "POST"])
def tip_lookup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "tips/public/lookup.html", {"form": LookupForm()})
    if ratelimit.exceeded(request, LOOKUP_BUCKET, settings.TIP_LOOKUP_PER_HOUR):
        return ratelimit.too_many_requests(request)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "tips/public/lookup.html", {"form": form})
    tip = services.tip_authenticate(form.cleaned_data["code"], form.cleaned_data["passphrase"])
    if tip is None:
        return _wrong_credentials(request, form.cleaned_data["code"])
    reply = ReplyForm(initial={"code": tip.code, "passphrase": form.cleaned_data["passphrase"]})
    return _render_tip(request, tip, reply)


def _already_sent(tip: Tip, body: str) -> bool:
    """A reply sent twice within minutes (a double tap, a reload of the answer page) is
    posted once."""
    last = (
        tip.messages.filter(sender=Sender.TIPSTER, created_at__gte=timezone.now() - RESEND_WINDOW)
        .order_by("-created_at", "-id")
        .first()
    )
    return last is not None and last.body == squash_spaces(nfc(body))


@private
@require_POST
def tip_reply(request: HttpRequest) -> HttpResponse:
    if ratelimit.exceeded(request, LOOKUP_BUCKET, settings.TIP_LOOKUP_PER_HOUR):
        return ratelimit.too_many_requests(request)
    form = ReplyForm(request.POST)
    valid = form.is_valid()
    code = form.cleaned_data.get("code", "")
    passphrase = form.cleaned_data.get("passphrase", "")
    tip = services.tip_authenticate(code, passphrase) if code and passphrase else None
    if tip is None:
        return _wrong_credentials(request, request.POST.get("code", ""))
    if not valid:
        return _render_tip(request, tip, form)
    body = form.cleaned_data["body"]
    if not _already_sent(tip, body):
        if not ratelimit.hit(request, REPLY_BUCKET, settings.TIP_SUBMIT_PER_HOUR):
            return ratelimit.too_many_requests(request)
        try:
            services.tip_message_post(tip=tip, body=body, actor=None)
        except ValidationError as exc:
            form.add_error("body", exc.messages)
            return _render_tip(request, tip, form)
    fresh = ReplyForm(initial={"code": tip.code, "passphrase": passphrase})
    return _render_tip(request, tip, fresh, sent=True)
