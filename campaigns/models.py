"""Campaigns as data: next year's campaign is configured, not coded (R-CAMPAIGN)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    motto = models.CharField(_("主题"), max_length=200, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    office_unit = models.ForeignKey("org.Unit", verbose_name=_("领导小组办公室设在"),
                                    on_delete=models.PROTECT, related_name="campaign_offices")
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("创建活动")
        verbose_name_plural = _("创建活动")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="campaign_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})

    def phase_on(self, day: dt.date) -> Phase | None:
        return self.phases.filter(starts_on__lte=day, ends_on__gte=day).first()


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE,
                                 related_name="phases")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("阶段名称"), max_length=30)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("工作要求"), blank=True)

    class Meta:
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")
        ordering = ["campaign", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="phase_order_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="phase_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.campaign.name} · {self.name}"

    def clean(self):
        if not (self.starts_on and self.ends_on and self.campaign_id):
            return
        if self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
        campaign = self.campaign
        if self.starts_on < campaign.starts_on or self.ends_on > campaign.ends_on:
            raise ValidationError(_("阶段日期必须在活动起止日期之内。"))
        overlapping = Phase.objects.filter(
            campaign=campaign, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(_("阶段日期与“%(name)s”重叠。") % {"name": overlapping[0].name})


class GroupPosition(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    OFFICE_DIRECTOR = "office_director", _("办公室主任")


class LeadingGroupMember(models.Model):
    """A member of the campaign's leading group (领导小组)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE,
                                 related_name="leading_group")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("成员"),
                             on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("职务"), max_length=20, choices=GroupPosition.choices)
    responsibility = models.CharField(_("分工"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="group_member_once"),
        ]

    def __str__(self):
        return f"{self.get_position_display()} · {self.user}"

