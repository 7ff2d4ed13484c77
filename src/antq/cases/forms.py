"""Forms of the case register: registering, correcting, moving a case, unsealing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antq.accounts import scoping
from antq.accounts.models import User
from antq.accounts.roles import UNIT_ROLES, Role
from antq.cases.models import Case
from antq.cases.status import (
    CaseChannel,
    CaseKind,
    CaseStatus,
    Complexity,
    Stage,
    moves_from,
)
from antq.core.widgets import QuickSelect
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel, UnitStatus
from antq.textvn import fold
from antq.tips.attachments import CleanFile, clean_uploads

# The largest id the database holds (SQLite, PostgreSQL bigint).
ID_MAX = 2**63 - 1
# Units listed for a ward and a search; more precise typing narrows the list.
UNIT_OPTIONS = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files; each is checked by its content (``tips.attachments``)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return clean_uploads(files) if files else []


def _past_date(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("Ngày này không được sau ngày hôm nay."))


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def handler_choices(user: Any) -> QuerySet[User]:
    """Who may be named handler: active officers who can see cases in the user's scope."""
    qs = User.objects.filter(is_active=True).order_by("full_name", "username")
    if user.role in UNIT_ROLES:
        return qs.filter(unit_id=user.unit_id)
    if user.role == Role.WARD_OFFICER:
        wards = scoping.ward_ids_for(user) or set()
        return qs.filter(
            Q(role=Role.WARD_OFFICER, areas__in=list(wards)) | Q(pk=user.pk)
        ).distinct()
    return qs.filter(role__in=[Role.DEPARTMENT, Role.WARD_OFFICER, Role.UNIT_OFFICER])


class UnitField(forms.TypedChoiceField):
    """A unit of the user's scope, listed for the chosen ward (``unit_choices``); a submitted
    id is checked against the scope by ``CaseForm.clean_unit``, not against the list."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return True


def unit_choices(user: Any, ward_id: Any, q: str = "") -> list[tuple[Any, Any]]:
    """The first units of a ward in the user's scope whose name contains ``q``."""
    try:
        ward = int(ward_id)
    except (TypeError, ValueError):
        ward = 0
    if not 0 < ward <= ID_MAX:  # a larger number is no id and overflows the database
        return [("", _("— Chọn xã, phường trước —"))]
    units = scoping.units_for(user).filter(ward_id=ward, status=UnitStatus.ACTIVE)
    q = q.replace("\x00", "")  # raw request text: PostgreSQL refuses a NUL in a query
    if q.strip():
        units = units.filter(name_folded__contains=fold(q))
    found = list(units.order_by("name").values_list("pk", "name")[:UNIT_OPTIONS])
    return [("", _("— Không gắn với đơn vị —")), *found]


