"""Forms of the public side of the hotline: the tip form, the follow-up and the reply.

They check what a citizen typed and say what is wrong in plain Vietnamese next to the field;
``services.tip_receive`` and ``tip_message_post`` decide.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antq.accounts.scoping import province_path
from antq.core.phones import InvalidPhone, normalize_phone
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel, UnitStatus
from antq.textvn import fold
from antq.tips.attachments import CleanFile, clean_uploads
from antq.tips.models import TipCategory
from antq.tips.services import MAX_MESSAGE, MAX_TEXT

ANONYMOUS = "yes"
NAMED = "no"
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# What the file picker offers (a phone converts HEIC photos to JPEG for such a list).
ACCEPT = (
    "image/jpeg,image/png,image/webp,application/pdf,video/mp4,video/quicktime,audio/mp4,"
    ".jpg,.jpeg,.png,.webp,.pdf,.mp4,.mov,.m4a"
)
# Grace for a phone whose clock runs a little ahead.
FUTURE_GRACE = dt.timedelta(minutes=5)
# The largest primary key a database holds: a larger number typed in a URL or a form is no
# unit or ward, and must not reach the database (SQLite raises on it).
ID_MAX = 2**63 - 1
# The earliest day of events a tip may be about (the filters of the inbox start there too).
EARLIEST_DAY = dt.date(2000, 1, 1)
GROUP_LABELS = {"phường": _("Phường"), "xã": _("Xã"), "đặc khu": _("Đặc khu")}


def public_wards() -> list[tuple[int, str, str]]:
    """(id, name, division type) of the wards of the department's province, by name: what a
    citizen may pick. Plain tuples: the form builds this list on every submission."""
    return list(
        AdministrativeArea.objects.filter(level=AreaLevel.WARD, path__startswith=province_path())
        .order_by("name_folded")
        .values_list("id", "name", "division_type")
    )


def ward_choices() -> list[tuple[Any, Any]]:
    """Wards grouped by kind (Phường, Xã, Đặc khu) for a ``<select>`` with optgroups."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, name, division_type in public_wards():
        groups.setdefault(division_type, []).append((pk, name))
    ordered = [k for k in GROUP_LABELS if k in groups] + sorted(
        k for k in groups if k not in GROUP_LABELS
    )
    choices: list[tuple[Any, Any]] = [("", _("— Không rõ —"))]
    for kind in ordered:
        choices.append((GROUP_LABELS.get(kind, kind.capitalize()), groups[kind]))
    return choices


def public_units(
    ward_id: int | None, q: str = "", limit: int = 20, *, unit_id: int | None = None
) -> list[tuple[int, str]]:
    """Active units of a ward whose name contains ``q`` (accent-insensitive), or the one
    ``unit_id``: id and name, nothing else about them is public."""
    if ward_id is None or not 0 < ward_id <= ID_MAX:
        return []
    if unit_id is not None and not 0 < unit_id <= ID_MAX:
        return []
    qs = Unit.objects.filter(
        ward_id=ward_id, status=UnitStatus.ACTIVE, ward__path__startswith=province_path()
    )
    if unit_id is not None:
        qs = qs.filter(pk=unit_id)
    # PostgreSQL refuses NUL in a query parameter; it is no part of a name anyway.
    q = q.replace("\x00", "")
    if q.strip():
        qs = qs.filter(name_folded__contains=fold(q)[:100])
    return list(qs.order_by("name_folded", "id").values_list("id", "name")[:limit])


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned into :class:`CleanFile` objects."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[CleanFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        uploads: list[UploadedFile] = [super(MultipleFileField, self).clean(f) for f in files]
        return clean_uploads([f for f in uploads if f])


class WardField(forms.TypedChoiceField):
    """A ward of the province. Its list (``ward_choices``, given as the callable) is read
    only when the form is drawn: a submitted ward is checked by ``clean_ward`` against the
    database, which holds the same wards, rather than against the list built for it."""

    def valid_value(self, value: Any) -> bool:
        return True


