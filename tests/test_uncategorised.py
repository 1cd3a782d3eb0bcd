"""待分类 (issue #10, item 1): a demand may arrive without a category — from a file, the
API or a receiver's form — waits in 待分类 on the configured default time limit, and is
classified by a person (or, on import, by the category model when it is sure enough),
which restarts its committed clock on the category's limit from receipt."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from demands import queues
from demands.actions import classification, handover
from demands.models import Demand, EventKind, State
from imports.models import Job
from insights import routing
from insights.models import RoutingTarget
from lib.errors import ActionError

from .demand_helpers import at, registered
from .import_helpers import HEADERS, MAPS, row, write_csv
from .routing_helpers import OnSharedHistory

NO_CATEGORY = [h for h in HEADERS if h != "问题类别"]


def rows_without_category(numbers, **overrides):
    return [[v for h, v in zip(HEADERS, row(n, **overrides), strict=True) if h != "问题类别"]
            for n in numbers]


def import_args(path, *extra):
    maps = [m for m in MAPS if not m.startswith("category=")]
    return [str(path), "--source", "网络问政", *[a for m in maps for a in ("--map", m)],
            *extra]


@pytest.fixture(autouse=True)
def _default_limit(settings):
    settings.UNCATEGORISED_TIME_LIMIT_DAYS = 5
    settings.UNCATEGORISED_WARNING_HOURS = 4


def test_without_a_category_it_waits_in_the_queue_on_the_default_limit(personas, categories):
    demand = registered(personas, None, when="2026-11-23 09:00")  # a Monday
    assert demand.category is None
    # five working days from Monday 09:00; yellow four working hours before
    assert demand.deadline == demand.committed_deadline == at("2026-11-30 09:00")
    assert demand.warn_at == at("2026-11-27 14:00")  # 0.5 h on Monday, 3.5 h on Friday
    waiting = queues.queue_queryset(personas.receiver, "unclassified", at("2026-11-23 10:00"))
    assert list(waiting) == [demand]
    assert list(queues.queue_queryset(personas.receiver, "unclassified",
                                      at("2026-11-23 10:00")).exclude(pk=demand.pk)) == []


def test_classifying_restarts_the_clock_on_the_categorys_limit_from_receipt(personas,
                                                                            categories):
    demand = registered(personas, None, when="2026-11-23 09:00")
    demand = classification.classify(personas.receiver, demand, categories.litter.code,
                                     "看内容是暴露垃圾", at=at("2026-11-23 10:00"))
    # 暴露垃圾: 4 working hours from 09:00 → 12:00 is 3 hours, then 13:30 + 1 hour
    assert demand.category == categories.litter
    assert demand.deadline == demand.committed_deadline == at("2026-11-23 14:30")
    event = demand.events.get(kind=EventKind.CLASSIFY)
    assert event.actor == personas.receiver and event.reason == "看内容是暴露垃圾"
    assert event.data["category"] == "市容环境 · 暴露垃圾"
    assert (event.data["old_deadline"], event.data["deadline"]) == \
        ("2026-11-30 09:00", "2026-11-23 14:30")
    assert "predicted" not in event.data
    assert not queues.queue_queryset(personas.receiver, "unclassified",
                                     at("2026-11-23 10:00")).exists()
    # a person's category is final here
    with pytest.raises(ActionError, match="已由工作人员分类"):
        classification.classify(personas.receiver, demand, categories.stall.code)


def test_an_uncategorised_demand_is_classified_before_dispatch(personas, org, categories):
    demand = registered(personas, None)
    with pytest.raises(ActionError, match="请先分类再派遣"):
        handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand.refresh_from_db()
    assert demand.state == State.RECEIVED and demand.current_unit != org.unit_a


def test_an_unknown_category_is_refused_and_nothing_changes(personas, categories):
    demand = registered(personas, None)
    with pytest.raises(ActionError, match="类别“外星人入侵”不存在"):
        classification.classify(personas.receiver, demand, "外星人入侵")
    demand.refresh_from_db()
    assert demand.category is None and not demand.events.filter(kind="classify").exists()


def test_the_console_offers_classify_not_dispatch_and_the_form_classifies(
        client, personas, categories):
    demand = registered(personas, None)
    client.force_login(personas.dispatcher)
    page = client.get(reverse("console:demand_detail", args=[demand.number])).content.decode()
    assert 'data-action="classify"' in page and 'data-action="dispatch"' not in page
    assert 'data-testid="unclassified"' in page
    response = client.post(reverse("console:demand_act", args=[demand.number, "classify"]),
                           {"category": categories.stall.code, "note": ""})
    assert response.status_code == 302
    page = client.get(reverse("console:demand_detail", args=[demand.number])).content.decode()
    assert 'data-action="dispatch"' in page and 'data-action="classify"' not in page


def test_the_register_form_takes_no_category(client, personas, categories):
    client.force_login(personas.receiver)
    response = client.post(reverse("console:demand_register"), {
        "requester_kind": "citizen", "channel": "12319", "category": "",
        "title": "门口有东西堆着", "content": "小区门口堆了很多东西，不知道归谁管。",
        "requester_name": "王女士", "requester_phone": "13905271234"}, follow=True)
    assert response.status_code == 200
    demand = Demand.objects.get(title="门口有东西堆着")
    assert demand.category is None and demand.state == State.RECEIVED
    assert "待分类" in response.content.decode()


def test_the_api_takes_a_demand_without_a_category(client, personas, categories):
    client.force_login(personas.receiver)
    response = client.post("/api/v1/demands", json.dumps({
        "requester_kind": "citizen", "channel": "12345", "external_id": "WZ-1",
        "title": "楼下有人占道", "content": "楼下天天有人摆摊。"}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["category"] is None and body["category_name"] == "待分类"


def test_a_file_without_a_category_column_imports_into_the_queue(tmp_path, personas,
                                                                  categories, org):
    path = write_csv(tmp_path / "wenzheng.csv", rows_without_category(range(1, 4)),
                     headers=NO_CATEGORY)
    call_command("import_demands", *import_args(path))
    demands = Demand.objects.filter(external_id__startswith="GD2026")
    assert demands.count() == 3
    assert all(d.category is None and d.state == State.RECEIVED for d in demands)
    job = Job.objects.get()
    assert (job.created, job.failed, job.unclassified, job.classified) == (3, 0, 3, 0)


def test_support_counts_are_imported_and_updated(tmp_path, personas, categories, org):
    headers = [*NO_CATEGORY, "点赞数", "反对数"]
    first = [[*cells, "12", "1"] for cells in rows_without_category([1])]
    call_command("import_demands", *import_args(write_csv(tmp_path / "a.csv", first,
                                                          headers=headers)),
                 "--map", "supports=点赞数", "--map", "opposes=反对数")
    demand = Demand.objects.get(external_id="GD2026000001")
    assert (demand.supports, demand.opposes) == (12, 1)
    later = [[*cells, "40", "2"] for cells in rows_without_category([1])]
    call_command("import_demands", *import_args(write_csv(tmp_path / "b.csv", later,
                                                          headers=headers)))
    demand.refresh_from_db()
    assert (demand.supports, demand.opposes) == (40, 2)


def test_a_bad_support_count_is_a_refused_row(tmp_path, personas, categories, org):
    headers = [*NO_CATEGORY, "点赞数"]
    cells = [[*c, n] for c, n in zip(rows_without_category([1, 2]), ["很多", "3"], strict=True)]
    call_command("import_demands", *import_args(write_csv(tmp_path / "a.csv", cells,
                                                          headers=headers)))
    job = Job.objects.get()
    assert (job.created, job.failed) == (1, 1)
    assert job.errors.get().reason == "点赞数必须是整数。"


def test_a_bare_installation_says_what_is_missing_in_one_line(tmp_path, db):
    """Migrated, no demo, no organisation: the import cannot know its intake unit."""
    path = write_csv(tmp_path / "wenzheng.csv", rows_without_category([1]),
                     headers=NO_CATEGORY)
    with pytest.raises(CommandError) as refused:
        call_command("import_demands", *import_args(path))
    message = str(refused.value)
    assert "受理单位" in message and "\n" not in message
    assert not Demand.objects.exists()


@pytest.mark.parametrize("value", ["high", "0", "1.5", "-0.2"])
def test_a_confidence_outside_zero_to_one_is_refused(tmp_path, personas, categories, org,
                                                     value, capsys):
    path = write_csv(tmp_path / "a.csv", rows_without_category([1]), headers=NO_CATEGORY)
    with pytest.raises(CommandError, match="0 到 1"):
        call_command("import_demands", *import_args(path, "--auto-category", value))
    assert not Demand.objects.exists()


class TestAutoCategory(OnSharedHistory):
    """``--auto-category``: the category model, learnt from the dispatch history, gives a
    category to the imported demands it is sure enough of, recorded as predicted."""

    CLEAR = ("幸福路小区门口垃圾桶满溢发臭",
             "幸福路小区门口垃圾桶满溢发臭，生活垃圾乱倒，请尽快处理。")
    VAGUE = ("咨询", "请问你们单位几点下班？")

    def _file(self, tmp_path):
        cells = []
        for n, (title, content) in enumerate([self.CLEAR, self.VAGUE], start=1):
            cells += rows_without_category([n], 标题=title, 内容=content)
        return write_csv(tmp_path / "wenzheng.csv", cells, headers=NO_CATEGORY)

    def test_sure_guesses_are_assigned_and_recorded_the_rest_wait(self, tmp_path, personas,
                                                                 history):
        routing.train(RoutingTarget.CATEGORY)
        threshold = 0.5
        call_command("import_demands", *import_args(self._file(tmp_path),
                                                    "--auto-category", str(threshold)),
                     "--user", personas.receiver.username)
        clear = Demand.objects.get(external_id="GD2026000001")
        vague = Demand.objects.get(external_id="GD2026000002")
        assert clear.category == history.categories["huanwei"]
        assert clear.category_confidence >= threshold
        event = clear.events.get(kind=EventKind.CLASSIFY)
        assert event.actor is None and event.data["predicted"] is True
        assert event.data["confidence"] == round(clear.category_confidence, 3)
        assert clear.deadline == clear.committed_deadline  # the category's clock
        assert vague.category is None  # not sure enough: a person decides
        job = Job.objects.get()
        assert (job.classified, job.unclassified) == (1, 1)

    def test_a_message_unlike_anything_learnt_is_never_sure(self, history):
        """On a small, cleanly separated history the model's softmax is near 1 for any
        text; a text whose words it has never seen gets no confidence."""
        routing.train(RoutingTarget.CATEGORY)
        vague = routing.suggest(routing.demand_text(*self.VAGUE), RoutingTarget.CATEGORY)
        clear = routing.suggest(routing.demand_text(*self.CLEAR), RoutingTarget.CATEGORY)
        assert vague[0][1] == 0.0
        assert clear[0][0] == history.categories["huanwei"] and clear[0][1] > 0.9

    def test_a_predicted_category_may_be_corrected_before_dispatch(self, tmp_path, personas,
                                                                  history):
        routing.train(RoutingTarget.CATEGORY)
        call_command("import_demands", *import_args(self._file(tmp_path),
                                                    "--auto-category", "50%"))
        clear = Demand.objects.get(external_id="GD2026000001")
        corrected = classification.classify(personas.receiver, clear,
                                            history.categories["shizheng"], "是市政的垃圾桶")
        assert corrected.category == history.categories["shizheng"]
        assert corrected.category_confidence is None  # now a person's
        assert corrected.events.filter(kind=EventKind.CLASSIFY).count() == 2

    def test_without_a_usable_model_everything_waits(self, tmp_path, personas, history):
        routing.forget()  # an earlier test's model, rolled back, may still be in memory
        call_command("import_demands", *import_args(self._file(tmp_path),
                                                    "--auto-category", "0.1"))
        assert Demand.objects.filter(external_id__startswith="GD2026",
                                     category__isnull=True).count() == 2


def test_the_category_breakdown_counts_uncategorised_demands(personas, categories):
    from demands import kpis

    registered(personas, None, when="2026-11-23 09:00")
    registered(personas, categories.litter, when="2026-11-23 09:00", title="路口垃圾桶满了",
               content="人民大道路口垃圾桶满了。", requester_phone="13800000000")
    rows = kpis.breakdown(Demand.objects.all(), at("2026-11-01 00:00"), at("2026-12-01 00:00"),
                          "category", now=at("2026-11-23 10:00"))
    assert [label for _key, label, _figures in rows] == ["市容环境", "待分类"]
    totals = [figures for _key, _label, figures in rows]
    assert totals[0] == totals[1]  # one demand each


def test_the_documented_example_export_imports_as_the_docs_say(personas, categories, org):
    """docs/imports.md: a 网络问政 export (no category, no coordinates) in one command."""
    from django.conf import settings

    path = settings.BASE_DIR / "docs" / "examples" / "wenzheng-export.csv"
    call_command("import_demands", str(path), "--source", "网络问政", "--channel", "wenzheng")
    job = Job.objects.get()
    assert job.mapping == {"external_id": "留言编号", "title": "留言主题", "content": "留言详情",
                           "received_at": "留言时间", "requester_name": "留言用户",
                           "supports": "点赞数", "opposes": "反对数"}
    assert (job.created, job.failed, job.unclassified) == (12, 0, 12)
    second = Demand.objects.get(external_id="WZ-2026-0002")
    assert (second.supports, second.opposes, second.category) == (41, 2, None)
    assert second.channel == "wenzheng"
