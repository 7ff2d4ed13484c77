"""The form of a crime-prevention bulletin (the department's side)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antq.tips.models import Bulletin, TipCategory
from antq.tips.services_bulletins import EDITABLE_FIELDS, MAX_BODY


class BulletinForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
        }
        help_texts = {
            "summary": _("Một hai câu, hiện trong danh sách cảnh báo và trong nguồn tin Atom."),
            "body": _(
                "Văn bản thường; để một dòng trống giữa hai đoạn. Không dán mã HTML: "
                "mọi ký tự được hiển thị đúng như gõ."
            ),
            "category": _("Loại tin báo liên quan (không bắt buộc)."),
        }
        error_messages = {
            "title": {"required": _("Hãy nhập tiêu đề.")},
            "summary": {"required": _("Hãy nhập tóm tắt.")},
            "body": {"required": _("Hãy nhập nội dung.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        # A category switched off since keeps showing on the bulletins that use it.
        condition = Q(is_active=True)
        if self.instance.category_id is not None:
            condition |= Q(pk=self.instance.category_id)
        category.queryset = TipCategory.objects.filter(condition)
        category.empty_label = _("— Không gắn loại tin báo —")
        body = self.fields["body"]
        assert isinstance(body, forms.CharField)
        body.max_length = MAX_BODY
        body.widget.attrs["maxlength"] = str(MAX_BODY)

    def changed_data_dict(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class PublishForm(forms.Form):
    published = forms.TypedChoiceField(
        choices=[("1", _("Đăng")), ("0", _("Gỡ xuống"))],
        coerce=lambda v: v == "1",
    )
