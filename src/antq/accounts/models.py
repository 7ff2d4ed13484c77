"""Users, their role and their scope (areas or a unit), and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from antq.accounts.roles import Role


class User(AbstractUser):
    """A person who logs in. One role; the scope is ``areas`` (ward officers) or ``unit``."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    title = models.CharField(_("chức vụ, cấp bậc"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("đơn vị công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    areas = models.ManyToManyField(
        "registry.AdministrativeArea",
        verbose_name=_("địa bàn phụ trách"),
        blank=True,
        related_name="officers",
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.UNIT_OFFICER, Role.UNIT_HEAD])
                | models.Q(unit__isnull=False),
                name="user_unit_role_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()


class ApiToken(models.Model):
    """A bearer token for an integration. Only its SHA-256 is stored; it acts as its user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên ứng dụng"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
