"""Demands (诉求/工单) and their append-only history.

State changes happen only in ``demands.actions``; nothing else writes ``state``,
``deadline`` or the accountability fields.
"""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Urgency


class RequesterKind(models.TextChoices):
    CITIZEN = "citizen", _("群众")
    GRASSROOTS = "grassroots", _("基层")
    ENTERPRISE = "enterprise", _("企业")


class Channel(models.TextChoices):
    HOTLINE_12345 = "12345", _("12345热线")
    HOTLINE_12319 = "12319", _("12319城管热线")
    PORTAL = "portal", _("门户网站")
    WEIBO = "weibo", _("微博")
    WENZHENG = "wenzheng", _("网络问政")
    GOV_CLOUD = "gov_cloud", _("政务云平台")
    WALK_IN = "walk_in", _("来访")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    RECEIVED = "received", _("待派遣")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("待回访")
    FOLLOW_UP = "follow_up", _("整改中")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已并单")
    INVALID = "invalid", _("无效")


OPEN_STATES = (State.SUBMITTED, State.RECEIVED, State.DISPATCHED, State.HANDLING,
               State.REPLIED, State.FOLLOW_UP)
# The committed time limit runs in these states; a reply stops the clock.
CLOCK_STATES = (State.RECEIVED, State.DISPATCHED, State.HANDLING, State.FOLLOW_UP)
FINAL_STATES = (State.CLOSED, State.MERGED, State.INVALID)


class SlaFlag(models.TextChoices):
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("即将超期")
    OVERDUE = "overdue", _("已超期")


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


SATISFIED_LEVELS = (5, 4, 3)

# Tracking numbers: date + six characters from an alphabet without look-alikes, so that
# numbers are easy to read out on the phone and cannot be guessed in sequence.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


_pool = bytearray()


def _random64() -> int:
    """64 bits from the operating system's CSPRNG, fetched 8 KiB at a time (one system
    call per thousand numbers: file imports draw a million)."""
    global _pool
    if len(_pool) < 8:
        _pool = bytearray(secrets.token_bytes(8192))
    value = int.from_bytes(_pool[-8:], "big")
    del _pool[-8:]
    return value


_BUREAU_TZ = None


def new_number(at=None) -> str:
    global _BUREAU_TZ
    if _BUREAU_TZ is None:  # the bureau's own zone (not a per-request one; and cheaper)
        _BUREAU_TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    at = (at or timezone.now()).astimezone(_BUREAU_TZ)
    # one draw of 64 random bits (2^64 ≫ 31^6, so the six letters are uniform enough)
    value = _random64()
    tail = []
    for _position in range(6):
        value, index = divmod(value, len(NUMBER_ALPHABET))
        tail.append(NUMBER_ALPHABET[index])
    return f"{at:%y%m%d}-{''.join(tail)}"


class DemandQuerySet(models.QuerySet):
    """The clock's conditions as SQL, for queues, filters, the sweep and the KPIs alike
    (``Demand.sla_state`` is the same rule for one demand in Python)."""

    def running(self):
        return self.filter(state__in=CLOCK_STATES)

    def overdue(self, now):
        return self.filter(state__in=CLOCK_STATES, deadline__lt=now)

    def warning(self, now):
        return self.filter(state__in=CLOCK_STATES, warn_at__lte=now, deadline__gte=now)

    def in_time(self, now):
        """Neither warning nor overdue at ``now`` (also every demand whose clock is not
        running)."""
        return self.exclude(state__in=CLOCK_STATES, warn_at__lte=now)

    # -- the KPI roll-ups follow every write (demands/rollups.py) --
    def update(self, **kwargs):
        if not counts_on(self.model, kwargs):
            return super().update(**kwargs)
        before = list(self.values_list("pk", *DAY_FIELDS))
        count = super().update(**kwargs)
        moments = [value for row in before for value in row[1:]]
        if set(kwargs) & set(DAY_FIELDS) and before:
            after = Demand.objects.filter(pk__in=[row[0] for row in before])
            moments += [value for row in after.values_list(*DAY_FIELDS)
                        for value in row]
        mark(days_of(moments))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        mark(days_of(getattr(obj, field) for obj in objs for field in DAY_FIELDS))
        return objs


