"""The bureau's organisation: a tree of units, staff profiles and scoped roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("局机关")
    OFFICE = "office", _("处室")
    SUBORDINATE = "subordinate", _("局属单位")
    DISTRICT = "district", _("区分局")
    BRANCH = "branch", _("党支部")


class Unit(models.Model):
    """One node of the organisation tree.

    ``path`` is the materialised chain of ids from the root ("/1/4/17/"), so "this unit
    and everything under it" is one indexed prefix query at any depth.
    """

    code = models.SlugField(_("代码"), max_length=40, unique=True,
                            help_text=_("稳定的英文代码，用于导入与对接，创建后不宜修改。"))
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    duties = models.TextField(_("职责"), blank=True)
    phone = models.CharField(_("对外电话"), max_length=30, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    service_standards = models.TextField(_("服务标准"), blank=True,
                                         help_text=_("亮标准：对外公示的服务规范，每行一条。"))
    commitments = models.TextField(_("服务承诺"), blank=True,
                                   help_text=_("亮承诺：对外公示的承诺事项，每行一条。"))
    is_active = models.BooleanField(_("启用"), default=True)

    ACCESS_UNIT_FIELD = "path"

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")),
                                   name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is None:
                self.path = ""
                super().save(*args, **kwargs)
                self.path = self._computed_path()
                super().save(update_fields=["path"])
                return
            old_path = self.path
            self.path = self._computed_path()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "path"}
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # The unit moved: its whole subtree follows, in one statement.
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
                )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def clean(self):
        if self.parent_id and self.pk:
            parent = Unit.objects.only("path").get(pk=self.parent_id)
            if parent.path.startswith(self.path):
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})
        if self.parent_id is None and self.kind != UnitKind.BUREAU:
            raise ValidationError({"parent": _("只有局机关可以没有上级单位。")})

    def _computed_path(self) -> str:
        if self.parent_id is None:
            return f"/{self.pk}/"
        parent_path = Unit.objects.values_list("path", flat=True).get(pk=self.parent_id)
        return f"{parent_path}{self.pk}/"

    def subtree(self):
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1]]
        return Unit.objects.filter(pk__in=ids).order_by("path")

    def contains(self, other: Unit) -> bool:
        return other.path.startswith(self.path)


class StaffProfile(models.Model):
    """A staff member. The first group of fields is public (三亮 · 亮身份), the rest private."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"),
                                on_delete=models.CASCADE, related_name="staff")
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT,
                             related_name="staff")
    # public: shown on the 三亮 board when show_on_board is on
    full_name = models.CharField(_("姓名"), max_length=30)
    post = models.CharField(_("岗位"), max_length=50)
    badge_number = models.CharField(_("工号/胸牌号"), max_length=20, unique=True)
    duties = models.TextField(_("岗位职责"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="staff/", blank=True)
    public_phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    show_on_board = models.BooleanField(_("挂牌公示"), default=True,
                                        help_text=_("在公众三亮公示栏展示此人的身份卡。"))
    # private: only the person, their unit head and bureau-wide managers see these
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    private_note = models.TextField(_("内部备注"), blank=True)

    ACCESS_UNIT_FIELD = "unit__path"
    ACCESS_USER_FIELDS = ("user",)

    PUBLIC_FIELDS = ("full_name", "post", "badge_number", "duties", "photo", "public_phone", "unit")
    PRIVATE_FIELDS = ("mobile", "private_note")

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["unit__path", "badge_number"]

    def __str__(self):
        return f"{self.full_name}（{self.unit.display_name}）"

    @property
    def is_public(self) -> bool:
        return self.show_on_board and self.user.is_active


class Role(models.TextChoices):
    RECEIVER = "receiver", _("受理员")
    DISPATCHER = "dispatcher", _("派遣员")
    HANDLER = "handler", _("承办人")
    UNIT_HEAD = "unit_head", _("单位负责人")
    SUPERVISOR = "supervisor", _("督查室")
    OFFICE = "office", _("办公室")
    PARTY = "party", _("机关党委")
    LEADER = "leader", _("局领导")
    ADMIN = "admin", _("系统管理员")


# Roles that act within one unit's subtree and make no sense without one.
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})


class RoleAssignment(models.Model):
    """A role held by a user over a scope: a unit's subtree, or the whole bureau (no unit)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"),
                             on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("范围单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="role_assignments",
                             help_text=_("留空表示全局（全局范围）。"))

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_once_per_scope"),
            models.UniqueConstraint(fields=["user", "role"], condition=Q(unit__isnull=True),
                                    name="bureau_role_once"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return self.unit.display_name if self.unit_id else str(_("全局"))

    def clean(self):
        if self.role in UNIT_ROLES and self.unit_id is None:
            raise ValidationError({"unit": _("该角色必须指定范围单位。")})


class ApiToken(models.Model):
    """A key for a system that calls the API (the 12345 platform pushing demands, say).

    The token acts as ``user``, so that account's roles decide what the system may do.
    Only a SHA-256 hash of the secret is stored; the full token is shown once, at creation.
    """

    name = models.CharField(_("用途"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代表账号"),
                             on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest(secret: str) -> str:
        import hashlib

        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """Create a token; returns it and the full key, which is not stored anywhere."""
        import secrets

        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=prefix,
                                   key_hash=cls.digest(secret))
        return token, f"smy_{prefix}_{secret}"

    @classmethod
    def authenticate(cls, key: str):
        """The active user behind ``key``, or None."""
        import hmac

        from django.utils import timezone

        try:
            marker, prefix, secret = key.split("_", 2)
        except ValueError:
            return None
        if marker != "smy":
            return None
        token = cls.objects.select_related("user").filter(prefix=prefix, is_active=True).first()
        if token is None or not hmac.compare_digest(token.key_hash, cls.digest(secret)):
            return None
        if not token.user.is_active:
            return None
        now = timezone.now()
        # Record use at most once a minute: a write on every request would cost more than
        # the request itself when a platform pushes hundreds of demands a second.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class AwayNotice(models.Model):
    """离岗告示: a staff member left the post — where to, until when, who covers."""

    staff = models.ForeignKey(StaffProfile, verbose_name=_("离岗人员"), on_delete=models.CASCADE,
                              related_name="away_notices")
    destination = models.CharField(_("去向/事由"), max_length=100)
    starts_at = models.DateTimeField(_("离岗时间"))
    until = models.DateTimeField(_("预计返回"))
    covered_by = models.ForeignKey(StaffProfile, verbose_name=_("代岗人员"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"),
                                  on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("已返岗"), null=True, blank=True)

    ACCESS_UNIT_FIELD = "staff__unit__path"
    ACCESS_USER_FIELDS = ("staff__user",)

    class Meta:
        verbose_name = _("离岗告示")
        verbose_name_plural = _("离岗告示")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["until", "ended_at"], name="away_current")]

    def __str__(self):
        return f"{self.staff.full_name} {self.destination}"
