"""Which column of a file fills which demand field: the usual headers of the 12345 hotline
and other systems, guessed on upload, and the mapping each source last used, so the next
file from it needs none."""

from __future__ import annotations

from django.utils import timezone

from catalog.models import Category
from demands.models import Channel, RequesterKind
from lib.errors import ActionError

from .models import FIELDS, REQUIRED_FIELDS, Source

# Column names the hotline and other systems use for each field, in order of preference
# (the first matching header wins; a column fills one field only). The 12345 platforms'
# exports differ by city and vendor: 工单/受理/诉求 prefixes, 来电/受理/登记 times. Some
# names are this system's own export (demands/exports.py): 诉求编号, 提交时间, 类别编码 ….
SYNONYMS = {
    "external_id": ["工单编号", "工单号", "外部编号", "受理编号", "来电编号", "留言编号", "单号",
                    "编号"],
    "number": ["诉求编号"],
    "title": ["标题", "诉求标题", "工单标题", "留言主题", "主题", "事项名称"],
    "content": ["诉求内容", "内容", "工单内容", "来电内容", "反映内容", "问题描述", "具体内容",
                "留言详情", "留言内容", "描述"],
    "received_at": ["来电时间", "受理时间", "提交时间", "登记时间", "创建时间", "留言时间",
                    "时间"],
    "requester_name": ["诉求人", "姓名", "来电人", "联系人", "反映人", "留言用户", "留言人"],
    "requester_phone": ["联系电话", "电话", "来电号码", "手机号", "手机", "联系方式"],
    "requester_kind": ["诉求人类型", "来电人类型"],
    "requester_org": ["所在单位/企业", "所在单位", "企业名称", "单位名称"],
    "category": ["类别编码", "诉求类别", "问题类别", "问题分类", "诉求分类", "业务类别",
                 "问题类型", "类别", "小类", "分类"],
    "address": ["地址", "问题地址", "事发地址", "发生地址", "事发地点", "发生地点", "地点"],
    "longitude": ["经度"],
    "latitude": ["纬度"],
    "urgency": ["紧急程度", "缓急程度"],
    # message boards (网络问政): how many people backed or opposed a message
    "supports": ["点赞数", "点赞", "支持数", "赞同数"],
    "opposes": ["反对数", "反对", "不支持数"],
}


def guess_mapping(headers: list[str], saved: dict | None = None) -> dict[str, str]:
    """The saved mapping where its columns still exist, else the usual names."""
    mapping = {}
    for field in FIELDS:
        if saved and saved.get(field) in headers:
            mapping[field] = saved[field]
            continue
        for name in SYNONYMS.get(field, ()):
            if name in headers and name not in mapping.values():
                mapping[field] = name
                break
    return mapping


def check_mapping(mapping: dict, headers: list[str]) -> dict[str, str]:
    """The mapping without its blank entries, or a Chinese error naming what is wrong."""
    clean = {field: column for field, column in mapping.items() if column}
    unknown = [field for field in clean if field not in FIELDS]
    if unknown:
        raise ActionError("invalid", f"没有“{'、'.join(unknown)}”这个字段，可用字段："
                                     f"{'、'.join(FIELDS)}。", "mapping")
    missing_columns = [column for column in clean.values() if column not in headers]
    if missing_columns:
        raise ActionError("invalid", f"文件中没有“{'、'.join(missing_columns)}”列。文件的列："
                                     f"{'、'.join(headers)}。", "mapping")
    missing = [str(FIELDS[field]) for field in REQUIRED_FIELDS if field not in clean]
    if "external_id" in missing and "number" in clean:
        missing.remove(str(FIELDS["external_id"]))
    if missing:
        raise ActionError("invalid", f"请指定“{'、'.join(missing)}”对应的列。", "mapping")
    if "received_at" not in clean:
        raise ActionError("invalid", "请指定来电（受理）时间对应的列："
                                     "导入的诉求以文件中的时间为受理时间。", "mapping")
    return clean


def remember(source_id: int, mapping: dict) -> None:
    """Keep ``mapping`` for the source's next file."""
    Source.objects.filter(pk=source_id).update(mapping=mapping, updated_at=timezone.now())


def source_named(name: str, *, channel: str | None = None, default_kind: str | None = None,
                 default_category: Category | None = None) -> Source:
    """The source of that name, created on first use; the defaults given replace its
    own."""
    name = (name or "").strip()
    if not name:
        raise ActionError("invalid", "请填写来源名称。", "source")
    if len(name) > 50:
        raise ActionError("invalid", "来源名称不能超过 50 字。", "source")
    if channel is not None and channel not in Channel.values:
        raise ActionError("invalid", f"来源渠道“{channel}”无效。", "channel")
    if default_kind is not None and default_kind not in RequesterKind.values:
        raise ActionError("invalid", f"诉求人类型“{default_kind}”无效。", "default_kind")
    source, _ = Source.objects.get_or_create(name=name, defaults={
        "channel": channel or Channel.HOTLINE_12345,
        "default_kind": default_kind or RequesterKind.CITIZEN})
    changed = []
    for field, value in (("channel", channel), ("default_kind", default_kind),
                         ("default_category", default_category)):
        if value is not None and getattr(source, field) != value:
            setattr(source, field, value)
            changed.append(field)
    if changed:
        source.save(update_fields=[*changed, "updated_at"])
    return source
