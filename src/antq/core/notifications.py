"""ANTQ's own inbox: notifications to users, copied to the email outbox when asked.

``notify_many`` writes in bulk (a deadline scan may raise thousands at once) inside the
caller's transaction; a (user, key) already notified is skipped, so raising the same event
twice notifies once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from antq.accounts.models import User
from antq.core.crypto import encrypt
from antq.core.models import Notification, OutboxChannel, OutboxMessage
from antq.core.outbox import outbox_send_pending_task

# Queries per IN (...) list stay well under SQLite's variable limit.
CHUNK = 500


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    key: str
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False


def _existing(items: Sequence[NewNotification]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    keys = sorted({n.key for n in items})
    for start in range(0, len(keys), CHUNK):
        found.update(
            Notification.objects.filter(key__in=keys[start : start + CHUNK]).values_list(
                "user_id", "key"
            )
        )
    return found


def notify_many(items: Sequence[NewNotification], *, email: bool = False) -> int:
    """Store the notifications not stored yet; with ``email``, queue a copy to each
    recipient who has an address. Returns how many were stored."""
    existing = _existing(items)
    fresh: dict[tuple[int, str], NewNotification] = {}
    for n in items:
        if (n.user_id, n.key) not in existing:
            fresh.setdefault((n.user_id, n.key), n)
    if not fresh:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=n.user_id, key=n.key, title=n.title, body=n.body, url=n.url, urgent=n.urgent
            )
            for n in fresh.values()
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    if email:
        _queue_email(list(fresh.values()))
    return len(fresh)


def _queue_email(items: Sequence[NewNotification]) -> None:
    user_ids = sorted({n.user_id for n in items})
    addresses: dict[int, str] = {}
    for start in range(0, len(user_ids), CHUNK):
        addresses.update(
            User.objects.filter(pk__in=user_ids[start : start + CHUNK], is_active=True)
            .exclude(email="")
            .values_list("id", "email")
        )
    messages = [
        OutboxMessage(
            channel=OutboxChannel.EMAIL,
            recipient_enc=encrypt(addresses[n.user_id]),
            body=f"{n.title}\n\n{n.body}".strip(),
            object_type="core.notification",
            object_id=n.key[:64],
        )
        for n in items
        if n.user_id in addresses
    ]
    if messages:
        OutboxMessage.objects.bulk_create(messages, batch_size=CHUNK)
        transaction.on_commit(outbox_send_pending_task.enqueue)


def mark_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark some (or all) of a user's unread notifications read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(user: User, *, cap: int = 100) -> int:
    """Unread notifications, counted up to ``cap`` (the badge shows 99+)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True).values("id")[:cap]
    return len(qs)
