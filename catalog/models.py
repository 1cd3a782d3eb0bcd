"""Reference data of the service loop: demand categories with their committed time limits,
and the working calendar (statutory holidays and make-up working days)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.IntegerChoices):
    NORMAL = 1, _("一般")
    URGENT = 2, _("紧急")
    CRITICAL = 3, _("特急")


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class Category(models.Model):
    """A kind of urban-management event or facility problem (in the style of GB/T 30428.2),
    with the bureau's committed time limit for handling it (服务承诺制)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey("self", verbose_name=_("大类"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    time_limit = models.PositiveSmallIntegerField(_("承诺时限"), default=5)
    time_limit_unit = models.CharField(_("时限单位"), max_length=5, choices=LimitUnit.choices,
                                       default=LimitUnit.DAYS)
    warning_hours = models.PositiveSmallIntegerField(
        _("预警提前量（工作小时）"), default=4,
        help_text=_("距承诺时限还剩这么多工作小时时亮黄灯。"))
    urgency = models.PositiveSmallIntegerField(_("紧急程度"), choices=Urgency.choices,
                                               default=Urgency.NORMAL)
    default_unit = models.ForeignKey("org.Unit", verbose_name=_("默认责任单位"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("类别最多两级：大类下不能再设小类的小类。")})
        if self.time_limit == 0:
            raise ValidationError({"time_limit": _("承诺时限必须大于零。")})

    @property
    def top(self) -> Category:
        return self.parent if self.parent_id else self

    @property
    def time_limit_label(self) -> str:
        return f"{self.time_limit} {self.get_time_limit_unit_display()}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(models.Model):
    """A date that departs from the Monday–Friday week: a holiday, or a make-up working
    day. Seeded from the ``chinese-calendar`` package; administrators add later years."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class ServiceItem(models.Model):
    """办事指南: everything a requester needs for one service, told at once (一次性告知)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=100)
    unit = models.ForeignKey("org.Unit", verbose_name=_("办理单位"), on_delete=models.PROTECT,
                             related_name="service_items")
    summary = models.TextField(_("适用情形"), blank=True)
    materials = models.TextField(_("申请材料"), help_text=_("每行一项。"))
    conditions = models.TextField(_("办理条件"), blank=True, help_text=_("每行一项。"))
    steps = models.TextField(_("办理流程"), help_text=_("每行一步。"))
    fees = models.CharField(_("收费标准"), max_length=200, default="不收费")
    legal_basis = models.TextField(_("设定依据"), blank=True, help_text=_("每行一条。"))
    time_limit = models.CharField(_("承诺时限"), max_length=50)
    window = models.CharField(_("办理窗口"), max_length=100)
    hours = models.CharField(_("办公时间"), max_length=100,
                             default="工作日 8:30–12:00，13:30–17:30")
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]


class NoticeIssue(models.Model):
    """A one-time notice handed to a named requester: the proof that everything was told."""

    number = models.CharField(_("告知单编号"), max_length=20, unique=True, editable=False)
    item = models.ForeignKey(ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT,
                             related_name="issues")
    requester_name = models.CharField(_("告知对象"), max_length=50)
    requester_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("补充说明"), max_length=300, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("告知人"),
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("告知时间"))

    class Meta:
        verbose_name = _("一次性告知记录")
        verbose_name_plural = _("一次性告知记录")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.number} {self.item.name}"
