"""Every change to activity records and targets (docs/campaign.md, "activities").

The pattern of ``projects.actions``: the capability is checked here, every input is
validated with a Chinese sentence naming the field (``ActionError``), photos and files are
all checked before anything is written, and each change is one transaction. Progress is
computed from the records (``activities.progress``), so deleting a record simply stops it
counting; what was deleted, by whom, is written to the ``activities`` log.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import Campaign
from demands.models import Demand, RequesterKind
from enterprises.models import Enterprise
from lib import documents, photos
from lib.errors import ActionError, clean_date, clean_text
from org import access
from org.models import Role, StaffProfile, Unit, UnitKind
from projects.models import Project

from .models import Activity, ActivityFile, ActivityKind, ActivityPhoto, Target, TargetSubject

log = logging.getLogger("activities")
K = ActivityKind
MAX_PEOPLE = 50
TEXT_LIMITS = {"summary": ("内容摘要", 2000, True), "place": ("地点", 200, False),
               "visited": ("走访单位/社区", 200, False), "met": ("接待/座谈对象", 200, False),
               "problems": ("发现的问题", 2000, False), "agreed": ("商定事项", 2000, False),
               "follow_up": ("后续跟进", 2000, False), "result": ("办理结果", 2000, False)}
# the fields each kind keeps; the others are emptied (a record changed from one kind's
# form never carries another kind's leftovers)
KIND_FIELDS = {
    K.VISIT: ("visited", "met", "problems", "agreed", "follow_up"),
    K.VOLUNTEER: ("participants_count", "hours"),
    K.PROBLEM: ("demand", "project", "result"),
    K.SUPPORT: ("enterprise", "result"),
}
EMPTY = {"visited": "", "met": "", "problems": "", "agreed": "", "follow_up": "",
         "participants_count": None, "hours": None, "demand": None, "project": None,
         "enterprise": None, "result": ""}


# --- checked values ---------------------------------------------------------------------
def _day(value, label: str = "日期", field: str = "occurred_on") -> dt.date:
    return clean_date(value, label, field_name=field)


def campaign_on(day: dt.date) -> Campaign | None:
    """The campaign whose span contains ``day`` (the latest to start, if spans overlap)."""
    return (Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day)
            .order_by("-starts_on", "-id").first())


def home_unit(user) -> Unit | None:
    return Unit.objects.filter(staff__user=user).first()


def _unit(value, by) -> Unit:
    if value in (None, ""):
        unit = home_unit(by)
        if unit is None:
            raise ActionError("invalid", "请选择所属单位。", "unit")
    elif isinstance(value, Unit):
        unit = value
    else:
        unit = Unit.objects.filter(code=str(value).strip()).first()
    if unit is None or not unit.is_active:
        raise ActionError("invalid", "请选择有效的所属单位。", "unit")
    if not access.can(by, "activity.record", unit):
        raise ActionError("forbidden", f"您只能为本单位记录活动，不能为“{unit.name}”记录。", "unit")
    return unit


def _people(values, by) -> list:
    User = get_user_model()
    ids, names = set(), set()
    for value in values or []:
        if isinstance(value, User):
            ids.add(value.pk)
        elif isinstance(value, int) or str(value).strip().isdigit():
            ids.add(int(value))
        elif str(value).strip():
            names.add(str(value).strip())
    if not ids and not names:
        raise ActionError("invalid", "请选择参加人员。", "people")
    if len(ids) + len(names) > MAX_PEOPLE:
        raise ActionError("invalid", f"参加人员最多 {MAX_PEOPLE} 人。", "people")
    found = list(User.objects.filter(Q(pk__in=ids) | Q(username__in=names), is_active=True))
    if len(found) != len(ids) + len(names):
        raise ActionError("invalid", "参加人员中有无效或已停用的账号。", "people")
    return found


def _count(value, label: str, field: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ActionError("invalid", f"请填写{label}（整数）。", field) from None
    if number < 0:
        raise ActionError("invalid", f"{label}不能小于 0。", field)
    if number > 100000:
        raise ActionError("invalid", f"{label}超出范围。", field)
    return number


def _hours(value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ActionError("invalid", "请填写服务时长（小时）。", "hours") from None
    if not number.is_finite() or number < 0:
        raise ActionError("invalid", "服务时长不能小于 0。", "hours")
    if number >= 100000:
        raise ActionError("invalid", "服务时长超出范围。", "hours")
    return number.quantize(Decimal("0.1"))


def _demand(value, by) -> Demand | None:
    if value in (None, ""):
        return None
    if isinstance(value, Demand):
        demand = value
    else:
        number = str(value).strip().upper()
        demand = access.filter_for(by, "demand.view", Demand.objects.all()).filter(
            number=number).first()
        if demand is None:
            raise ActionError("not_found", f"诉求“{number}”不存在或您无权查看。", "demand")
    if demand.requester_kind != RequesterKind.GRASSROOTS:
        raise ActionError("invalid", f"诉求“{demand.number}”不是基层诉求，"
                                     "为基层办实事须关联基层诉求。", "demand")
    return demand


def _project(value, by) -> Project | None:
    if value in (None, ""):
        return None
    if isinstance(value, Project):
        return value
    project = Project.objects.filter(pk=value).first() if str(value).isdigit() else None
    if project is None:
        raise ActionError("not_found", "所选实事项目不存在。", "project")
    return project


def _enterprise(value) -> Enterprise | None:
    if value in (None, ""):
        return None
    if isinstance(value, Enterprise):
        return value
    enterprise = Enterprise.objects.filter(pk=value).first() if str(value).isdigit() else None
    if enterprise is None or not enterprise.is_active:
        raise ActionError("invalid", "请选择有效的企业。", "enterprise")
    return enterprise


def validated(kind: str, fields: dict, by, *, today: dt.date | None = None) -> dict:
    """A record's own fields, checked: the model's field values (with ``campaign``)."""
    if kind not in K.values:
        raise ActionError("invalid", "请选择活动类型。", "kind")
    today = today or timezone.localdate()
    out = dict(EMPTY)
    day = _day(fields.get("occurred_on"))
    if day > today:
        raise ActionError("invalid", "日期不能晚于今天。", "occurred_on")
    campaign = campaign_on(day)
    if campaign is None:
        raise ActionError("invalid", "该日期不在任何创建活动期间内。", "occurred_on")
    out.update(occurred_on=day, campaign=campaign, unit=_unit(fields.get("unit"), by))
    for name in ("summary", "place", *(n for n in KIND_FIELDS[kind] if n in TEXT_LIMITS)):
        label, limit, required = TEXT_LIMITS[name]
        out[name] = clean_text(fields.get(name, ""), label, required=required, limit=limit,
                               field_name=name)
    if kind == K.VISIT:
        if not out["visited"]:
            raise ActionError("invalid", "请填写走访单位/社区。", "visited")
    elif kind == K.VOLUNTEER:
        if out["unit"].kind != UnitKind.BRANCH:
            raise ActionError("invalid", "志愿服务须记在党支部名下，请选择党支部。", "unit")
        out["participants_count"] = _count(fields.get("participants_count"), "参加人数",
                                           "participants_count")
        out["hours"] = _hours(fields.get("hours"))
    elif kind == K.PROBLEM:
        out["demand"] = _demand(fields.get("demand"), by)
        out["project"] = _project(fields.get("project"), by)
        if out["demand"] is None and out["project"] is None:
            raise ActionError("invalid", "请关联一条基层诉求或一个实事项目。", "demand")
    elif kind == K.SUPPORT:
        out["enterprise"] = _enterprise(fields.get("enterprise"))
        if out["enterprise"] is None:
            raise ActionError("invalid", "请选择企业。", "enterprise")
    return out


# --- records ------------------------------------------------------------------------------
def _attach(activity: Activity, prepared_photos, prepared_files) -> None:
    for item in prepared_photos:
        photo = ActivityPhoto(activity=activity)
        photos.attach(photo, item)
        photo.save()
    for item in prepared_files:
        document = ActivityFile(activity=activity)
        documents.attach(document, item)
        document.save()


def record(kind: str, fields: dict, people, photos_in=(), files=(), form_token: str = "",
           *, by, today: dt.date | None = None) -> Activity:
    """Record what was done. A form submitted twice (the same ``form_token``) saves once:
    the second submission returns the first record."""
    token = (form_token or "").strip()[:64] or None
    if token:
        first = Activity.objects.filter(form_token=token).first()
        if first is not None:
            first.repeated = True
            return first
    if not access.can_anywhere(by, "activity.record"):
        raise ActionError("forbidden", "您没有权限记录活动。")
    values = validated(kind, fields, by, today=today)
    members = _people(people, by)
    prepared_photos = photos.prepare_many(photos_in)  # all checked before anything is written
    prepared_files = documents.prepare_many(files)
    now = timezone.now()
    try:
        with transaction.atomic():
            activity = Activity.objects.create(kind=kind, form_token=token, created_by=by,
                                               created_at=now, updated_at=now, **values)
            activity.people.set(members)
            _attach(activity, prepared_photos, prepared_files)
    except IntegrityError:
        first = Activity.objects.filter(form_token=token).first() if token else None
        if first is None:
            raise
        first.repeated = True
        return first  # the other submission won the race
    log.info("activity %s recorded (%s, %s) by %s", activity.pk, kind, values["occurred_on"],
             by.get_username())
    return activity


def may_edit(user, activity: Activity) -> bool:
    """The recorder, the unit's head and the office correct or delete a record."""
    return access.can(user, "activity.edit", activity)


