#!/usr/bin/env python3
"""Make the shipped bulletin template, bulletins/templates/bulletin.docx, with python-docx.

The layout follows GB/T 9704-2012 (党政机关公文格式) as far as a template can: A4, margins
37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the red 发文机关标志 in 小标宋; the 发文字号
centred above a red rule as wide as the type area; the title in 二号小标宋; the body in
三号仿宋_GB2312 on a 28 pt line, headings in 黑体; the 落款 and 成文日期; the 版记 with the
印发机关 and 印发日期 between two rules; page numbers "— 1 —" in the footer. Fonts absent
on a machine fall back to what Word or LibreOffice has; the file names them.

The words in double braces are docxtpl (Jinja) tags filled by bulletins/render.py; the
office may edit this file in Word and upload it as its own template (the tags:
docs/supervision.md section 3). The output is byte-for-byte the same on every run (fixed
zip times), so tests/test_bulletins_template.py can check that the committed file is what
this script makes.

Usage:  .venv/bin/python scripts/make_bulletin_template.py [OUTPUT]
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUTPUT = Path(__file__).resolve().parent.parent / "bulletins" / "templates" / "bulletin.docx"

RED = RGBColor(0xFF, 0x00, 0x00)
TITLE_FONT = "方正小标宋简体"  # 小标宋
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
ORGAN_SIZE = Pt(36)  # 小初
TABLE_SIZE = Pt(12)  # 小四
NOTE_SIZE = Pt(14)  # 四号 (版记, page numbers)
LINE = Pt(28)  # 22 lines to the type area
TYPE_WIDTH = Mm(156)  # 210 − 28 − 26
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
NONE = Pt(0)


# --- fonts and paragraph helpers ------------------------------------------------------------
def fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the East-Asian font (w:eastAsia) and the Latin one of a run or a style."""
    r_pr = element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    for attribute, value in (("w:ascii", latin), ("w:hAnsi", latin),
                             ("w:eastAsia", east_asian), ("w:cs", latin)):
        r_fonts.set(qn(attribute), value)


def run(paragraph, text: str, *, font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False,
        color: RGBColor | None = None):
    piece = paragraph.add_run(text)
    fonts(piece._element, font, LATIN_FONT if font == BODY_FONT else font)
    piece.font.size = size
    piece.font.bold = bold
    if color is not None:
        piece.font.color.rgb = color
    return piece


def paragraph(document, text: str = "", *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True,
              font: str = BODY_FONT, size=BODY_SIZE, bold: bool = False, color=None,
              exact_line: bool = True, before=NONE, after=NONE):
    para = document.add_paragraph()
    fmt = para.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(32) if indent else Pt(0)  # two characters of 三号
    fmt.space_before, fmt.space_after = before, after
    if exact_line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if text:
        run(para, text, font=font, size=size, bold=bold, color=color)
    return para


