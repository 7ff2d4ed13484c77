"""``antq demo-data``: the demo city of ``make demo`` (never on a production database)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antq.cases.demo import DEFAULT_CASES, demo_cases_create
from antq.registry.areas import province_choices
from antq.registry.demo import DEFAULT_SEED, DEFAULT_UNITS, HA_NOI, demo_city_create
from antq.registry.models import Unit
from antq.tips.demo import DEFAULT_TIPS, demo_tips_create


class Command(BaseCommand):
    help = (
        "Tạo thành phố mẫu để trình diễn: các xã, phường thật của Hà Nội, đơn vị (cơ quan, "
        "doanh nghiệp, bệnh viện, trường học) và tài khoản mẫu. Cùng một --seed luôn cho cùng "
        "một bộ dữ liệu. Chỉ chạy ở chế độ trình diễn (ANTQ_DEMO=1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("hạt giống ngẫu nhiên (mặc định %(default)s)"),
        )
        parser.add_argument(
            "--units",
            type=int,
            default=DEFAULT_UNITS,
            help=_("số đơn vị cần tạo (mặc định %(default)s)"),
        )
        parser.add_argument(
            "--province",
            type=int,
            default=HA_NOI,
            help=_("mã tỉnh, thành phố (mặc định %(default)s: Hà Nội)"),
        )
        parser.add_argument(
            "--tips",
            type=int,
            default=DEFAULT_TIPS,
            help=_("số tin báo mẫu (mặc định %(default)s)"),
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=DEFAULT_CASES,
            help=_("số vụ việc khiếu nại, tố cáo mẫu (mặc định %(default)s)"),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("không làm gì nếu cơ sở dữ liệu đã có đơn vị (dùng cho make demo)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO or settings.DEBUG or settings.TESTING):
            raise CommandError(_("Dữ liệu mẫu chỉ được tạo ở chế độ trình diễn (đặt ANTQ_DEMO=1)."))
        if options["units"] < 1:
            raise CommandError(_("Số đơn vị phải lớn hơn 0."))
        if options["province"] not in dict(province_choices()):
            raise CommandError(
                _("Không có tỉnh, thành phố mã %(code)s.") % {"code": options["province"]}
            )
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write(_("Đã có dữ liệu đơn vị; bỏ qua việc tạo dữ liệu mẫu."))
            self._tips(options)
            self._cases(options)
            return
        started = time.perf_counter()
        result = demo_city_create(
            seed=options["seed"],
            units=options["units"],
            province_code=options["province"],
        )
        self.stdout.write(
            _(
                "Đã tạo %(units)s đơn vị mẫu (%(closed)s đã ngừng hoạt động), "
                "%(areas)s tổ dân phố và %(users)s tài khoản mẫu trong %(seconds).1f giây."
            )
            % {
                "units": result.units,
                "closed": result.closed,
                "areas": result.residential_areas,
                "users": result.users,
                "seconds": time.perf_counter() - started,
            }
        )
        self._tips(options)
        self._cases(options)

    def _tips(self, options: dict[str, Any]) -> None:
        """The hotline's demo data; does nothing when it is already there."""
        result = demo_tips_create(seed=options["seed"], count=options["tips"])
        if result.tips:
            self.stdout.write(
                _(
                    "Đã tạo %(tips)s tin báo mẫu, %(messages)s tin nhắn và %(bulletins)s "
                    "cảnh báo phòng ngừa."
                )
                % {"tips": result.tips, "messages": result.messages, "bulletins": result.bulletins}
            )

    def _cases(self, options: dict[str, Any]) -> None:
        """Complaints and denunciations in every state, and the deadline scan of today;
        does nothing when cases are already there."""
        result = demo_cases_create(seed=options["seed"], count=options["cases"])
        if result.cases:
            self.stdout.write(
                _(
                    "Đã tạo %(cases)s vụ việc khiếu nại, tố cáo mẫu (%(overdue)s vụ việc quá "
                    "hạn); quét thời hạn: %(alerts)s nhắc hạn, %(notifications)s thông báo."
                )
                % {
                    "cases": result.cases,
                    "overdue": result.overdue,
                    "alerts": result.alerts,
                    "notifications": result.notifications,
                }
            )
