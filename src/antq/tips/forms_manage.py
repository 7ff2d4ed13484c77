"""Forms of the hotline's management pages: the operator's call form, the statistics period,
categories and deadline rules. (The export reads the inbox's ``forms.TipFilterForm``.)"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antq.accounts import scoping
from antq.registry.models import AdministrativeArea
from antq.registry.status import AreaLevel
from antq.textvn import fold, nfc
from antq.tips.models import TipCategory, TipDeadlineRule
from antq.tips.services import MAX_TEXT
from antq.tips.statistics import MAX_MONTHS
from antq.tips.status import Urgency

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
NONCE_RE = r"^[A-Za-z0-9_-]{16,64}$"
# Statistics start here (the hotline did not exist before); a later year is a typing error.
FIRST_YEAR = 2000


class DateInput(forms.DateInput):
    """The browser's date picker (it submits yyyy-mm-dd; dd/mm/yyyy typed by hand works too)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# -- operator ------------------------------------------------------------------------------


def ward_label(name: str, division_type: str) -> str:
    """ "Phường Hoàn Kiếm" → "Hoàn Kiếm (phường)": typing "Ho…" in the list finds it."""
    prefix = f"{division_type} ".lower()
    if division_type and name.lower().startswith(prefix):
        return f"{name[len(prefix) :]} ({division_type.lower()})"
    return name


def _ward_choices(user: Any) -> list[Any]:
    """Every ward of the province, the officer's own first: a call may be about any ward,
    and the tip goes to the police of the ward it is about."""
    rows = AdministrativeArea.objects.filter(
        level=AreaLevel.WARD, path__startswith=scoping.province_path()
    ).values_list("id", "name", "division_type")
    wards = sorted(
        ((pk, ward_label(name, kind)) for pk, name, kind in rows), key=lambda w: fold(w[1])
    )
    own_ids = scoping.ward_ids_for(user)
    if not own_ids:  # a city role (None): one flat list
        return [("", _("— Chưa xác định —")), *wards]
    own = [w for w in wards if w[0] in own_ids]
    others = [w for w in wards if w[0] not in own_ids]
    return [
        ("", _("— Chưa xác định —")),
        (_("Địa bàn của bạn"), own),
        (_("Các xã, phường khác"), others),
    ]


