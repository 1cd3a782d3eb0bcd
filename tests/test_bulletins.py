"""Bulletins (通报): the generated .docx read back with python-docx — its title block, 文号
and every table against the month worked out by hand in ``bulletin_helpers`` — the
office's own template, broken templates refused in Chinese, the frozen issued file, the
portal's list and the pinned query counts."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
import time_machine
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

import bulletins.tasks  # noqa: F401 - registers the task the actions queue by name
from bulletins import actions, data, render
from bulletins.catalogue import CATALOGUE
from bulletins.models import Bulletin, BulletinTemplate, Generation, State
from lib.errors import ActionError
from org.models import Role

from .bulletin_helpers import D2_MASKED, END, NOW, START, november
from .conftest import make_staff

BACKEND = "django.contrib.auth.backends.ModelBackend"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eager(monkeypatch):
    """The worker's part run at once where the actions queue it (after the commit)."""
    ran = []

    def send_task(name, args=None, **_options):
        ran.append(args)
        return current_app.tasks[name].apply(args=args)

    monkeypatch.setattr(current_app, "send_task", send_task)
    return ran


@pytest.fixture
def office(org):
    return make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def month(org, categories, personas):
    return november(org, categories, personas)


def docx_upload(document: Document, name: str = "我们的模板.docx") -> SimpleUploadedFile:
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def draft(office, django_capture_on_commit_callbacks, **kwargs) -> Bulletin:
    values = {"kind": "monthly", "period_start": START, "period_end": END} | kwargs
    with django_capture_on_commit_callbacks(execute=True):
        bulletin = actions.create(office, **values)
    bulletin.refresh_from_db()
    return bulletin


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def east_asian(run) -> str | None:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def paragraph_border(paragraph, side: str):
    return paragraph._p.pPr.find(qn("w:pBdr")).find(qn(f"w:{side}"))


# --- the document --------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_the_november_bulletin_says_what_the_month_was(office, month, eager,
                                                       django_capture_on_commit_callbacks):
    bulletin = draft(office, django_capture_on_commit_callbacks)
    assert eager == [[bulletin.pk]]
    assert bulletin.generation == Generation.DONE and bulletin.progress == 100
    assert bulletin.number == "测城管〔2026〕1号"
    assert bulletin.title == "关于2026年11月“三满意”工作情况的通报"
    document = Document(bulletin.generated_file.open("rb"))

    # the page: A4 and the margins of GB/T 9704
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin,
                                  section.left_margin, section.right_margin)] == [37, 35, 28, 26]
    # 版头: the red 发文机关标志 in 小标宋, the 文号 centred above a red rule
    organ, number, title, recipients = document.paragraphs[:4]
    assert organ.text == "测试市城市管理局"  # the bureau unit's name
    assert organ.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {str(run.font.color.rgb) for run in organ.runs} == {"FF0000"}
    assert {east_asian(run) for run in organ.runs} == {"方正小标宋简体"}
    assert number.text == "测城管〔2026〕1号" and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = paragraph_border(number, "bottom")
    assert rule.get(qn("w:color")) == "FF0000" and rule.get(qn("w:val")) == "single"
    assert title.text == "关于2026年11月“三满意”工作情况的通报"
    assert {east_asian(run) for run in title.runs} == {"方正小标宋简体"}
    assert {run.font.size for run in title.runs} == {Pt(22)}  # 二号
    assert recipients.text == "局机关各处室，局属各单位，各区分局："
    body = next(p for p in document.paragraphs if p.text.startswith("2026年11月1日至11月30日，"))
    assert body.text == ("2026年11月1日至11月30日，全局共受理诉求9件；参评诉求6件，满意率66.7%，"
                         "其中群众满意率75.0%、基层满意率100.0%、企业满意率0.0%；按时办结率57.1%，"
                         "超期诉求3件，截至通报生成时仍有2件超期未答复。主要数据见表1。")
    assert {east_asian(run) for run in body.runs} == {"仿宋_GB2312"}
    assert {run.font.size for run in body.runs} == {Pt(16)}  # 三号

    summary, ranking, overdue, low, dissatisfied, highlights = document.tables
    assert table_rows(summary) == [
        ["指标", "数值", "计算依据"],
        ["受理诉求", "9 件", "统计期内提交的诉求"],
        ["满意率", "66.7%", "满意 4 / 6 件"],
        ["群众满意率", "75.0%", "满意 3 / 4 件"],
        ["基层满意率", "100.0%", "满意 1 / 1 件"],
        ["企业满意率", "0.0%", "满意 0 / 1 件"],
        ["按时办结率", "57.1%", "按时 4 / 7 件"],
        ["超期诉求", "3 件", "承诺时限在统计期内、未按时答复"],
        ["当前超期未答复", "2 件", "生成通报时仍在办理、已过时限"]]
    assert table_rows(ranking) == [["名次", "单位", "得分"], ["1", "环境卫生管理处", "92.50"],
                                   ["2", "市政设施管理处", "88.00"], ["—", "环卫一中队", "未参评"]]
    d2, d3, d5 = month["D2"], month["D3"], month["D5"]
    assert table_rows(overdue) == [
        ["序号", "诉求编号", "诉求事项", "责任单位", "承诺时限", "超期天数", "情况"],
        ["1", d3.number, "诉求D3", "市政设施管理处", "2026-11-12 09:00", "21", "超期未答复"],
        ["2", d2.number, D2_MASKED, "环境卫生管理处", "2026-11-06 17:30", "3", "逾期答复"],
        ["3", d5.number, "诉求D5", "环卫一中队", "2026-11-23 12:00", "2", "逾期答复"]]
    assert table_rows(low) == [["序号", "单位", "参评", "满意", "不满意", "满意率"],
                               ["1", "市政设施管理处", "2", "1", "1", "50.0%"],
                               ["2", "环境卫生管理处", "3", "2", "1", "66.7%"]]
    assert table_rows(dissatisfied) == [
        ["序号", "诉求编号", "诉求事项", "责任单位", "评价", "评价日期"],
        ["1", month["D4"].number, "诉求D4", "市政设施管理处", "非常不满意", "2026-11-15"],
        ["2", d2.number, D2_MASKED, "环境卫生管理处", "不满意", "2026-11-10"]]
    assert table_rows(highlights) == [
        ["序号", "日期", "单位", "类型", "内容"],
        ["1", "2026-11-25", "市政设施管理处", "志愿服务", "周末志愿清扫。"],
        ["2", "2026-11-20", "环境卫生管理处", "下基层走访",
         "走访幸福社区，李**反映路灯问题，电话139****1234。"]]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "本期各单位共记录活动2次，其中下基层走访 1 次，志愿服务 1 次。" in text
    assert "根据2026年11月考核结果" in text
    # no tag is left, no personal data is in the file
    xml = zipfile.ZipFile(bulletin.generated_file.open("rb")).read("word/document.xml").decode()
    assert "{{" not in xml and "{%" not in xml
    assert "13905271234" not in xml and "王女士" not in xml and "李先生" not in xml
    # 落款 and the 印发 line at the end
    last = document.paragraphs[-1]
    assert last.text == "测试市城市管理局办公室\t2026年12月2日印发"
    assert paragraph_border(last, "top") is not None
    assert paragraph_border(last, "bottom") is not None
    assert [p.text for p in document.paragraphs[-3:-1]] == ["测试市城市管理局", "2026年12月2日"]


@time_machine.travel(NOW, tick=False)
def test_the_lists_agree_with_the_figures(month):
    """The overdue list is the demands the overdue figure counts, the dissatisfied list
    those the satisfaction rate counts against."""
    context = data.gather(START, END)
    figures = context["figures"]
    assert context["overdue_total"] == figures["overdue"] == len(context["overdue"]) == 3
    rate = figures["satisfaction"]
    assert context["dissatisfied_total"] == rate["denominator"] - rate["numerator"] == 2


@time_machine.travel(NOW, tick=False)
def test_empty_sections_say_so(office, org, categories, personas, eager,
                               django_capture_on_commit_callbacks):
    bulletin = draft(office, django_capture_on_commit_callbacks)
    document = Document(bulletin.generated_file.open("rb"))
    text = "\n".join(p.text for p in document.paragraphs)
    for sentence in ["本期暂无已公布的考核结果。", "本期没有超期诉求。",
                     "本期各单位满意率均不低于90%。", "本期没有不满意评价。", "本期暂无活动记录。"]:
        assert sentence in text
    assert len(document.tables) == 1  # the summary only
    assert table_rows(document.tables[0])[2] == ["满意率", "—", "无评价"]


