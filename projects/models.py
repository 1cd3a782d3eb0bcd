"""Practical projects (实事项目) and public commitments (承诺): planned, tracked, published
and judged by the public. Design: docs/projects.md. State changes only through
``projects.actions`` (declared in ``projects.catalogue``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from demands.models import Level
from lib.photos import PhotoFields


class ProjectState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("公示中")
    IN_PROGRESS = "in_progress", _("推进中")
    DELAYED = "delayed", _("延期")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("撤销")


# Shown to the public (撤销 as such: a withdrawn promise is part of the record).
PUBLIC_STATES = (ProjectState.PUBLISHED, ProjectState.IN_PROGRESS, ProjectState.DELAYED,
                 ProjectState.DONE, ProjectState.CANCELLED)
# Still being worked on: milestones can be edited, the sweep watches the deadline.
ACTIVE_STATES = (ProjectState.PUBLISHED, ProjectState.IN_PROGRESS, ProjectState.DELAYED)
FINAL_STATES = (ProjectState.DONE, ProjectState.CANCELLED)


class Project(models.Model):
    title = models.CharField(_("项目名称"), max_length=100)
    background = models.TextField(_("背景"), max_length=4000, blank=True,
                                  help_text=_("群众反映了什么、为什么要办。"))
    plan = models.TextField(_("推进计划"), max_length=4000, blank=True)
    measures = models.TextField(_("工作举措"), max_length=4000, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    # the window of the hotspot it came from
    since = models.DateField(_("诉求起始日期"), null=True, blank=True)
    until = models.DateField(_("诉求截止日期"), null=True, blank=True)
    lead_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("牵头领导"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    responsible_unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), null=True,
                                         blank=True, on_delete=models.PROTECT,
                                         related_name="projects")
    cooperating_units = models.ManyToManyField("org.Unit", verbose_name=_("配合单位"),
                                               blank=True, related_name="cooperating_projects")
    budget = models.DecimalField(_("预算（万元）"), max_digits=10, decimal_places=2,
                                 null=True, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=ProjectState.choices,
                             default=ProjectState.DRAFT)
    delay_reason = models.TextField(_("延期原因"), max_length=1000, blank=True)
    cancel_reason = models.TextField(_("撤销原因"), max_length=1000, blank=True)
    summary = models.TextField(_("完成情况"), max_length=2000, blank=True)
    office_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                           verbose_name=_("办公室审核人"), null=True,
                                           blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    office_approved_at = models.DateTimeField(_("办公室审核时间"), null=True, blank=True)
    leader_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准领导"),
                                           null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    leader_approved_at = models.DateTimeField(_("领导批准时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    overdue_flag = models.BooleanField(_("已逾期"), default=False)
    demands = models.ManyToManyField("demands.Demand", verbose_name=_("相关诉求"), blank=True,
                                     related_name="projects")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    ACCESS_UNIT_FIELD = "responsible_unit__path"

    class Meta:
        verbose_name = _("实事项目")
        verbose_name_plural = _("实事项目")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "deadline"], name="project_state_deadline")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("console:project", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES


class MilestoneState(models.TextChoices):
    PLANNED = "planned", _("计划中")
    DONE = "done", _("已完成")


class Milestone(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("实事项目"), on_delete=models.CASCADE,
                                related_name="milestones")
    title = models.CharField(_("节点"), max_length=100)
    due = models.DateField(_("计划完成日期"))
    owner_unit = models.ForeignKey("org.Unit", verbose_name=_("负责单位"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=8, choices=MilestoneState.choices,
                             default=MilestoneState.PLANNED)
    evidence = models.TextField(_("完成情况"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    overdue_flag = models.BooleanField(_("已逾期"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["due", "sort_order", "id"]

    def __str__(self):
        return f"{self.project} · {self.title}"


class ProgressUpdate(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("实事项目"), on_delete=models.CASCADE,
                                related_name="updates")
    text = models.TextField(_("进展"), max_length=2000)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"),
                                  on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["-posted_at", "-id"]

    def __str__(self):
        return f"{self.project} {self.posted_at:%Y-%m-%d}"


class ProjectPhoto(PhotoFields):
    """A photo of a progress update or of a milestone's completion (EXIF stripped)."""

    project = models.ForeignKey(Project, verbose_name=_("实事项目"), on_delete=models.CASCADE,
                                related_name="photos")
    update = models.ForeignKey(ProgressUpdate, verbose_name=_("进展"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="photos")
    milestone = models.ForeignKey(Milestone, verbose_name=_("里程碑"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="photos")
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["uploaded_at", "id"]


class ProjectEventKind(models.TextChoices):
    CREATE = "create", _("创建")
    EDIT = "edit", _("修改")
    OFFICE_APPROVE = "office_approve", _("办公室审核")
    LEADER_APPROVE = "leader_approve", _("领导批准并公示")
    START = "start", _("开始推进")
    UPDATE = "update", _("发布进展")
    MILESTONE_ADD = "milestone_add", _("增加里程碑")
    MILESTONE_EDIT = "milestone_edit", _("修改里程碑")
    MILESTONE_DONE = "milestone_done", _("里程碑完成")
    MILESTONE_OVERDUE = "milestone_overdue", _("里程碑逾期")
    DELAY = "delay", _("延期")
    RESUME = "resume", _("恢复推进")
    COMPLETE = "complete", _("完成")
    CANCEL = "cancel", _("撤销")
    OVERDUE = "overdue", _("逾期")
    LINK = "link", _("关联诉求")


class ProjectEvent(models.Model):
    """One step in a project's history. Append-only, as a demand's."""

    project = models.ForeignKey(Project, verbose_name=_("实事项目"), on_delete=models.CASCADE,
                                related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=ProjectEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=12, choices=ProjectState.choices,
                                  blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=ProjectState.choices,
                                blank=True)
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["project", "at", "id"], name="pevent_project_time")]

    def __str__(self):
        return f"{self.project_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("project events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("project events are append-only")


