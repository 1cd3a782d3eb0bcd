"""The public portal. No account is needed; nothing here shows private data."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from appointments import actions as appointment_actions
from appointments.models import Slot
from campaigns.queries import latest_campaign, phase_status
from catalog import notices
from catalog.models import ServiceItem
from demands import public, queues
from demands.actions import intake as intake_actions
from demands.actions import replies
from demands.actions.intake import Intake
from demands.kpis import DEFINITIONS
from demands.models import Demand
from lib import phones, ratelimit
from lib.errors import ActionError
from lib.geo import gcj02_to_wgs84
from org.actions import current_away
from org.models import StaffProfile, Unit, UnitKind

from . import limits, statistics
from .forms import (
    BookingForm,
    CancelForm,
    EvaluateForm,
    PhoneEvaluateForm,
    PublicFilterForm,
    SubmitForm,
    TrackForm,
)

PUBLIC_UNIT_KINDS = (UnitKind.SUBORDINATE, UnitKind.DISTRICT)


def home(request):
    campaign = latest_campaign()
    return render(request, "portal/home.html", {
        "campaign": campaign,
        "phases": [(p, phase_status(p)) for p in campaign.phases.all()] if campaign else [],
        "service_units": Unit.objects.filter(kind__in=PUBLIC_UNIT_KINDS, is_active=True)
        .order_by("sort_order"),
        "bureau": Unit.objects.filter(parent__isnull=True).first(),
    })


# --- submit, track, evaluate ------------------------------------------------------------
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _too_many(request, message):
    return render(request, "portal/limited.html", {"message": message}, status=429)


def submit(request):
    initial = {"category": request.GET["category"]} if request.GET.get("category") else None
    form = SubmitForm(request.POST or None, request.FILES or None, initial=initial)
    device = limits.device_id(request)
    fresh = device is None
    device = device or limits.new_device()
    response = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not limits.may_submit(request, data["requester_phone"], device):
            response = _too_many(request,
                                 "提交过于频繁，请稍后再试；紧急情况请拨打 12319 城管热线。")
        else:
            response = _submit(request, form)
    if response is None:
        response = render(request, "portal/submit.html", {
            "form": form, "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        }, status=400 if form.errors else 200)
    if fresh:
        limits.remember_device(request, response, device)
    return response


def _submit(request, form):
    """Hand the valid form to ``demands.actions.intake.submit``; the redirect, or None
    with the error put on the form."""
    data = form.cleaned_data
    longitude, latitude = data["longitude"], data["latitude"]
    if longitude is not None and latitude is not None and data["coord_system"] == "gcj02":
        lon, lat = gcj02_to_wgs84(float(longitude), float(latitude))
        longitude, latitude = round(lon, 6), round(lat, 6)
    intake = Intake(
        requester_kind=data["requester_kind"], channel="portal", category=data["category"],
        title=data["title"], content=data["content"], address=data["address"],
        longitude=longitude, latitude=latitude, requester_name=data["requester_name"],
        requester_phone=data["requester_phone"], requester_org=data["requester_org"],
        enterprise=data["enterprise"], attachments=data["photos"],
        consent_publish=data["consent_publish"])
    try:
        demand, _created = intake_actions.submit(None, intake)
    except ActionError as error:
        form.add_error(error.field if error.field in form.fields else
                       ("photos" if error.field == "attachments" else None), error.message)
        return None
    request.session["portal_submitted"] = demand.number
    return redirect("portal:submitted")


def submitted(request):
    number = request.session.get("portal_submitted")
    demand = Demand.objects.select_related("category").filter(number=number).first() \
        if number else None
    if demand is None:
        return redirect("portal:submit")
    return render(request, "portal/submitted.html", {
        "demand": demand, "sms": phones.is_mobile(demand.requester_phone)})


def _guess(request, kind: str, key: str, find):
    """Look ``key`` up with ``find`` unless its failed guesses are used up: (found, None),
    or (None, a 429 response) when locked. A miss counts as a failed guess."""
    if limits.locked(kind, key):
        return None, _too_many(request, limits.LOCKED[kind])
    found = find()
    if found is None:
        limits.failed(kind, key)
    return found, None


def track(request):
    form = TrackForm(request.POST or None)
    demand = None
    not_found = False
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("track-ip", ratelimit.client_ip(request),
                               limits.TRACK_PER_IP_HOUR, limits.HOUR):
            return _too_many(request, "查询过于频繁，请一小时后再试。")
        number = limits.normal_number(form.cleaned_data["number"])
        demand, refused = _guess(request, "number", number, lambda: public.find_for_requester(
            number, form.cleaned_data["phone_suffix"]))
        if refused:
            return refused
        not_found = demand is None
    return render(request, "portal/track.html", {
        "form": form, "item": public.masked(demand) if demand else None,
        "not_found": not_found,
        "steps": public.timeline(demand) if demand else [],
        "followed": public.followed(demand) if demand else None,
    })


def evaluate(request, token):
    form = EvaluateForm(request.POST or None)
    digest = replies.token_hash(token)
    ip = ratelimit.client_ip(request)
    if limits.locked("link", digest) or ratelimit.exhausted(
            "link-ip", ip, limits.LINK_FAILURES_PER_IP_HOUR, limits.HOUR):
        return _too_many(request, limits.LOCKED["link"])
    demand = Demand.objects.select_related("category__parent", "current_unit").filter(
        evaluation_token_hash=digest).first()
    if demand is None:
        limits.failed("link", digest)
        ratelimit.hit("link-ip", ip, limits.HOUR)
        return render(request, "portal/evaluate.html", {"invalid": True}, status=404)
    done = None
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("evaluate-ip", ip, limits.EVALUATE_PER_IP_HOUR, limits.HOUR):
            return _too_many(request, "操作过于频繁，请稍后再试。")
        try:
            done = replies.evaluate_by_token(token, form.cleaned_data["level"],
                                             form.cleaned_data["comment"])
        except ActionError as error:
            limits.failed("link", digest)
            form.add_error(None, error.message)
    shown = done or demand
    return render(request, "portal/evaluate.html", {
        "form": form, "item": public.masked(shown), "done": done,
        "steps": public.timeline(shown),
    })


def demand_board(request):
    """公众诉求栏: demands whose requesters agreed to publish, masked, on a list and a map."""
    form = PublicFilterForm(request.GET or None)
    category = unit = None
    if form.is_valid():
        category, unit = form.cleaned_data["category"], form.cleaned_data["unit"]
    rows, cursor = queues.page(public.published(category, unit), request.GET.get("after"),
                               size=20)
    items = [public.masked(d) for d in rows]
    params = request.GET.copy()
    params.pop("after", None)
    return render(request, "portal/demands.html", {
        "form": form, "items": items,
        "points": [{"lat": i.lat, "lon": i.lon, "title": i.title, "state": i.state}
                   for i in items if i.lat is not None],
        "next_url": f"?{params.urlencode()}&after={cursor}" if cursor else None,
        "tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    })


# --- 三亮 board -----------------------------------------------------------------------------
def board(request):
    """亮身份、亮标准、亮承诺: the units that serve the public."""
    units = Unit.objects.filter(kind__in=PUBLIC_UNIT_KINDS, is_active=True).order_by("sort_order")
    return render(request, "portal/board.html", {"units": units})


def board_unit(request, code):
    unit = Unit.objects.filter(code=code, is_active=True).exclude(kind=UnitKind.BRANCH).first()
    if unit is None:
        raise Http404
    staff = StaffProfile.objects.filter(unit=unit, show_on_board=True, user__is_active=True) \
        .order_by("badge_number")
    away = {notice.staff_id: notice for notice in current_away([unit])}
    return render(request, "portal/board_unit.html", {
        "unit": unit,
        "cards": [(person, away.get(person.pk)) for person in staff],
        "away": list(away.values()),
        "standards": [line for line in unit.service_standards.splitlines() if line.strip()],
        "commitments": [line for line in unit.commitments.splitlines() if line.strip()],
    })


# --- service catalogue and the one-time notice ---------------------------------------------
def services(request):
    q = (request.GET.get("q") or "").strip()[:30]
    items = ServiceItem.objects.filter(is_active=True).select_related("unit")
    if q:
        items = items.filter(Q(name__contains=q) | Q(summary__contains=q))
    return render(request, "portal/services.html", {"items": items, "q": q})


def _item(code):
    item = ServiceItem.objects.filter(code=code, is_active=True).select_related("unit").first()
    if item is None:
        raise Http404
    return item


def service(request, code):
    """The guide, printable as the one-time notice (print CSS) or downloadable (.docx)."""
    item = _item(code)
    if request.GET.get("format") == "docx":
        response = HttpResponse(notices.docx_bytes(item), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="{item.code}.docx"'
        return response
    return render(request, "portal/service.html", {"item": item, "sections": [
        (title, item.lines(field)) for title, field in notices.SECTIONS]})


# --- appointments (预约服务) -----------------------------------------------------------------


def appointments(request):
    now = timezone.now()
    slots = Slot.objects.filter(window__is_active=True, starts_at__gt=now,
                                starts_at__lt=now + dt.timedelta(days=8)) \
        .select_related("window").annotate(
            taken=Count("bookings", filter=Q(bookings__cancelled_at__isnull=True)))
    by_window: dict = {}
    for slot in slots:
        slot.left = slot.capacity - slot.taken
        by_window.setdefault(slot.window, {}).setdefault(
            timezone.localtime(slot.starts_at).date(), []).append(slot)
    return render(request, "portal/appointments.html", {"windows": by_window})


def book(request, slot_id):
    slot = Slot.objects.select_related("window").filter(pk=slot_id).first()
    if slot is None:
        raise Http404
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("book-ip", ratelimit.client_ip(request),
                               limits.BOOK_PER_IP_HOUR, limits.HOUR) or not ratelimit.allow(
                "book-phone", phones.digits(form.cleaned_data["phone"]),
                limits.BOOK_PER_PHONE_DAY, limits.DAY):
            return _too_many(request, "预约过于频繁，请稍后再试。")
        try:
            booking = appointment_actions.book(slot, form.cleaned_data["name"],
                                               form.cleaned_data["phone"],
                                               form.cleaned_data["purpose"])
        except ActionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return render(request, "portal/booked.html", {"booking": booking, "slot": slot})
    return render(request, "portal/book.html", {"form": form, "slot": slot},
                  status=400 if form.errors else 200)


def cancel_booking(request):
    form = CancelForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow("book-ip", ratelimit.client_ip(request),
                               limits.BOOK_PER_IP_HOUR, limits.HOUR):
            return _too_many(request, "操作过于频繁，请稍后再试。")
        code = limits.normal_number(form.cleaned_data["code"])
        if limits.locked("code", code):
            return _too_many(request, limits.LOCKED["code"])
        try:
            done = appointment_actions.cancel(code, form.cleaned_data["phone_suffix"])
        except ActionError as error:
            limits.failed("code", code)
            form.add_error(None, error.message)
    return render(request, "portal/cancel.html", {"form": form, "done": done})


def evaluate_by_phone(request):
    """The other way to evaluate: tracking number plus the whole phone number left at
    submission (a mobile or a landline, in any usual spelling)."""
    form = PhoneEvaluateForm(request.POST or None,
                             initial={"number": request.GET.get("number", "")[:20]})
    done = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not ratelimit.allow("evaluate-ip", ratelimit.client_ip(request),
                               limits.EVALUATE_PER_IP_HOUR, limits.HOUR) or not \
                ratelimit.allow("evaluate-phone", phones.digits(data["phone"]),
                                limits.EVALUATE_PER_PHONE_DAY, limits.DAY):
            return _too_many(request, "操作过于频繁，请稍后再试。")
        number = limits.normal_number(data["number"])

        def find():
            demand = public.find_for_requester(number, phones.digits(data["phone"])[-4:])
            return demand if demand and phones.same(demand.requester_phone,
                                                    data["phone"]) else None

        demand, refused = _guess(request, "number", number, find)
        if refused:
            return refused
        if demand is None:
            form.add_error(None, "没有找到匹配的诉求，请核对编号和联系电话。")
        else:
            try:
                done = replies.evaluate(None, demand, data["level"], "web", data["comment"])
            except ActionError as error:
                form.add_error(None, error.message)
    return render(request, "portal/evaluate_phone.html", {
        "form": form, "done": done, "item": public.masked(done) if done else None,
        "steps": public.timeline(done) if done else []})


# --- 统计公开 -------------------------------------------------------------------------------
def statistics_page(request):
    """The public statistics page: the same figures as the console's dashboard, bureau-wide,
    over the last twelve months, with their formulas; charts and tables of the same
    numbers."""
    data = statistics.cached()
    return render(request, "portal/statistics.html", {
        "data": data, "definitions": DEFINITIONS, "chart": statistics.chart(data),
        "project_percent": None if data["projects"].percent is None
        else f"{data['projects'].percent}%",
        "project_definition": "实事项目满意率 =（非常满意 + 满意 + 基本满意）÷ 参评人次。"
                              "群众对已完成的实事项目评价，每个手机号每个项目评价一次；"
                              "按评价时间统计。",
    })
