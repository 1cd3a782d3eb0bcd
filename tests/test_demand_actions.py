"""Every transition of the service loop, allowed and refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from demands.actions import extensions, handover, oversight, replies, triage
from demands.actions.intake import register, submit
from demands.models import (
    Attachment,
    Demand,
    DemandEvent,
    Evaluation,
    EventKind,
    ExtensionStatus,
    State,
)
from inbox.models import Notification
from lib.errors import ActionError

from .demand_helpers import at, handling, intake, registered, replied

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def kinds(demand):
    return list(demand.events.values_list("kind", flat=True))


def assert_unchanged(demand, events_before):
    fresh = Demand.objects.get(pk=demand.pk)
    assert fresh.state == demand.state
    assert fresh.events.count() == events_before


class TestIntake:
    def test_staff_registration_starts_the_clock_and_records_the_first_receiver(
            self, personas, categories, org):
        demand = registered(personas, categories.litter, "2026-11-23 16:00")  # Monday
        assert demand.state == State.RECEIVED
        assert demand.first_receiver == personas.receiver
        assert demand.current_unit == org.intake  # never unowned
        # 4 working hours from Monday 16:00: 1.5 h Monday, then Tuesday 08:30 + 2.5 h
        assert demand.deadline == at("2026-11-24 11:00")
        assert demand.warn_at == at("2026-11-24 10:00")
        assert kinds(demand) == [EventKind.REGISTER]
        assert len(demand.number) == 13 and demand.number.startswith("261123-")

    def test_portal_intake_waits_for_a_receiver_owned_by_the_intake_unit(
            self, personas, categories, org):
        demand, created = submit(None, intake(categories.stall, channel="portal"),
                                         at=at("2026-11-23 09:00"))
        assert created and demand.state == State.SUBMITTED
        assert demand.current_unit == org.intake and demand.first_receiver is None
        assert demand.deadline is None
        demand = handover.receive(personas.receiver, demand, at=at("2026-11-27 16:00"))
        assert demand.first_receiver == personas.receiver
        assert demand.deadline == at("2026-11-30 16:00")  # Friday + 1 working day = Monday

    def test_the_same_external_id_never_makes_a_second_demand(self, personas, categories):
        first, created = submit(None, intake(categories.litter, channel="12345",
                                                     external_id="SQ12345-0001"))
        again, created_again = submit(None, intake(categories.litter, channel="12345",
                                                           external_id="SQ12345-0001",
                                                           title="换了标题"))
        assert created and not created_again
        assert again.pk == first.pk and again.title == first.title
        other, created_other = submit(None, intake(categories.litter, channel="weibo",
                                                           external_id="SQ12345-0001"))
        assert created_other and other.pk != first.pk  # unique per channel
        assert Demand.objects.count() == 2

    def test_tracking_numbers_are_not_sequential(self, personas, categories):
        numbers = [registered(personas, categories.litter).number for _ in range(5)]
        assert len(set(numbers)) == 5
        tails = [n.split("-")[1] for n in numbers]
        assert tails != sorted(tails) or len({t[0] for t in tails}) > 1

    def test_a_second_demand_from_the_same_phone_about_the_same_thing_is_a_repeat(
            self, personas, categories):
        # duplicate detection (insights.duplicates, tests/test_duplicates.py) sets the mark
        first = registered(personas, categories.litter, "2026-11-02 09:00")
        second = registered(personas, categories.litter, "2026-11-20 09:00")
        other = registered(personas, categories.stall, "2026-11-20 09:00", title="路灯不亮",
                           content="幸福路12号小区门口路灯坏了一个星期，晚上很黑。")
        late = registered(personas, categories.litter, "2026-12-25 09:00")
        assert (first.is_repeat, second.is_repeat, other.is_repeat, late.is_repeat) == \
            (False, True, False, False)

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"category": "no-such"}, "category", "不存在"),
        ({"category": "shirong"}, "category", "请选择具体的小类"),
        ({"title": "长" * 101}, "title", "不能超过 100 字"),
        ({"title": "  "}, "title", "请填写标题"),
        ({"content": "x" * 4001}, "content", "不能超过 4000 字"),
        ({"requester_phone": "call me"}, "requester_phone", "联系电话格式不正确"),
        ({"requester_kind": "alien"}, "requester_kind", "群众、基层或企业"),
        ({"channel": "fax"}, "channel", "来源渠道"),
        ({"longitude": "33.96", "latitude": "118.27"}, "longitude", "经纬度是否填反"),
        ({"latitude": "north"}, "latitude", "必须是数字"),
        ({"requester_kind": "enterprise", "requester_org": ""}, "requester_org", "企业名称"),
        ({"attachments": [SimpleUploadedFile("photo.jpg", b"MZ\x90\x00evil.exe")]},
         "attachments", "内容不是图片或 PDF"),
        ({"attachments": [SimpleUploadedFile("photo.pdf", PNG)]}, "attachments",
         "扩展名与内容不符"),
        ({"attachments": [SimpleUploadedFile("run.sh", b"#!/bin/sh")]}, "attachments",
         "不支持的文件类型"),
    ])
    def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
            self, personas, categories, overrides, field, message):
        values = {"category": categories.litter, **overrides}
        with pytest.raises(ActionError) as error:
            register(personas.receiver, intake(**values))
        assert error.value.code == "invalid"
        assert error.value.field == field
        assert message in error.value.message
        assert Demand.objects.count() == 0
        assert DemandEvent.objects.count() == 0
        assert Attachment.objects.count() == 0

    def test_an_oversize_attachment_is_refused(self, personas, categories, settings):
        big = SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024))
        with pytest.raises(ActionError, match="超过 10 MB"):
            register(personas.receiver, intake(categories.litter, attachments=[big]))
        assert Demand.objects.count() == 0

    def test_a_real_photo_is_kept(self, personas, categories, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        demand, _ = register(personas.receiver, intake(
            categories.litter, attachments=[SimpleUploadedFile("现场.png", PNG)]))
        attachment = demand.attachments.get()
        assert attachment.content_type == "image/png" and attachment.original_name == "现场.png"
        assert attachment.file.read() == PNG

    def test_only_receivers_register(self, personas, categories):
        with pytest.raises(ActionError) as error:
            register(personas.handler_a, intake(categories.litter))
        assert error.value.code == "forbidden"
        assert Demand.objects.count() == 0


class TestTheLoop:
    def test_from_registration_to_a_satisfied_return_visit(self, personas, categories, org):
        demand = registered(personas, categories.litter, "2026-11-23 09:00")
        assert demand.accountable == personas.receiver
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_a, note="请尽快处理",
                                  at=at("2026-11-23 09:10"))
        assert demand.state == State.DISPATCHED and demand.current_unit == org.unit_a
        assert demand.accountable == personas.receiver  # until a unit accepts
        demand = handover.accept(personas.handler_a, demand, at=at("2026-11-23 09:20"))
        assert demand.accountable == personas.handler_a
        demand = replies.reply(personas.handler_a, demand, "已清运。", at=at("2026-11-23 11:00"))
        assert demand.state == State.REPLIED and demand.replied_on_time is True
        demand = replies.record_visit(personas.receiver, demand, reached=True, level=4,
                                      note="群众表示满意", at=at("2026-11-23 15:00"))
        assert demand.state == State.CLOSED and demand.evaluation_level == 4
        assert demand.closed_at == at("2026-11-23 15:00")
        assert kinds(demand) == [EventKind.REGISTER, EventKind.DISPATCH, EventKind.ACCEPT,
                                 EventKind.REPLY, EventKind.VISIT, EventKind.EVALUATE]
        dispatch = demand.events.get(kind=EventKind.DISPATCH)
        assert (dispatch.actor, dispatch.from_state, dispatch.to_state, dispatch.unit,
                dispatch.reason) == (personas.dispatcher, "received", "dispatched", org.unit_a,
                                     "请尽快处理")
        # the unit was told about the dispatch
        assert Notification.objects.filter(recipient=personas.handler_a,
                                           kind="demand.dispatched").exists()

    def test_a_late_reply_is_recorded_as_late(self, personas, categories, org):
        demand = handling(personas, org, categories.litter, "2026-11-23 09:00")
        demand = replies.reply(personas.handler_a, demand, "已处理", at=at("2026-11-24 09:00"))
        assert demand.replied_on_time is False

    def test_return_needs_a_reason_and_goes_back_to_dispatch(self, personas, categories, org):
        demand = handling(personas, org, categories.litter)
        before = demand.events.count()
        with pytest.raises(ActionError, match="请填写退单理由"):
            handover.return_(personas.handler_a, demand, "  ")
        assert_unchanged(demand, before)
        demand = handover.return_(personas.handler_a, demand, "属市政设施处职责")
        assert demand.state == State.RECEIVED and demand.current_unit == org.intake
        assert demand.return_count == 1 and demand.handler is None
        assert demand.first_receiver == personas.receiver
        assert Notification.objects.filter(recipient=personas.dispatcher,
                                           kind="demand.returned").exists()

    def test_transfer_by_the_unit_head_not_by_a_handler(self, personas, categories, org):
        demand = handling(personas, org, categories.litter)
        with pytest.raises(ActionError) as error:
            handover.transfer(personas.handler_a, demand, org.unit_b, "不归我们")
        assert error.value.code == "forbidden"
        demand = handover.transfer(personas.head_a, demand, org.unit_b, "属市政设施处职责")
        assert demand.state == State.DISPATCHED and demand.current_unit == org.unit_b
        with pytest.raises(ActionError, match="相同"):
            handover.transfer(personas.dispatcher, demand, org.unit_b, "again")
        demand = handover.accept(personas.handler_b, demand)
        assert demand.handler == personas.handler_b

    def test_extension_request_approval_moves_the_deadline_by_working_days(
            self, personas, categories, org):
        demand = handling(personas, org, categories.stall, "2026-09-29 10:00")
        assert demand.deadline == at("2026-09-30 10:00")
        request = extensions.request_extension(personas.handler_a, demand, 3, "需协调市场监管部门")
        with pytest.raises(ActionError, match="已有一项延期申请"):
            extensions.request_extension(personas.handler_a, demand, 2, "再申请")
        with pytest.raises(ActionError) as error:
            extensions.approve_extension(personas.handler_a, demand)
        assert error.value.code == "forbidden"
        demand = extensions.approve_extension(personas.supervisor, demand, "同意")
        # three working days after 09-30 10:00 skip National Day: 10-08, 10-09, 10-10
        assert demand.deadline == at("2026-10-10 10:00")
        assert demand.extension_count == 1
        request.refresh_from_db()
        assert request.status == ExtensionStatus.APPROVED
        assert request.decided_by == personas.supervisor

    def test_extension_refusal_keeps_the_deadline(self, personas, categories, org):
        demand = handling(personas, org, categories.stall)
        deadline = demand.deadline
        extensions.request_extension(personas.handler_a, demand, 2, "材料未齐")
        with pytest.raises(ActionError, match="请填写驳回理由"):
            extensions.refuse_extension(personas.dispatcher, demand, "")
        demand = extensions.refuse_extension(personas.dispatcher, demand, "时限内可以完成")
        assert demand.deadline == deadline and demand.extension_count == 0
        with pytest.raises(ActionError, match="没有待审批的延期申请"):
            extensions.approve_extension(personas.dispatcher, demand)

    @pytest.mark.parametrize("days", [0, 31, "3"])
    def test_extension_days_are_checked(self, personas, categories, org, days):
        demand = handling(personas, org, categories.stall)
        with pytest.raises(ActionError, match="延长天数"):
            extensions.request_extension(personas.handler_a, demand, days, "理由")

    def test_the_first_receiver_may_urge_another_units_handler_may_not(
            self, personas, categories, org):
        demand = handling(personas, org, categories.litter)
        oversight.urge(personas.receiver, demand, "群众再次来电")
        assert Notification.objects.filter(recipient=personas.handler_a,
                                           kind="demand.urged").exists()
        with pytest.raises(ActionError) as error:
            oversight.urge(personas.handler_b, demand)
        assert error.value.code == "forbidden"

    def test_supervision_orders_come_from_the_supervision_office(self, personas, categories,
                                                                 org):
        demand = handling(personas, org, categories.litter)
        order = oversight.supervise(personas.supervisor, demand, "限两小时内处置到位并反馈")
        assert order.issued_by == personas.supervisor
        assert Notification.objects.filter(recipient=personas.head_a,
                                           kind="demand.supervised").exists()
        with pytest.raises(ActionError):
            oversight.supervise(personas.head_a, demand, "自己督办自己")

    def test_a_bad_evaluation_reopens_follow_up_with_its_own_deadline(
            self, personas, categories, org):
        demand = replied(personas, org, categories.litter, "2026-11-23 09:00")
        demand = replies.evaluate(None, demand, 2, comment="只清了一半",
                                  at=at("2026-11-23 16:00"))
        assert demand.state == State.FOLLOW_UP and demand.follow_up_count == 1
        assert demand.deadline == at("2026-11-24 11:00")
        assert Notification.objects.filter(recipient=personas.head_a,
                                           kind="demand.follow_up").exists()
        demand = replies.answer_follow_up(personas.handler_a, demand, "已全部清运并消毒。",
                                          at=at("2026-11-24 09:00"))
        assert demand.state == State.REPLIED
        demand = replies.evaluate(None, demand, 5, at=at("2026-11-24 10:00"))
        assert demand.state == State.CLOSED and demand.evaluation_level == 5
        assert demand.first_evaluation_level == 2  # what the satisfaction rate counts
        assert list(Evaluation.objects.filter(demand=demand).values_list("round", "level")) == \
            [(1, 2), (2, 5)]

    def test_unreachable_requester_then_close(self, personas, categories, org):
        demand = replied(personas, org, categories.litter)
        with pytest.raises(ActionError, match="请先回访"):
            replies.close(personas.receiver, demand, "办结")
        demand = replies.record_visit(personas.receiver, demand, reached=False,
                                      note="三次电话无人接听")
        assert demand.state == State.REPLIED and demand.visited_at is not None
        demand = replies.close(personas.receiver, demand, "联系不上，按程序办结")
        assert demand.state == State.CLOSED and demand.evaluation_level is None

    def test_a_reached_visit_needs_the_level(self, personas, categories, org):
        demand = replied(personas, org, categories.litter)
        with pytest.raises(ActionError, match="满意度评价"):
            replies.record_visit(personas.receiver, demand, reached=True)

    @pytest.mark.parametrize("level", [0, 6, None])
    def test_evaluation_levels_are_one_to_five(self, personas, categories, org, level):
        demand = replied(personas, org, categories.litter)
        with pytest.raises(ActionError, match="1 至 5"):
            replies.evaluate(None, demand, level)
        assert Demand.objects.get(pk=demand.pk).state == State.REPLIED

    def test_merge_and_invalidate_only_before_dispatch(self, personas, categories, org):
        original = registered(personas, categories.litter)
        duplicate = registered(personas, categories.litter)
        duplicate = triage.merge(personas.dispatcher, duplicate, original)
        assert duplicate.state == State.MERGED and duplicate.duplicate_of == original
        assert duplicate.is_repeat
        with pytest.raises(ActionError, match="并单或作废"):
            triage.merge(personas.dispatcher, registered(personas, categories.litter),
                          duplicate)
        junk = registered(personas, categories.litter)
        with pytest.raises(ActionError, match="请填写作废理由"):
            triage.invalidate(personas.receiver, junk, "")
        junk = triage.invalidate(personas.receiver, junk, "测试电话")
        assert junk.state == State.INVALID
        busy = handling(personas, org, categories.litter)
        with pytest.raises(ActionError) as error:
            triage.invalidate(personas.dispatcher, busy, "不想办")
        assert error.value.code == "wrong_state"


class TestIllegalTransitionsChangeNothing:
    @pytest.mark.parametrize(("action", "args"), [
        ("accept", ()), ("reply", ("答复",)), ("close", ("x",)),
        ("answer_follow_up", ("x",)), ("return_", ("x",)),
    ])
    def test_on_a_received_demand(self, personas, categories, org, action, args):
        demand = registered(personas, categories.litter)
        before = demand.events.count()
        actor = personas.receiver if action == "close" else personas.head_a
        function = {"accept": handover.accept, "reply": replies.reply, "close": replies.close,
                    "answer_follow_up": replies.answer_follow_up,
                    "return_": handover.return_}[action]
        with pytest.raises(ActionError) as error:
            function(actor, demand, *args)
        assert error.value.code in {"wrong_state", "forbidden"}
        assert_unchanged(demand, before)

    def test_the_second_acceptance_is_told_who_was_first(self, personas, categories, org):
        demand = registered(personas, categories.litter)
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
        stale = Demand.objects.get(pk=demand.pk)
        handover.accept(personas.handler_a, demand)
        with pytest.raises(ActionError) as error:
            handover.accept(personas.head_a, stale)
        assert error.value.code == "wrong_state"
        assert "办理中" in error.value.message and "张承办" in error.value.message
        assert Demand.objects.get(pk=demand.pk).handler == personas.handler_a

    def test_events_are_append_only(self, personas, categories):
        event = registered(personas, categories.litter).events.get()
        event.reason = "篡改"
        with pytest.raises(ValueError, match="append-only"):
            event.save()
        with pytest.raises(ValueError, match="append-only"):
            event.delete()
