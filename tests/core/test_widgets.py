from __future__ import annotations

import re

import pytest
from django import forms

from antq.core.widgets import QuickSelect

CHOICES = [("", "Mọi <xã>"), (1, 'Phường "Hoàn Kiếm"'), ("Nhóm & khác", [(2, "a"), (3, "b")])]


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("value", [None, "", "1", 2, ["3"], "không có"])
def test_quick_select_writes_what_django_s_select_writes(value) -> None:
    attrs = {"id": "id_ward", "required": True, "disabled": False, "aria-label": "Xã & phường"}
    django = forms.Select(choices=CHOICES).render("ward", value, attrs)
    quick = QuickSelect(choices=CHOICES).render("ward", value, attrs)
    assert _normal(quick) == _normal(django)
    assert "&lt;xã&gt;" in quick


def test_quick_select_in_a_bound_form_keeps_the_choice() -> None:
    class F(forms.Form):
        ward = forms.TypedChoiceField(choices=CHOICES, coerce=int, widget=QuickSelect)

    html = str(F({"ward": "2"})["ward"])
    assert '<option value="2" selected>a</option>' in html
