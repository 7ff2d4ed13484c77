"""``antq createadmin``: create an administrator, or reset his password and unlock him.

The password never appears on the command line (it would stay in the shell history and in
``ps``): it is read from an environment variable or typed twice.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from antq.accounts.models import User
from antq.accounts.roles import Role
from antq.accounts.services import user_create, user_set_password, user_update


class Command(BaseCommand):
    help = (
        "Tạo tài khoản quản trị hệ thống, hoặc đặt lại mật khẩu (và mở khoá) nếu tài khoản "
        "đã có. Mật khẩu được đọc từ biến môi trường hoặc nhập hai lần, không bao giờ ghi "
        "trên dòng lệnh."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help=_("tên đăng nhập"))
        parser.add_argument("--full-name", default="", help=_("họ và tên (khi tạo mới)"))
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help=_("đọc mật khẩu từ biến môi trường này thay vì hỏi"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        full_name = options["full_name"].strip()
        existing = User.objects.filter(username=username).first()
        if existing is not None and existing.role != Role.ADMIN:
            raise CommandError(
                _(
                    "Tài khoản %(username)s đã có với vai trò “%(role)s”; hãy đổi vai trò trong "
                    "trang Người dùng hoặc chọn tên đăng nhập khác."
                )
                % {"username": username, "role": existing.get_role_display()}
            )
        password = self._password(options["password_from_env"])
        candidate = existing or User(
            username=username, full_name=full_name or username, role=Role.ADMIN
        )
        try:
            validate_password(password, user=candidate)
            with transaction.atomic():
                if existing is None:
                    user_create(
                        actor=None,
                        data={
                            "username": username,
                            "full_name": full_name or _("Quản trị hệ thống"),
                            "role": Role.ADMIN,
                        },
                        password=password,
                    )
                else:
                    self._reset(existing, password=password, full_name=full_name)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if existing is None:
            self.stdout.write(_("Đã tạo quản trị viên %(username)s.") % {"username": username})
        else:
            self.stdout.write(
                _("Đã đặt lại mật khẩu của quản trị viên %(username)s.") % {"username": username}
            )

    def _reset(self, user: User, *, password: str, full_name: str) -> None:
        user_set_password(actor=None, user=user, password=password)
        changes: dict[str, Any] = {}
        if not user.is_active:
            changes["is_active"] = True
        if full_name and full_name != user.full_name:
            changes["full_name"] = full_name
        if changes:
            user_update(actor=None, user=user, data=changes)
        # Failed logins that locked him out no longer count.
        axes_reset(username=user.username)

    def _password(self, variable: str | None) -> str:
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(
                    _("Biến môi trường %(var)s chưa được đặt hoặc rỗng.") % {"var": variable}
                )
            return password
        password = getpass.getpass(_("Mật khẩu: "))
        if not password:
            raise CommandError(_("Mật khẩu không được để trống."))
        if getpass.getpass(_("Nhập lại mật khẩu: ")) != password:
            raise CommandError(_("Hai lần nhập mật khẩu không khớp."))
        return password
