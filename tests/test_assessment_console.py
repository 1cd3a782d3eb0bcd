"""考核 in the console: who sees which pages and rows, the scheme form with its indicator
rows, creating and computing an assessment, the ranking and a unit's breakdown, the
.xlsx read back, adjustments and objections through the pages, pinned query counts."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessment import actions, jobs, queries
from assessment.models import Adjustment, Assessment, Objection, Scheme, Score
from org.models import Role, Unit, UnitKind

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
from .conftest import make_staff

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
    scheme = build_scheme(office, [org.unit_a, org.unit_b, shirong, yuanlin])
    head = head_of(shirong, "head_shirong", "梁所长")
    party = make_staff("party", "陈书记", org.bureau, (Role.PARTY, None))
    return type("City", (), {"office": office, "scheme": scheme, "shirong": shirong,
                             "yuanlin": yuanlin, "org": org, "personas": personas,
                             "head": head, "party": party})


@pytest.fixture
def published(city):
    return actions.publish(city.office, computed(city.office, city.scheme))


def score_url(assessment, unit) -> str:
    return reverse("console:assessment_score", args=[assessment.pk, unit.pk])


def rows(html: str) -> int:
    return html.count('data-testid="rank-row"')


# --- who sees what ------------------------------------------------------------------------
def test_the_office_sees_every_unit_a_unit_head_only_their_own(client, city, published):
    detail = reverse("console:assessment", args=[published.pk])
    client.force_login(city.office)
    page = client.get(detail).content.decode()
    assert rows(page) == 4
    client.force_login(city.head)
    page = client.get(detail).content.decode()
    assert rows(page) == 1 and "市容所" in page and "市政设施管理处" not in page
    assert client.get(score_url(published, city.shirong)).status_code == 200
    assert client.get(score_url(published, city.org.unit_b)).status_code == 404
    listing = client.get(reverse("console:assessments")).content.decode()
    assert "第 2 名，75.00 分" in listing


def test_a_draft_is_the_managers_alone(client, city):
    draft = computed(city.office, city.scheme)
    detail = reverse("console:assessment", args=[draft.pk])
    client.force_login(city.head)
    assert client.get(detail).status_code == 404
    assert client.get(score_url(draft, city.shirong)).status_code == 404
    client.force_login(city.personas.leader)
    assert client.get(detail).status_code == 404
    assert 'data-testid="assessment-row"' not in client.get(
        reverse("console:assessments")).content.decode()
    client.force_login(city.personas.supervisor)
    assert rows(client.get(detail).content.decode()) == 4


@pytest.mark.parametrize(("who", "status"), [
    ("office", 200), ("party", 200), ("supervisor", 200), ("leader", 403), ("head", 403),
    ("receiver", 403)])
def test_only_managers_open_the_schemes(client, city, who, status):
    users = {"office": city.office, "party": city.party, "head": city.head,
             "supervisor": city.personas.supervisor, "leader": city.personas.leader,
             "receiver": city.personas.receiver}
    client.force_login(users[who])
    assert client.get(reverse("console:assessment_schemes")).status_code == status
    assert client.get(reverse("console:assessment_create")).status_code == status


def test_the_menu_shows_the_group_to_those_who_have_a_part_in_it(client, city, published):
    client.force_login(city.head)
    page = client.get(reverse("console:home")).content.decode()
    assert "督查考核" in page and "考核结果" in page and "考核申诉" in page
    assert "考核方案" not in page
    client.force_login(city.personas.receiver)
    assert "督查考核" not in client.get(reverse("console:home")).content.decode()


# --- schemes ------------------------------------------------------------------------------
def scheme_post(**rows):
    data = {"name": "季度考核方案", "campaign": "", "period_kind": "quarter",
            "max_score": "100", "units": ["shirong", "yuanlin"], "description": "",
            "ind-TOTAL_FORMS": "3", "ind-INITIAL_FORMS": "0", "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "30"}
    for index, values in rows.items():
        for key, value in values.items():
            data[f"ind-{index[-1]}-{key}"] = value
    return data


def test_a_scheme_is_made_with_its_indicators_in_one_form(client, city):
    client.force_login(city.office)
    response = client.post(reverse("console:assessment_scheme_create"), scheme_post(
        r0={"key": "satisfaction_citizen", "weight": "60", "rule": "threshold",
            "steps": "95:100; 90:80；80：50", "when_empty": "skip"},
        r1={"key": "overdue", "label": "超期扣分", "weight": "40", "rule": "deduct",
            "per_item": "2", "cap": "10", "when_empty": "full"}))
    assert response.status_code == 302
    scheme = Scheme.objects.get(name="季度考核方案")
    assert [(i.key, i.label, i.weight, i.params) for i in scheme.indicators.all()] == [
        ("satisfaction_citizen", "群众满意率", D(60),
         {"steps": [[95, 1], [90, 0.8], [80, 0.5]]}),
        ("overdue", "超期扣分", D(40), {"per_item": 2, "cap": 10})]
    edit = client.get(reverse("console:assessment_scheme_edit", args=[scheme.pk]))
    assert 'value="95:100; 90:80; 80:50"' in edit.content.decode()


def test_a_bad_scheme_says_why_in_chinese_and_saves_nothing(client, city):
    client.force_login(city.office)
    response = client.post(reverse("console:assessment_scheme_create"), scheme_post(
        r0={"key": "on_time", "weight": "50", "rule": "linear", "floor": "80",
            "target": "100", "when_empty": "zero"}))
    assert response.status_code == 400
    assert "各指标分值之和为 50 分，应等于满分 100 分。" in response.content.decode()
    response = client.post(reverse("console:assessment_scheme_create"), scheme_post(
        r0={"key": "on_time", "weight": "100", "rule": "threshold", "steps": "九十",
            "when_empty": "zero"}))
    assert "分档应写成“数值:得分比例%”" in response.content.decode()
    assert not Scheme.objects.filter(name="季度考核方案").exists()


# --- assessments ----------------------------------------------------------------------------
def test_creating_and_computing_an_assessment_from_the_page(client, city, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    from assessment.tasks import compute_assessment

    monkeypatch.setattr(jobs, "enqueue", lambda pk, actor: compute_assessment(pk, actor))
    client.force_login(city.office)
    form = client.get(reverse("console:assessment_create")).content.decode()
    assert 'value="2026-11-01"' in form and 'value="2026-11-30"' in form  # last month
    response = client.post(reverse("console:assessment_create"), {
        "scheme": city.scheme.pk, "starts_on": "2026-11-01", "ends_on": "2026-11-30"})
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("console:assessment", args=[assessment.pk])
    assert assessment.title == "2026年11月考核"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("console:assessment_act",
                                        args=[assessment.pk, "compute"]))
    assert response.status_code == 302
    page = client.get(reverse("console:assessment", args=[assessment.pk])).content.decode()
    assert rows(page) == 4 and 'data-testid="act-publish"' in page
    assert "得分计算于 2026-12-05 12:00" in page
    again = client.post(reverse("console:assessment_create"), {
        "scheme": city.scheme.pk, "starts_on": "2026-11-01", "ends_on": "2026-11-30"})
    assert again.status_code == 400
    assert "已有 2026-11-01 至 2026-11-30 的考核" in again.content.decode()


def test_the_progress_bar_shows_while_the_worker_computes(client, city):
    assessment = actions.create_assessment(city.office, city.scheme, START, END)
    Assessment.objects.filter(pk=assessment.pk).update(compute_state="running", progress=60)
    client.force_login(city.office)
    url = reverse("console:assessment_progress", args=[assessment.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="60"' in fragment and "hx-trigger" in fragment
    assert 'data-testid="act-compute"' not in client.get(
        reverse("console:assessment", args=[assessment.pk])).content.decode()
    Assessment.objects.filter(pk=assessment.pk).update(compute_state="done", progress=100,
                                                       computed_at=NOW)
    done = client.get(f"{url}?was=computing", headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_publishing_a_stale_assessment_is_refused_on_the_page(client, city):
    assessment = computed(city.office, city.scheme)
    actions.add_adjustment(city.office, assessment, city.shirong, "2", "经验做法被省厅推广")
    client.force_login(city.office)
    response = client.post(reverse("console:assessment_act", args=[assessment.pk, "publish"]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请先重新计算再公布" in page and 'data-testid="stale"' in page
    assert Assessment.objects.get(pk=assessment.pk).state == "draft"


def test_the_ranking_exports_to_excel_as_shown(client, city, published):
    client.force_login(city.office)
    response = client.get(reverse("console:assessment_export", args=[published.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][0] == "2026年11月考核（2026-11-01 至 2026-11-30，已公布）"
    assert values[1] == ("名次", "单位", "综合满意率（40分）", "按时办结率（40分）",
                         "超期件数（20分）", "加减分", "总分", "参评指标数")
    assert values[2:] == [
        (1, "市政设施管理处", 20, 40, 20, 0, 80, 3),
        (2, "环境卫生管理处", 40, 20, 15, 0, 75, 3),
        (2, "宿迁市市容管理所", 30, 30, 15, 0, 75, 3),
        (4, "宿迁市园林绿化管理处", "不参评", 0, 33.33, 0, 33.33, 2)]
    client.force_login(city.head)  # a unit exports its own row only
    response = client.get(reverse("console:assessment_export", args=[published.pk]))
    values = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert [row[1] for row in values[2:]] == ["宿迁市市容管理所"]


def test_the_breakdown_shows_every_line_with_its_explanation_and_records(client, city,
                                                                         published):
    client.force_login(city.head)
    page = client.get(score_url(published, city.shirong)).content.decode()
    assert page.count('data-testid="line"') == 3
    assert "综合满意率 90.0%（18/20），目标 100%、底线 60%，得 30 / 40 分" in page
    assert "第 2 名 / 共 4 个单位" in page
    assert page.count('data-testid="records-link"') == 3
    assert page.count('data-testid="objection-form"') == 3


# --- adjustments and objections through the pages -------------------------------------------
def test_an_adjustment_entered_with_evidence_shows_in_the_breakdown(client, city, published):
    client.force_login(city.office)
    url = reverse("console:assessment_adjustments", args=[published.pk])
    proof = SimpleUploadedFile("督查通报.pdf", b"%PDF-1.4 proof")
    response = client.post(url, {"unit": "shizheng", "points": "-6", "reason": "迟报材料",
                                 "files": [proof]})
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    actions.compute(city.office, published)
    client.force_login(make_staff("head_b", "高处长", city.org.unit_b,
                                  (Role.UNIT_HEAD, city.org.unit_b)))
    page = client.get(score_url(published, city.org.unit_b)).content.decode()
    assert "扣分 6 分：迟报材料" in page and "74.00" in page
    listing = client.get(url).content.decode()
    assert "督查通报.pdf" in listing and 'data-testid="adjustment-form"' not in listing
    download = client.get(reverse("console:adjustment_file", args=[adjustment.files.get().pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 proof"
    client.force_login(city.head)  # another unit sees neither the entry nor its file
    assert "迟报材料" not in client.get(url).content.decode()
    assert client.get(reverse("console:adjustment_file",
                              args=[adjustment.files.get().pk])).status_code == 404
    assert client.post(url, {"unit": "shirong", "points": "5", "reason": "自己加分"}
                       ).status_code == 403


def test_an_objection_filed_on_a_line_and_accepted_reorders_the_ranking(client, city,
                                                                         published):
    score = Score.objects.get(assessment=published, unit=city.shirong)
    on_time = queries.breakdown(score)[1]
    client.force_login(city.head)
    url = reverse("console:objection_create", args=[published.pk, city.shirong.pk, on_time.pk])
    response = client.post(url, {f"o{on_time.pk}-text": ""})
    assert response.status_code == 400 and "请填写申诉理由" in response.content.decode()
    response = client.post(url, {f"o{on_time.pk}-text": "超期一件系平台故障",
                                 f"o{on_time.pk}-files": [SimpleUploadedFile(
                                     "说明.pdf", b"%PDF-1.4 x")]})
    assert response.status_code == 302
    objection = Objection.objects.get()
    page = client.get(score_url(published, city.shirong)).content.decode()
    assert "超期一件系平台故障" in page and page.count('data-testid="objection-form"') == 2
    mine = client.get(reverse("console:objections")).content.decode()
    assert "超期一件系平台故障" in mine and 'data-testid="objection-accept"' not in mine

    client.force_login(city.party)
    listing = client.get(reverse("console:objections")).content.decode()
    assert 'data-testid="objection-accept"' in listing
    response = client.post(reverse("console:objection_act", args=[objection.pk, "accept"]), {
        f"accept{objection.pk}-reason": "核实属实", f"accept{objection.pk}-points": "7.5"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.state == "accepted" and objection.adjustment.points == D("7.5")
    client.force_login(city.office)
    assert 'data-testid="stale"' in client.get(
        reverse("console:assessment", args=[published.pk])).content.decode()
    actions.compute(city.office, published)
    page = client.get(reverse("console:assessment", args=[published.pk])).content.decode()
    first = page.index('data-testid="rank-row"')
    assert page.index("市容所", first) < page.index("市政设施管理处", first)


def test_a_decision_on_a_decided_objection_is_refused_in_chinese(client, city, published):
    line = queries.breakdown(Score.objects.get(assessment=published, unit=city.shirong))[0]
    objection = actions.file_objection(city.head, line, "满意率有误")
    actions.reject(city.office, objection, "评价真实")
    client.force_login(city.party)
    response = client.post(reverse("console:objection_act", args=[objection.pk, "accept"]),
                           {f"accept{objection.pk}-reason": ""}, follow=True)
    assert "已于" in response.content.decode() and "（未采纳）" in response.content.decode()


def test_the_home_page_tells_the_office_of_pending_objections(client, city, published):
    def pending(user):
        client.force_login(user)
        home = client.get(reverse("console:home"))
        return {item["label"]: item["count"] for item in home.context["todo"]} \
            .get("待处理申诉")

    assert pending(city.office) == "0"
    line = queries.breakdown(Score.objects.get(assessment=published, unit=city.shirong))[0]
    objection = actions.file_objection(city.head, line, "满意率有误")
    assert pending(city.office) == "1" and pending(city.party) == "1"
    assert pending(city.head) is None  # who files does not decide
    actions.reject(city.office, objection, "评价真实")
    assert pending(city.office) == "0"


# --- query counts ---------------------------------------------------------------------------
@pytest.fixture
def many(city, published):
    """Ten more units assessed, with objections and adjustments, to show the counts do not
    grow with them."""
    more = [Unit.objects.create(code=f"d{n}", name=f"第{n}分局", kind=UnitKind.DISTRICT,
                                parent=city.org.bureau) for n in range(10)]
    city.scheme.units.add(*more)
    for unit in more[:3]:
        actions.add_adjustment(city.office, published, unit, "-1", "迟报")
    actions.compute(city.office, published)
    for line in queries.breakdown(Score.objects.get(assessment=published, unit=city.shirong)):
        actions.file_objection(city.head, line, "有异议", [SimpleUploadedFile(
            "说明.pdf", b"%PDF-1.4 x")])
    for n in range(3):
        actions.create_assessment(city.office, city.scheme, f"2026-0{n + 1}-01",
                                  f"2026-0{n + 1}-28")
    return published


# session, user, roles, the page's own queries (list: assessments with counts; detail: the
# assessment, scores, their lines, the columns, pending objections, unit count; schemes:
# schemes with counts, their indicators; adjustments: the assessment, the form's units, the
# entries, their files; objections: counts by state, objections, their files), unread
# count, identity (profile, roles), the session's update (savepoint, update, release) —
# whatever the number of units, lines, entries and objections
@pytest.mark.parametrize(("page", "queries_expected", "marker", "count"), [
    ("list", 10, 'data-testid="assessment-row"', 4),
    ("detail", 15, 'data-testid="rank-row"', 14),
    ("schemes", 11, 'data-testid="scheme"', 1),
    ("adjustments", 13, 'data-testid="adjustment"', 3),
    ("objections", 12, 'data-testid="objection"', 3),
])
def test_lists_cost_a_fixed_number_of_queries(client, city, many, page, queries_expected,
                                              marker, count, django_assert_num_queries):
    urls = {"list": reverse("console:assessments"),
            "detail": reverse("console:assessment", args=[many.pk]),
            "schemes": reverse("console:assessment_schemes"),
            "adjustments": reverse("console:assessment_adjustments", args=[many.pk]),
            "objections": reverse("console:objections")}
    client.force_login(city.office)
    client.get(urls[page])  # the session is saved once
    with django_assert_num_queries(queries_expected):
        html = client.get(urls[page]).content.decode()
    assert html.count(marker) == count
