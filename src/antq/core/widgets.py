"""Widgets that render the same HTML as Django's, faster.

Django renders a ``<select>`` through one template per option. A filter listing a city's
126 wards then costs more than the page's whole table; the inbox and the unit list show one
on every request. ``QuickSelect`` writes the same markup in Python.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """``forms.Select`` with the markup of Django's ``select.html`` built without templates
    (same attributes, option groups and selection)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        found = False  # one option is selected, the first that matches (as Django does)
        parts: list[str] = [
            format_html('<select name="{}"{}>', name, _attrs(self.build_attrs(self.attrs, attrs)))
        ]
        for group_value, group_label in self.choices:
            if isinstance(group_label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', group_value))
                options = group_label
            else:
                options = [(group_value, group_label)]
            for option_value, label in options:
                text = "" if option_value is None else str(option_value)
                selected = not found and text in chosen
                found = found or selected
                parts.append(
                    f'<option value="{escape(text)}"{" selected" if selected else ""}>'
                    f"{escape(label)}</option>"
                )
            if isinstance(group_label, list | tuple):
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Attributes as Django's ``attrs.html`` writes them: in order, ``True`` as a bare name,
    ``False`` and ``None`` left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )
