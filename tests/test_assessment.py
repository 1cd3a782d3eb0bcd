"""Computing an assessment on a fixture whose scores are worked out by hand
(tests/assessment_helpers.py): the scores, the ties, the unit without demands, a deduction,
an accepted objection changing the ranking, the states, and the refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment import actions, jobs, queries
from assessment.catalogue import CATALOGUE, OBJECTION_CATALOGUE
from assessment.models import Adjustment, Assessment, ObjectionState, Score
from inbox.models import Notification
from lib.errors import ActionError

from .assessment_helpers import (
    END,
    NOW,
    START,
    build_demands,
    build_scheme,
    build_units,
    computed,
    head_of,
    office_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def city(org, personas):
    shirong, yuanlin = build_units(org)
    build_demands(org, personas, shirong)
    office = office_user(org)
    units = [org.unit_a, org.unit_b, shirong, yuanlin]
    scheme = build_scheme(office, units)
    return type("City", (), {"office": office, "scheme": scheme, "shirong": shirong,
                             "yuanlin": yuanlin, "org": org, "personas": personas})


def table(assessment) -> dict[str, tuple]:
    return {score.unit.code: (score.rank, score.total) for score in
            Score.objects.filter(assessment=assessment).select_related("unit")}


def lines_of(assessment, unit) -> list[tuple]:
    score = Score.objects.get(assessment=assessment, unit=unit)
    return [(line.label, line.points, line.explanation) for line in queries.breakdown(score)]


def test_scores_and_ranks_are_those_worked_out_by_hand(city):
    assessment = computed(city.office, city.scheme)
    assert table(assessment) == {
        "shizheng": (1, D("80.00")),
        "huanwei": (2, D("75.00")),  # a tie with 市容所: both second, no third
        "shirong": (2, D("75.00")),
        "yuanlin": (4, D("33.33")),
    }
    assert lines_of(assessment, city.org.unit_a) == [
        ("综合满意率", D("40.00"),
         "综合满意率 100.0%（10/10），目标 100%、底线 60%，得 40 / 40 分"),
        ("按时办结率", D("20.00"),
         "按时办结率 90.0%（9/10），目标 100%、底线 80%，得 20 / 40 分"),
        ("超期件数", D("15.00"),
         "超期件数 1 件，每件扣 5 分、最多扣 15 分，扣 5 分，得 15 / 20 分"),
    ]
    assert lines_of(assessment, city.shirong)[0][2] == \
        "综合满意率 90.0%（18/20），目标 100%、底线 60%，得 30 / 40 分"


def test_a_unit_without_demands_scores_by_when_empty_and_says_where_its_weight_went(city):
    assessment = computed(city.office, city.scheme)
    score = Score.objects.get(assessment=assessment, unit=city.yuanlin)
    assert (score.total, score.assessed) == (D("33.33"), 2)
    satisfaction, on_time, overdue = queries.breakdown(score)
    assert not satisfaction.assessed
    assert satisfaction.explanation == ("本期没有参评（已评价）的诉求，综合满意率不参评；"
                                        "其 40 分按比例分摊到其他参评指标")
    assert (on_time.points, on_time.weight) == (D(0), D("66.67"))
    assert on_time.explanation == (
        "本期没有到期的诉求，按规则得零分，得 0 / 66.67 分（本指标 40 分，"
        "因综合满意率不参评，按比例分摊后为 66.67 分）")
    assert (overdue.points, overdue.weight) == (D("33.33"), D("33.33"))


def test_each_line_links_to_the_demands_behind_it_and_the_list_adds_up(city, client):
    assessment = computed(city.office, city.scheme)
    score = Score.objects.get(assessment=assessment, unit=city.org.unit_a)
    on_time = queries.breakdown(score)[1]
    assert (on_time.numerator, on_time.denominator, on_time.value) == (9, 10, D("90.0000"))
    assert "kpi=on_time" in on_time.records_url
    assert f"unit={city.org.unit_a.pk}" in on_time.records_url
    assert "from=2026-11-01" in on_time.records_url and "to=2026-11-30" in on_time.records_url
    client.force_login(city.office)
    page = client.get(on_time.records_url)
    assert page.status_code == 200
    # the demand list behind 9/10: the ten demands of 环卫处 and its 中队
    html = page.content.decode()
    assert 'data-testid="records-caption"' in html
    assert html.count('data-testid="demand-row"') == 10


def test_a_deduction_changes_the_score_and_appears_in_the_breakdown(city):
    assessment = computed(city.office, city.scheme)
    proof = SimpleUploadedFile("通报.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    adjustment = actions.add_adjustment(city.office, assessment, city.org.unit_b, "-6",
                                        "11月迟报月度进展材料，督查通报扣分", [proof])
    assert adjustment.files.get().name == "通报.pdf"
    assert actions.stale(Assessment.objects.get(pk=assessment.pk))
    assessment = actions.compute(city.office, assessment)
    assert table(assessment)["shizheng"] == (3, D("74.00"))
    assert table(assessment)["huanwei"] == (1, D("75.00"))
    assert lines_of(assessment, city.org.unit_b)[-1] == (
        "扣分", D("-6.00"), "扣分 6 分：11月迟报月度进展材料，督查通报扣分")
    assert not actions.stale(assessment)


def test_an_accepted_objection_changes_the_ranking(city):
    head = head_of(city.shirong, "head_shirong", "梁所长")
    assessment = computed(city.office, city.scheme)
    actions.publish(city.office, assessment)
    assert Notification.objects.filter(recipient=head, kind="assessment.published").exists()
    score = Score.objects.get(assessment=assessment, unit=city.shirong)
    on_time = queries.breakdown(score)[1]
    objection = actions.file_objection(head, on_time,
                                       "11月7日的超期系12345平台故障所致，附平台说明。")
    assert objection.state == ObjectionState.PENDING
    with pytest.raises(ActionError, match="待处理"):
        actions.file_objection(head, on_time, "再次申诉")
    with pytest.raises(ActionError, match="申诉待处理"):
        actions.finalise(city.office, assessment)
    actions.accept(city.office, objection, "经核实属平台故障，按时办结率按 20/20 计", points="7.5")
    assessment = actions.compute(city.office, assessment)
    # 市容所 75 + 7.5 = 82.5 passes 市政处's 80
    assert table(assessment) == {"shirong": (1, D("82.50")), "shizheng": (2, D("80.00")),
                                 "huanwei": (3, D("75.00")), "yuanlin": (4, D("33.33"))}
    assert lines_of(assessment, city.shirong)[-1][2] == \
        "加分 7.5 分：申诉采纳（按时办结率）：经核实属平台故障，按时办结率按 20/20 计"
    assert Notification.objects.filter(recipient=head,
                                       kind="assessment.objection_decided").exists()
    assert actions.finalise(city.office, assessment).state == "final"
    assert queries.latest_ranking()[0].unit_name == "市容所"


def test_a_rejected_objection_needs_a_reason_and_changes_nothing(city):
    head = head_of(city.shirong, "head_shirong", "梁所长")
    assessment = actions.publish(city.office, computed(city.office, city.scheme))
    line = queries.breakdown(Score.objects.get(assessment=assessment, unit=city.shirong))[0]
    objection = actions.file_objection(head, line, "满意率有误")
    with pytest.raises(ActionError, match="请填写不予采纳的理由"):
        actions.reject(city.office, objection, "  ")
    actions.reject(city.office, objection, "评价记录真实有效")
    with pytest.raises(ActionError, match=r"已于.*处理（未采纳）"):
        actions.accept(city.office, objection)
    assert not actions.stale(Assessment.objects.get(pk=assessment.pk))
    assert not Adjustment.objects.exists()


def test_the_states_and_what_each_allows(city):
    head = head_of(city.shirong, "head_shirong", "梁所长")
    assessment = actions.create_assessment(city.office, city.scheme, START, END)
    with pytest.raises(ActionError, match="尚未计算得分"):
        actions.publish(city.office, assessment)
    assert [t.name for t in CATALOGUE.available(city.office, assessment)] == ["compute"]
    assessment = actions.compute(city.office, assessment)
    line = queries.breakdown(Score.objects.get(assessment=assessment, unit=city.shirong))[0]
    with pytest.raises(ActionError, match="公布后、定稿前才能申诉"):
        actions.file_objection(head, line, "草稿阶段申诉")
    actions.add_adjustment(city.office, assessment, city.shirong, "1", "创新做法加分")
    with pytest.raises(ActionError, match="请先重新计算"):
        actions.publish(city.office, assessment)
    assessment = actions.publish(city.office, actions.compute(city.office, assessment))
    assert [t.name for t in CATALOGUE.available(city.office, assessment)] == [
        "compute", "finalise"]
    assessment = actions.finalise(city.office, assessment)
    assert CATALOGUE.available(city.office, assessment) == []
    for attempt in (lambda: actions.compute(city.office, assessment),
                    lambda: actions.add_adjustment(city.office, assessment, city.shirong, "1",
                                                   "定稿后加分"),
                    lambda: actions.file_objection(head, line, "定稿后申诉")):
        with pytest.raises(ActionError):
            attempt()
    with pytest.raises(ActionError, match="已有 2026-11-01 至 2026-11-30 的考核"):
        actions.create_assessment(city.office, city.scheme, START, END)


def test_who_may_do_what(city):
    head = head_of(city.shirong, "head_shirong", "梁所长")
    other_head = head_of(city.yuanlin, "head_yuanlin", "谢处长")
    personas = city.personas
    assessment = actions.publish(city.office, computed(city.office, city.scheme))
    for outsider in (head, personas.leader, personas.handler_a, personas.receiver):
        with pytest.raises(ActionError, match="没有管理考核的权限"):
            actions.compute(outsider, assessment)
        with pytest.raises(ActionError, match="没有管理考核的权限"):
            actions.add_adjustment(outsider, assessment, city.shirong, "1", "理由")
    assert actions.compute(personas.supervisor, assessment).computed_at is not None
    line = queries.breakdown(Score.objects.get(assessment=assessment, unit=city.shirong))[0]
    for not_theirs in (other_head, personas.handler_a, city.office):
        with pytest.raises(ActionError, match="只有本单位负责人"):
            actions.file_objection(not_theirs, line, "理由")
    objection = actions.file_objection(head, line, "理由")
    for not_deciding in (head, personas.supervisor, personas.leader):
        with pytest.raises(ActionError, match="没有处理申诉的权限"):
            actions.accept(not_deciding, objection)
    assert [t.name for t in OBJECTION_CATALOGUE.available(city.office, objection)] == [
        "accept", "reject"]
    assert OBJECTION_CATALOGUE.available(personas.supervisor, objection) == []


def test_adjustment_input_is_checked_in_chinese(city):
    assessment = computed(city.office, city.scheme)
    cases = [("0", "理由", "加减分不能为 0"), ("abc", "理由", "加减分须为数字"),
             ("-101", "理由", "加减分不能小于 -100"), ("1.005", "理由", "最多保留两位小数"),
             ("1", " ", "请填写加减分理由")]
    for points, reason, message in cases:
        with pytest.raises(ActionError, match=message):
            actions.add_adjustment(city.office, assessment, city.shirong, points, reason)
    with pytest.raises(ActionError, match="请选择本次考核的单位"):
        actions.add_adjustment(city.office, assessment, city.org.intake, "1", "理由")
    fake = SimpleUploadedFile("依据.pdf", b"MZ not a pdf")
    with pytest.raises(ActionError, match="内容不是 PDF"):
        actions.add_adjustment(city.office, assessment, city.shirong, "1", "理由", [fake])
    assert not Adjustment.objects.exists()


def test_scheme_parameters_are_checked_against_the_indicator(city):
    office = city.office
    base = {"name": "新方案", "period_kind": "month", "max_score": 100}
    units = [city.shirong]

    def refused(rows, message):
        with pytest.raises(ActionError, match=message):
            actions.save_scheme(office, base, rows, units=units)

    refused([], "请至少设置一项考核指标")
    refused([{"key": "on_time", "weight": 60, "rule": "linear",
              "params": {"floor": 80, "target": 100}}], "之和为 60 分，应等于满分 100 分")
    refused([{"key": "on_time", "weight": 100, "rule": "linear",
              "params": {"floor": 95, "target": 80}}], "越高越好：目标应高于底线")
    refused([{"key": "return", "weight": 100, "rule": "linear",
              "params": {"floor": 2, "target": 10}}], "越低越好：目标应低于底线")
    refused([{"key": "on_time", "weight": 100, "rule": "linear",
              "params": {"floor": 80, "target": 120}}], "目标不能大于 100")
    refused([{"key": "on_time", "weight": 100, "rule": "deduct",
              "params": {"per_item": 1}}], "逐项扣分只适用于计数类指标")
    refused([{"key": "on_time", "weight": 100, "rule": "threshold",
              "params": {"steps": [[90, 1.5]]}}], "分档得分比例不能大于 1")
    refused([{"key": "on_time", "weight": 50, "rule": "linear",
              "params": {"floor": 80, "target": 100}},
             {"key": "on_time", "weight": 50, "rule": "linear",
              "params": {"floor": 80, "target": 100}}], "重复设置")
    refused([{"key": "nonsense", "weight": 100, "rule": "linear", "params": {}}],
            "请从指标库中选择指标")
    scheme = actions.save_scheme(office, base, [
        {"key": "on_time", "weight": 100, "rule": "threshold",
         "params": {"steps": [[80, "0.5"], [95, 1], [90, "0.8"]]}}], units=units)
    # the steps are kept best first, whatever order they were typed in
    assert scheme.indicators.get().params == {"steps": [[95, 1], [90, 0.8], [80, 0.5]]}
    with pytest.raises(ActionError, match="已有名为“新方案”的考核方案"):
        actions.save_scheme(office, base, [{"key": "overdue", "weight": 100, "rule": "deduct",
                                            "params": {"per_item": 1}}], units=units)


def test_a_scheme_without_units_takes_its_campaign_s_participants(city):
    from campaigns.models import Campaign

    campaign = Campaign.objects.create(code="c2026", name="2026年活动", starts_on=START,
                                       ends_on=END, office_unit=city.org.bureau)
    campaign.participants.set([city.shirong, city.yuanlin])
    scheme = actions.save_scheme(city.office, {"name": "活动方案", "campaign": campaign,
                                               "period_kind": "quarter", "max_score": 100},
                                 [{"key": "overdue", "weight": 100, "rule": "deduct",
                                   "params": {"per_item": 10}, "when_empty": "full"}])
    assert set(scheme.units.values_list("code", flat=True)) == {"shirong", "yuanlin"}


def test_the_worker_reports_progress_and_a_second_click_is_refused(city, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    assessment = actions.create_assessment(city.office, city.scheme, START, END)
    seen = []
    monkeypatch.setattr(jobs, "_progress", lambda pk, percent: seen.append(percent))
    sent = []
    monkeypatch.setattr(jobs, "enqueue", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.request_compute(city.office, assessment)
    assert sent == [(assessment.pk, city.office.pk)]
    assert Assessment.objects.get(pk=assessment.pk).compute_state == "queued"
    with pytest.raises(ActionError, match="正在计算"):
        jobs.request_compute(city.office, assessment)
    from assessment.tasks import compute_assessment

    assert compute_assessment(assessment.pk, city.office.pk) == "done"
    assert seen == [30, 60, 90, 100]
    done = Assessment.objects.get(pk=assessment.pk)
    assert (done.progress, done.computed_at) == (100, NOW)
    assert table(done)["shizheng"] == (1, D("80.00"))


def test_a_computation_whose_worker_died_may_be_asked_for_again(city, monkeypatch):
    monkeypatch.setattr(jobs, "enqueue", lambda *args: None)
    assessment = jobs.request_compute(city.office, actions.create_assessment(
        city.office, city.scheme, START, END))
    assert [t.name for t in CATALOGUE.available(city.office, assessment)] == []
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        assessment.refresh_from_db()
        assert not assessment.computing
        assert [t.name for t in CATALOGUE.available(city.office, assessment)] == ["compute"]
        assert jobs.request_compute(city.office, assessment).compute_state == "queued"


def test_a_failed_computation_is_shown_on_the_assessment(city, monkeypatch):
    assessment = actions.create_assessment(city.office, city.scheme, START, END)
    city.scheme.indicators.filter(key="overdue").update(key="gone")
    assert jobs.run(assessment.pk, city.office.pk).compute_state == "failed"
    failed = Assessment.objects.get(pk=assessment.pk)
    assert "已不在指标库中" in failed.compute_message
    assert not Score.objects.filter(assessment=assessment).exists()


def test_latest_ranking_reads_the_newest_published_assessment_only(city):
    assert queries.latest_ranking() == []
    draft = computed(city.office, city.scheme)
    assert queries.latest_ranking() == []
    actions.publish(city.office, draft)
    rows = queries.latest_ranking()
    assert [(row.rank, row.unit_name, row.total) for row in rows] == [
        (1, "市政设施管理处", D("80.00")), (2, "环境卫生管理处", D("75.00")),
        (2, "市容所", D("75.00")), (4, "园林处", D("33.33"))]
    assert queries.latest_ranking(START, END) == rows
    assert queries.latest_ranking(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == []
