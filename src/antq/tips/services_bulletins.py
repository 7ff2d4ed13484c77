"""Writes to the public crime-prevention bulletins (tuyên truyền phương thức, thủ đoạn).

The department writes a bulletin as a draft, publishes it (it appears on the public pages and
in the Atom feed) and may take it down again. Each write is audited in its transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from antq.accounts import permissions
from antq.core.audit import audit_record, changes_between, snapshot
from antq.core.models import AuditAction
from antq.textvn import fold, nfc, squash_spaces
from antq.tips.models import Bulletin, TipCategory

AUDIT_FIELDS = ("title", "slug", "summary", "body", "category", "is_published", "published_at")
EDITABLE_FIELDS = ("title", "summary", "body", "category")
SLUG_LENGTH = 80
MAX_BODY = 20_000


def _check(actor: Any) -> None:
    if not permissions.can_publish_bulletins(actor):
        raise PermissionDenied(
            _("Chỉ quản trị và cán bộ phòng Xây dựng phong trào được đăng cảnh báo.")
        )


def bulletin_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A URL name from the title without diacritics ("Thủ đoạn lừa đảo" → "thu-doan-lua-dao"),
    numbered when another bulletin has it already."""
    base = slugify(fold(title))[:SLUG_LENGTH].strip("-") or "canh-bao"
    others = Bulletin.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(data)
    for field in ("title", "summary"):
        if field in cleaned:
            cleaned[field] = squash_spaces(nfc(cleaned[field] or ""))
    if "body" in cleaned:
        # Paragraphs are kept: the page shows one blank line as a new paragraph.
        lines = nfc(cleaned["body"] or "").replace("\r\n", "\n").replace("\r", "\n")
        cleaned["body"] = "\n".join(line.rstrip() for line in lines.split("\n")).strip()
        if len(cleaned["body"]) > MAX_BODY:
            raise ValidationError({"body": _("Nội dung dài quá 20.000 ký tự.")})
    category = cleaned.get("category")
    if category is not None and not isinstance(category, TipCategory):
        raise ValueError("category must be a TipCategory")
    return cleaned


@transaction.atomic
def bulletin_create(
    *,
    actor: Any,
    title: str,
    summary: str,
    body: str,
    category: TipCategory | None = None,
) -> Bulletin:
    """A new bulletin, not yet published."""
    _check(actor)
    data = _clean({"title": title, "summary": summary, "body": body, "category": category})
    bulletin = Bulletin(**data, slug=bulletin_slug(data["title"]), author=actor)
    bulletin.full_clean()
    bulletin.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=bulletin,
        after=snapshot(bulletin, AUDIT_FIELDS),
    )
    return bulletin


@transaction.atomic
def bulletin_update(*, actor: Any, bulletin: Bulletin, data: dict[str, Any]) -> Bulletin:
    """Change the title, summary, body or category. The address (slug) follows the title
    until the first publication; after that links to it must keep working."""
    _check(actor)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    before = snapshot(bulletin, AUDIT_FIELDS)
    for field, value in _clean(data).items():
        setattr(bulletin, field, value)
    if bulletin.published_at is None and "title" in data:
        bulletin.slug = bulletin_slug(bulletin.title, exclude_pk=bulletin.pk)
    # The author may be gone (or absent from loaded data); that is no reason to refuse an edit.
    bulletin.full_clean(exclude=["author"])
    after = snapshot(bulletin, AUDIT_FIELDS)
    old, new = changes_between(before, after)
    if not (old or new):
        return bulletin
    bulletin.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=bulletin, before=before, after=after)
    return bulletin


@transaction.atomic
def bulletin_set_published(*, actor: Any, bulletin: Bulletin, published: bool) -> Bulletin:
    """Publish (the first publication date is kept when published again) or take down."""
    _check(actor)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.is_published == published:
        return bulletin
    before = snapshot(bulletin, AUDIT_FIELDS)
    bulletin.is_published = published
    if published and bulletin.published_at is None:
        bulletin.published_at = timezone.now()
    bulletin.save(update_fields=["is_published", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=bulletin,
        before=before,
        after=snapshot(bulletin, AUDIT_FIELDS),
    )
    return bulletin
