"""Writes to tips. Each service is one transaction with its audit rows; follow-up work (the
SMS reply) is queued in the same transaction and sent after commit.

The tipster never appears as an actor: what he does is recorded with no actor and nothing
about him (no address, agent, session) ever reaches these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from antq.accounts import permissions
from antq.core.audit import audit_record, changes_between, snapshot
from antq.core.crypto import decrypt, encrypt
from antq.core.models import AuditAction, OutboxChannel
from antq.core.outbox import outbox_queue
from antq.core.phones import InvalidPhone, normalize_phone
from antq.registry.models import AdministrativeArea, Unit
from antq.textvn import nfc, squash_spaces
from antq.tips import codes
from antq.tips.attachments import CleanFile
from antq.tips.deadlines import deadline_for, rule_for
from antq.tips.models import (
    Partner,
    Tip,
    TipAttachment,
    TipCategory,
    TipDeadlineRule,
    TipMessage,
    TipNote,
)
from antq.tips.restoration import restored_text
from antq.tips.search import search_document
from antq.tips.status import (
    ALLOWED_TRANSITIONS,
    CLOSED_STATUSES,
    Channel,
    Outcome,
    Sender,
    TipStatus,
)

MAX_TEXT = 5000
MAX_MESSAGE = 2000
# Fields of the audit snapshot: never the identity, the passphrase or the reply number.
AUDIT_FIELDS = (
    "channel",
    "category",
    "urgency",
    "status",
    "outcome",
    "is_complex",
    "ward",
    "unit",
    "unit_notified",
    "assignee",
    "deadline",
    "merged_into",
    "place",
)
# Relations tip_receive gets as objects its caller has just read from the database.
RECEIVED_RELATIONS = ("category", "ward", "unit", "partner", "deadline_rule")
EDITABLE_FIELDS = ("category", "urgency", "is_complex", "ward", "unit", "place", "outcome")


@dataclass(frozen=True)
class Receipt:
    """What the tipster gets back. ``passphrase`` is ``None`` for a retried submission: it
    was shown with the first answer and is not stored anywhere to show again."""

    tip: Tip
    passphrase: str | None
    created: bool


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    # Free texts keep their line breaks; one-line fields are squashed.
    multiline = field in ("text", "body")
    # NUL cannot be stored in PostgreSQL text and has no business in a tip.
    value = (value or "").replace("\x00", "")
    text = nfc(value or "").strip() if multiline else squash_spaces(nfc(value or ""))
    if required and not text:
        raise ValidationError({field: _("Vui lòng nhập nội dung.")})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("Nội dung dài quá %(limit)s ký tự.")
                % {"limit": f"{limit:,}".replace(",", ".")}
            }
        )
    return text


def _scope(tip: Tip) -> dict[str, Any]:
    return {"ward_id": tip.ward_id, "unit_id": tip.unit_id}


def tip_deadline(tip: Tip) -> tuple[dt.date | None, TipDeadlineRule | None]:
    """The deadline of ``tip`` from the rule in force on the day it was received."""
    received = timezone.localdate(tip.received_at)
    rules = TipDeadlineRule.objects.filter(
        Q(category_id=tip.category_id) | Q(category__isnull=True), effective_from__lte=received
    )
    rule = rule_for(list(rules), category_id=tip.category_id, on=received)
    if rule is None:
        return None, None
    return deadline_for(received, rule, is_complex=tip.is_complex), rule


def _route(tip: Tip) -> None:
    """Ward police always; the unit's security officer too when the category allows it."""
    if tip.unit is not None and not tip.ward_id:
        tip.ward_id = tip.unit.ward_id
    if tip.unit is not None and tip.unit.ward_id != tip.ward_id:
        raise ValidationError(
            {"unit": _("Đơn vị %(unit)s không thuộc xã, phường đã chọn.") % {"unit": tip.unit.name}}
        )
    tip.unit_notified = bool(tip.unit_id and tip.category.notify_unit)


def _check_attachment_count(files: Sequence[CleanFile]) -> None:
    if len(files) > settings.TIP_MAX_FILES:
        raise ValidationError(
            {"attachments": _("Chỉ được gửi tối đa %(n)s tệp.") % {"n": settings.TIP_MAX_FILES}}
        )


