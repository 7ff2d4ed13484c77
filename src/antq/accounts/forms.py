from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.registry.models import AdministrativeArea, Unit
from antq.registry.status import AreaLevel
from antq.textvn import nfc, squash_spaces


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Sau nhiều lần sai liên tiếp, tài khoản "
            "sẽ bị tạm khoá."
        ),
        "inactive": _("Tài khoản này đã bị khoá. Hãy liên hệ quản trị hệ thống."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django sets the limit on the field after creating it, so it is not checked: a
        # longer name would reach authenticate() and the lockout table (255 characters).
        username = self.fields["username"]
        assert isinstance(username, forms.CharField)
        username.validators.append(MaxLengthValidator(username.max_length or 150))


class UserForm(forms.ModelForm):
    areas = forms.ModelMultipleChoiceField(
        label=_("Địa bàn phụ trách"),
        queryset=AdministrativeArea.objects.filter(level=AreaLevel.WARD).order_by("name_folded"),
        required=False,
        help_text=_("Chỉ dùng cho cán bộ Công an xã, phường, đặc khu."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị công tác"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("Mã số (ID) của đơn vị")}),
        help_text=_("Chỉ dùng cho cán bộ ANTT và thủ trưởng đơn vị: nhập số ID của đơn vị."),
    )
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 10 ký tự. Để trống khi sửa nếu không đổi mật khẩu."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "title", "phone", "email", "role", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices  # type: ignore[attr-defined]
        self.fields["full_name"].required = True
        if self.instance.pk:
            self.fields["areas"].initial = list(self.instance.areas.all())

    def clean_full_name(self) -> str:
        return squash_spaces(nfc(self.cleaned_data.get("full_name") or ""))

    def clean_title(self) -> str:
        return squash_spaces(nfc(self.cleaned_data.get("title") or ""))

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password and not self.instance.pk:
            raise forms.ValidationError(_("Hãy đặt mật khẩu ban đầu."))
        if password:
            password_validation.validate_password(password, self.instance)
        return password

    def user_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self) -> None:
        # Validation of the whole user (scope rules) happens in the service.
        pass


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=500, required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên ứng dụng tích hợp"), max_length=100)
