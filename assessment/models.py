"""Assessment of units (考核, issue #13; design: docs/supervision.md section 2).

A ``Scheme`` says what is scored (its ``Indicator`` rows: a key of the registry in
``assessment.indicators``, a weight and a rule); an ``Assessment`` applies it to one
period. Computing an assessment (``assessment.actions.compute``) writes one ``Score`` per
unit and one ``ScoreLine`` per indicator and per ``Adjustment``, each line explaining in
Chinese how its points were earned and linking to the records behind them. Units object
to a line (``Objection``); the office decides, and an accepted objection changes the
ranking at the next computation. State changes only through ``assessment.actions``
(declared in ``assessment.catalogue``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.documents import DocumentFields


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    PHASE = "phase", _("阶段")
    YEAR = "year", _("年度")


class Scheme(models.Model):
    """考核方案: what is scored, with which weights, for which units."""

    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    campaign = models.ForeignKey("campaigns.Campaign", verbose_name=_("创建活动"), null=True,
                                 blank=True, on_delete=models.SET_NULL,
                                 related_name="assessment_schemes")
    period_kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind.choices,
                                   default=PeriodKind.MONTH)
    units = models.ManyToManyField("org.Unit", verbose_name=_("考核单位"),
                                   related_name="assessment_schemes")
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2,
                                    default=Decimal(100))
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Rule(models.TextChoices):
    LINEAR = "linear", _("线性计分")
    THRESHOLD = "threshold", _("分档计分")
    DEDUCT = "deduct", _("逐项扣分")


class WhenEmpty(models.TextChoices):
    FULL = "full", _("得满分")
    ZERO = "zero", _("得零分")
    SKIP = "skip", _("不参评（权重分摊到其他指标）")


class Indicator(models.Model):
    """One scored indicator of a scheme. ``params`` by rule: linear ``{"floor", "target"}``;
    threshold ``{"steps": [[value, share], …]}``; deduct ``{"per_item", "cap"}``
    (``assessment.scoring`` reads them; ``assessment.actions.check_params`` checks them)."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核方案"), on_delete=models.CASCADE,
                               related_name="indicators")
    key = models.CharField(_("指标"), max_length=40)
    label = models.CharField(_("指标名称"), max_length=50)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    rule = models.CharField(_("计分规则"), max_length=10, choices=Rule.choices)
    params = models.JSONField(_("规则参数"), default=dict, blank=True)
    when_empty = models.CharField(_("无数据时"), max_length=5, choices=WhenEmpty.choices,
                                  default=WhenEmpty.SKIP)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="indicator_key_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
        ]

    def __str__(self):
        return f"{self.label}（{self.weight:g} 分）"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公布")
    FINAL = "final", _("已定稿")


class ComputeState(models.TextChoices):
    IDLE = "", _("未计算")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已计算")
    FAILED = "failed", _("计算失败")


# a computation queued or running for longer than this is taken to have lost its worker
COMPUTE_GIVEN_UP_AFTER = dt.timedelta(minutes=10)


class Assessment(models.Model):
    """One period's assessment under a scheme."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT,
                               related_name="assessments")
    title = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=10, choices=AssessmentState.choices,
                             default=AssessmentState.DRAFT)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    # the worker's progress (the page's bar)
    compute_state = models.CharField(_("计算状态"), max_length=10, blank=True,
                                     choices=ComputeState.choices, default=ComputeState.IDLE)
    progress = models.PositiveSmallIntegerField(_("计算进度"), default=0)
    compute_message = models.CharField(_("计算说明"), max_length=300, blank=True)
    compute_requested_at = models.DateTimeField(_("提交计算时间"), null=True, blank=True)
    # what counts changed (an adjustment, an accepted objection, the scheme) → +1; the
    # scores are current when computed at the latest revision
    revision = models.PositiveIntegerField(_("修订号"), default=0)
    computed_revision = models.PositiveIntegerField(_("计算时的修订号"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公布人"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("定稿人"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-ends_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "starts_on", "ends_on"],
                                    name="assessment_once_per_period"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="assessment_period_ordered"),
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="assessment_progress_percent"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("console:assessment", args=[self.pk])

    @property
    def computing(self) -> bool:
        """Queued or running — unless it was asked for so long ago that its worker must
        have died (the button is offered again)."""
        if self.compute_state not in (ComputeState.QUEUED, ComputeState.RUNNING):
            return False
        return self.compute_requested_at is None or \
            timezone.now() - self.compute_requested_at < COMPUTE_GIVEN_UP_AFTER


class Adjustment(models.Model):
    """A manual deduction (−) or bonus (+) for one unit in one assessment, with its reason
    and evidence; counted at the next computation."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE,
                                   related_name="adjustments")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="+")
    points = models.DecimalField(_("加减分"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("理由"), max_length=1000)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"),
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["assessment", "unit__path", "entered_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(points=0),
                                              name="adjustment_not_zero")]

    def __str__(self):
        return f"{self.unit} {self.points:+g}"


