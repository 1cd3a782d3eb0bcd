"""Bulletins (通报, issue #13; design: docs/supervision.md section 3).

A ``Bulletin`` is one weekly, monthly or phase bulletin: its period, 文号 and title, the
.docx the worker generated from a ``BulletinTemplate`` (the office's own, or the shipped
default ``bulletins/templates/bulletin.docx``), the copy the office edited in Word and
uploaded, and its state: 草稿 → 已印发, after which nothing of it changes. An issued
bulletin marked public is listed on the portal. State changes only through
``bulletins.actions`` (declared in ``bulletins.catalogue``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")
    PHASE = "phase", _("阶段通报")


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


class Generation(models.TextChoices):
    """The worker's part (the page's progress bar)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class BulletinTemplate(models.Model):
    """A Word template with docxtpl tags (the tags: docs/supervision.md section 3). At most
    one is active; with none, the shipped default is used."""

    name = models.CharField(_("模板名称"), max_length=100)
    file = models.FileField(_("模板文件"), upload_to="bulletins/templates/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    active = models.BooleanField(_("启用"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("通报模板")
        verbose_name_plural = _("通报模板")
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True),
                                               name="bulletin_template_one_active")]

    def __str__(self):
        return self.name


class Bulletin(models.Model):
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    phase = models.ForeignKey("campaigns.Phase", verbose_name=_("阶段"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="bulletins")
    period_start = models.DateField(_("统计起始日期"))
    period_end = models.DateField(_("统计截止日期"))
    # 文号: "宿城管〔2026〕3号" — the year of drafting and its sequence
    year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.DRAFT)
    public = models.BooleanField(_("门户公开"), default=False,
                                 help_text=_("印发后在公众门户“工作通报”中公开。"))
    # the worker's generation
    generation = models.CharField(_("生成状态"), max_length=10, choices=Generation.choices,
                                  default=Generation.QUEUED)
    progress = models.PositiveSmallIntegerField(_("生成进度"), default=0)
    message = models.CharField(_("生成说明"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("请求生成时间"), null=True, blank=True)
    template = models.ForeignKey(BulletinTemplate, verbose_name=_("所用模板"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    generated_file = models.FileField(_("生成的文件"), upload_to="bulletins/%Y/", blank=True)
    # who asked for the generation; when the worker finished it
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("生成人"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    # the office's copy, edited in Word or WPS
    edited_file = models.FileField(_("修改稿"), upload_to="bulletins/%Y/", blank=True)
    edited_name = models.CharField(_("修改稿文件名"), max_length=200, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改稿上传人"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    edited_at = models.DateTimeField(_("修改稿上传时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("拟稿人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("拟稿时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("印发人"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="bulletin_number_once"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="bulletin_period_ordered"),
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="bulletin_progress_percent"),
            models.CheckConstraint(condition=Q(state="draft") | Q(issued_at__isnull=False),
                                   name="bulletin_issued_has_time"),
        ]
        indexes = [models.Index(fields=["state", "public", "-issued_at"],
                                name="bulletin_public_list")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("console:bulletin", args=[self.pk])

    @property
    def working(self) -> bool:
        """The worker has it (queued or generating)."""
        return self.generation in (Generation.QUEUED, Generation.RUNNING)

    @property
    def document(self):
        """The file that counts: the office's edited copy when there is one, else the
        generated one (empty before the first generation)."""
        return self.edited_file if self.edited_file else self.generated_file

    @property
    def download_name(self) -> str:
        return f"{self.number}{self.title}.docx"