@time_machine.travel(NOW, tick=False)
def test_the_ranking_of_the_period_or_the_newest_before_its_end(month):
    """A weekly bulletin of the last week of November shows November's ranking; one of
    October has none (November's ended after it)."""
    rows, title = data.ranking(START.replace(day=23), END)
    assert title == "2026年11月考核" and rows[0] == {"rank": 1, "unit": "环境卫生管理处",
                                                  "total": "92.50"}
    assert data.ranking(START.replace(month=10), START.replace(month=10, day=31)) == ([], "")


@time_machine.travel(NOW, tick=False)
def test_libreoffice_converts_the_bulletin_to_pdf(office, month, eager, tmp_path,
                                                  django_capture_on_commit_callbacks):
    bulletin = draft(office, django_capture_on_commit_callbacks)
    source = tmp_path / "bulletin.docx"
    source.write_bytes(bulletin.generated_file.open("rb").read())
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    assert binary, "LibreOffice is needed (make test installs libreoffice-writer-nogui)"
    subprocess.run([binary, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, timeout=180, capture_output=True)
    assert (tmp_path / "bulletin.pdf").read_bytes().startswith(b"%PDF-")


# --- the template --------------------------------------------------------------------------
def test_the_shipped_template_is_what_the_script_makes():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "make_bulletin_template.py"
    spec = importlib.util.spec_from_file_location("make_bulletin_template", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.make() == render.default_template_bytes(), \
        "run scripts/make_bulletin_template.py and commit bulletins/templates/bulletin.docx"


@time_machine.travel(NOW, tick=False)
def test_the_office_s_template_replaces_the_default(office, month, eager,
                                                   django_capture_on_commit_callbacks):
    own = Document()
    own.add_paragraph("{{ number }}")
    own.add_paragraph("{{ title }}")
    own.add_paragraph("本月满意率{{ figures.satisfaction.value }}，超期{{ overdue_total }}件。")
    template = actions.upload_template(office, "局办模板", docx_upload(own))
    assert template.active and template.original_name == "我们的模板.docx"
    bulletin = draft(office, django_capture_on_commit_callbacks)
    texts = [p.text for p in Document(bulletin.generated_file.open("rb")).paragraphs]
    assert texts == ["测城管〔2026〕1号", "关于2026年11月“三满意”工作情况的通报",
                     "本月满意率66.7%，超期3件。"]
    assert bulletin.template == template
    # back to the default
    actions.use_default_template(office)
    second = draft(office, django_capture_on_commit_callbacks)
    assert second.number == "测城管〔2026〕2号" and second.template is None
    assert Document(second.generated_file.open("rb")).paragraphs[0].text == "测试市城市管理局"


def broken(*texts: str) -> SimpleUploadedFile:
    document = Document()
    for text in texts:
        document.add_paragraph(text)
    return docx_upload(document)


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: broken("{{ number }}", "{{ title ", "正文"), "模板中的标签写法有误"),
    (lambda: broken("{{ number }}", "{{ title }}", "{{ satisfaction }}"),
     "模板使用了不存在的标签：“satisfaction”"),
    (lambda: broken("{{ title }}"), "模板缺少必需的标签：{{ number }}（文号）"),
    (lambda: broken("{{ number }}{{ title }}", "{% for row in overdue %}{{ row.nope }}"
                    "{% endfor %}"), "模板使用了不存在的标签“nope”"),
    (lambda: broken("{{ number }}{{ title }}{{ title.__class__.__mro__ }}"), "不允许的写法"),
    (lambda: SimpleUploadedFile("模板.docx", b"%PDF-1.7 not a word file"),
     "扩展名与内容不符"),
    (lambda: SimpleUploadedFile("模板.pdf", b"%PDF-1.7 a pdf"), "模板须是 Word（.docx）文件"),
])
def test_a_broken_template_is_refused_in_chinese(office, upload, message):
    with pytest.raises(ActionError) as refused:
        actions.upload_template(office, "坏模板", upload())
    assert message in refused.value.message
    assert not BulletinTemplate.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_broken_active_template_makes_no_bulletin(office, month, eager,
                                                    django_capture_on_commit_callbacks):
    """A template that went bad after its upload (changed through the admin, say)."""
    from django.core.files.base import ContentFile

    bad = BulletinTemplate(name="改坏的模板", original_name="a.docx", active=True,
                           uploaded_by=office, uploaded_at=NOW)
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("{{ number }}{{ title }}{% if %}")
    document.save(out)
    bad.file.save("bad.docx", ContentFile(out.getvalue()))
    with pytest.raises(ActionError) as refused, django_capture_on_commit_callbacks(execute=True):
        actions.create(office, "monthly", START, END)
    assert refused.value.message.startswith(
        "启用的通报模板“改坏的模板”不能使用：模板中的标签写法有误")
    assert not Bulletin.objects.exists() and eager == []