class CaseForm(forms.Form):
    """Registering a case. A unit's officer registers for his own unit; police officers
    choose the unit (or only the ward, when no unit is concerned)."""

    kind = forms.ChoiceField(label=_("Loại vụ việc"), choices=CaseKind.choices)
    subject = forms.CharField(
        label=_("Trích yếu"),
        max_length=300,
        help_text=_("Một dòng: ai khiếu nại, tố cáo việc gì."),
        error_messages={"required": _("Hãy ghi trích yếu vụ việc.")},
    )
    content = forms.CharField(
        label=_("Nội dung đơn"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Hãy ghi nội dung đơn.")},
    )
    filer_name = forms.CharField(
        label=_("Người khiếu nại, kiến nghị"),
        max_length=200,
        required=False,
        help_text=_("Với đơn tố cáo, ghi thông tin người tố cáo ở mục riêng bên dưới."),
    )
    respondent = forms.CharField(
        label=_("Người, cơ quan bị khiếu nại, tố cáo"), max_length=300, required=False
    )
    channel = forms.ChoiceField(label=_("Hình thức tiếp nhận"), choices=CaseChannel.choices)
    received_on = forms.DateField(
        label=_("Ngày nhận đơn"),
        widget=DATE_INPUT,
        validators=[_past_date],
        error_messages={
            "required": _("Hãy ghi ngày nhận đơn."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )
    ward = forms.ModelChoiceField(
        label=_("Xã, phường"),
        queryset=AdministrativeArea.objects.none(),
        required=False,
        widget=QuickSelect,
        help_text=_("Xã, phường nơi phát sinh vụ việc; nếu chọn đơn vị, lấy theo đơn vị."),
    )
    unit_q = forms.CharField(
        label=_("Tìm đơn vị theo tên"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Gõ vài chữ trong tên"),
            }
        ),
    )
    unit = UnitField(
        label=_("Đơn vị nơi phát sinh"),
        required=False,
        help_text=_(
            "Chọn xã, phường, gõ vài chữ trong tên đơn vị (có dấu hoặc không dấu) rồi chọn; để "
            "trống nếu vụ việc không gắn với đơn vị nào trong sổ đăng ký."
        ),
    )
    complexity = forms.ChoiceField(
        label=_("Mức độ phức tạp"), choices=Complexity.choices, initial=Complexity.NORMAL
    )
    remote_area = forms.BooleanField(
        label=_("Vùng sâu, vùng xa, đi lại khó khăn (thời hạn dài hơn theo luật)"),
        required=False,
    )
    handler = UserChoiceField(label=_("Cán bộ xử lý"), queryset=User.objects.none(), required=False)
    sealed_name = forms.CharField(
        label=_("Họ tên người tố cáo"),
        max_length=200,
        required=False,
        help_text=_("Được mã hoá và giữ bí mật (Luật Tố cáo Điều 47); cán bộ xử lý không thấy."),
    )
    sealed_address = forms.CharField(
        label=_("Địa chỉ người tố cáo"), max_length=300, required=False
    )
    sealed_contact = forms.CharField(
        label=_("Điện thoại, thư điện tử người tố cáo"), max_length=200, required=False
    )
    sealed_petition = forms.FileField(
        label=_("Đơn tố cáo có chữ ký (bản quét)"),
        required=False,
        help_text=_("Lưu mã hoá cùng thông tin người tố cáo, không nằm trong hồ sơ chung."),
    )
    attachments = FilesField(label=_("Tài liệu kèm theo"))

    def __init__(self, *args: Any, user: Any, tip: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.tip = tip
        if tip is not None and not self.is_bound:
            self.initial.update(
                {
                    "channel": CaseChannel.TIP,
                    "content": tip.text,
                    "received_on": timezone.localdate(tip.received_at),
                    "subject": _("Từ tin báo %(code)s") % {"code": tip.code},
                    "unit": tip.unit_id,
                    "ward": tip.ward_id,
                }
            )
        if user.role in UNIT_ROLES:
            # A unit registers its own cases: no choice to make.
            del self.fields["unit"], self.fields["unit_q"], self.fields["ward"]
        else:
            source = self.data if self.is_bound else self.initial
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, UnitField)
            unit_field.choices = unit_choices(
                user, source.get("ward"), str(source.get("unit_q") or "")
            )
        if "ward" in self.fields:
            ward_field = self.fields["ward"]
            assert isinstance(ward_field, forms.ModelChoiceField)
            ward_field.queryset = (
                scoping.areas_for(user).filter(level=AreaLevel.WARD).order_by("name")
            )
        handler_field = self.fields["handler"]
        assert isinstance(handler_field, forms.ModelChoiceField)
        handler_field.queryset = handler_choices(user)

    def clean_unit(self) -> Unit | None:
        unit_id = self.cleaned_data.get("unit")
        if unit_id is None:
            return None
        unit = scoping.units_for(self.user).filter(pk=unit_id).first()
        if unit is None:
            raise ValidationError(_("Đơn vị này không có trong địa bàn của bạn."))
        return unit

    def clean_sealed_petition(self) -> CleanFile | None:
        upload = self.cleaned_data.get("sealed_petition")
        return clean_uploads([upload])[0] if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.user.role in UNIT_ROLES:
            data["unit_obj"] = self.user.unit
        else:
            data["unit_obj"] = data.get("unit")
            if data["unit_obj"] is None and not data.get("ward"):
                self.add_error("ward", _("Hãy chọn đơn vị, hoặc xã, phường nơi phát sinh vụ việc."))
        if data.get("kind") == CaseKind.DENUNCIATION:
            if not (data.get("sealed_name") or "").strip():
                self.add_error(
                    "sealed_name",
                    _(
                        "Tố cáo phải có họ tên người tố cáo (Luật Tố cáo Điều 23); tin không rõ "
                        "người tố cáo được xử lý như tin báo."
                    ),
                )
            if (data.get("filer_name") or "").strip():
                self.add_error(
                    "filer_name",
                    _(
                        "Không ghi tên người tố cáo ở đây: ghi ở mục “Họ tên người tố cáo” để được "
                        "giữ bí mật."
                    ),
                )
        elif any(data.get(f) for f in ("sealed_name", "sealed_address", "sealed_contact")):
            self.add_error("sealed_name", _("Mục người tố cáo chỉ dùng cho đơn tố cáo."))
        return data


class CaseEditForm(forms.ModelForm):
    reason = forms.CharField(label=_("Lý do sửa"), max_length=500, required=False)

    class Meta:
        model = Case
        fields = [
            "subject",
            "content",
            "filer_name",
            "respondent",
            "complexity",
            "remote_area",
            "handler",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handler_field = self.fields["handler"]
        assert isinstance(handler_field, forms.ModelChoiceField)
        handler_field.queryset = handler_choices(user)
        if self.instance.sealed:
            del self.fields["filer_name"]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}


class TransitionForm(forms.Form):
    """The next step of a case; the choices are the moves the law allows from its state."""

    to = forms.ChoiceField(label=_("Bước tiếp theo"))
    on = forms.DateField(
        label=_("Ngày thực hiện"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Để trống nếu là hôm nay."),
        error_messages={"invalid": _("Ngày không hợp lệ.")},
    )
    reason = forms.CharField(
        label=_("Lý do, căn cứ"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    conclusion = forms.CharField(
        label=_("Nội dung kết luận, quyết định"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Chỉ khi kết luận, quyết định giải quyết. Không ghi thông tin người tố cáo."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_move_%s")  # unique ids beside the page's other forms
        super().__init__(*args, **kwargs)
        to_field = self.fields["to"]
        assert isinstance(to_field, forms.ChoiceField)
        moves = moves_from(case.status)
        to_field.choices = [(m.to, f"{CaseStatus(m.to).label} — {m.basis}") for m in moves]
        if all(m.to != CaseStatus.CONCLUDED for m in moves):
            del self.fields["conclusion"]
        self.error_messages = {"required": _("Hãy chọn bước tiếp theo.")}
        to_field.error_messages["required"] = _("Hãy chọn bước tiếp theo.")
        to_field.error_messages["invalid_choice"] = _(
            "Bước này không được phép từ trạng thái hiện tại của vụ việc."
        )

    @property
    def has_choices(self) -> bool:
        return bool(self.fields["to"].choices)  # type: ignore[attr-defined]


class UnsealForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_unseal_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label=_("Lý do cần biết người tố cáo"),
        max_length=500,
        min_length=10,
        help_text=_("Bắt buộc; ghi vào nhật ký cùng tên bạn."),
        error_messages={
            "required": _("Hãy ghi lý do cần biết thông tin người tố cáo."),
            "min_length": _("Hãy ghi rõ lý do (ít nhất 10 ký tự)."),
        },
    )


class FilesForm(forms.Form):
    attachments = FilesField(
        label=_("Thêm tài liệu vào hồ sơ"),
        required=True,
        error_messages={"required": _("Hãy chọn ít nhất một tệp để thêm vào hồ sơ.")},
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Loại"), required=False, choices=[("", _("Tất cả")), *CaseKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("open", _("Đang giải quyết")),
            ("overdue", _("Quá hạn")),
            ("due_soon", _("Sắp đến hạn")),
            *CaseStatus.choices,
        ],
    )
    ward = forms.ModelChoiceField(
        label=_("Xã, phường"),
        queryset=AdministrativeArea.objects.none(),
        required=False,
        widget=QuickSelect,
        empty_label=_("Tất cả"),
    )
    year = forms.IntegerField(
        label=_("Năm nhận đơn"), required=False, min_value=2000, max_value=2100
    )
    # Bounded like every id in a URL: a larger number is no id and overflows the database.
    unit = forms.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ward_field = self.fields["ward"]
        assert isinstance(ward_field, forms.ModelChoiceField)
        ward_field.queryset = scoping.areas_for(user).filter(level=AreaLevel.WARD).order_by("name")


STAGE_LABELS = dict(Stage.choices)
