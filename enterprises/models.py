"""Enterprises the bureau serves (帮企业所急，让企业满意)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import creditcode


def validate_credit_code(value: str) -> None:
    if not creditcode.is_valid(value):
        raise ValidationError(
            _("统一社会信用代码应为18位（数字及除I、O、Z、S、V以外的大写字母），且校验位正确。"),
            code="invalid_credit_code",
        )


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True,
                                   validators=[validate_credit_code])
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="enterprise_credit_code_unique"),
        ]

    def __str__(self):
        return self.short_name or self.name
