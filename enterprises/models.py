"""Enterprises the bureau serves (帮企业所急，让企业满意)."""

from django.conf import settings
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


class Pairing(models.Model):
    """部门挂钩帮办企业: a unit and its cadres paired with an enterprise for a year."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="pairings")
    unit = models.ForeignKey("org.Unit", verbose_name=_("挂钩单位"), on_delete=models.PROTECT,
                             related_name="enterprise_pairings")
    year = models.PositiveSmallIntegerField(_("年度"))
    cadres = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("挂钩干部"),
                                    blank=True, related_name="enterprise_pairings")
    plan = models.TextField(_("帮办计划"), max_length=4000, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("挂钩帮办")
        verbose_name_plural = _("挂钩帮办")
        ordering = ["-year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "unit", "year"],
                                    name="pairing_once_a_year"),
        ]

    def __str__(self):
        return f"{self.year} · {self.unit} ↔ {self.enterprise}"


class PairingGoal(models.Model):
    """One of the pairing's annual goals, done with evidence."""

    pairing = models.ForeignKey(Pairing, verbose_name=_("挂钩帮办"), on_delete=models.CASCADE,
                                related_name="goals")
    title = models.CharField(_("年度目标"), max_length=200)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成情况"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["pairing", "due_on", "id"]

    def __str__(self):
        return self.title


class Secondment(models.Model):
    """A cadre sent to an enterprise or a construction project (选派干部)."""

    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("选派干部"),
                              on_delete=models.PROTECT, related_name="secondments")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="secondments")
    project_name = models.CharField(_("重点项目"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    duty = models.CharField(_("工作职责"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("选派干部")
        verbose_name_plural = _("选派干部")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(project_name=""),
                name="secondment_has_destination"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="secondment_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.enterprise or self.project_name}"
