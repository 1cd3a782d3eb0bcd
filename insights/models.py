"""What the system learns from the demands: routing models and duplicate flags.

Hotspots are computed on request (they are a view of recent demands, not state); the
search index lives in a table of its own made per database (see ``insights.search``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingTarget(models.TextChoices):
    UNIT = "unit", _("责任单位")
    CATEGORY = "category", _("类别")


class RoutingModel(models.Model):
    """One trained version of a routing classifier (text → unit, or text → category)."""

    target = models.CharField(_("预测对象"), max_length=10, choices=RoutingTarget.choices)
    version = models.PositiveIntegerField(_("版本"))
    trained_at = models.DateTimeField(_("训练时间"))
    samples = models.PositiveIntegerField(_("样本数"))
    classes = models.PositiveIntegerField(_("类别数"), default=0)
    # False when the history was too small to learn from: the row says why, no blob
    usable = models.BooleanField(_("可用"), default=False)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    accuracy = models.FloatField(_("交叉验证准确率"), null=True, blank=True)
    macro_f1 = models.FloatField(_("宏平均F1"), null=True, blank=True)
    # [{"label": pk or code, "name": ..., "precision": .., "recall": .., "f1": .., "support": n}]
    per_class = models.JSONField(_("各类指标"), default=list, blank=True)
    blob = models.BinaryField(_("模型"), null=True, blank=True, editable=False)
    seconds = models.FloatField(_("训练用时（秒）"), default=0)

    class Meta:
        verbose_name = _("分派模型")
        verbose_name_plural = _("分派模型")
        ordering = ["target", "-version"]
        constraints = [models.UniqueConstraint(fields=["target", "version"],
                                               name="routing_model_version_once")]

    def __str__(self):
        return f"{self.get_target_display()} v{self.version}"


class FlagState(models.TextChoices):
    OPEN = "open", _("待确认")
    MERGED = "merged", _("已并单")
    DISMISSED = "dismissed", _("非重复")


class DuplicateFlag(models.Model):
    """``demand`` looks like a repeat of the earlier ``original``."""

    demand = models.ForeignKey("demands.Demand", verbose_name=_("诉求"),
                               on_delete=models.CASCADE, related_name="duplicate_flags")
    original = models.ForeignKey("demands.Demand", verbose_name=_("疑似原诉求"),
                                 on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("相似度"))
    # which evidence matched: "phone", "place", and the text similarity in ``score``
    reasons = models.JSONField(_("依据"), default=list)
    state = models.CharField(_("状态"), max_length=10, choices=FlagState.choices,
                             default=FlagState.OPEN)
    created_at = models.DateTimeField(_("发现时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    ACCESS_UNIT_FIELD = "demand__current_unit__path"

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["demand", "original"],
                                               name="duplicate_flag_once")]
        indexes = [models.Index(fields=["state", "-created_at"], name="duplicate_flag_open",
                                condition=models.Q(state="open"))]

    def __str__(self):
        return f"{self.demand_id} ≈ {self.original_id} ({self.score:.2f})"


class SearchDoc(models.Model):
    """One demand's search document (see ``insights.search``).

    The table is made per database by migration 0002 — on PostgreSQL a ``tsvector`` column
    with a GIN index (and a cascading foreign key to the demand), on SQLite an FTS5 virtual
    table whose rowid is the demand id — and it is read and written only by
    ``insights.search`` in SQL. The model exists so that Django knows the table: test
    flushes truncate it together with the demands.
    """

    demand = models.OneToOneField("demands.Demand", verbose_name=_("诉求"), primary_key=True,
                                  on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+")
    document = models.TextField(_("检索文档"), editable=False)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")
        default_permissions = ()

    def __str__(self):
        return str(self.demand_id)
