"""The gazetteer (地名库): the installation's places — roads, residential estates, markets,
villages, communities, landmarks, districts — and the places each demand names in words.
Design: docs/places.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    ESTATE = "estate", _("小区")
    MARKET = "market", _("市场")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    LANDMARK = "landmark", _("地标")
    SITE = "site", _("工地")
    ROAD = "road", _("道路")
    DISTRICT = "district", _("区县")


# The most specific first: a demand that names an estate on a road is about the estate.
SPECIFICITY = [PlaceKind.ESTATE, PlaceKind.MARKET, PlaceKind.SITE, PlaceKind.LANDMARK,
               PlaceKind.VILLAGE, PlaceKind.COMMUNITY, PlaceKind.ROAD, PlaceKind.DISTRICT]


class PlaceSource(models.TextChoices):
    MANUAL = "manual", _("手工录入")
    ADDRESSES = "addresses", _("从诉求地址生成")
    DEMO = "demo", _("演示数据")


class Place(models.Model):
    name = models.CharField(_("名称"), max_length=40, unique=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True,
                               help_text=_("简称、俗称、旧名，如“幸福菜场”“老菜场”。"))
    kind = models.CharField(_("类型"), max_length=10, choices=PlaceKind.choices)
    district = models.CharField(_("所在区县"), max_length=20, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=PlaceSource.choices,
                              default=PlaceSource.MANUAL)
    confirmed = models.BooleanField(_("已确认"), default=True,
                                    help_text=_("从地址生成的地名经人工确认后才用于识别。"))
    is_active = models.BooleanField(_("启用"), default=True)
    demand_count = models.PositiveIntegerField(_("提到它的诉求数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("地名")
        verbose_name_plural = _("地名库")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Field(models.TextChoices):
    TITLE = "title", _("标题")
    CONTENT = "content", _("内容")
    ADDRESS = "address", _("地址")


class Mention(models.Model):
    """A place a demand names: one of the gazetteer, or a name recognised by its form
    (…小区, …路) that the gazetteer does not hold (``place`` empty, ``name`` kept)."""

    demand = models.ForeignKey("demands.Demand", verbose_name=_("诉求"),
                               on_delete=models.CASCADE, related_name="place_mentions")
    place = models.ForeignKey(Place, verbose_name=_("地名"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="mentions")
    name = models.CharField(_("名称"), max_length=40)  # the gazetteer's name, or as written
    text = models.CharField(_("原文"), max_length=40)
    kind = models.CharField(_("类型"), max_length=10, choices=PlaceKind.choices)
    field = models.CharField(_("出处"), max_length=8, choices=Field.choices)
    position = models.PositiveIntegerField(_("位置"), default=0)

    class Meta:
        verbose_name = _("诉求提到的地名")
        verbose_name_plural = _("诉求提到的地名")
        indexes = [models.Index(fields=["name"], name="mention_name"),
                   models.Index(fields=["demand", "kind"], name="mention_demand_kind")]

    def __str__(self):
        return f"{self.demand_id} {self.name}"