# --- the draft's life ----------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_an_issued_bulletin_is_frozen(office, month, eager,
                                      django_capture_on_commit_callbacks):
    bulletin = draft(office, django_capture_on_commit_callbacks)
    edited = Document(bulletin.generated_file.open("rb"))
    edited.add_paragraph("办公室补充的一段话。")
    actions.upload_edited(office, bulletin, docx_upload(edited, "通报（改）.docx"))
    assert CATALOGUE.available(office, bulletin) and \
        [t.name for t in CATALOGUE.available(office, bulletin)] == [
            "issue", "regenerate", "publish"]
    bulletin = actions.issue(office, bulletin)
    assert bulletin.state == State.ISSUED and bulletin.issued_at == NOW
    assert [t.name for t in CATALOGUE.available(office, bulletin)] == ["publish"]
    for refused_action in (lambda: actions.regenerate(office, bulletin),
                           lambda: actions.upload_edited(office, bulletin, broken("x")),
                           lambda: actions.issue(office, bulletin)):
        with pytest.raises(ActionError) as refused:
            refused_action()
        assert refused.value.code == "wrong_state"
        assert "该通报已于2026-12-02 10:00印发，文件已冻结" in refused.value.message
    bulletin.refresh_from_db()
    assert bulletin.document == bulletin.edited_file and eager == [[bulletin.pk]]
    assert Document(bulletin.document.open("rb")).paragraphs[-1].text == "办公室补充的一段话。"


@time_machine.travel(NOW, tick=False)
def test_regenerating_a_draft_drops_the_edited_copy(office, month, eager,
                                                   django_capture_on_commit_callbacks):
    bulletin = draft(office, django_capture_on_commit_callbacks)
    actions.upload_edited(office, bulletin, docx_upload(Document()))
    with django_capture_on_commit_callbacks(execute=True):
        actions.regenerate(office, bulletin)
    bulletin.refresh_from_db()
    assert not bulletin.edited_file and bulletin.generation == Generation.DONE
    assert len(eager) == 2


def test_an_edited_copy_must_be_a_word_file(office, month, eager,
                                            django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False):
        bulletin = draft(office, django_capture_on_commit_callbacks)
        with pytest.raises(ActionError) as refused:
            actions.upload_edited(office, bulletin, SimpleUploadedFile("改.pdf", b"%PDF-1.4"))
    assert refused.value.message == "修改稿须是 Word（.docx）文件，“改.pdf”不是。"
    bulletin.refresh_from_db()
    assert not bulletin.edited_file


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("kind", "start", "end", "message"), [
    ("monthly", "2026-11-30", "2026-11-01", "统计截止日期不能早于起始日期。"),
    ("monthly", "2026-11-01", "2026-12-03", "统计截止日期不能晚于今天（还没有数据）。"),
    ("weekly", "2025-01-01", "2026-11-30", "统计期不能超过一年。"),
    ("phase", "", "", "阶段通报请选择阶段。"),
    ("daily", "", "", "请选择通报类型（周报、月报或阶段通报）。"),
])
def test_a_bad_period_is_refused(office, kind, start, end, message):
    with pytest.raises(ActionError) as refused:
        actions.create(office, kind, start, end)
    assert refused.value.message == message
    assert not Bulletin.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_default_periods_and_titles(office, month, eager, django_capture_on_commit_callbacks):
    weekly = draft(office, django_capture_on_commit_callbacks, kind="weekly", period_start=None,
                   period_end=None)
    assert (str(weekly.period_start), str(weekly.period_end)) == ("2026-11-23", "2026-11-29")
    assert weekly.title == "关于2026年第48周“三满意”工作情况的通报"
    monthly = draft(office, django_capture_on_commit_callbacks, period_start=None,
                    period_end=None)
    assert (str(monthly.period_start), str(monthly.period_end)) == ("2026-11-01", "2026-11-30")
    phase = draft(office, django_capture_on_commit_callbacks, kind="phase", period_start=None,
                  period_end=None, phase=month["phase"])
    # the phase runs to the end of the year: its bulletin stops at today
    assert (str(phase.period_start), str(phase.period_end)) == ("2026-03-01", "2026-12-02")
    assert phase.title == "关于“三满意”活动集中推进阶段工作情况的通报"
    assert [b.number for b in (weekly, monthly, phase)] == [
        "测城管〔2026〕1号", "测城管〔2026〕2号", "测城管〔2026〕3号"]