def _write_attachments(files: Sequence[CleanFile], *, from_tipster: bool) -> list[TipAttachment]:
    """The files of a tip being received, written to storage before its transaction (writing
    holds no database lock); their rows are saved with the tip. Remove them with
    ``_discard`` if the tip is not stored."""
    written: list[TipAttachment] = []
    try:
        for f in files:
            attachment = TipAttachment(
                token=secrets.token_hex(16),
                extension=f.extension,
                name=f.name[:200],
                content_type=f.content_type,
                size=len(f.data),
                sha256=hashlib.sha256(f.data).hexdigest(),
                from_tipster=from_tipster,
            )
            attachment.file.save("upload", ContentFile(f.data), save=False)
            written.append(attachment)
    except BaseException:
        _discard(written)
        raise
    return written


def _discard(attachments: Sequence[TipAttachment]) -> None:
    """Delete the files of attachments whose rows were never committed: no orphan file of a
    tip that does not exist stays on the disk."""
    for attachment in attachments:
        attachment.file.storage.delete(attachment.file.name)


def _existing(idempotency_key: str) -> Receipt | None:
    if not idempotency_key:
        return None
    # The condition of the partial unique index is repeated so that SQLite uses the index
    # (its planner does not infer "key <> ''" from "key = 'x'"); without it, a table scan.
    tip = (
        Tip.objects.filter(~Q(idempotency_key=""), idempotency_key=idempotency_key)
        .order_by()
        .first()
    )
    return Receipt(tip, None, False) if tip is not None else None


def tip_receive(
    *,
    channel: str,
    category: TipCategory,
    text: str,
    ward: AdministrativeArea | None = None,
    place: str = "",
    occurred_at: dt.datetime | None = None,
    unit: Unit | None = None,
    anonymous: bool = True,
    reporter_name: str = "",
    reporter_phone: str = "",
    reply_to: str = "",
    urgency: str | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    partner: Any = None,
    idempotency_key: str = "",
    attachments: Sequence[CleanFile] = (),
    actor: Any = None,
) -> Receipt:
    """Record a tip from any channel and route it. The tipster is told his code only after
    this returns, i.e. after the commit. A retry with the same ``idempotency_key`` returns the
    first tip instead of creating a second one."""
    if (found := _existing(idempotency_key)) is not None:
        return found
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Kênh tiếp nhận không hợp lệ.")})
    if not category.is_active:
        raise ValidationError({"category": _("Loại tin báo này không còn được dùng.")})
    name = (
        ""
        if anonymous
        else _clean_text(reporter_name, field="reporter_name", limit=200, required=False)
    )
    phone = ""
    if not anonymous and reporter_phone.strip():
        try:
            phone = normalize_phone(reporter_phone)
        except InvalidPhone as exc:
            raise ValidationError(
                {"reporter_phone": _("Số điện thoại không hợp lệ (ví dụ đúng: 0912 345 678).")}
            ) from exc
    if not anonymous and not (name or phone):
        raise ValidationError(
            {"reporter_name": _("Hãy để lại tên hoặc số điện thoại, hoặc chọn gửi ẩn danh.")}
        )
    if occurred_at is not None and occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("Thời điểm xảy ra không thể ở tương lai.")})
    if ward is not None and ward.level != "ward":
        raise ValidationError({"ward": _("Hãy chọn một xã, phường hoặc đặc khu.")})
    text = _clean_text(text, field="text", limit=MAX_TEXT, required=True)
    passphrase = codes.new_passphrase()
    tip = Tip(
        channel=channel,
        category=category,
        urgency=urgency or category.default_urgency,
        text=text,
        # Before the transaction (the model loads on first use); "" if it fails.
        text_restored=restored_text(text),
        place=_clean_text(place, field="place", limit=300, required=False),
        occurred_at=occurred_at,
        ward=ward,
        unit=unit,
        latitude=latitude,
        longitude=longitude,
        anonymous=anonymous,
        reporter_name_enc=encrypt(name),
        reporter_phone_enc=encrypt(phone),
        reply_to_enc=encrypt(reply_to),
        partner=partner,
        idempotency_key=idempotency_key,
        passphrase_digest=codes.passphrase_digest(passphrase),
        received_at=timezone.now(),
    )
    _route(tip)
    tip.deadline, tip.deadline_rule = tip_deadline(tip)
    # Validated before the transaction: on SQLite the transaction holds the database's one
    # write lock from its first statement, and every other writer waits meanwhile. The
    # database enforces the constraints, the uniqueness (IntegrityError below) and the
    # foreign keys (the related objects were just read by the caller); checking them here
    # would cost a query each on the busiest path.
    tip.full_clean(
        exclude=["code", "passphrase_digest", "search_text", *RECEIVED_RELATIONS],
        validate_unique=False,
        validate_constraints=False,
    )
    _check_attachment_count(attachments)
    written = _write_attachments(attachments, from_tipster=actor is None)
    try:
        receipt = _save_received(tip, passphrase, written, actor=actor, reply_to=reply_to)
    except BaseException:
        _discard(written)
        raise
    if not receipt.created:
        _discard(written)  # a retry: the tip already stored has the files of the first call
    return receipt