def tag(document, text: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p if … %}): removed when
    rendered."""
    return paragraph(document, text, indent=False)


def border(para, side: str, *, color: str = "000000", size: int = 8, space: int = 1) -> None:
    """A rule on one side of a paragraph (size in eighths of a point, space in points)."""
    p_pr = para._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # w:pBdr comes before w:spacing, w:ind and w:jc in a paragraph's properties
        anchor = next((child for child in p_pr if child.tag in {
            qn("w:shd"), qn("w:tabs"), qn("w:spacing"), qn("w:ind"), qn("w:jc")}), None)
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            p_pr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def heading(document, text: str):
    return paragraph(document, text, font=HEADING_FONT)


def caption(document, text: str):
    return paragraph(document, text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                     font=HEADING_FONT, size=NOTE_SIZE, before=Pt(6))


def _cell_text(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER):
    para = cell.paragraphs[0]
    para.paragraph_format.alignment = align
    para.paragraph_format.first_line_indent = Pt(0)
    para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if text:
        run(para, text, size=TABLE_SIZE, bold=bold)


def table(document, columns: list[tuple[str, str, float]], loop: str):
    """A table with a header row and one docxtpl row loop: ``columns`` are (header,
    the tag of the cell, width in mm); ``loop`` is "row in summary"."""
    grid = document.add_table(rows=4, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    header, opener, body, closer = grid.rows
    header_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row again on every page
    header_props.append(repeat)
    for index, (label, value, width) in enumerate(columns):
        grid.columns[index].width = Mm(width)  # the grid LibreOffice and WPS read
        for row in grid.rows:
            row.cells[index].width = Mm(width)
        _cell_text(header.cells[index], label, bold=True)
        _cell_text(body.cells[index], value,
                   align=WD_ALIGN_PARAGRAPH.LEFT if width >= 40 else WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(opener.cells[0], f"{{%tr for {loop} %}}")
    _cell_text(closer.cells[0], "{%tr endfor %}")
    return grid


def page_number(section) -> None:
    """"— 1 —" centred in the footer (a PAGE field)."""
    para = section.footer.paragraphs[0]
    para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(para, "— ", font="宋体", size=NOTE_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    para._p.append(field)
    run(para, " —", font="宋体", size=NOTE_SIZE)


# --- the document -------------------------------------------------------------------------
def build() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(20)

    normal = document.styles["Normal"]
    fonts(normal.element, BODY_FONT)
    normal.font.size = BODY_SIZE
    document.core_properties.author = ""
    document.core_properties.title = ""
    document.core_properties.comments = "三满意服务平台通报模板（GB/T 9704 版式）"

    # 版头: 发文机关标志, 发文字号 above the red rule
    paragraph(document, "{{ bureau }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
              font=TITLE_FONT, size=ORGAN_SIZE, color=RED, exact_line=False)
    number = paragraph(document, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                       before=Pt(56))  # two blank lines
    border(number, "bottom", color="FF0000", size=18, space=11)  # 2.25 pt, 4 mm below
    # 主体
    paragraph(document, "{{ title }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
              font=TITLE_FONT, size=TITLE_SIZE, exact_line=False, before=Pt(42), after=Pt(28))
    paragraph(document, "{{ recipients }}：", indent=False)
    paragraph(document, "为及时通报“三满意”活动进展情况，现将{{ period_text }}全局诉求办理、"
                        "考核排名和活动开展情况通报如下。")

    heading(document, "一、总体情况")
    paragraph(document, "{{ period_text }}，全局共受理诉求{{ figures.received }}件；参评诉求"
                        "{{ figures.evaluated }}件，满意率{{ figures.satisfaction.value }}，其中"
                        "群众满意率{{ figures.satisfaction_citizen.value }}、基层满意率"
                        "{{ figures.satisfaction_grassroots.value }}、企业满意率"
                        "{{ figures.satisfaction_enterprise.value }}；按时办结率"
                        "{{ figures.on_time.value }}，超期诉求{{ figures.overdue }}件，截至通报"
                        "生成时仍有{{ figures.open_overdue }}件超期未答复。主要数据见表1。")
    caption(document, "表1　主要指标")
    table(document, [("指标", "{{ row.label }}", 40), ("数值", "{{ row.value }}", 36),
                     ("计算依据", "{{ row.basis }}", 80)], "row in summary")

    heading(document, "二、考核排名")
    tag(document, "{%p if ranking %}")
    paragraph(document, "根据{{ ranking_title }}结果，各单位得分和名次见表2。")
    caption(document, "表2　考核排名")
    table(document, [("名次", "{{ row.rank }}", 24), ("单位", "{{ row.unit }}", 96),
                     ("得分", "{{ row.total }}", 36)], "row in ranking")
    tag(document, "{%p else %}")
    paragraph(document, "本期暂无已公布的考核结果。")
    tag(document, "{%p endif %}")

    heading(document, "三、超期诉求")
    tag(document, "{%p if overdue %}")
    paragraph(document, "承诺时限在本期内、未按时答复的诉求共{{ overdue_total }}件，按超期时间由长"
                        "到短列示如下（表3）{% if overdue_more %}，另有{{ overdue_more }}件未列出"
                        "{% endif %}。请责任单位逐件说明原因、限期答复。")
    caption(document, "表3　超期诉求")
    table(document, [("序号", "{{ row.index }}", 12), ("诉求编号", "{{ row.number }}", 27),
                     ("诉求事项", "{{ row.title }}", 42), ("责任单位", "{{ row.unit }}", 25),
                     ("承诺时限", "{{ row.deadline }}", 22), ("超期天数", "{{ row.days }}", 13),
                     ("情况", "{{ row.status }}", 15)], "row in overdue")
    tag(document, "{%p else %}")
    paragraph(document, "本期没有超期诉求。")
    tag(document, "{%p endif %}")

    heading(document, "四、满意度偏低的单位和不满意诉求")
    tag(document, "{%p if low_units %}")
    paragraph(document, "满意率低于{{ satisfaction_floor }}的单位见表4。")
    caption(document, "表4　满意率偏低的单位")
    table(document, [("序号", "{{ row.index }}", 12), ("单位", "{{ row.unit }}", 60),
                     ("参评", "{{ row.evaluated }}", 20), ("满意", "{{ row.satisfied }}", 20),
                     ("不满意", "{{ row.dissatisfied }}", 20), ("满意率", "{{ row.rate }}", 24)],
          "row in low_units")
    tag(document, "{%p else %}")
    paragraph(document, "本期各单位满意率均不低于{{ satisfaction_floor }}。")
    tag(document, "{%p endif %}")
    tag(document, "{%p if dissatisfied %}")
    paragraph(document, "本期首次评价为不满意的诉求共{{ dissatisfied_total }}件"
                        "{% if dissatisfied_more %}（列出{{ dissatisfied|length }}件）{% endif %}，"
                        "见表5。责任单位要回访诉求人、查找原因、落实整改。")
    caption(document, "表5　不满意诉求")
    table(document, [("序号", "{{ row.index }}", 12), ("诉求编号", "{{ row.number }}", 28),
                     ("诉求事项", "{{ row.title }}", 50), ("责任单位", "{{ row.unit }}", 28),
                     ("评价", "{{ row.level }}", 18), ("评价日期", "{{ row.date }}", 20)],
          "row in dissatisfied")
    tag(document, "{%p else %}")
    paragraph(document, "本期没有不满意评价。")
    tag(document, "{%p endif %}")

    heading(document, "五、工作亮点")
    tag(document, "{%p if highlights %}")
    paragraph(document, "本期各单位共记录活动{{ highlight_total }}次，其中{{ highlight_text }}。"
                        "部分活动见表6。")
    caption(document, "表6　活动记录")
    table(document, [("序号", "{{ row.index }}", 12), ("日期", "{{ row.date }}", 22),
                     ("单位", "{{ row.unit }}", 30), ("类型", "{{ row.kind }}", 24),
                     ("内容", "{{ row.summary }}", 68)], "row in highlights")
    tag(document, "{%p else %}")
    paragraph(document, "本期暂无活动记录。")
    tag(document, "{%p endif %}")

    heading(document, "六、工作要求")
    paragraph(document, "各单位要对照本通报，逐件核查超期和不满意诉求，查明原因、落实整改，"
                        "举一反三完善工作机制；满意率偏低的单位要制定整改措施，于下期通报前报局"
                        "“三满意”活动领导小组办公室。")

    # 落款 and 成文日期, four characters from the right
    paragraph(document, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False,
              before=Pt(56)).paragraph_format.right_indent = Pt(64)
    paragraph(document, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT,
              indent=False).paragraph_format.right_indent = Pt(64)

    # 版记: the 印发 line between two rules, one character in from each side
    printed = paragraph(document, "", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False,
                        before=Pt(84))
    printed.paragraph_format.left_indent = Pt(14)
    printed.paragraph_format.right_indent = Pt(14)
    printed.paragraph_format.tab_stops.add_tab_stop(TYPE_WIDTH - Pt(28),
                                                    WD_TAB_ALIGNMENT.RIGHT)
    border(printed, "top", size=8, space=4)
    border(printed, "bottom", size=8, space=4)
    run(printed, "{{ office }}", size=NOTE_SIZE)
    run(printed, "\t{{ printed_on }}印发", size=NOTE_SIZE)

    page_number(section)
    return document


def deterministic(data: bytes) -> bytes:
    """The same zip with fixed member times, so every run gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def make() -> bytes:
    document = build()
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic(buffer.getvalue())


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(make())
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
