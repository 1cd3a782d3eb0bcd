"""Supervision orders (督查督办单): the supervision office orders a unit to answer about a
demand, a set of demands, a practical project, a target behind pace, a commitment or an
inspection finding, by a deadline (docs/supervision.md, section 1).

State changes only through ``supervision.actions`` (declared in ``supervision.catalogue``);
every step is an append-only ``OrderEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lib.documents import DocumentFields
from lib.photos import PhotoFields


class SubjectKind(models.TextChoices):
    DEMAND = "demand", _("诉求")
    DEMANDS = "demands", _("一批诉求")
    PROJECT = "project", _("实事项目")
    TARGET = "target", _("目标任务滞后")
    COMMITMENT = "commitment", _("承诺")
    FINDING = "finding", _("检查发现")


class OrderState(models.TextChoices):
    ISSUED = "issued", _("已下达")
    ANSWERED = "answered", _("已反馈")
    ACCEPTED = "accepted", _("已办结")
    RETURNED = "returned", _("退回")
    CANCELLED = "cancelled", _("已撤销")


# the unit owes an answer (the deadline runs, the sweep watches it)
AWAITING_STATES = (OrderState.ISSUED, OrderState.RETURNED)
# not finished: the unit owes an answer or the office a decision
OPEN_STATES = (OrderState.ISSUED, OrderState.ANSWERED, OrderState.RETURNED)
FINAL_STATES = (OrderState.ACCEPTED, OrderState.CANCELLED)


class OrderQuerySet(models.QuerySet):
    """The clock's conditions as SQL, for the list, the home page, the sweep and the
    leaders' figures alike (``SupervisionOrder.is_overdue`` is the same rule in Python)."""

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def awaiting(self):
        return self.filter(state__in=AWAITING_STATES)

    def overdue(self, now):
        """Past the deadline and the unit has not answered (or must answer again)."""
        return self.filter(state__in=AWAITING_STATES, deadline__lt=now)