class PublicTipForm(forms.Form):
    nonce = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": _("Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại."),
            "max_length": _("Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại."),
        },
    )
    category = forms.ModelChoiceField(
        label=_("Bạn muốn báo về việc gì?"),
        queryset=TipCategory.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Hãy chọn loại tin báo."),
            "invalid_choice": _("Loại tin báo này không còn được dùng; hãy chọn loại khác."),
        },
    )
    text = forms.CharField(
        label=_("Sự việc xảy ra như thế nào?"),
        max_length=MAX_TEXT,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ai, làm gì, ở đâu, khi nào; đặc điểm người, phương tiện (biển số) nếu có."),
        error_messages={
            "required": _("Hãy mô tả sự việc."),
            "min_length": _("Hãy mô tả rõ hơn (ít nhất %(limit_value)d ký tự)."),
            "max_length": _("Nội dung dài quá %(limit_value)d ký tự."),
        },
    )
    occurred_date = forms.DateField(
        label=_("Ngày xảy ra"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ (ngày/tháng/năm).")},
    )
    occurred_time = forms.TimeField(
        label=_("Giờ (nếu nhớ)"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Giờ không hợp lệ (giờ:phút).")},
    )
    ward = WardField(
        label=_("Xã, phường nơi xảy ra"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Từ 01/07/2025 nhiều phường, xã đã sáp nhập. Nếu không chắc, hãy chọn "
            "“Không rõ” và ghi rõ địa chỉ bên dưới."
        ),
        error_messages={"invalid_choice": _("Hãy chọn một xã, phường trong danh sách.")},
    )
    place = forms.CharField(
        label=_("Địa điểm cụ thể"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Số nhà, ngõ, đường, tên chợ, bến xe…")}),
        error_messages={"max_length": _("Địa điểm dài quá %(limit_value)d ký tự.")},
    )
    unit_q = forms.CharField(label=_("Tìm đơn vị"), required=False, max_length=100)
    unit = forms.IntegerField(
        label=_("Cơ quan, doanh nghiệp, bệnh viện, trường học liên quan (nếu có)"),
        required=False,
        min_value=1,
        max_value=ID_MAX,
        widget=forms.Select,
        error_messages={
            "invalid": _("Hãy chọn đơn vị trong danh sách."),
            "min_value": _("Hãy chọn đơn vị trong danh sách."),
            "max_value": _("Hãy chọn đơn vị trong danh sách."),
        },
    )
    attachments = MultipleFileField(
        label=_("Ảnh, video, tài liệu (nếu có)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "empty": _("Tệp gửi lên rỗng."),
            "invalid": _("Không nhận được tệp; hãy chọn lại."),
        },
    )
    anonymous = forms.ChoiceField(
        label=_("Thông tin của bạn"),
        choices=[
            (ANONYMOUS, _("Gửi ẩn danh — không để lại tên, số điện thoại")),
            (NAMED, _("Để lại tên hoặc số điện thoại để cán bộ liên hệ khi cần")),
        ],
        initial=ANONYMOUS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn gửi ẩn danh hoặc để lại thông tin.")},
    )
    reporter_name = forms.CharField(
        label=_("Họ và tên"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("Họ tên dài quá %(limit_value)d ký tự.")},
    )
    reporter_phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"max_length": _("Số điện thoại không hợp lệ.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = TipCategory.objects.filter(is_active=True).order_by(
            "sort_order", "name"
        )
        ward = self.fields["ward"]
        assert isinstance(ward, WardField)
        ward.choices = ward_choices
        # With JavaScript the unit list follows the ward and the name typed (htmx).
        options_url = reverse("public:unit_options")
        ward.widget.attrs.update(
            {
                "hx-get": options_url,
                "hx-trigger": "change",
                "hx-target": "#id_unit",
                "hx-include": "#id_unit_q",
            }
        )
        self.fields["unit_q"].widget.attrs.update(
            {
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Gõ tên bệnh viện, trường học, công ty…"),
                "hx-get": options_url,
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_unit",
                "hx-include": "#id_ward",
            }
        )
        today = timezone.localdate().isoformat()
        self.fields["occurred_date"].widget.attrs["max"] = today
        self.fields["attachments"].help_text = _(
            "Tối đa %(n)s tệp, mỗi tệp không quá %(mb)s MB: ảnh JPEG, PNG, WebP; video MP4, "
            "MOV; ghi âm M4A; tài liệu PDF. Thông tin vị trí, thiết bị trong ảnh và video được "
            "xoá trước khi lưu; tệp PDF được giữ nguyên (tên tác giả trong tệp vẫn còn)."
        ) % {"n": settings.TIP_MAX_FILES, "mb": settings.TIP_MAX_FILE_BYTES // (1024 * 1024)}

    def clean_nonce(self) -> str:
        nonce: str = self.cleaned_data["nonce"]
        if not NONCE_RE.match(nonce):
            raise ValidationError(_("Biểu mẫu không hợp lệ; hãy tải lại trang và gửi lại."))
        return nonce

    def clean_ward(self) -> AdministrativeArea | None:
        ward_id = self.cleaned_data.get("ward")
        if ward_id is None:
            return None
        if not 0 < ward_id <= ID_MAX:
            raise ValidationError(_("Hãy chọn một xã, phường trong danh sách."))
        ward = AdministrativeArea.objects.filter(
            pk=ward_id, level=AreaLevel.WARD, path__startswith=province_path()
        ).first()
        if ward is None:
            raise ValidationError(_("Hãy chọn một xã, phường trong danh sách."))
        return ward

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self._clean_when(data)
        self._clean_unit(data)
        self._clean_identity(data)
        return data

    def _clean_when(self, data: dict[str, Any]) -> None:
        day: dt.date | None = data.get("occurred_date")
        clock: dt.time | None = data.get("occurred_time")
        data["occurred_at"] = None
        if day is None:
            if clock is not None and "occurred_date" not in self.errors:
                self.add_error("occurred_date", _("Hãy chọn cả ngày xảy ra."))
            return
        if day > timezone.localdate():
            self.add_error("occurred_date", _("Ngày xảy ra không thể ở tương lai."))
            return
        if day < EARLIEST_DAY:
            # Year 1 in local time is before year 1 in UTC: the database cannot store it.
            self.add_error("occurred_date", _("Ngày phải từ 01/01/2000."))
            return
        moment = timezone.make_aware(dt.datetime.combine(day, clock or dt.time(0, 0)))
        if moment > timezone.now() + FUTURE_GRACE:
            self.add_error("occurred_time", _("Giờ xảy ra không thể ở tương lai."))
            return
        data["occurred_at"] = moment

    def _clean_unit(self, data: dict[str, Any]) -> None:
        unit_id = data.get("unit")
        data["unit"] = None
        if unit_id is None:
            return
        unit = (
            Unit.objects.filter(
                pk=unit_id, status=UnitStatus.ACTIVE, ward__path__startswith=province_path()
            )
            .select_related("ward")
            .first()
        )
        ward = data.get("ward")
        if unit is None:
            self.add_error("unit", _("Hãy chọn đơn vị trong danh sách."))
        elif ward is not None and unit.ward_id != ward.pk:
            self.add_error("unit", _("Đơn vị này không thuộc xã, phường đã chọn."))
        else:
            data["unit"] = unit

    def _clean_identity(self, data: dict[str, Any]) -> None:
        if data.get("anonymous") != NAMED:
            # The choice is explicit: whatever was typed in the hidden fields is dropped.
            data["reporter_name"] = ""
            data["reporter_phone"] = ""
            return
        name = " ".join((data.get("reporter_name") or "").split())
        raw_phone = (data.get("reporter_phone") or "").strip()
        phone = ""
        if raw_phone:
            try:
                phone = normalize_phone(raw_phone)
            except InvalidPhone:
                self.add_error(
                    "reporter_phone",
                    _("Số điện thoại không hợp lệ (ví dụ: 0912 345 678)."),
                )
                return
        if not (name or phone) and "reporter_name" not in self.errors:
            self.add_error(
                "reporter_name",
                _("Hãy để lại tên hoặc số điện thoại, hoặc chọn gửi ẩn danh."),
            )
        data["reporter_name"] = name
        data["reporter_phone"] = phone

    def tip_data(self) -> dict[str, Any]:
        """Keyword arguments for ``services.tip_receive`` (besides channel and key)."""
        data = self.cleaned_data
        anonymous = data["anonymous"] != NAMED
        return {
            "category": data["category"],
            "text": data["text"],
            "ward": data["ward"],
            "place": data.get("place", ""),
            "occurred_at": data["occurred_at"],
            "unit": data["unit"],
            "anonymous": anonymous,
            "reporter_name": data["reporter_name"],
            "reporter_phone": data["reporter_phone"],
            "attachments": data.get("attachments") or [],
        }


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tin báo"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCDE-FGHJK",
            }
        ),
        error_messages={
            "required": _("Hãy nhập mã tin báo."),
            "max_length": _("Mã tin báo có dạng ABCDE-FGHJK."),
        },
    )
    passphrase = forms.CharField(
        label=_("Mật khẩu tra cứu"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("Các từ không dấu đã được cấp khi bạn gửi tin, cách nhau bởi dấu cách."),
        error_messages={
            "required": _("Hãy nhập mật khẩu tra cứu."),
            "max_length": _("Mật khẩu tra cứu dài quá %(limit_value)d ký tự."),
        },
    )


class ReplyForm(LookupForm):
    """A message to the officer; code and passphrase travel again as hidden fields, since
    nothing (no cookie, no session) remembers the tipster between two pages."""

    body = forms.CharField(
        label=_("Nhắn tin cho cán bộ"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Hãy nhập nội dung tin nhắn."),
            "max_length": _("Tin nhắn dài quá %(limit_value)d ký tự."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget = forms.HiddenInput()
        self.fields["passphrase"].widget = forms.HiddenInput()