def _save_received(
    tip: Tip, passphrase: str, attachments: list[TipAttachment], *, actor: Any, reply_to: str
) -> Receipt:
    """Store a validated new tip with its attachment rows, audit entry and SMS receipt in
    one transaction, drawing another code on the rare collision."""
    channel, idempotency_key = tip.channel, tip.idempotency_key
    for _attempt in range(5):
        tip.code = codes.new_code()
        tip.search_text = search_document(tip)
        try:
            with transaction.atomic():
                tip.save()
                for attachment in attachments:
                    attachment.pk, attachment._state.adding = None, True  # after a retry
                    attachment.tip = tip
                    attachment.save()
                audit_record(
                    actor=actor,
                    action=AuditAction.RECEIVE,
                    obj=tip,
                    after=snapshot(tip, AUDIT_FIELDS),
                    **_scope(tip),
                )
                if reply_to and channel == Channel.SMS:
                    outbox_queue(
                        channel=OutboxChannel.SMS,
                        recipient=reply_to,
                        body=sms_receipt_text(tip),
                        about=tip,
                    )
            return Receipt(tip, passphrase, True)
        except IntegrityError:
            tip.pk = None
            # Another request with the same key won the race: answer with its tip.
            if (found := _existing(idempotency_key)) is not None:
                return found
            if Tip.objects.filter(code=tip.code).exists():
                continue  # code collision: draw another
            raise
    raise RuntimeError("could not draw a free tip code")


def sms_receipt_text(tip: Tip) -> str:
    return _(
        "CA TP da nhan tin bao, ma %(code)s. Tra cuu va nhan tin tren trang tin bao bang ma nay."
    ) % {"code": tip.code}


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với tin báo."))


@transaction.atomic
def tip_transition(
    *, tip: Tip, to: str, actor: Any, reason: str = "", outcome: str | None = None
) -> Tip:
    """Move a tip to another status; the reason is required to close or reopen it."""
    _check(permissions.can_handle_tip(actor, tip))
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if to == TipStatus.DUPLICATE:
        raise ValidationError(
            {"status": _("Tin trùng được đánh dấu bằng cách gộp vào tin báo chính.")}
        )
    if to not in ALLOWED_TRANSITIONS.get(tip.status, frozenset()):
        raise ValidationError(
            {
                "status": _("Không thể chuyển tin báo từ “%(old)s” sang “%(new)s”.")
                % {
                    "old": TipStatus(tip.status).label,
                    "new": TipStatus(to).label if to in TipStatus.values else to,
                }
            }
        )
    reason = squash_spaces(nfc(reason.replace("\x00", "")))
    if to in CLOSED_STATUSES and to != TipStatus.DUPLICATE and not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do khi kết thúc xử lý tin báo.")})
    if tip.status in CLOSED_STATUSES and not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do khi mở lại tin báo.")})
    if outcome is not None and outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Kết quả không hợp lệ.")})
    before = snapshot(tip, AUDIT_FIELDS)
    tip.status = to
    if outcome is not None:
        tip.outcome = outcome
    if to in CLOSED_STATUSES:
        tip.closed_at = timezone.now()
        if settings.TIP_REPLY_RETENTION_DAYS == 0:
            tip.reply_to_enc = ""
    else:
        tip.closed_at = None
    tip.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=tip,
        before=before,
        after=snapshot(tip, AUDIT_FIELDS),
        reason=reason,
        **_scope(tip),
    )
    return tip


@transaction.atomic
def tip_update(*, tip: Tip, actor: Any, data: dict[str, Any], reason: str = "") -> Tip:
    """Triage: category, urgency, complexity, place, ward and unit (re-routes the tip and
    recomputes its deadline), outcome."""
    _check(permissions.can_handle_tip(actor, tip))
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(tip, AUDIT_FIELDS)
    for field, value in data.items():
        if field == "place":
            value = _clean_text(value, field="place", limit=300, required=False)
        setattr(tip, field, value)
    if tip.ward is not None and tip.ward.level != "ward":
        raise ValidationError({"ward": _("Hãy chọn một xã, phường hoặc đặc khu.")})
    _route(tip)
    if tip.assignee is not None and not permissions.can_handle_tip(tip.assignee, tip):
        tip.assignee = None  # moved out of his wards: the new ward's police take it up
    tip.deadline, tip.deadline_rule = tip_deadline(tip)
    tip.search_text = search_document(tip)
    tip.full_clean(exclude=["code", "passphrase_digest", "search_text"])
    old, new = changes_between(before, snapshot(tip, AUDIT_FIELDS))
    if not new:
        return tip
    tip.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=tip,
        before=old,
        after=new,
        reason=squash_spaces(nfc(reason))[:500],
        **_scope(tip),
    )
    return tip