def update(activity: Activity, fields: dict, people, photos_in=(), files=(), *, by,
           remove_photos=(), remove_files=(), today: dt.date | None = None) -> Activity:
    if not may_edit(by, activity):
        raise ActionError("forbidden", "您没有权限修改这条记录。")
    values = validated(activity.kind, fields, by, today=today)
    members = _people(people, by)
    prepared_photos = photos.prepare_many(photos_in)
    prepared_files = documents.prepare_many(files)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        kept = locked.photos.exclude(pk__in=list(remove_photos)).count()
        if kept + len(prepared_photos) > photos.MAX_PHOTOS:
            raise ActionError("invalid", f"照片最多 {photos.MAX_PHOTOS} 张。", "photos")
        kept_files = locked.files.exclude(pk__in=list(remove_files)).count()
        if kept_files + len(prepared_files) > documents.MAX_FILES:
            raise ActionError("invalid", f"附件最多 {documents.MAX_FILES} 个。", "files")
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.save()
        locked.people.set(members)
        locked.photos.filter(pk__in=list(remove_photos)).delete()
        locked.files.filter(pk__in=list(remove_files)).delete()
        _attach(locked, prepared_photos, prepared_files)
    log.info("activity %s changed by %s", locked.pk, by.get_username())
    return locked


