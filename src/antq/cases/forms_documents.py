"""The form of a case's notice or decision: the pre-filled draft, edited before issuing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antq.textvn import nfc, squash_spaces

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentForm(forms.Form):
    superior = forms.CharField(
        label=_("Cơ quan cấp trên"),
        max_length=200,
        required=False,
        help_text=_("In phía trên tên cơ quan ban hành; để trống nếu không có."),
    )
    issuer = forms.CharField(
        label=_("Cơ quan ban hành"),
        max_length=200,
        error_messages={"required": _("Hãy nhập tên cơ quan ban hành.")},
    )
    number = forms.CharField(
        label=_("Số, ký hiệu"),
        max_length=60,
        help_text=_("Ví dụ 12/TB-CAPHK; in sau chữ “Số:”."),
        error_messages={"required": _("Hãy nhập số, ký hiệu của văn bản.")},
    )
    place = forms.CharField(
        label=_("Địa danh"),
        max_length=100,
        help_text=_("Ví dụ Hoàn Kiếm: in thành “Hoàn Kiếm, ngày … tháng … năm …”."),
        error_messages={"required": _("Hãy nhập địa danh.")},
    )
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Hãy nhập ngày ban hành."),
            "invalid": _("Ngày ban hành không hợp lệ."),
        },
    )
    title = forms.CharField(
        label=_("Trích yếu"),
        max_length=300,
        error_messages={"required": _("Hãy nhập trích yếu nội dung văn bản.")},
    )
    body = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Mỗi dòng là một đoạn. Dòng viết toàn chữ in hoa (như “QUYẾT ĐỊNH:”) được căn "
            "giữa, in đậm. Chỗ đánh dấu […] phải được điền trước khi ban hành."
        ),
        error_messages={"required": _("Hãy nhập nội dung văn bản.")},
    )
    recipients = forms.CharField(
        label=_("Nơi nhận"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Mỗi nơi nhận một dòng."),
    )
    signer_title = forms.CharField(
        label=_("Chức vụ người ký"),
        max_length=200,
        error_messages={"required": _("Hãy nhập chức vụ, quyền hạn của người ký.")},
    )
    signer = forms.CharField(
        label=_("Người ký"),
        max_length=200,
        error_messages={"required": _("Hãy nhập họ tên người ký.")},
    )

    ONE_LINE = ("superior", "issuer", "number", "place", "title", "signer_title", "signer")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.ONE_LINE:
            if isinstance(data.get(name), str):
                data[name] = squash_spaces(nfc(data[name]))
        for name in ("body", "recipients"):
            if isinstance(data.get(name), str):
                data[name] = nfc(data[name]).replace("\r\n", "\n").strip()
        return data

    def clean_issued_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["issued_on"]
        if value > timezone.localdate():
            raise ValidationError(_("Ngày ban hành không được sau ngày hôm nay."))
        return value