def _assign(tip: Tip, assignee: Any, actor: Any) -> None:
    _check(permissions.can_handle_tip(actor, tip))
    if assignee is not None and not permissions.can_handle_tip(assignee, tip):
        raise ValidationError(
            {
                "assignee": _("Cán bộ %(name)s không phụ trách địa bàn của tin báo %(code)s.")
                % {"name": assignee.get_full_name() or assignee.get_username(), "code": tip.code}
            }
        )
    before = snapshot(tip, AUDIT_FIELDS)
    tip.assignee = assignee
    if assignee is not None and tip.status == TipStatus.NEW:
        tip.status = TipStatus.RECEIVED
    tip.save(update_fields=["assignee", "status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ASSIGN,
        obj=tip,
        before=before,
        after=snapshot(tip, AUDIT_FIELDS),
        **_scope(tip),
    )


@transaction.atomic
def tip_assign(*, tip: Tip, assignee: Any, actor: Any) -> Tip:
    """Give a tip to an officer (``None`` takes it back); a new tip becomes "đã tiếp nhận"."""
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    _assign(tip, assignee, actor)
    return tip


@transaction.atomic
def tips_assign(*, tips: Sequence[Tip], assignee: Any, actor: Any) -> int:
    """Bulk assignment: all or nothing — one tip the assignee may not handle refuses all."""
    locked = list(
        Tip.objects.select_for_update().filter(pk__in=[t.pk for t in tips]).order_by("pk")
    )
    for tip in locked:
        _assign(tip, assignee, actor)
    return len(locked)


@transaction.atomic
def tip_message_post(*, tip: Tip, body: str, actor: Any = None) -> TipMessage:
    """A message in the dialogue: from the tipster when ``actor`` is None, else from an officer
    (who must be allowed to handle the tip). The tipster of a closed tip can still write."""
    body = _clean_text(body, field="body", limit=MAX_MESSAGE, required=True)
    if actor is not None:
        _check(permissions.can_handle_tip(actor, tip))
    if tip.status == TipStatus.DUPLICATE and actor is not None:
        raise ValidationError({"body": _("Tin báo đã được gộp; hãy nhắn trong tin báo chính.")})
    message = TipMessage(
        tip=tip,
        sender=Sender.TIPSTER if actor is None else Sender.OFFICER,
        author=actor,
        body=body,
    )
    message.full_clean()
    message.save()
    Tip.objects.filter(pk=tip.pk).update(updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.MESSAGE,
        obj=tip,
        after={"sender": message.sender, "message": message.pk},
        **_scope(tip),
    )
    if actor is not None and tip.reply_to_enc:
        outbox_queue(
            channel=OutboxChannel.SMS,
            recipient=decrypt(tip.reply_to_enc),
            body=_("CA TP tra loi tin bao %(code)s: %(body)s")
            % {"code": tip.code, "body": body[:300]},
            about=tip,
        )
    return message


@transaction.atomic
def tip_messages_mark_read(*, tip: Tip, reader_is_tipster: bool) -> int:
    """Mark the other side's messages as read when a person opens the dialogue."""
    other = Sender.OFFICER if reader_is_tipster else Sender.TIPSTER
    return tip.messages.filter(sender=other, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def tip_note_add(*, tip: Tip, body: str, actor: Any) -> TipNote:
    _check(permissions.can_note_tip(actor, tip))
    note = TipNote(
        tip=tip,
        author=actor,
        body=_clean_text(body, field="body", limit=MAX_MESSAGE, required=True),
    )
    note.full_clean()
    note.save()
    audit_record(
        actor=actor, action=AuditAction.NOTE, obj=tip, after={"note": note.pk}, **_scope(tip)
    )
    return note


@transaction.atomic
def tip_merge(*, duplicate: Tip, into: Tip, actor: Any, reason: str = "") -> Tip:
    """Close ``duplicate`` as "trùng", pointing at ``into``; its files, messages and notes stay
    where they are and are shown with the main tip."""
    _check(permissions.can_handle_tip(actor, duplicate) and permissions.can_handle_tip(actor, into))
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("Không thể gộp một tin báo vào chính nó.")})
    # Both rows locked (in primary-key order, so two opposite merges cannot deadlock) and
    # read again: of two officers merging A into B and B into A at once, the second sees
    # the first's merge and is refused, instead of closing both tips.
    locked = {
        t.pk: t
        for t in Tip.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, into.pk])
        .order_by("pk")
    }
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if into.merged_into_id is not None or into.status == TipStatus.DUPLICATE:
        raise ValidationError(
            {"into": _("Tin báo %(code)s đã được gộp vào tin khác.") % {"code": into.code}}
        )
    if Tip.objects.filter(merged_into=duplicate).exists():
        # No chains: the tips merged into this one would point at a closed duplicate.
        raise ValidationError(
            {
                "into": _(
                    "Đã có tin báo khác được gộp vào tin %(code)s; hãy gộp tin kia vào tin này."
                )
                % {"code": duplicate.code}
            }
        )
    if TipStatus.DUPLICATE not in ALLOWED_TRANSITIONS.get(duplicate.status, frozenset()):
        raise ValidationError(
            {
                "status": _("Tin báo %(code)s ở trạng thái “%(status)s” không thể gộp.")
                % {"code": duplicate.code, "status": TipStatus(duplicate.status).label}
            }
        )
    before = snapshot(duplicate, AUDIT_FIELDS)
    duplicate.status = TipStatus.DUPLICATE
    duplicate.merged_into = into
    duplicate.closed_at = timezone.now()
    duplicate.save()
    audit_record(
        actor=actor,
        action=AuditAction.MERGE,
        obj=duplicate,
        before=before,
        after=snapshot(duplicate, AUDIT_FIELDS),
        reason=squash_spaces(nfc(reason))[:500],
        **_scope(duplicate),
    )
    return duplicate


