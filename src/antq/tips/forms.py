"""Forms of the officers' side of tips: the inbox filter and the actions on a tip.

The forms check the shape of what was typed and offer only sensible choices (officers who
may handle the tip, the statuses that may follow the current one); the services decide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from antq.accounts import scoping
from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.core.widgets import QuickSelect
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.selectors import ward_choices_for
from antq.registry.status import AreaLevel
from antq.tips import codes, services
from antq.tips.models import Tip, TipCategory
from antq.tips.selectors import Box, TipFilters
from antq.tips.status import (
    ALLOWED_TRANSITIONS,
    Channel,
    Outcome,
    TipStatus,
    Urgency,
)

BOXES = [
    (Box.ALL, _("Tất cả")),
    (Box.MINE, _("Tin của tôi")),
    (Box.UNASSIGNED, _("Chưa phân công")),
    (Box.DUE_SOON, _("Sắp quá hạn")),
    (Box.OVERDUE, _("Quá hạn")),
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _ancestor_paths(path: str) -> list[str]:
    """The area itself and those above it, e.g. "01/00070/" → ["01/", "01/00070/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def officers_for_tip(tip: Tip, *, also: Any = None) -> QuerySet[User]:
    """Who a tip may be given to: the department's officers and the police of its ward
    (and ``also``, a user who may handle it himself, such as an administrator)."""
    condition = Q(role=Role.DEPARTMENT)
    if tip.ward is not None:
        condition |= Q(role=Role.WARD_OFFICER, areas__path__in=_ancestor_paths(tip.ward.path))
    if also is not None:
        condition |= Q(pk=also.pk)
    return User.objects.filter(condition, is_active=True).distinct().order_by("full_name")


def officers_for_user(user: Any) -> QuerySet[User]:
    """Who ``user`` may give tips of his scope to (bulk assignment): the department and the
    ward police of his wards. Whether each chosen tip suits the officer is the service's call."""
    condition = Q(role=Role.DEPARTMENT)
    ward_ids = scoping.ward_ids_for(user)
    if ward_ids is None:
        condition |= Q(role=Role.WARD_OFFICER)
    elif ward_ids:
        paths: set[str] = set()
        for path in AdministrativeArea.objects.filter(id__in=ward_ids).values_list(
            "path", flat=True
        ):
            paths.update(_ancestor_paths(path))
        condition |= Q(role=Role.WARD_OFFICER, areas__path__in=paths)
    return User.objects.filter(condition, is_active=True).distinct().order_by("full_name")


class ActionForm(forms.Form):
    """A form of the tip page. Several share the page, so each has its own HTML ids."""

    id_prefix = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.get_username()
        detail = obj.title or obj.get_role_display()
        return f"{name} — {detail}"


# Dates a filter accepts: anything else (year 9999) is dropped instead of overflowing.
DATE_BOUNDS = [
    MinValueValidator(dt.date(2000, 1, 1), message=_("Ngày phải từ 01/01/2000.")),
    MaxValueValidator(dt.date(2100, 12, 31), message=_("Ngày phải trước 31/12/2100.")),
]


class TipFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200)
    box = forms.ChoiceField(label=_("Hộp tin"), required=False, choices=BOXES)
    category = forms.TypedChoiceField(
        label=_("Loại tin"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    ward = forms.TypedChoiceField(
        label=_("Xã, phường"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Mọi trạng thái")), *TipStatus.choices],
        widget=QuickSelect,
    )
    channel = forms.ChoiceField(
        label=_("Kênh"),
        required=False,
        choices=[("", _("Mọi kênh")), *Channel.choices],
        widget=QuickSelect,
    )
    urgency = forms.ChoiceField(
        label=_("Mức độ"),
        required=False,
        choices=[("", _("Mọi mức độ")), *Urgency.choices],
        widget=QuickSelect,
    )
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=DATE_INPUT, validators=DATE_BOUNDS
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=DATE_INPUT, validators=DATE_BOUNDS
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.TypedChoiceField)
        category.choices = [
            ("", _("Mọi loại tin")),
            *TipCategory.objects.values_list("id", "name"),
        ]
        ward = self.fields["ward"]
        assert isinstance(ward, forms.TypedChoiceField)
        ward.choices = [("", _("Mọi xã, phường")), *ward_choices_for(user)]

    def filters(self) -> TipFilters:
        """The valid part of the query: an invalid value (an out-of-scope ward, a date that is
        not one) is dropped on its own; the other filters still apply."""
        if not self.is_bound:
            return TipFilters()
        self.is_valid()
        data = self.cleaned_data
        return TipFilters(
            box=data.get("box") or Box.ALL,
            category=data.get("category"),
            ward=data.get("ward"),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
            urgency=data.get("urgency", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def query(self) -> str:
        if not self.is_bound:
            return ""
        self.is_valid()
        return str(self.cleaned_data.get("q", "")).strip()


# The largest primary key a database holds (a larger one makes SQLite raise on ``pk__in``).
ID_MAX = 2**63 - 1


class TipChoiceField(forms.ModelMultipleChoiceField):
    """Tips by id; a value that cannot be an id is refused before it reaches the database."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            try:
                number = int(str(pk))
            except ValueError:
                number = 0
            if not 0 < number <= ID_MAX:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value"
                )
        return super().clean(value)


class BulkAssignForm(forms.Form):
    tips = TipChoiceField(
        queryset=Tip.objects.none(),
        error_messages={
            "required": _("Hãy chọn ít nhất một tin báo."),
            "invalid_choice": _("Có tin báo không còn trong phạm vi của bạn; hãy tải lại trang."),
            "invalid_pk_value": _("Danh sách tin báo không hợp lệ."),
        },
    )
    assignee = OfficerChoiceField(
        label=_("Phân công cho"),
        queryset=User.objects.none(),
        empty_label=_("— Chọn cán bộ —"),
        error_messages={
            "required": _("Hãy chọn cán bộ được phân công."),
            "invalid_choice": _("Cán bộ này không thể nhận các tin báo đã chọn."),
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tips = self.fields["tips"]
        assert isinstance(tips, forms.ModelMultipleChoiceField)
        tips.queryset = scoping.tips_for(user)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = officers_for_user(user)


class AssignForm(ActionForm):
    id_prefix = "assign"
    assignee = OfficerChoiceField(
        label=_("Cán bộ xử lý"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Chưa phân công —"),
        error_messages={"invalid_choice": _("Cán bộ này không phụ trách địa bàn của tin báo.")},
    )

    def __init__(self, *args: Any, tip: Tip, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        # An administrator may take a tip himself though he is not offered to others.
        field.queryset = officers_for_tip(tip, also=user)
        self.initial.setdefault("assignee", tip.assignee_id)


class TransitionForm(ActionForm):
    id_prefix = "transition"
    status = forms.ChoiceField(label=_("Chuyển sang trạng thái"))
    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi kết thúc hoặc mở lại tin báo."),
    )
    outcome = forms.ChoiceField(
        label=_("Kết quả"),
        required=False,
        choices=Outcome.choices,
        help_text=_("Ghi khi kết thúc xử lý; dùng cho thống kê."),
    )

    def __init__(self, *args: Any, tip: Tip, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS.get(tip.status, frozenset())
        # "Trùng" is reached by merging, which keeps the link to the main tip.
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (value, label)
            for value, label in TipStatus.choices
            if value in allowed and value != TipStatus.DUPLICATE
        ]
        self.initial.setdefault("outcome", tip.outcome)

    @property
    def has_choices(self) -> bool:
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        return bool(field.choices)


class TipEditForm(forms.Form):
    """Triage: what the tip is about, how urgent, where, and which unit it concerns."""

    category = forms.ModelChoiceField(label=_("Loại tin báo"), queryset=TipCategory.objects.none())
    urgency = forms.ChoiceField(label=_("Mức độ"), choices=Urgency.choices)
    is_complex = forms.BooleanField(
        label=_("Vụ việc phức tạp (thời hạn xác minh dài hơn)"), required=False
    )
    ward = forms.ModelChoiceField(
        label=_("Xã, phường"),
        queryset=AdministrativeArea.objects.none(),
        empty_label=_("— Chọn xã, phường —"),
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị liên quan"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Không liên quan đơn vị nào —"),
        help_text=_("Các đơn vị của xã, phường hiện tại của tin báo."),
    )
    place = forms.CharField(label=_("Địa điểm"), required=False, max_length=300)
    outcome = forms.ChoiceField(label=_("Kết quả"), required=False, choices=Outcome.choices)
    reason = forms.CharField(
        label=_("Lý do thay đổi"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FIELDS = services.EDITABLE_FIELDS

    def __init__(self, *args: Any, tip: Tip, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "category": tip.category_id,
                "urgency": tip.urgency,
                "is_complex": tip.is_complex,
                "ward": tip.ward_id,
                "unit": tip.unit_id,
                "place": tip.place,
                "outcome": tip.outcome,
            },
        )
        super().__init__(*args, **kwargs)
        self.tip = tip
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = TipCategory.objects.filter(
            Q(is_active=True) | Q(pk=tip.category_id)
        ).order_by("sort_order", "name")
        # A tip reported to the wrong ward is sent on to the right one: every ward of the
        # department's province may be chosen.
        ward = self.fields["ward"]
        assert isinstance(ward, forms.ModelChoiceField)
        ward.queryset = AdministrativeArea.objects.filter(
            level=AreaLevel.WARD, path__startswith=scoping.province_path()
        ).order_by("name_folded")
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = Unit.objects.filter(Q(ward_id=tip.ward_id) | Q(pk=tip.unit_id)).order_by(
            "name_folded"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ward, unit = data.get("ward"), data.get("unit")
        if ward is not None and unit is not None and unit.ward_id != ward.pk:
            self.add_error(
                "unit",
                _("Đơn vị %(unit)s không thuộc %(ward)s.") % {"unit": unit.name, "ward": ward.name},
            )
        return data

    def changes(self) -> dict[str, Any]:
        """The edited fields whose value differs from the tip's."""
        data = self.cleaned_data
        changed: dict[str, Any] = {}
        for name in self.FIELDS:
            value = data.get(name)
            current = getattr(self.tip, name)
            if name == "place":
                value = value or ""
            if name == "outcome":
                value = value or ""
            if value != current:
                changed[name] = value
        return changed


class MessageForm(ActionForm):
    id_prefix = "message"
    body = forms.CharField(
        label=_("Tin nhắn gửi người báo tin"),
        max_length=services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nhập nội dung tin nhắn.")},
    )


class NoteForm(ActionForm):
    id_prefix = "note"
    body = forms.CharField(
        label=_("Ghi chú nội bộ"),
        max_length=services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nhập nội dung ghi chú.")},
    )


class MergeForm(ActionForm):
    id_prefix = "merge"
    into = forms.CharField(
        label=_("Mã tin báo chính"),
        max_length=20,
        help_text=_("Tin này sẽ được đánh dấu “Trùng” và gộp vào tin báo có mã trên."),
        error_messages={"required": _("Hãy nhập mã tin báo chính.")},
    )
    reason = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["into"].widget.attrs.update(
            placeholder="ABCDE-23456", autocomplete="off", spellcheck="false"
        )

    def clean_into(self) -> Tip:
        typed = self.cleaned_data["into"]
        code = codes.normalize_code(typed)
        tip = scoping.tips_for(self.user).filter(code=code).first() if code else None
        if tip is None:
            raise forms.ValidationError(
                _("Không tìm thấy tin báo có mã “%(code)s” trong phạm vi của bạn.")
                % {"code": typed.strip()}
            )
        return tip


class IdentityForm(ActionForm):
    id_prefix = "identity"
    reason = forms.CharField(
        label=_("Lý do xem"),
        max_length=500,
        help_text=_("Mỗi lần xem đều được ghi nhật ký cùng lý do."),
        error_messages={"required": _("Hãy ghi lý do cần xem thông tin người báo tin.")},
    )
