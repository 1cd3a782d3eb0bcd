"""Bulk import of demand files exported by other systems (the 12345 hotline first).

A ``Source`` is one upstream system: its channel, its default requester kind and the
column mapping last used, so the next file from it needs no mapping. A ``Job`` is one
uploaded file, processed in chunks by a background worker; ``done`` counts the rows whose
outcome is committed, so a job interrupted anywhere resumes at the first row without one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from demands.models import Channel, RequesterKind

# The demand fields a file may fill, in the order the mapping form shows them.
FIELDS = {
    "external_id": _("外部编号（工单编号）"),
    "number": _("本系统诉求编号（重新导入本系统导出的文件时）"),
    "title": _("标题"),
    "content": _("诉求内容"),
    "received_at": _("来电/受理时间"),
    "requester_name": _("诉求人姓名"),
    "requester_phone": _("联系电话"),
    "requester_kind": _("诉求人类型"),
    "requester_org": _("所在单位/企业"),
    "category": _("类别（编码或名称）"),
    "address": _("地址"),
    "longitude": _("经度"),
    "latitude": _("纬度"),
    "urgency": _("紧急程度"),
    "supports": _("点赞数"),
    "opposes": _("反对数"),
}
REQUIRED_FIELDS = ("external_id", "content")


class Source(models.Model):
    name = models.CharField(_("来源名称"), max_length=50, unique=True,
                            help_text=_("如“12345热线”，同一来源的文件沿用上次的列对应关系。"))
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices,
                               default=Channel.HOTLINE_12345)
    default_kind = models.CharField(_("默认诉求人类型"), max_length=12,
                                    choices=RequesterKind.choices,
                                    default=RequesterKind.CITIZEN)
    default_category = models.ForeignKey("catalog.Category", verbose_name=_("默认类别"),
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    # {field: column header}
    mapping = models.JSONField(_("列对应关系"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入来源")
        verbose_name_plural = _("导入来源")
        ordering = ["name"]

    def __str__(self):
        return self.name


class JobState(models.TextChoices):
    DRAFT = "draft", _("待确认")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    source = models.ForeignKey(Source, verbose_name=_("来源"), on_delete=models.PROTECT,
                               related_name="jobs")
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    mapping = models.JSONField(_("本次列对应关系"), default=dict)
    state = models.CharField(_("状态"), max_length=8, choices=JobState.choices,
                             default=JobState.DRAFT)
    headers = models.JSONField(_("列名"), default=list)
    total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    failed = models.PositiveIntegerField(_("出错行"), default=0)
    # --auto-category: new demands without a category get the routing model's guess when it
    # is at least this sure (0–1; None = leave them in 待分类); how many got one
    auto_category = models.FloatField(_("智能分类置信度阈值"), null=True, blank=True)
    classified = models.PositiveIntegerField(_("智能分类"), default=0)
    unclassified = models.PositiveIntegerField(_("待分类"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # the moment the worker last committed a chunk (a stale one means the worker died)
    beat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    # seconds spent processing, summed over runs (for the rate shown)
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.source} · {self.original_name}"

    # --- progress, derived (the console's bar and the command line's line) ----------
    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def rate(self) -> float:
        """Rows per second of wall-clock time so far."""
        return self.done / self.seconds if self.seconds else 0.0

    @property
    def seconds_left(self) -> float | None:
        if not self.rate or not self.total:
            return None
        return max(self.total - self.done, 0) / self.rate

    @property
    def percent(self) -> int:
        if self.total:
            return min(100, round(100 * self.done / self.total))
        return 100 if self.state == JobState.DONE else 0


class RowError(models.Model):
    job = models.ForeignKey(Job, verbose_name=_("导入任务"), on_delete=models.CASCADE,
                            related_name="errors")
    row_number = models.PositiveIntegerField(_("行号"))
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    reason = models.CharField(_("原因"), max_length=500)
    # the row as the file had it, so the error report can be corrected and imported again
    values = models.JSONField(_("原始内容"), default=list)

    class Meta:
        verbose_name = _("出错行")
        verbose_name_plural = _("出错行")
        ordering = ["job", "row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"],
                                               name="import_row_error_once")]

    def __str__(self):
        return f"第 {self.row_number} 行：{self.reason}"
