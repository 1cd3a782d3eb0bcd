"""Records of what cadres and Party branches did, and the targets they count toward
(R-TARGETS, R-VISITS; design: docs/campaign.md).

One ``Activity`` model holds the four kinds of record, so every record counts toward
targets the same way. Progress is computed from the records, never stored: a record
deleted after counting simply stops counting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lib.documents import DocumentFields
from lib.photos import PhotoFields


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("下基层走访")
    VOLUNTEER = "volunteer", _("志愿服务")
    PROBLEM = "problem", _("为基层办实事")
    SUPPORT = "support", _("为企业办实事")


class Activity(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=ActivityKind.choices)
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("活动"),
                                 on_delete=models.PROTECT, related_name="activities")
    occurred_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位/党支部"),
                             on_delete=models.PROTECT, related_name="activities")
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参加人员"),
                                    related_name="activities")
    summary = models.TextField(_("内容摘要"), max_length=2000)
    # 下基层走访
    visited = models.CharField(_("走访单位/社区"), max_length=200, blank=True)
    met = models.CharField(_("接待/座谈对象"), max_length=200, blank=True)
    problems = models.TextField(_("发现的问题"), max_length=2000, blank=True)
    agreed = models.TextField(_("商定事项"), max_length=2000, blank=True)
    follow_up = models.TextField(_("后续跟进"), max_length=2000, blank=True)
    # 志愿服务
    participants_count = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=6, decimal_places=1,
                                null=True, blank=True)
    # 为基层办实事 / 为企业办实事
    demand = models.ForeignKey("demands.Demand", verbose_name=_("相关诉求"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="activities")
    project = models.ForeignKey("projects.Project", verbose_name=_("相关实事项目"), null=True,
                                blank=True, on_delete=models.SET_NULL,
                                related_name="activities")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True,
                                   blank=True, on_delete=models.PROTECT,
                                   related_name="support_actions")
    result = models.TextField(_("办理结果"), max_length=2000, blank=True)

    form_token = models.CharField(_("表单标识"), max_length=64, unique=True, null=True,
                                  blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    ACCESS_UNIT_FIELD = "unit__path"
    ACCESS_USER_FIELDS = ("created_by",)

    class Meta:
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["campaign", "kind", "occurred_on"], name="activity_counting"),
            models.Index(fields=["unit", "occurred_on"], name="activity_unit_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="support") | Q(enterprise__isnull=False),
                name="activity_support_names_enterprise"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.occurred_on:%Y-%m-%d} · {self.unit}"


class ActivityPhoto(PhotoFields):
    activity = models.ForeignKey(Activity, verbose_name=_("活动记录"), on_delete=models.CASCADE,
                                 related_name="photos")

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["id"]


class ActivityFile(DocumentFields):
    activity = models.ForeignKey(Activity, verbose_name=_("活动记录"), on_delete=models.CASCADE,
                                 related_name="files")

    class Meta:
        verbose_name = _("活动附件")
        verbose_name_plural = _("活动附件")
        ordering = ["id"]


class TargetSubject(models.TextChoices):
    ROLE = "role", _("角色")
    UNIT = "unit", _("单位")
    PERSON = "person", _("个人")
    GROUP = "group", _("领导小组成员")
    BRANCHES = "branches", _("每个党支部")


PERSON_SUBJECTS = frozenset({TargetSubject.ROLE, TargetSubject.PERSON, TargetSubject.GROUP})


class Target(models.Model):
    """Who must do what kind of activity how many times in which period."""

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("活动"),
                                 on_delete=models.CASCADE, related_name="targets")
    label = models.CharField(_("目标名称"), max_length=100)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    count = models.PositiveIntegerField(_("次数"), validators=[MinValueValidator(1)])
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    subject = models.CharField(_("对象"), max_length=20, choices=TargetSubject.choices)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["campaign", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="target_count_positive"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="target_period_ordered"),
            models.CheckConstraint(
                condition=(~Q(subject="role") | ~Q(role=""))
                & (~Q(subject="unit") | Q(unit__isnull=False))
                & (~Q(subject="person") | Q(user__isnull=False)),
                name="target_subject_named"),
        ]

    def __str__(self):
        return self.label

    @property
    def per_person(self) -> bool:
        return self.subject in PERSON_SUBJECTS

    def clean(self):
        errors = {}
        if self.count is not None and self.count < 1:
            errors["count"] = _("次数必须是正整数。")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("截止日期不能早于起始日期。")
        if self.subject == TargetSubject.ROLE and not self.role:
            errors["role"] = _("请选择角色。")
        if self.subject == TargetSubject.UNIT and not self.unit_id:
            errors["unit"] = _("请选择单位。")
        if self.subject == TargetSubject.PERSON and not self.user_id:
            errors["user"] = _("请选择人员。")
        if self.campaign_id and self.period_start and self.period_end and not (
                self.campaign.starts_on <= self.period_start
                and self.period_end <= self.campaign.ends_on):
            errors["period_start"] = _("目标期间必须在活动起止日期之内。")
        if errors:
            raise ValidationError(errors)