class OperatorTipForm(forms.Form):
    """A phoned-in tip, in the order the operator asks the caller. Fields are in tab order;
    the name and phone are asked only when the caller does not want to stay anonymous."""

    category = forms.ModelChoiceField(
        label=_("Loại tin báo"),
        queryset=TipCategory.objects.filter(is_active=True),
        empty_label=_("— Chọn loại tin báo —"),
        error_messages={"required": _("Hãy chọn loại tin báo.")},
        help_text=_("Gõ vài chữ cái đầu của tên loại để chọn nhanh."),
    )
    text = forms.CharField(
        label=_("Nội dung người gọi báo"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Hãy ghi nội dung người gọi báo.")},
        help_text=_("Ctrl+Enter để lưu ngay."),
    )
    ward = forms.TypedChoiceField(
        label=_("Xã, phường xảy ra"), required=False, coerce=int, empty_value=None
    )
    place = forms.CharField(label=_("Địa điểm cụ thể"), max_length=300, required=False)
    urgency = forms.ChoiceField(
        label=_("Mức độ"),
        required=False,
        choices=[("", _("Theo loại tin báo")), *Urgency.choices],
    )
    occurred_at = forms.DateTimeField(
        label=_("Thời điểm xảy ra"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Bỏ trống nếu người gọi không rõ."),
    )
    anonymous = forms.BooleanField(label=_("Người gọi muốn ẩn danh"), required=False, initial=True)
    reporter_name = forms.CharField(label=_("Họ tên người gọi"), max_length=200, required=False)
    reporter_phone = forms.CharField(
        label=_("Số điện thoại người gọi"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    # One nonce per form shown: a double submit or a reload records the call once.
    nonce = forms.RegexField(regex=NONCE_RE, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("nonce", secrets.token_urlsafe(18))
        own = scoping.ward_ids_for(user)
        if own and len(own) == 1:
            kwargs["initial"].setdefault("ward", next(iter(own)))
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.attrs.update(autofocus=True)
        ward = self.fields["ward"]
        assert isinstance(ward, forms.TypedChoiceField)
        ward.choices = _ward_choices(user)
        self.fields["place"].widget.attrs.update(
            placeholder=_("Số nhà, ngõ, phố; tên cơ quan, trường học…")
        )
        self.fields["reporter_phone"].widget.attrs.update(placeholder="0912 345 678")

    def clean_ward(self) -> AdministrativeArea | None:
        pk = self.cleaned_data.get("ward")
        return AdministrativeArea.objects.get(pk=pk) if pk else None

    def clean_occurred_at(self) -> dt.datetime | None:
        value: dt.datetime | None = self.cleaned_data.get("occurred_at")
        if value is not None and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("Thời điểm xảy ra không thể ở tương lai."))
        if value is not None and value.year < FIRST_YEAR:
            # Year 1 in local time is before year 1 in UTC: the database cannot store it.
            raise forms.ValidationError(_("Ngày phải từ 01/01/2000."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("anonymous"):
            # Typed before the box was ticked again: not kept.
            data["reporter_name"] = ""
            data["reporter_phone"] = ""
        elif not (data.get("reporter_name", "").strip() or data.get("reporter_phone", "").strip()):
            self.add_error(
                "reporter_name",
                _("Hãy ghi tên hoặc số điện thoại của người gọi, hoặc đánh dấu ẩn danh."),
            )
        return data


class RestoreTextForm(forms.Form):
    """A text to restore the diacritics of ("Thêm dấu"): what the operator typed, or a
    message being written to the tipster."""

    text = forms.CharField(
        label=_("Nội dung"),
        strip=False,
        error_messages={"required": _("Chưa có nội dung để thêm dấu.")},
    )

    def clean_text(self) -> str:
        text = nfc(self.cleaned_data["text"].replace("\x00", ""))
        if not text.strip():
            raise forms.ValidationError(_("Chưa có nội dung để thêm dấu."))
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(
                _("Nội dung dài quá %(limit)s ký tự, không thêm dấu được.")
                % {"limit": f"{MAX_TEXT:,}".replace(",", ".")}
            )
        return text


# -- statistics period -------------------------------------------------------------------------


class StatisticsForm(forms.Form):
    """A year, or a range of days (which wins when given)."""

    year = forms.TypedChoiceField(label=_("Năm"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in range(this_year, this_year - 10, -1)]

    @staticmethod
    def year_period(year: int) -> tuple[dt.date, dt.date]:
        """The whole year; the current one up to today."""
        today = timezone.localdate()
        return dt.date(year, 1, 1), min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start is not None or end is not None:
            today = timezone.localdate()
            date_to = end or max(today, start or today)
            date_from = start or dt.date(date_to.year, 1, 1)
            if date_from > date_to:
                raise forms.ValidationError(_("“Từ ngày” phải trước hoặc trùng “Đến ngày”."))
            if date_from.year < FIRST_YEAR or date_to.year > today.year + 1:
                raise forms.ValidationError(
                    _("Hãy chọn khoảng ngày từ năm %(first)s đến năm %(last)s.")
                    % {"first": FIRST_YEAR, "last": today.year + 1}
                )
            months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
            if months > MAX_MONTHS:
                raise forms.ValidationError(
                    _("Mỗi lần chỉ thống kê được tối đa %(n)s tháng.") % {"n": MAX_MONTHS}
                )
        else:
            date_from, date_to = self.year_period(data.get("year") or timezone.localdate().year)
        data["period"] = (date_from, date_to)
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The period asked for; the current year when nothing (or nothing valid) was."""
        if self.is_bound and self.is_valid():
            period: tuple[dt.date, dt.date] = self.cleaned_data["period"]
            return period
        return self.year_period(timezone.localdate().year)


# -- categories and rules ---------------------------------------------------------------------


CODE_MESSAGE = _("Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ: lua-dao).")


class TipCategoryForm(forms.ModelForm):
    """The code is chosen once, at creation: partner applications file tips by it."""

    class Meta:
        model = TipCategory
        error_messages = {"name": {"required": _("Tên loại tin báo không được để trống.")}}
        fields = [
            "code",
            "name",
            "description",
            "notify_unit",
            "default_urgency",
            "is_active",
            "sort_order",
        ]
        help_texts = {
            "code": _(
                "Chữ thường không dấu, chữ số, dấu gạch ngang, ví dụ: lua-dao. "
                "Không đổi được sau khi tạo."
            ),
            "notify_unit": _(
                "Tin báo loại này về một đơn vị cũng được chuyển cho cán bộ phụ trách ANTT "
                "của đơn vị đó."
            ),
            "is_active": _("Bỏ chọn để ngừng nhận tin báo loại này; tin báo cũ vẫn giữ loại."),
            "sort_order": _("Số nhỏ đứng trước trong danh sách chọn."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
        else:
            self.fields["code"].error_messages["invalid"] = CODE_MESSAGE
            self.fields["code"].widget.attrs.update(
                autocapitalize="none", spellcheck="false", pattern="[a-z0-9]+(-[a-z0-9]+)*"
            )

    def _post_clean(self) -> None:
        # The service normalises and validates (code format and uniqueness, names).
        pass

    def data_dict(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class TipDeadlineRuleForm(forms.ModelForm):
    class Meta:
        model = TipDeadlineRule
        fields = ["category", "legal_basis", "effective_from", "days", "complex_days"]
        widgets = {"effective_from": DateInput()}
        error_messages = {
            "legal_basis": {"required": _("Hãy ghi căn cứ pháp lý (điều, khoản của văn bản).")},
            "effective_from": {"required": _("Hãy nhập ngày có hiệu lực.")},
            "days": {"required": _("Hãy nhập thời hạn (số ngày).")},
            "complex_days": {"required": _("Hãy nhập thời hạn khi phức tạp (số ngày).")},
        }
        help_texts = {
            "category": _("Bỏ trống: quy định chung cho mọi loại không có quy định riêng."),
            "legal_basis": _("Ví dụ: Bộ luật Tố tụng hình sự 2015, Điều 147."),
            "effective_from": _(
                "Áp dụng cho tin báo tiếp nhận từ ngày này; tin báo đã tiếp nhận giữ nguyên hạn."
            ),
            "days": _("Tính theo ngày lịch, kể từ ngày tiếp nhận."),
            "complex_days": _("Khi tin báo được đánh dấu là phức tạp."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.empty_label = _("— Mọi loại tin báo (quy định chung) —")
        effective = self.fields["effective_from"]
        assert isinstance(effective, forms.DateField)
        effective.input_formats = DATE_FORMATS
        for name in ("days", "complex_days"):
            self.fields[name].widget.attrs.update(min=1, inputmode="numeric")

    def _post_clean(self) -> None:
        # The service validates (days, complex days, one rule per category and date) and
        # answers in Vietnamese; the model's own constraint messages are not shown.
        pass

    def data_dict(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}