def test_only_the_office_and_the_party_committee_manage_bulletins(org, personas, office):
    party = make_staff("party", "周书记", org.bureau, (Role.PARTY, None))
    for user in (personas.leader, personas.supervisor, personas.head_a):
        with pytest.raises(ActionError) as refused:
            actions.create(user, "monthly", START, END)
        assert refused.value.code == "forbidden"
    assert actions.may_manage(party) and actions.may_manage(office)
    assert actions.may_view(personas.leader) and actions.may_view(personas.supervisor)
    assert not actions.may_view(personas.head_a) and not actions.may_view(personas.handler_a)


# --- the console ---------------------------------------------------------------------------
@time_machine.travel(NOW, tick=False)
def test_console_generate_download_upload_issue_publish(client, office, month, eager,
                                                        django_capture_on_commit_callbacks):
    client.force_login(office, backend=BACKEND)
    page = client.get(reverse("console:bulletin_create") + "?kind=monthly").content.decode()
    assert 'value="2026-11-01"' in page and 'value="2026-11-30"' in page
    assert "默认标题：关于2026年11月“三满意”工作情况的通报" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("console:bulletin_create"), {
            "kind": "monthly", "period_start": "2026-11-01", "period_end": "2026-11-30"})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == bulletin.get_absolute_url()
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "已生成" in page and "下载生成稿（.docx）" in page
    download = client.get(reverse("console:bulletin_file", args=[bulletin.pk, "generated"]))
    assert download["Content-Type"] == render.DOCX
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert document.paragraphs[1].text == "测城管〔2026〕1号"
    document.paragraphs[2].runs[0].text = "关于十一月工作情况的通报（修改）"
    response = client.post(reverse("console:bulletin_upload", args=[bulletin.pk]),
                           {"file": docx_upload(document, "修改稿.docx")})
    assert response.status_code == 302
    # a picture renamed .docx is refused by its content
    response = client.post(reverse("console:bulletin_upload", args=[bulletin.pk]),
                           {"file": SimpleUploadedFile("照片.docx", b"\xff\xd8\xff\xe0 jpeg")})
    assert response.status_code == 400
    assert "的内容不是 PDF、Word、Excel 或 OFD 文件" in response.content.decode()
    for name in ("publish", "issue"):
        response = client.post(reverse("console:bulletin_act", args=[bulletin.pk, name]))
        assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.state == State.ISSUED and bulletin.public
    response = client.post(reverse("console:bulletin_act", args=[bulletin.pk, "regenerate"]))
    assert response.status_code == 400
    assert "文件已冻结，不能重新生成" in response.content.decode()
    public = client.get(reverse("portal:bulletin_download", args=[bulletin.pk]))
    issued = Document(io.BytesIO(b"".join(public.streaming_content)))
    assert issued.paragraphs[2].text == "关于十一月工作情况的通报（修改）"


@time_machine.travel(NOW, tick=False)
def test_console_refuses_a_bad_period_in_chinese(client, office):
    client.force_login(office, backend=BACKEND)
    response = client.post(reverse("console:bulletin_create"), {
        "kind": "monthly", "period_start": "2026-11-30", "period_end": "2026-11-01"})
    assert response.status_code == 400
    assert "统计截止日期不能早于起始日期。" in response.content.decode()
    assert not Bulletin.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_console_templates_page(client, office):
    client.force_login(office, backend=BACKEND)
    response = client.post(reverse("console:bulletin_templates"), {
        "name": "坏模板", "file": broken("{{ title }}"), "activate": "on"})
    assert response.status_code == 400
    assert "模板缺少必需的标签：{{ number }}（文号）" in response.content.decode()
    response = client.post(reverse("console:bulletin_templates"), {
        "name": "局办模板", "file": broken("{{ number }}", "{{ title }}"), "activate": "on"})
    assert response.status_code == 302
    template = BulletinTemplate.objects.get()
    assert template.active
    default = client.get(reverse("console:bulletin_template_default"))
    assert b"".join(default.streaming_content) == render.default_template_bytes()
    client.post(reverse("console:bulletin_template_use"), {"template": ""})
    template.refresh_from_db()
    assert not template.active
    client.post(reverse("console:bulletin_template_use"), {"template": str(template.pk)})
    template.refresh_from_db()
    assert template.active


