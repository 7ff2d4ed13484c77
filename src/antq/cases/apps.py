from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "antq.cases"
    label = "cases"
    verbose_name = _("Khiếu nại, tố cáo")
    default_auto_field = "django.db.models.BigAutoField"