class OrderSequence(models.Model):
    """The last order number drawn in a year (DB2026000123): one row per year, locked
    while a number is drawn, so two orders issued at once never share one."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("督办单编号")
        verbose_name_plural = _("督办单编号")

    def __str__(self):
        return f"{self.year}: {self.last}"


class SupervisionOrder(models.Model):
    number = models.CharField(_("督办单编号"), max_length=20, unique=True, editable=False)
    unit = models.ForeignKey("org.Unit", verbose_name=_("被督办单位"), on_delete=models.PROTECT,
                             related_name="supervision_orders")
    subject_kind = models.CharField(_("督办事项类型"), max_length=12,
                                    choices=SubjectKind.choices)
    demands = models.ManyToManyField("demands.Demand", verbose_name=_("相关诉求"), blank=True,
                                     related_name="unit_orders")
    # how a set of demands was chosen ("暴露垃圾类超期诉求"), or whose target is behind
    criteria = models.CharField(_("筛选条件"), max_length=200, blank=True)
    project = models.ForeignKey("projects.Project", verbose_name=_("实事项目"), null=True,
                                blank=True, on_delete=models.PROTECT,
                                related_name="supervision_orders")
    target = models.ForeignKey("activities.Target", verbose_name=_("目标任务"), null=True,
                               blank=True, on_delete=models.PROTECT,
                               related_name="supervision_orders")
    commitment = models.ForeignKey("projects.Commitment", verbose_name=_("承诺"), null=True,
                                   blank=True, on_delete=models.PROTECT,
                                   related_name="supervision_orders")
    finding = models.TextField(_("检查发现的问题"), max_length=2000, blank=True)
    finding_place = models.CharField(_("检查地点"), max_length=200, blank=True)
    title = models.CharField(_("标题"), max_length=100)
    requirement = models.TextField(_("督办要求"), max_length=2000,
                                   help_text=_("要求被督办单位反馈什么、做到什么程度。"))
    deadline = models.DateTimeField(_("反馈期限"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("下达人"),
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("下达时间"))
    state = models.CharField(_("状态"), max_length=10, choices=OrderState.choices,
                             default=OrderState.ISSUED)
    # the first answer decides "answered on time" (the assessment's indicator)
    first_answered_at = models.DateTimeField(_("首次反馈时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("最近反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结或撤销时间"), null=True, blank=True)
    # set by the sweep the first time the deadline passes without an answer; kept after
    # (the order *was* overdue), the list's 逾期 is the live condition
    overdue = models.BooleanField(_("曾逾期"), default=False)
    escalated_at = models.DateTimeField(_("升级督办时间"), null=True, blank=True)
    # the rectification commitment (整改承诺) a finding became
    rectification = models.ForeignKey("projects.Commitment", verbose_name=_("整改承诺"),
                                      null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    ACCESS_UNIT_FIELD = "unit__path"

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查督办单")
        verbose_name_plural = _("督查督办单")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["deadline"], name="order_awaiting_deadline",
                         condition=Q(state__in=["issued", "returned"])),
            models.Index(fields=["unit", "state", "-issued_at"], name="order_unit_state"),
            models.Index(fields=["state", "-issued_at"], name="order_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(subject_kind="project") | Q(project__isnull=False))
                & (~Q(subject_kind="target") | Q(target__isnull=False))
                & (~Q(subject_kind="commitment") | Q(commitment__isnull=False))
                & (~Q(subject_kind="finding") | ~Q(finding="")),
                name="order_subject_named"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("console:order", kwargs={"number": self.number})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def awaiting(self) -> bool:
        return self.state in AWAITING_STATES

    def is_overdue(self, now) -> bool:
        return self.awaiting and self.deadline < now


class OrderAnswer(models.Model):
    """One answer of the unit (a returned order is answered again: rounds 1, 2, …)."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"),
                              on_delete=models.CASCADE, related_name="answers")
    round = models.PositiveSmallIntegerField(_("轮次"))
    text = models.TextField(_("反馈内容"), max_length=4000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("反馈人"),
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("反馈时间"))

    class Meta:
        verbose_name = _("督办反馈")
        verbose_name_plural = _("督办反馈")
        ordering = ["order", "round"]
        constraints = [models.UniqueConstraint(fields=["order", "round"],
                                               name="order_answer_round_once")]

    def __str__(self):
        return f"{self.order_id} #{self.round}"


class OrderPhoto(PhotoFields):
    """A photo of an inspection finding (``answer`` empty) or of an answer's evidence."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"),
                              on_delete=models.CASCADE, related_name="photos")
    answer = models.ForeignKey(OrderAnswer, verbose_name=_("反馈"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="photos")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("督办照片")
        verbose_name_plural = _("督办照片")
        ordering = ["uploaded_at", "id"]


class OrderFile(DocumentFields):
    """A document attached to an answer (a rectification report, a signed statement)."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"),
                              on_delete=models.CASCADE, related_name="files")
    answer = models.ForeignKey(OrderAnswer, verbose_name=_("反馈"), on_delete=models.CASCADE,
                               related_name="files")

    class Meta:
        verbose_name = _("督办附件")
        verbose_name_plural = _("督办附件")
        ordering = ["id"]

    def __str__(self):
        return self.name


class EventKind(models.TextChoices):
    ISSUE = "issue", _("下达")
    ANSWER = "answer", _("反馈")
    ACCEPT = "accept", _("办结")
    SEND_BACK = "send_back", _("退回")
    CANCEL = "cancel", _("撤销")
    TO_COMMITMENT = "to_commitment", _("转为整改承诺")
    OVERDUE = "overdue", _("逾期未反馈")
    ESCALATE = "escalate", _("升级督办")


class OrderEvent(models.Model):
    """One step in an order's history. Append-only, as a demand's."""

    order = models.ForeignKey(SupervisionOrder, verbose_name=_("督办单"),
                              on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=10, choices=OrderState.choices,
                                  blank=True)
    to_state = models.CharField(_("新状态"), max_length=10, choices=OrderState.choices,
                                blank=True)
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at", "id"], name="oevent_order_time")]

    def __str__(self):
        return f"{self.order_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("order events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("order events are append-only")
