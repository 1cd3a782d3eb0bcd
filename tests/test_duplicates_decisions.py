"""并单 and 非重复 on a duplicate flag; merged demands follow their original: its reply
reaches their requesters by SMS, and their tracking page shows the original's progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demands.actions import handover, replies
from demands.models import Demand, DemandEvent, EventKind, State
from insights.actions import dismiss_flag, merge_flag
from insights.models import DuplicateFlag, FlagState
from lib.errors import ActionError

from .demand_helpers import at, registered

pytestmark = pytest.mark.django_db
sent_sms: list = []
AGAIN = {"title": "小区门口垃圾还是没人清运",
         "content": "幸福路12号小区门口的垃圾已经三天没人清运了，气味很大，上次反映过。"}
NEIGHBOUR = {"requester_phone": "13700001111", "requester_name": "李先生",
             "latitude": "33.963500"}


class Gateway:
    """The SMS provider is outside this machine: record what would be sent."""

    def send(self, mobile, text):
        sent_sms.append((mobile, text))


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_GATEWAY = "tests.test_duplicates_decisions.Gateway"
    sent_sms.clear()


@pytest.fixture
def flagged(personas, categories):
    """An original (王女士), a repeat by the same caller and a neighbour's copy, both
    flagged; the copy has the original and the repeat as candidates."""
    original = registered(personas, categories.litter, "2026-11-23 09:00",
                          requester_name="王女士")
    repeat = registered(personas, categories.litter, "2026-11-23 10:00", **AGAIN)
    copy = registered(personas, categories.litter, "2026-11-23 11:00", **NEIGHBOUR)
    return original, repeat, copy


def snapshot():
    return (list(DuplicateFlag.objects.order_by("pk").values_list("state", "decided_by")),
            list(Demand.objects.order_by("pk").values_list("state", "duplicate_of", "is_repeat")),
            DemandEvent.objects.count())


def test_merging_a_flag_merges_the_demand_and_settles_its_other_flags(personas, flagged):
    original, repeat, copy = flagged
    flags = list(DuplicateFlag.objects.filter(demand=copy).order_by("pk"))
    assert {f.original for f in flags} == {original, repeat}
    chosen = next(f for f in flags if f.original == original)
    merge_flag(personas.dispatcher, chosen, at=at("2026-11-23 12:00"))
    copy.refresh_from_db()
    assert (copy.state, copy.duplicate_of, copy.is_repeat) == (State.MERGED, original, True)
    states = dict(DuplicateFlag.objects.filter(demand=copy).values_list("original", "state"))
    assert states == {original.pk: FlagState.MERGED, repeat.pk: FlagState.DISMISSED}
    chosen.refresh_from_db()
    assert (chosen.decided_by, chosen.decided_at) == (personas.dispatcher,
                                                      at("2026-11-23 12:00"))
    assert copy.events.filter(kind=EventKind.MERGE, actor=personas.dispatcher).exists()
    with pytest.raises(ActionError, match="已处理"):
        merge_flag(personas.dispatcher, chosen)


@pytest.mark.parametrize("decide", [merge_flag, dismiss_flag])
def test_staff_who_may_not_triage_are_refused_and_nothing_is_written(personas, flagged,
                                                                     decide):
    _, repeat, _ = flagged
    flag = DuplicateFlag.objects.get(demand=repeat)
    before = snapshot()
    for outsider in (personas.handler_a, personas.head_a, personas.supervisor):
        with pytest.raises(ActionError, match="您没有权限") as refused:
            decide(outsider, flag)
        assert refused.value.code == "forbidden"
    assert snapshot() == before


def test_a_dispatched_demand_cannot_be_merged_and_says_why(personas, flagged, org):
    _, repeat, _ = flagged
    handover.dispatch(personas.dispatcher, repeat, org.unit_a)
    flag = DuplicateFlag.objects.get(demand=repeat)
    before = snapshot()
    with pytest.raises(ActionError, match="只有待受理、待派遣的诉求可以并单") as refused:
        merge_flag(personas.dispatcher, flag)
    assert "待签收" in refused.value.message
    assert snapshot() == before


def test_dismissing_the_last_flag_takes_the_repeat_mark_away(personas, flagged):
    _, repeat, copy = flagged
    first, second = DuplicateFlag.objects.filter(demand=copy).order_by("pk")
    dismiss_flag(personas.receiver, first)  # receivers triage too
    assert Demand.objects.get(pk=copy.pk).is_repeat  # one flag still open
    dismiss_flag(personas.dispatcher, second, at=at("2026-11-23 12:00"))
    second.refresh_from_db()
    assert (second.state, second.decided_by) == (FlagState.DISMISSED, personas.dispatcher)
    assert not Demand.objects.get(pk=copy.pk).is_repeat
    assert Demand.objects.get(pk=repeat.pk).is_repeat  # its own flag is untouched
    with pytest.raises(ActionError, match="已处理"):
        dismiss_flag(personas.dispatcher, second)


def test_the_originals_reply_reaches_the_merged_requesters(personas, flagged, org,
                                                           django_capture_on_commit_callbacks):
    original, repeat, copy = flagged
    merge_flag(personas.dispatcher, DuplicateFlag.objects.get(demand=copy, original=original))
    merge_flag(personas.dispatcher, DuplicateFlag.objects.get(demand=repeat))
    demand = handover.dispatch(personas.dispatcher, original, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    sent_sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        replies.reply(personas.handler_a, demand, "已安排清运完毕，感谢反映。")
    texts = dict(sent_sms)
    assert set(texts) == {"13905271234", "13700001111"}
    relayed = texts["13700001111"]
    assert f"诉求 {copy.number}" in relayed and f"已与诉求 {original.number} 合并办理" in relayed
    assert relayed.endswith("答复：已安排清运完毕，感谢反映。")
    # the same phone filed the original and the repeat: the original's message and the
    # relayed one both reach it (two SMS, one each)
    assert sum(1 for mobile, _ in sent_sms if mobile == "13905271234") == 2
    for merged in (copy, repeat):
        event = merged.events.get(kind=EventKind.RELAY)
        assert event.data["original"] == original.number
        assert event.reason == "已安排清运完毕，感谢反映。"
        assert Demand.objects.get(pk=merged.pk).state == State.MERGED


def test_merging_into_an_answered_demand_passes_its_reply_on_at_once(
        personas, org, categories, django_capture_on_commit_callbacks):
    original = registered(personas, categories.litter, "2026-11-23 09:00")
    original = handover.dispatch(personas.dispatcher, original, org.unit_a)
    original = handover.accept(personas.handler_a, original)
    original = replies.reply(personas.handler_a, original, "垃圾已清运。")
    late = registered(personas, categories.litter, "2026-11-24 09:00", **NEIGHBOUR)
    flag = DuplicateFlag.objects.get(demand=late)
    sent_sms.clear()
    with django_capture_on_commit_callbacks(execute=True):
        merge_flag(personas.dispatcher, flag)
    expected = (f"您反映的问题（诉求 {late.number}）已与诉求 {original.number} "
                "合并办理，答复：垃圾已清运。")
    assert sent_sms == [("13700001111", expected)]


def test_the_tracking_page_of_a_merged_demand_shows_the_original(client, personas, flagged,
                                                                 org):
    original, _, copy = flagged
    merge_flag(personas.dispatcher, DuplicateFlag.objects.get(demand=copy, original=original))
    demand = handover.dispatch(personas.dispatcher, original, org.unit_a, note="内部派遣说明")
    demand = handover.accept(personas.handler_a, demand)
    replies.reply(personas.handler_a, demand, "王女士您好，垃圾已清运完毕。")
    page = client.post(reverse("portal:track"), {"number": copy.number,
                                                 "phone_suffix": "1111"}).content.decode()
    assert f"已与诉求 {original.number} 合并办理" in page
    assert f"合并办理的诉求 {original.number}" in page
    assert "已派遣至环境卫生管理处" in page and "垃圾已清运完毕" in page
    assert "待回访" in page  # the original's state
    for secret in ("13905271234", "王女士", "内部派遣说明", "张承办"):
        assert secret not in page, secret
    own = client.post(reverse("portal:track"), {"number": original.number,
                                                "phone_suffix": "1234"}).content.decode()
    # the requester's own page masks names too: anyone with the number and four digits
    # can open it
    assert "合并办理的诉求" not in own and "王**您好" in own and "王女士" not in own
