"""Forms of the cases' reference pages: a deadline rule, a calendar override, the scan day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antq.cases.deadlines import MAX_DAYS
from antq.cases.models import CalendarDay, DeadlineRule
from antq.cases.services_settings import KEY_FIELDS, RULE_FIELDS
from antq.tips.forms_manage import DATE_FORMATS, DateInput

DAY_FIELDS = ("days", "complex_days", "remote_days", "remote_complex_days", "extension_days")


class DeadlineRuleForm(forms.ModelForm):
    """A rule's fields. ``locked``: deadlines were computed from the rule, so what it applies
    to is shown but not editable (the service refuses it too)."""

    class Meta:
        model = DeadlineRule
        fields = list(RULE_FIELDS)
        widgets = {"effective_from": DateInput(), "note": forms.TextInput()}
        error_messages = {
            "law": {"required": _("Hãy chọn văn bản quy định.")},
            "article": {"required": _("Hãy ghi điều, khoản của văn bản quy định thời hạn.")},
            "kind": {"required": _("Hãy chọn loại vụ việc.")},
            "stage": {"required": _("Hãy chọn giai đoạn.")},
            "effective_from": {"required": _("Hãy nhập ngày có hiệu lực.")},
            "day_count": {"required": _("Hãy chọn cách tính ngày.")},
            "days": {"required": _("Hãy nhập thời hạn (số ngày).")},
        }
        help_texts = {
            "article": _("Ví dụ: Điều 30 khoản 1."),
            "effective_from": _(
                "Áp dụng cho giai đoạn bắt đầu từ ngày này (ngày nhận đơn, ngày thụ lý…); "
                "giai đoạn đã bắt đầu giữ quy định cũ."
            ),
            "day_count": _(
                "Ngày làm việc: không tính thứ Bảy, Chủ nhật, ngày lễ, Tết. Ngày: tính cả "
                "ngày nghỉ; nếu ngày cuối là ngày nghỉ thì hạn là ngày làm việc kế tiếp."
            ),
            "complex_days": _("Bỏ trống nếu như thời hạn thông thường."),
            "remote_days": _("Bỏ trống nếu như thời hạn thông thường."),
            "remote_complex_days": _("Bỏ trống nếu như thời hạn vụ việc phức tạp."),
            "extension_days": _("0 nếu không được gia hạn."),
        }

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        effective = self.fields["effective_from"]
        assert isinstance(effective, forms.DateField)
        effective.input_formats = DATE_FORMATS
        for name in DAY_FIELDS:
            self.fields[name].widget.attrs.update(min=0, max=MAX_DAYS, inputmode="numeric")
        if locked:
            for name in KEY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Không đổi được: quy định đã được dùng để tính hạn của vụ việc."
                )

    def _post_clean(self) -> None:
        # The service validates (ranges, complex ≥ normal, one rule per kind, stage and
        # date) and answers in Vietnamese; the model's own constraint messages are not shown.
        pass

    def data_dict(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name, field in self.fields.items()
            if not field.disabled and name in self.cleaned_data
        }


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["day", "kind", "note"]
        widgets = {"day": DateInput()}
        error_messages = {
            "day": {"required": _("Hãy chọn ngày.")},
            "kind": {"required": _("Hãy chọn ngày nghỉ hoặc ngày làm bù.")},
            "note": {"required": _("Hãy ghi căn cứ (văn bản thông báo nghỉ, làm bù).")},
        }
        help_texts = {
            "kind": _(
                "Ngày nghỉ: thêm một ngày không làm việc. Ngày làm bù: thứ Bảy, Chủ nhật đi làm."
            ),
            "note": _("Ví dụ: Thông báo 6150/TB-LĐTBXH về lịch nghỉ Tết."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = self.fields["day"]
        assert isinstance(day, forms.DateField)
        day.input_formats = DATE_FORMATS

    def _post_clean(self) -> None:
        # The service checks uniqueness and that the day really changes (in Vietnamese).
        pass


class ScanForm(forms.Form):
    """The day the scan runs for: today, or a later day to see what it will bring."""

    day = forms.DateField(
        label=_("Quét cho ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text=_(
            "Bỏ trống: hôm nay. Chọn một ngày sau để gửi trước các nhắc hạn, cảnh báo của ngày "
            "đó; nhắc hạn đã gửi không gửi lại."
        ),
    )

    def clean_day(self) -> dt.date:
        today = timezone.localdate()
        day: dt.date = self.cleaned_data.get("day") or today
        if day < today:
            raise forms.ValidationError(_("Không quét cho ngày đã qua."))
        if day > today + dt.timedelta(days=MAX_DAYS):
            raise forms.ValidationError(
                _("Chỉ quét được cho ngày trong vòng %(n)s ngày tới.") % {"n": MAX_DAYS}
            )
        return day
