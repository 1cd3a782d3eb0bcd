"""Campaigns as data: next year's campaign is configured, not coded (R-CAMPAIGN)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lib.documents import DocumentFields


class Campaign(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    motto = models.CharField(_("主题"), max_length=200, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    office_unit = models.ForeignKey("org.Unit", verbose_name=_("领导小组办公室设在"),
                                    on_delete=models.PROTECT, related_name="campaign_offices")
    description = models.TextField(_("说明"), blank=True)
    participants = models.ManyToManyField(
        "org.Unit", verbose_name=_("参加单位"), blank=True, related_name="campaigns",
        help_text=_("须报送实施方案和阶段材料的局属单位、处室。"))
    copied_from = models.ForeignKey("self", verbose_name=_("复制自"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="copies")

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



def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _due_in_next_month(month: dt.date, day: int) -> dt.date:
    following = (month + dt.timedelta(days=32)).replace(day=1)
    last = ((following + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)).day
    return following.replace(day=min(day, last))


class CampaignDocument(DocumentFields):
    """The campaign's own document (实施方案); every upload is kept, the newest shown."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE,
                                 related_name="documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("活动文件")
        verbose_name_plural = _("活动文件")
        ordering = ["-uploaded_at", "-id"]


class RequirementKind(models.TextChoices):
    PLAN = "plan", _("实施方案")
    MONTHLY = "monthly", _("月度进展")
    SUMMARY = "summary", _("工作总结")
    RECTIFICATION = "rectification", _("整改计划")


class Requirement(models.Model):
    """What a phase requires of every participating unit: a one-off filing due on a date,
    or a monthly report due on a day of the following month."""

    phase = models.ForeignKey(Phase, verbose_name=_("阶段"), on_delete=models.CASCADE,
                              related_name="requirements")
    kind = models.CharField(_("类型"), max_length=20, choices=RequirementKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    due_on = models.DateField(_("报送截止日期"), null=True, blank=True,
                              help_text=_("实施方案、工作总结、整改计划填写。"))
    due_day = models.PositiveSmallIntegerField(
        _("次月报送日"), null=True, blank=True,
        help_text=_("月度进展填写：每月进展于次月几日前报送（1–28）。"))
    guidance = models.TextField(_("报送要求"), blank=True)

    class Meta:
        verbose_name = _("报送要求")
        verbose_name_plural = _("报送要求")
        ordering = ["phase__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="monthly", due_day__gte=1, due_day__lte=28)
                           | (~Q(kind="monthly") & Q(due_on__isnull=False))),
                name="requirement_due_given"),
        ]

    def __str__(self):
        return f"{self.phase.name} · {self.title}"

    @property
    def is_monthly(self) -> bool:
        return self.kind == RequirementKind.MONTHLY

    def clean(self):
        if self.is_monthly:
            if not self.due_day or not 1 <= self.due_day <= 28:
                raise ValidationError({"due_day": _("月度进展须填写次月报送日（1–28）。")})
            return
        if not self.due_on:
            raise ValidationError({"due_on": _("请填写报送截止日期。")})
        phase = self.phase if self.phase_id else None
        if phase and not phase.campaign.starts_on <= self.due_on <= phase.campaign.ends_on:
            raise ValidationError({"due_on": _("截止日期必须在活动起止日期之内。")})

    def periods(self) -> list[tuple[dt.date, dt.date]]:
        """``(period, due_on)`` for every filing a unit owes: one for a one-off
        requirement (its period is its due date), one per month the phase touches for a
        monthly one (the period is the month's first day)."""
        if not self.is_monthly:
            return [(self.due_on, self.due_on)]
        return [(month, _due_in_next_month(month, self.due_day))
                for month in _month_starts(self.phase.starts_on, self.phase.ends_on)]


class Filing(models.Model):
    """A unit's filing for one period of a requirement; its text lives in versions."""

    requirement = models.ForeignKey(Requirement, verbose_name=_("报送要求"),
                                    on_delete=models.CASCADE, related_name="filings")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="campaign_filings")
    period = models.DateField(_("期次"))
    due_on = models.DateField(_("截止日期"))
    first_filed_at = models.DateTimeField(_("首次报送时间"))
    late = models.BooleanField(_("逾期报送"), default=False)
    current = models.ForeignKey("FilingVersion", verbose_name=_("现行版本"), null=True,
                                on_delete=models.SET_NULL, related_name="+")

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("报送材料")
        verbose_name_plural = _("报送材料")
        ordering = ["requirement", "unit__path", "period"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "unit", "period"],
                                    name="filing_once_per_period"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.requirement.title} · {self.period:%Y-%m-%d}"


class FilingVersion(models.Model):
    """One submission of a filing: never changed, never deleted; a revision is a new one."""

    filing = models.ForeignKey(Filing, verbose_name=_("报送材料"), on_delete=models.CASCADE,
                               related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    goals = models.TextField(_("目标任务"), blank=True)
    standards = models.TextField(_("创建标准"), blank=True)
    schedule = models.TextField(_("序时进度"), blank=True)
    measures = models.TextField(_("推进措施"), blank=True)
    lead = models.CharField(_("牵头负责人"), max_length=100, blank=True)
    content = models.TextField(_("报送内容"), blank=True)
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"),
                                 on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("报送版本")
        verbose_name_plural = _("报送版本")
        ordering = ["filing", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "number"], name="filing_version_unique"),
        ]

    def __str__(self):
        return f"{self.filing} · 第{self.number}版"


class FilingAttachment(DocumentFields):
    version = models.ForeignKey(FilingVersion, verbose_name=_("报送版本"),
                                on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = _("报送附件")
        verbose_name_plural = _("报送附件")
        ordering = ["id"]


class Reminder(models.Model):
    """The office's 催报 to a unit for one period of a requirement: sent once."""

    requirement = models.ForeignKey(Requirement, verbose_name=_("报送要求"),
                                    on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="+")
    period = models.DateField(_("期次"))
    sent_at = models.DateTimeField(_("催报时间"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("催报人"),
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "unit", "period"],
                                    name="reminder_once_per_period"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.requirement.title} · {self.period:%Y-%m-%d} · 已催报"
