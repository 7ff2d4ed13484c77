"""Forms of the registry: the list filter and the unit form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antq.core.widgets import QuickSelect
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.selectors import UnitFilters, ward_choices_for
from antq.registry.services import UNIT_FIELDS
from antq.registry.status import Block, UnitKind, UnitStatus


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200)
    block = forms.ChoiceField(
        label=_("Khối"),
        required=False,
        choices=[("", _("Tất cả các khối")), *Block.choices],
        widget=QuickSelect,
    )
    kind = forms.ChoiceField(
        label=_("Loại hình"),
        required=False,
        choices=[("", _("Tất cả loại hình")), *UnitKind.choices],
        widget=QuickSelect,
    )
    ward = forms.TypedChoiceField(
        label=_("Xã, phường"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Mọi trạng thái")), *UnitStatus.choices],
        widget=QuickSelect,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ward_field = self.fields["ward"]
        assert isinstance(ward_field, forms.TypedChoiceField)
        ward_field.choices = [("", _("Mọi xã, phường")), *ward_choices_for(user)]

    def filters(self) -> UnitFilters:
        """The valid part of the query: an invalid value (an out-of-scope ward, say) is
        dropped on its own; the other filters still apply."""
        if not self.is_bound:
            return UnitFilters()
        self.is_valid()  # cleaned_data keeps every field that is valid
        data = self.cleaned_data
        return UnitFilters(
            q=data.get("q", ""),
            block=data.get("block", ""),
            kind=data.get("kind", ""),
            ward=data.get("ward"),
            status=data.get("status", ""),
        )


# The same limit as the API's (``api.schemas.UnitIn.notes``): the column itself is unbounded.
NOTES_MAX = 5000


class UnitForm(forms.ModelForm):
    """All fields for the department; only ``fields`` for a unit's own officer."""

    class Meta:
        model = Unit
        fields = list(UNIT_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(
        self, *args: Any, user: Any, editable: tuple[str, ...] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editable is not None:
            for name in list(self.fields):
                if name not in editable:
                    del self.fields[name]
        if "ward" in self.fields:
            ward_field = self.fields["ward"]
            assert isinstance(ward_field, forms.ModelChoiceField)
            allowed = [pk for pk, _ in ward_choices_for(user)]
            ward_field.queryset = AdministrativeArea.objects.filter(id__in=allowed).order_by(
                "name_folded"
            )
            ward_field.empty_label = _("— Chọn xã, phường —")
        if "notes" in self.fields:
            self.fields["notes"].widget.attrs["maxlength"] = str(NOTES_MAX)
        if "phone" in self.fields:
            self.fields["phone"].widget.attrs.update(inputmode="tel", placeholder="0912 345 678")
            self.fields["security_contact_phone"].widget.attrs.update(inputmode="tel")

    def clean_notes(self) -> str:
        notes = self.cleaned_data.get("notes") or ""
        if len(notes) > NOTES_MAX:
            raise forms.ValidationError(
                _("Ghi chú dài quá %(n)s ký tự.") % {"n": f"{NOTES_MAX:,}".replace(",", ".")}
            )
        return str(notes)

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError(_("Tên đơn vị không được để trống."))
        return name

    def changed_data_dict(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}

    def _post_clean(self) -> None:
        # The service normalises and validates the instance (phones, uniqueness); the form
        # only checks the types of what was typed. Uniqueness errors come back from it.
        pass


class UnitDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do xoá"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