class AdjustmentFile(DocumentFields):
    adjustment = models.ForeignKey(Adjustment, verbose_name=_("加减分"), on_delete=models.CASCADE,
                                   related_name="files")

    class Meta:
        verbose_name = _("加减分依据")
        verbose_name_plural = _("加减分依据")
        ordering = ["id"]


class Score(models.Model):
    """A unit's result in one assessment: the sum of its lines, and its rank (competition
    ranking, "1, 2, 2, 4"; ``None`` when no indicator could be assessed)."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE,
                                   related_name="scores")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="assessment_scores")
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal(0))
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    assessed = models.PositiveSmallIntegerField(_("参评指标数"), default=0)

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["assessment", "rank", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["assessment", "unit"],
                                               name="score_once_per_unit")]

    def __str__(self):
        return f"{self.unit} {self.total}"

    def get_absolute_url(self):
        return reverse("console:assessment_score", args=[self.assessment_id, self.unit_id])


class ScoreLine(models.Model):
    """One indicator's (or one adjustment's) points for one unit, with the figures and a
    sentence saying how they were earned, and where the records behind them are."""

    score = models.ForeignKey(Score, verbose_name=_("考核得分"), on_delete=models.CASCADE,
                              related_name="lines")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="lines")
    adjustment = models.ForeignKey(Adjustment, verbose_name=_("加减分"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(_("项目"), max_length=50)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True,
                                 blank=True)
    assessed = models.BooleanField(_("参评"), default=True)
    value = models.DecimalField(_("指标值"), max_digits=12, decimal_places=4, null=True,
                                blank=True)
    numerator = models.IntegerField(_("分子"), null=True, blank=True)
    denominator = models.IntegerField(_("分母"), null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, default=Decimal(0))
    explanation = models.TextField(_("计分说明"))
    records_url = models.CharField(_("明细链接"), max_length=500, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    ACCESS_UNIT_FIELD = "score__unit__path"

    class Meta:
        verbose_name = _("得分明细")
        verbose_name_plural = _("得分明细")
        ordering = ["score", "sort_order", "id"]
        constraints = [models.CheckConstraint(
            condition=Q(indicator__isnull=True) | Q(adjustment__isnull=True),
            name="line_of_one_thing")]

    def __str__(self):
        return f"{self.label} {self.points}"


class ObjectionState(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class Objection(models.Model):
    """A unit's 申诉 against one line of its score. The line may be rewritten by a later
    computation: the objection keeps the line's label and points as they were."""

    assessment = models.ForeignKey(Assessment, verbose_name=_("考核"), on_delete=models.CASCADE,
                                   related_name="objections")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="+")
    line = models.ForeignKey(ScoreLine, verbose_name=_("得分明细"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="objections")
    line_label = models.CharField(_("申诉项目"), max_length=50)
    line_points = models.DecimalField(_("原得分"), max_digits=7, decimal_places=2)
    text = models.TextField(_("申诉理由"), max_length=2000)
    state = models.CharField(_("状态"), max_length=10, choices=ObjectionState.choices,
                             default=ObjectionState.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"),
                                 on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.TextField(_("处理意见"), max_length=1000, blank=True)
    adjustment = models.OneToOneField(Adjustment, verbose_name=_("采纳后的加减分"), null=True,
                                      blank=True, on_delete=models.SET_NULL,
                                      related_name="objection")

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["state", "filed_at"], name="objection_state_time")]

    def __str__(self):
        return f"{self.unit} · {self.line_label}"


class ObjectionFile(DocumentFields):
    objection = models.ForeignKey(Objection, verbose_name=_("申诉"), on_delete=models.CASCADE,
                                  related_name="files")

    class Meta:
        verbose_name = _("申诉材料")
        verbose_name_plural = _("申诉材料")
        ordering = ["id"]