def delete(activity: Activity, *, by) -> None:
    """Delete a record; the targets it counted toward simply stop counting it."""
    if not may_edit(by, activity):
        raise ActionError("forbidden", "您没有权限删除这条记录。")
    summary = f"{activity.get_kind_display()} {activity.occurred_on:%Y-%m-%d} {activity.unit}"
    people = list(activity.people.values_list("username", flat=True))
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).delete()
    log.warning("activity %s deleted by %s: %s; people %s; recorded by %s at %s",
                activity.pk, by.get_username(), summary, ",".join(people),
                activity.created_by_id, activity.created_at.isoformat())


# --- targets ------------------------------------------------------------------------------
def may_manage_targets(user) -> bool:
    return access.can_bureau_wide(user, "target.manage")


def _positive(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ActionError("invalid", "次数必须是正整数。", "count") from None
    if number < 1:
        raise ActionError("invalid", "次数必须是正整数。", "count")
    if number > 10000:
        raise ActionError("invalid", "次数超出范围。", "count")
    return number


def save_target(campaign: Campaign, fields: dict, *, by, target: Target | None = None) -> Target:
    """Create (``target=None``) or change a target. The period defaults to the campaign's
    span and must lie inside it."""
    if not may_manage_targets(by):
        raise ActionError("forbidden", "您没有权限设置目标任务。")
    label = clean_text(fields.get("label"), "目标名称", limit=100, field_name="label")
    kind = fields.get("kind")
    if kind not in K.values:
        raise ActionError("invalid", "请选择活动类型。", "kind")
    count = _positive(fields.get("count"))
    start = _day(fields.get("period_start") or campaign.starts_on, "起始日期", "period_start")
    end = _day(fields.get("period_end") or campaign.ends_on, "截止日期", "period_end")
    if end < start:
        raise ActionError("invalid", "截止日期不能早于起始日期。", "period_end")
    if start < campaign.starts_on or end > campaign.ends_on:
        span = f"{campaign.starts_on:%Y-%m-%d} 至 {campaign.ends_on:%Y-%m-%d}"
        raise ActionError("invalid", f"目标期间必须在活动起止日期之内（{span}）。", "period_start")
    subject = fields.get("subject")
    if subject not in TargetSubject.values:
        raise ActionError("invalid", "请选择目标对象。", "subject")
    role, unit, user = "", None, None
    if subject == TargetSubject.ROLE:
        role = fields.get("role") or ""
        if role not in Role.values:
            raise ActionError("invalid", "请选择角色。", "role")
    elif subject == TargetSubject.UNIT:
        value = fields.get("unit")
        unit = value if isinstance(value, Unit) else Unit.objects.filter(
            code=str(value or "").strip(), is_active=True).first()
        if unit is None:
            raise ActionError("invalid", "请选择单位。", "unit")
    elif subject == TargetSubject.PERSON:
        value = fields.get("user")
        User = get_user_model()
        user = value if isinstance(value, User) else User.objects.filter(
            username=str(value or "").strip(), is_active=True).first()
        if user is None:
            raise ActionError("invalid", "请选择人员。", "user")
    note = clean_text(fields.get("note", ""), "说明", required=False, limit=200,
                      field_name="note")
    values = {"campaign": campaign, "label": label, "kind": kind, "count": count,
              "period_start": start, "period_end": end, "subject": subject, "role": role,
              "unit": unit, "user": user, "note": note}
    with transaction.atomic():
        if target is None:
            target = Target.objects.create(**values)
        else:
            for name, value in values.items():
                setattr(target, name, value)
            target.save()
    log.info("target %s saved by %s", target.pk, by.get_username())
    return target


def delete_target(target: Target, *, by) -> None:
    if not may_manage_targets(by):
        raise ActionError("forbidden", "您没有权限删除目标任务。")
    pk = target.pk
    target.delete()
    log.warning("target %s (%s) deleted by %s", pk, target.label, by.get_username())


def copy_targets(source: Campaign, copy: Campaign, shift) -> list[Target]:
    """The source campaign's targets for its copy, their periods moved by ``shift`` and
    kept inside the copy's span (called by the ``campaign_copied`` receiver)."""
    made = []
    for target in source.targets.all():
        start = max(shift(target.period_start), copy.starts_on)
        end = min(shift(target.period_end), copy.ends_on)
        if end < start:
            start, end = copy.starts_on, copy.ends_on
        made.append(Target(campaign=copy, label=target.label, kind=target.kind,
                           count=target.count, period_start=start, period_end=end,
                           subject=target.subject, role=target.role, unit_id=target.unit_id,
                           user_id=target.user_id, note=target.note))
    return Target.objects.bulk_create(made)


def people_choices_for(user):
    """Whom a recorder may name on a record: active staff (bureau-wide recorders: all; the
    others: their own scope's, and themselves)."""
    staff = StaffProfile.objects.filter(user__is_active=True).select_related("unit")
    where = access.scope(user, "activity.record")
    if where.everything:
        return staff
    condition = Q(user=user)
    for path in where.paths:
        condition |= Q(unit__path__startswith=path)
    return staff.filter(condition)