class CommitmentKind(models.TextChoices):
    SERVICE = "service", _("服务承诺")
    RECTIFICATION = "rectification", _("整改承诺")


class CommitmentSource(models.TextChoices):
    UNIT = "unit", _("单位或窗口亮承诺")
    SUPERVISION = "supervision", _("督查发现问题")
    EVALUATION = "evaluation", _("群众差评整改")
    SELF_CHECK = "self_check", _("活动自查")


class CommitmentState(models.TextChoices):
    DRAFT = "draft", _("待公示")
    OPEN = "open", _("承诺中")
    FULFILLED = "fulfilled", _("已兑现")
    CANCELLED = "cancelled", _("撤销")


class Commitment(models.Model):
    kind = models.CharField(_("类型"), max_length=14, choices=CommitmentKind.choices)
    source = models.CharField(_("来源"), max_length=12, choices=CommitmentSource.choices,
                              default=CommitmentSource.UNIT)
    unit = models.ForeignKey("org.Unit", verbose_name=_("承诺单位"), on_delete=models.PROTECT,
                             related_name="unit_commitments")
    window = models.CharField(_("窗口或岗位"), max_length=50, blank=True)
    title = models.CharField(_("承诺事项"), max_length=100)
    content = models.TextField(_("承诺内容"), max_length=2000,
                               help_text=_("办理时限、服务标准，或整改的具体措施。"))
    source_note = models.TextField(_("问题来源说明"), max_length=1000, blank=True)
    demand = models.ForeignKey("demands.Demand", verbose_name=_("相关诉求"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="commitments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=CommitmentState.choices,
                             default=CommitmentState.DRAFT)
    evidence = models.TextField(_("兑现情况"), max_length=2000, blank=True)
    cancel_reason = models.TextField(_("撤销原因"), max_length=1000, blank=True)
    overdue_flag = models.BooleanField(_("已逾期"), default=False)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"))

    ACCESS_UNIT_FIELD = "unit__path"

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(kind="service") | Q(deadline__isnull=False),
            name="rectification_has_deadline")]

    def __str__(self):
        return self.title


class CommitmentEvent(models.Model):
    commitment = models.ForeignKey(Commitment, verbose_name=_("承诺"),
                                   on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("动作"), max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10, blank=True)
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("承诺记录")
        verbose_name_plural = _("承诺记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.commitment_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("commitment events are append-only")
        super().save(*args, **kwargs)


class CommentState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已公开")
    REJECTED = "rejected", _("未通过")


class PublicComment(models.Model):
    """A citizen's comment on a project or a commitment, public only once approved."""

    project = models.ForeignKey(Project, verbose_name=_("实事项目"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="comments")
    commitment = models.ForeignKey(Commitment, verbose_name=_("承诺"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("称呼"), max_length=20)
    phone = models.CharField(_("手机号"), max_length=11)  # never public
    text = models.TextField(_("留言"), max_length=500)
    state = models.CharField(_("状态"), max_length=8, choices=CommentState.choices,
                             default=CommentState.PENDING)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("留言时间"))

    class Meta:
        verbose_name = _("公众留言")
        verbose_name_plural = _("公众留言")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(project__isnull=False, commitment__isnull=True)
            | Q(project__isnull=True, commitment__isnull=False),
            name="comment_on_one_thing")]
        indexes = [models.Index(fields=["state", "created_at"], name="comment_state_time")]

    def __str__(self):
        return f"{self.name}：{self.text[:20]}"


class ProjectRating(models.Model):
    """A citizen's judgement of a completed project (请群众评判): one per phone."""

    project = models.ForeignKey(Project, verbose_name=_("实事项目"), on_delete=models.CASCADE,
                                related_name="ratings")
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)
    phone = models.CharField(_("手机号"), max_length=11)
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("项目评价")
        verbose_name_plural = _("项目评价")
        constraints = [models.UniqueConstraint(fields=["project", "phone"],
                                               name="one_rating_per_phone")]

    def __str__(self):
        return f"{self.project_id} {self.level}"
