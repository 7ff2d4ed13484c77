"""The categories of the hotline and the BLTTHS deadline rule; both are editable data."""

import datetime as dt

from django.db import migrations

CATEGORIES = [
    # code, name, description, notify_unit, default_urgency
    (
        "ma-tuy",
        "Ma túy",
        "Mua bán, tàng trữ, tổ chức sử dụng trái phép chất ma túy",
        False,
        "normal",
    ),
    ("trom-cap", "Trộm cắp tài sản", "Trộm cắp, cướp giật, cướp tài sản", False, "normal"),
    (
        "lua-dao",
        "Lừa đảo, tội phạm công nghệ cao",
        "Lừa đảo chiếm đoạt tài sản, qua mạng, điện thoại",
        False,
        "normal",
    ),
    ("gay-roi", "Gây rối trật tự công cộng", "Gây rối, đánh nhau, tụ tập đua xe", False, "normal"),
    ("chay-no", "Cháy, nổ", "Nguy cơ cháy nổ, vi phạm phòng cháy chữa cháy", False, "urgent"),
    (
        "bao-luc-hoc-duong",
        "Bạo lực học đường",
        "Bạo lực, bắt nạt trong và quanh trường học",
        True,
        "normal",
    ),
    (
        "vi-pham-don-vi",
        "Vi phạm tại cơ quan, doanh nghiệp, bệnh viện, trường học",
        "Vi phạm an ninh, trật tự trong nội bộ cơ quan, doanh nghiệp, cơ sở y tế, giáo dục",
        True,
        "normal",
    ),
    ("khac", "Khác", "Tin báo khác về an ninh, trật tự", False, "normal"),
]


def load(apps, schema_editor):
    Category = apps.get_model("tips", "TipCategory")
    Rule = apps.get_model("tips", "TipDeadlineRule")
    for order, (code, name, description, notify_unit, urgency) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "notify_unit": notify_unit,
                "default_urgency": urgency,
                "sort_order": order * 10,
            },
        )
    Rule.objects.get_or_create(
        category=None,
        effective_from=dt.date(2018, 1, 1),
        defaults={
            "legal_basis": "Bộ luật Tố tụng hình sự 2015, Điều 147 (20 ngày; vụ việc phức tạp đến 2 tháng)",
            "days": 20,
            "complex_days": 60,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("tips", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
