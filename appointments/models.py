"""预约服务: service windows, their time slots (including extended hours), bookings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Window(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("窗口名称"), max_length=100)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="windows")
    location = models.CharField(_("地点"), max_length=200)
    is_active = models.BooleanField(_("启用"), default=True)

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Slot(models.Model):
    window = models.ForeignKey(Window, verbose_name=_("窗口"), on_delete=models.CASCADE,
                               related_name="slots")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"), default=3)
    extended = models.BooleanField(_("延时服务"), default=False)

    ACCESS_UNIT_FIELD = "window__unit__path"

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at", "window_id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "starts_at"], name="slot_once"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="slot_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.window} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    slot = models.ForeignKey(Slot, verbose_name=_("时段"), on_delete=models.PROTECT,
                             related_name="bookings")
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=20)
    purpose = models.CharField(_("办理事项"), max_length=100, blank=True)
    code = models.CharField(_("取消码"), max_length=8, unique=True)
    created_at = models.DateTimeField(_("预约时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    ACCESS_UNIT_FIELD = "slot__window__unit__path"

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            # one active booking per phone per slot
            models.UniqueConstraint(fields=["slot", "phone"],
                                    condition=Q(cancelled_at__isnull=True),
                                    name="booking_once_per_phone"),
        ]

    def __str__(self):
        return f"{self.name} {self.slot}"