@transaction.atomic
def tip_identity_reveal(*, tip: Tip, actor: Any, reason: str = "") -> Identity:
    """The name and phone a non-anonymous tipster left; each reading is audited."""
    _check(permissions.can_view_tipster(actor, tip))
    if tip.anonymous:
        return Identity("", "")
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=tip,
        reason=squash_spaces(nfc(reason))[:500],
        **_scope(tip),
    )
    return Identity(decrypt(tip.reporter_name_enc), decrypt(tip.reporter_phone_enc))


def tip_authenticate(code: str, passphrase: str) -> Tip | None:
    """The tip a code and passphrase open, or None (same answer for a wrong code or a wrong
    passphrase, so a guesser learns nothing)."""
    normalized = codes.normalize_code(code)
    tip = Tip.objects.filter(code=normalized).first() if normalized else None
    digest = tip.passphrase_digest if tip is not None else "0" * 64
    ok = codes.passphrase_matches(passphrase, digest)
    return tip if (tip is not None and ok) else None


@transaction.atomic
def tips_erase_reply_numbers(*, now: dt.datetime | None = None) -> int:
    """Erase the SMS numbers of tips closed longer than the retention period."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.TIP_REPLY_RETENTION_DAYS)
    return (
        Tip.objects.exclude(reply_to_enc="")
        .filter(status__in=CLOSED_STATUSES, closed_at__lte=limit)
        .update(reply_to_enc="")
    )


def _partner_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def partner_create(
    *, actor: Any, name: str, contact: str = "", key: str = ""
) -> tuple[Partner, str]:
    """Register a partner application; returns it and its key, shown once. ``key`` is given
    only by the demo data (a known key); otherwise a random one is drawn."""
    if actor is not None:
        _check(permissions.can_manage_tip_settings(actor))
    key = key or f"p311_{secrets.token_urlsafe(32)}"
    partner = Partner(
        name=squash_spaces(nfc(name)),
        contact=squash_spaces(nfc(contact)),
        key_prefix=key[:8],
        key_digest=_partner_digest(key),
    )
    partner.full_clean()
    partner.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=partner, after={"name": partner.name})
    return partner, key


@transaction.atomic
def partner_set_active(*, actor: Any, partner: Partner, active: bool) -> Partner:
    _check(permissions.can_manage_tip_settings(actor))
    partner.is_active = active
    partner.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE,
        obj=partner,
    )
    return partner


def partner_authenticate(key: str) -> Partner | None:
    """The active partner holding ``key``, or None."""
    if not key:
        return None
    return Partner.objects.filter(key_digest=_partner_digest(key), is_active=True).first()