@pytest.mark.parametrize(("name", "view", "manage"), [
    ("office", 200, 200), ("party", 200, 200), ("supervisor", 200, 403), ("leader", 200, 403),
    ("head_a", 403, 403), ("handler_a", 403, 403)])
def test_console_permissions(client, org, personas, office, name, view, manage):
    users = {"office": office, "party": make_staff("party", "周书记", org.bureau,
                                                   (Role.PARTY, None))}
    user = users.get(name) or getattr(personas, name)
    client.force_login(user, backend=BACKEND)
    assert client.get(reverse("console:bulletins")).status_code == view
    assert client.get(reverse("console:bulletin_create")).status_code == manage
    assert client.get(reverse("console:bulletin_templates")).status_code == manage
    home = client.get(reverse("console:home")).content.decode()
    # 督查考核 → 通报 in the top bar
    assert (f'href="{reverse("console:bulletins")}"' in home) == (view == 200)


def make_bulletins(office, count, *, state=State.DRAFT, public=False, name="通报"):
    made = []
    for n in range(count):
        made.append(Bulletin.objects.create(
            kind="weekly", period_start=START, period_end=END, year=2026, sequence=100 + n
            + Bulletin.objects.count(), number=f"测城管〔2026〕{100 + n}号",
            title=f"{name}{n}", state=state, public=public, generation=Generation.DONE,
            generated_file="bulletins/x.docx", created_by=office, created_at=NOW,
            issued_at=NOW if state == State.ISSUED else None,
            issued_by=office if state == State.ISSUED else None))
    return made


@pytest.mark.parametrize("count", [1, 25])
def test_the_console_list_s_queries_are_pinned(client, office, django_assert_num_queries,
                                               count):
    make_bulletins(office, count)
    client.force_login(office, backend=BACKEND)
    # session, user, grants; the count and the page; the top bar's identity (profile and
    # roles) and unread count; the session's renewal (update in a savepoint: 3)
    with django_assert_num_queries(11):
        response = client.get(reverse("console:bulletins"))
    assert response.content.decode().count('data-testid="bulletin-row"') == count


# --- the portal ----------------------------------------------------------------------------
def test_the_portal_lists_only_issued_public_bulletins(client, office, settings,
                                                       django_assert_num_queries, tmp_path):
    (tmp_path / "media" / "bulletins").mkdir(parents=True)
    out = io.BytesIO()
    Document().save(out)
    (tmp_path / "media" / "bulletins" / "x.docx").write_bytes(out.getvalue())
    hidden_draft, = make_bulletins(office, 1, public=True, name="草稿")
    issued_private, = make_bulletins(office, 1, state=State.ISSUED, name="未公开")
    shown = make_bulletins(office, 3, state=State.ISSUED, public=True, name="已公开")
    with django_assert_num_queries(2):  # the count and the page
        page = client.get(reverse("portal:bulletins")).content.decode()
    assert page.count('data-testid="public-bulletin"') == 3
    for bulletin in shown:
        assert bulletin.title in page and bulletin.number in page
    assert hidden_draft.title not in page and issued_private.title not in page
    assert "孙主任" not in page  # who drafted or issued it is not public
    assert client.get(reverse("portal:bulletin_download", args=[shown[0].pk])).status_code == 200
    for hidden in (hidden_draft, issued_private):
        assert client.get(reverse("portal:bulletin_download",
                                  args=[hidden.pk])).status_code == 404


def test_the_portal_says_when_there_is_none(client, db):
    page = client.get(reverse("portal:bulletins")).content.decode()
    assert "暂无公开的通报。" in page


@time_machine.travel(NOW, tick=False)
def test_two_drafts_at_once_get_two_numbers(office, monkeypatch):
    """The second of two drafts that read the same last number takes the next one."""
    make_bulletins(office, 1)  # 〔2026〕100号
    answers = iter([100, 101])
    monkeypatch.setattr(actions, "_next_sequence", lambda year: next(answers))
    monkeypatch.setattr(actions, "enqueue", lambda pk: None)
    bulletin = actions.create(office, "monthly", START, END)
    assert (bulletin.sequence, bulletin.number) == (101, "测城管〔2026〕101号")