class Demand(models.Model):
    number = models.CharField(_("诉求编号"), max_length=20, unique=True, editable=False)
    # who asked
    requester_kind = models.CharField(_("诉求人类型"), max_length=12,
                                      choices=RequesterKind.choices)
    requester_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    requester_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    requester_org = models.CharField(_("所在单位/企业"), max_length=100, blank=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="demands",
                                   db_index=False)
    grassroots_unit = models.ForeignKey("org.Unit", verbose_name=_("基层单位"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+",
                                        db_index=False)
    # how it came
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    # what
    # Empty while the demand waits in 待分类 (an uncategorised export, an API client that
    # does not know our categories): its clock then runs on UNCATEGORISED_TIME_LIMIT.
    category = models.ForeignKey("catalog.Category", verbose_name=_("类别"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="demands")
    # set by an automatic classification (import --auto-category): how sure the model was
    category_confidence = models.FloatField(_("智能分类置信度"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("诉求内容"), max_length=4000)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    # "" = the point came with the demand; "place" = the gazetteer's point of a place the
    # text names (approximate: an estate's or a road's centre), set by places.receivers
    point_source = models.CharField(_("坐标来源"), max_length=8, blank=True,
                                    choices=[("", _("随诉求提供")), ("place", _("按地名推断"))])
    urgency = models.PositiveSmallIntegerField(_("紧急程度"), choices=Urgency.choices,
                                               default=Urgency.NORMAL)
    # support counts a message board exports (点赞数/反对数): part of a hot topic's heat
    supports = models.PositiveIntegerField(_("点赞数"), default=0)
    opposes = models.PositiveIntegerField(_("反对数"), default=0)
    consent_publish = models.BooleanField(
        _("同意公开"), default=False,
        help_text=_("诉求人同意在公众诉求列表和地图上（隐去个人信息后）公开本诉求。"))
    # the one-time evaluation link sent to the requester after a reply (SHA-256 of it)
    evaluation_token_hash = models.CharField(_("评价链接摘要"), max_length=64, blank=True,
                                             editable=False)
    # accountability
    state = models.CharField(_("状态"), max_length=12, choices=State.choices)
    first_receiver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首问受理人"),
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="first_received_demands", db_index=False)
    current_unit = models.ForeignKey("org.Unit", verbose_name=_("当前责任单位"),
                                     on_delete=models.PROTECT, related_name="demands",
                                     db_index=False)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True,
                                blank=True, on_delete=models.PROTECT,
                                related_name="handled_demands", db_index=False)
    duplicate_of = models.ForeignKey("self", verbose_name=_("并入诉求"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates",
                                     db_index=False)
    # time
    submitted_at = models.DateTimeField(_("提交时间"))
    received_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("首次派遣时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    # The committed time limit (承诺办结时限): set at receipt, moved only by an approved
    # extension of the first round. ``deadline``/``warn_at`` are the *running* clock's —
    # the same until a 差评整改 starts its own (see demands/clock.py).
    committed_deadline = models.DateTimeField(_("承诺办结时限"), null=True, blank=True)
    deadline = models.DateTimeField(_("当前办理时限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    sla_flag = models.CharField(_("已提醒的时限状态"), max_length=8, choices=SlaFlag.choices,
                                default=SlaFlag.NORMAL)
    first_replied_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    replied_on_time = models.BooleanField(_("按时答复"), null=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # what happened (kept on the row so KPIs are single-table queries)
    reply = models.TextField(_("答复内容"), blank=True)
    # The first evaluation is what the satisfaction rates count: a follow-up after a bad
    # evaluation does not erase it. The latest one is shown on the demand.
    first_evaluation_level = models.PositiveSmallIntegerField(
        _("首次评价"), choices=Level.choices, null=True, blank=True)
    first_evaluated_at = models.DateTimeField(_("首次评价时间"), null=True, blank=True)
    evaluation_level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices,
                                                        null=True, blank=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    is_repeat = models.BooleanField(_("重复诉求"), default=False)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    follow_up_count = models.PositiveSmallIntegerField(_("整改次数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    ACCESS_UNIT_FIELD = "current_unit__path"
    ACCESS_USER_FIELDS = ("first_receiver",)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"],
                                    condition=~Q(external_id=""),
                                    name="demand_external_id_once_per_channel"),
            models.CheckConstraint(condition=Q(evaluation_level__isnull=True)
                                   | Q(evaluation_level__gte=1, evaluation_level__lte=5),
                                   name="demand_evaluation_level_1_to_5"),
        ]
        indexes = [
            # queues: state (and unit) in newest-first order, keyset-paginated
            models.Index(fields=["state", "-submitted_at", "-id"], name="demand_state_queue"),
            models.Index(fields=["current_unit", "state", "-submitted_at", "-id"],
                         name="demand_unit_queue"),
            models.Index(fields=["first_receiver", "-submitted_at", "-id"],
                         name="demand_first_receiver"),
            # the SLA sweep and its queues
            models.Index(fields=["deadline"], name="demand_deadline",
                         condition=Q(state__in=["received", "dispatched", "handling",
                                                "follow_up"])),
            models.Index(fields=["warn_at"], name="demand_warn_at",
                         condition=Q(state__in=["received", "dispatched", "handling",
                                                "follow_up"])),
            # KPIs by period
            models.Index(fields=["first_evaluated_at"], name="demand_first_evaluated_at"),
            models.Index(fields=["submitted_at"], name="demand_submitted_at"),
            # … and the other family dates: the live part of a dashboard (today) and the
            # roll-ups' recomputation of a day read demands by these
            models.Index(fields=["dispatched_at"], name="demand_dispatched_at",
                         condition=Q(dispatched_at__isnull=False)),
            models.Index(fields=["first_replied_at"], name="demand_first_replied_at",
                         condition=Q(first_replied_at__isnull=False)),
            models.Index(fields=["committed_deadline"], name="demand_committed_deadline",
                         condition=Q(committed_deadline__isnull=False)),
            # the public board: consented demands, newest first
            models.Index(fields=["-submitted_at", "-id"], name="demand_public",
                         condition=Q(consent_publish=True)),
            # repeat detection (same phone, same category, recent) and phone search
            models.Index(fields=["requester_phone", "category", "submitted_at"],
                         name="demand_repeat"),
            # Sized to the rows that have a value: most demands have no enterprise, no
            # grassroots unit, no handler yet, are merged into nothing and carry no open
            # evaluation link, and an index of NULLs (or of "") only slows every insert.
            # (current_unit and first_receiver lead demand_unit_queue / demand_first_receiver,
            # which serve their look-ups.)
            models.Index(fields=["enterprise"], name="demand_enterprise",
                         condition=Q(enterprise__isnull=False)),
            models.Index(fields=["grassroots_unit"], name="demand_grassroots_unit",
                         condition=Q(grassroots_unit__isnull=False)),
            models.Index(fields=["handler"], name="demand_handler",
                         condition=Q(handler__isnull=False)),
            models.Index(fields=["duplicate_of"], name="demand_duplicate_of",
                         condition=Q(duplicate_of__isnull=False)),
            models.Index(fields=["evaluation_token_hash"], name="demand_evaluation_token",
                         condition=~Q(evaluation_token_hash="")),
            # duplicate detection by place: a latitude band, then longitude
            models.Index(fields=["latitude", "longitude"], name="demand_place",
                         condition=Q(latitude__isnull=False)),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        # the KPI roll-ups follow every write (demands/rollups.py)
        fields = kwargs.get("update_fields")
        if fields is not None and not counts_on(Demand, fields):
            return super().save(*args, **kwargs)  # nothing counted changes (the SLA flag)
        before = getattr(self, "_rollup_snapshot", None)
        old_days: set = set()
        if before is None and not self._state.adding and self.pk is not None:
            # loaded partially (.only()): the days it had, read before they change
            old = Demand.objects.filter(pk=self.pk).values_list(*DAY_FIELDS).first()
            old_days = days_of(old or ())
        super().save(*args, **kwargs)
        after = snapshot(self.__dict__)
        mark(changed_days(before, after) | old_days)
        self._rollup_snapshot = after

    def get_absolute_url(self):
        """The demand's page in the console (the link in notifications)."""
        return reverse("console:demand_detail", kwargs={"number": self.number})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if all(name in field_names for name in TRACKED):  # not .only()/.defer()
            instance._rollup_snapshot = snapshot(instance.__dict__)
        return instance

    @property
    def in_follow_up(self) -> bool:
        """A 差评整改 runs its own clock beside the committed one."""
        return self.follow_up_count > 0 and self.deadline != self.committed_deadline

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def clock_running(self) -> bool:
        return self.state in CLOCK_STATES

    def sla_state(self, now=None) -> str:
        """normal / warning / overdue of the running clock at ``now`` (the rule of
        ``DemandQuerySet.overdue`` and ``.warning``)."""
        if not self.clock_running or self.deadline is None:
            return SlaFlag.NORMAL
        now = now or timezone.now()
        if now > self.deadline:
            return SlaFlag.OVERDUE
        if self.warn_at and now >= self.warn_at:
            return SlaFlag.WARNING
        return SlaFlag.NORMAL

    @property
    def accountable(self):
        """Who answers for the demand now: the first receiver until a unit accepts it."""
        if self.accepted_at is None or self.state in (State.RECEIVED, State.SUBMITTED):
            return self.first_receiver
        return self.handler


# What a demand without a category shows where a category name would be.
UNCLASSIFIED = "待分类"


class EventKind(models.TextChoices):
    SUBMIT = "submit", _("提交")
    REGISTER = "register", _("登记受理")
    RECEIVE = "receive", _("受理")
    DISPATCH = "dispatch", _("派遣")
    ACCEPT = "accept", _("签收")
    RETURN = "return", _("退单")
    TRANSFER = "transfer", _("转办")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    REFUSE_EXTENSION = "refuse_extension", _("驳回延期")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    REPLY = "reply", _("答复")
    VISIT = "visit", _("回访")
    EVALUATE = "evaluate", _("评价")
    FOLLOW_UP = "follow_up", _("差评整改")
    ANSWER_FOLLOW_UP = "answer_follow_up", _("整改答复")
    MERGE = "merge", _("并单")
    INVALIDATE = "invalidate", _("作废")
    CLOSE = "close", _("办结")
    WARN = "warn", _("时限预警")
    OVERDUE = "overdue", _("超期")
    # a re-imported file changed what the source system knows of the demand
    UPDATE = "update", _("来源更新")
    # the original's reply passed on to the requester of a demand merged into it
    RELAY = "relay", _("转达原诉求答复")
    # a category given to a demand that had none, or corrected before dispatch
    CLASSIFY = "classify", _("分类")


class DemandEvent(models.Model):
    """One step in a demand's history. Append-only: never updated, never deleted."""

    demand = models.ForeignKey(Demand, verbose_name=_("诉求"), on_delete=models.CASCADE,
                               related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=12, choices=State.choices,
                                  blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=State.choices, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("涉及单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["demand", "at", "id"], name="event_demand_time"),
                   models.Index(fields=["kind", "at"], name="event_kind_time")]

    def __str__(self):
        return f"{self.demand_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("demand events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("demand events are append-only")


def attachment_path(instance, filename):
    return f"demands/{instance.demand.number}/{secrets.token_hex(8)}-{filename}"


class Attachment(models.Model):
    demand = models.ForeignKey(Demand, verbose_name=_("诉求"), on_delete=models.CASCADE,
                               related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=120)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class EvaluationSource(models.TextChoices):
    WEB = "web", _("网页评价")
    VISIT = "visit", _("电话回访")
    SMS = "sms", _("短信评价")
    API = "api", _("接口回传")


class Evaluation(models.Model):
    demand = models.ForeignKey(Demand, verbose_name=_("诉求"), on_delete=models.CASCADE,
                               related_name="evaluations")
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    source = models.CharField(_("评价方式"), max_length=8, choices=EvaluationSource.choices)
    comment = models.TextField(_("评价意见"), blank=True, max_length=1000)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5),
                                   name="evaluation_level_1_to_5"),
            models.UniqueConstraint(fields=["demand", "round"], name="evaluation_once_per_round"),
        ]

    def __str__(self):
        return f"{self.demand_id} {self.get_level_display()}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已驳回")


class ExtensionRequest(models.Model):
    demand = models.ForeignKey(Demand, verbose_name=_("诉求"), on_delete=models.CASCADE,
                               related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    extra_days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("申请理由"))
    status = models.CharField(_("状态"), max_length=10, choices=ExtensionStatus.choices,
                              default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["demand"], condition=Q(status="pending"),
                                    name="one_pending_extension_per_demand"),
        ]

    def __str__(self):
        return f"{self.demand_id} +{self.extra_days} {self.get_status_display()}"


class SupervisionOrder(models.Model):
    """督办单: a formal order from the supervision office or a leader."""

    demand = models.ForeignKey(Demand, verbose_name=_("诉求"), on_delete=models.CASCADE,
                               related_name="supervision_orders")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办人"),
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("督办时间"))
    instruction = models.TextField(_("督办要求"))
    respond_by = models.DateTimeField(_("反馈期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["issued_at", "id"]

    def __str__(self):
        return f"{self.demand_id} {self.issued_at:%Y-%m-%d}"


class ReplyTemplate(models.Model):
    """A civil-language reply template (文明用语). ``{name}`` and ``{number}`` are filled in."""

    title = models.CharField(_("名称"), max_length=50, unique=True)
    body = models.TextField(_("模板内容"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.title

    def render(self, demand: Demand) -> str:
        return (self.body.replace("{name}", demand.requester_name or "您")
                .replace("{number}", demand.number))


# --- roll-up marks: which closed days a write changes (demands/rollups.py) --------------
# The demand fields a figure depends on: the family dates, and what the conditions read.
DAY_FIELDS = ("submitted_at", "dispatched_at", "first_replied_at", "first_evaluated_at",
              "committed_deadline")
TRACKED = (*DAY_FIELDS, "state", "current_unit_id", "category_id", "channel",
           "requester_kind", "is_repeat", "return_count", "extension_count",
           "replied_on_time", "visited_at", "first_evaluation_level")


def days_of(values, today=None) -> set:
    """The closed local days among these moments (None and today onwards dropped)."""
    today = today or timezone.localdate()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    days = set()
    for value in values:
        if value is not None:
            day = value.astimezone(tz).date()
            if day < today:
                days.add(day)
    return days


def counts_on(model, names) -> bool:
    """Does writing these fields (names or attnames) change what a figure counts?"""
    return any(model._meta.get_field(name).attname in TRACKED for name in names)


def mark(days) -> None:
    """Mark closed days for recomputation (in the caller's transaction)."""
    days = sorted(set(days))
    if days:
        RollupDirty.objects.bulk_create([RollupDirty(day=day) for day in days])


def snapshot(values: dict) -> tuple:
    return tuple(values.get(name) for name in TRACKED)


def changed_days(before: tuple | None, after: tuple) -> set:
    """Days to mark when a demand goes from ``before`` (None: new) to ``after``."""
    if before == after:
        return set()
    moments = list(after[:len(DAY_FIELDS)])
    if before is not None:
        moments += list(before[:len(DAY_FIELDS)])
    return days_of(moments)


# --- KPI roll-ups (docs/supervision.md §4; maintained by demands/rollups.py) ---------------
class Dimension(models.TextChoices):
    TOTAL = "", _("合计")
    CATEGORY = "category", _("类别")
    CHANNEL = "channel", _("来源渠道")
    KIND = "kind", _("诉求人类型")


class DailyFigure(models.Model):
    """The counts behind every figure of ``demands.kpis`` for one closed day and one
    current unit, in total (``dimension`` "") or split by one more dimension (the leaf
    category, the channel or the requester kind). A demand counts on the day of each
    family's own date (received, dispatched, first replied, first evaluated, committed
    deadline). Derived data: recomputed whole days at a time, never edited."""

    day = models.DateField(_("日期"))
    unit = models.ForeignKey("org.Unit", verbose_name=_("责任单位"), on_delete=models.CASCADE,
                             related_name="+", db_constraint=False)
    dimension = models.CharField(_("维度"), max_length=8, choices=Dimension.choices,
                                 blank=True)
    category = models.ForeignKey("catalog.Category", verbose_name=_("类别"), null=True,
                                 blank=True, on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False)
    channel = models.CharField(_("来源渠道"), max_length=12, blank=True)
    requester_kind = models.CharField(_("诉求人类型"), max_length=12, blank=True)
    received = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    visit = models.PositiveIntegerField(default=0)
    visited = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    satisfaction = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    satisfaction_citizen = models.PositiveIntegerField(default=0)
    satisfied_citizen = models.PositiveIntegerField(default=0)
    satisfaction_grassroots = models.PositiveIntegerField(default=0)
    satisfied_grassroots = models.PositiveIntegerField(default=0)
    satisfaction_enterprise = models.PositiveIntegerField(default=0)
    satisfied_enterprise = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("每日指标汇总")
        verbose_name_plural = _("每日指标汇总")
        indexes = [models.Index(fields=["dimension", "day"], name="dailyfigure_dimension_day"),
                   models.Index(fields=["day"], name="dailyfigure_day")]

    def __str__(self):
        return f"{self.day} {self.unit_id} {self.dimension}"


class RollupDirty(models.Model):
    """A day whose roll-up must be recomputed: written in the transaction of the change
    that made it so (append-only; the job deletes the marks it has consumed by id)."""

    day = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("待重算日期")
        verbose_name_plural = _("待重算日期")

    def __str__(self):
        return str(self.day)


class RollupState(models.Model):
    """One row: the last closed day whose roll-up is complete (``None``: never built)."""

    complete_through = models.DateField(_("已汇总至"), null=True, blank=True)
    built_at = models.DateTimeField(_("最近汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("指标汇总状态")
        verbose_name_plural = _("指标汇总状态")

    def __str__(self):
        return f"已汇总至 {self.complete_through or '—'}"
