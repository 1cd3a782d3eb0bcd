"""Changes to campaign records, one function each (see ``demands.actions`` for the
pattern: capability check, validation, one transaction, ``ActionError`` on refusal)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from demands.models import Demand
from lib.errors import ActionError, clean_text
from org import access

from .models import ProjectDraft

MAX_KEYWORDS = 10
MAX_DEMANDS = 5000


def draft_project_from_hotspot(actor, *, title: str, keywords, demand_ids, description: str = "",
                               since: dt.date | None = None, until: dt.date | None = None,
                               at=None) -> ProjectDraft:
    """A practical-project draft (实事项目草稿) with the hotspot's demands attached.

    Needs ``hotspot.to_project``; every demand must be one the actor may see (a demand
    they may not see is refused as not found, like a number that does not exist).
    """
    if not access.can_anywhere(actor, "hotspot.to_project"):
        raise ActionError("forbidden", "您没有将热点转为实事项目的权限。")
    title = clean_text(title, "项目名称", limit=100, field_name="title")
    description = clean_text(description, "说明", limit=2000, required=False,
                        field_name="description")
    words = []
    for word in keywords or []:
        word = str(word).strip()
        if len(word) > 20:
            raise ActionError("invalid", f"关键词“{word[:20]}…”太长（最多 20 字）。", "keywords")
        if word and word not in words:
            words.append(word)
    if len(words) > MAX_KEYWORDS:
        raise ActionError("invalid", f"关键词最多 {MAX_KEYWORDS} 个。", "keywords")
    try:
        ids = sorted({int(pk) for pk in demand_ids or []})
    except (TypeError, ValueError):
        raise ActionError("invalid", "诉求编号无效。", "demand_ids") from None
    if not ids:
        raise ActionError("invalid", "请至少附上一条诉求。", "demand_ids")
    if len(ids) > MAX_DEMANDS:
        raise ActionError("invalid", f"一个草稿最多附 {MAX_DEMANDS} 条诉求。", "demand_ids")
    if since and until and since > until:
        raise ActionError("invalid", "开始日期不能晚于结束日期。", "since")
    visible = set(access.filter_for(actor, "demand.view", Demand.objects.filter(pk__in=ids))
                  .values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in visible]
    if missing:
        raise ActionError("not_found", f"有 {len(missing)} 条诉求不存在或您无权查看，未创建草稿。",
                          "demand_ids")
    with transaction.atomic():
        draft = ProjectDraft.objects.create(
            title=title, keywords=words, description=description, since=since, until=until,
            created_by=actor, created_at=at or timezone.now())
        draft.demands.add(*ids)
    return draft
