"""Template helpers: audit entries in words, phone display, choice labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from antq.core.models import AuditEntry
from antq.core.phones import display_phone

register = template.Library()


def _describe(field: models.Field[Any, Any] | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and value.startswith("+84"):
        return display_phone(value)
    if field is None or field.is_relation:
        return str(value)  # related objects come with the name recorded at the time
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("Có") if value else gettext("Không")
    if isinstance(field, models.DateTimeField | models.DateField) and isinstance(value, str):
        return _display_date(field, value)
    return str(value)


def _display_date(field: models.Field[Any, Any], value: str) -> str:
    """Audit snapshots keep dates as ISO strings; people read dd/mm/yyyy (local time)."""
    try:
        if isinstance(field, models.DateTimeField):
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "d/m/Y H:i")
        return date_format(dt.date.fromisoformat(value), "d/m/Y")
    except ValueError:
        return value


@register.simple_tag
def audit_changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(field label, before, after) for each field the entry changed, in words."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        model = None
    rows = []
    for name, before, after in entry.changed_fields():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        label = str(getattr(field, "verbose_name", name)) if field is not None else name
        rows.append((label, _describe(field, before), _describe(field, after)))
    return rows


@register.filter
def phone(value: str) -> str:
    return display_phone(value or "")


@register.filter
def model_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
