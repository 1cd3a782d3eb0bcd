"""A bulletin's Word file: the template (the office's active one, or the shipped default),
its check, and the rendering with docxtpl.

Templates are Word files with Jinja tags (``{{ title }}``, ``{%tr for row in overdue %}``;
the list is in docs/supervision.md section 3). They are rendered in Jinja's sandbox with
undefined tags refused, so a template uploaded by the office can read only the plain
values of the context and a misspelt tag is an error in Chinese, not an empty space in an
issued document.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from django.conf import settings
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from lib.errors import ActionError
from org.models import Unit, UnitKind

from .data import chinese_date

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "bulletin.docx"
# a template without these would make a bulletin nobody can tell from another
REQUIRED_TAGS = {"number": "文号", "title": "标题"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


# --- the bureau's parts of the title block ---------------------------------------------------
def bureau_name() -> str:
    """发文机关标志: ``settings.BULLETIN_ISSUER``, else the bureau unit's name."""
    configured = getattr(settings, "BULLETIN_ISSUER", "")
    if configured:
        return configured
    bureau = Unit.objects.filter(kind=UnitKind.BUREAU, parent__isnull=True).order_by(
        "path").only("name").first()
    return bureau.name if bureau is not None else "城市管理局"


def number_prefix(bureau: str | None = None) -> str:
    """The 机关代字 of the 文号 ("宿城管" of "宿城管〔2026〕3号"): the setting, else the
    first character of the bureau's name and 城管."""
    configured = getattr(settings, "BULLETIN_NUMBER_PREFIX", "")
    if configured:
        return configured
    bureau = bureau or bureau_name()
    return f"{bureau[:1]}城管"


def number_text(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"


def title_block(bulletin, today) -> dict:
    """The tags that come from the bulletin itself and the bureau."""
    bureau = bureau_name()
    return {
        "bureau": bureau,
        "number": bulletin.number,
        "title": bulletin.title,
        "kind": bulletin.get_kind_display(),
        "recipients": getattr(settings, "BULLETIN_RECIPIENTS", "") or
        "局机关各处室，局属各单位，各区分局",
        "issuer": bureau,
        "date": chinese_date(today),
        "office": getattr(settings, "BULLETIN_OFFICE", "") or f"{bureau}办公室",
        "printed_on": chinese_date(today),
    }


def sample_context() -> dict:
    """A context of every tag with one row in every list: what a template is checked
    against before it is accepted (and before a bulletin is started with it)."""
    rate = {"value": "90.0%", "numerator": 9, "denominator": 10, "basis": "9 / 10"}
    figures = {"satisfaction": rate, "satisfaction_citizen": rate,
               "satisfaction_grassroots": rate, "satisfaction_enterprise": rate,
               "on_time": rate, "received": 12, "evaluated": 10, "overdue": 1,
               "open_overdue": 1}
    return {
        "bureau": "××市城市管理局", "number": "×城管〔2026〕1号",
        "title": "关于2026年11月“三满意”工作情况的通报", "kind": "月报",
        "recipients": "局机关各处室，局属各单位，各区分局", "issuer": "××市城市管理局",
        "date": "2026年12月1日", "office": "××市城市管理局办公室",
        "printed_on": "2026年12月1日",
        "period_start": "2026年11月1日", "period_end": "2026年11月30日",
        "period_text": "2026年11月1日至11月30日",
        "figures": figures,
        "summary": [{"label": "满意率", "value": "90.0%", "basis": "满意 9 / 10 件"}],
        "ranking": [{"rank": 1, "unit": "环境卫生管理处", "total": "95.50"}],
        "ranking_title": "2026年11月考核",
        "overdue": [{"index": 1, "number": "261101-ABCDEF", "title": "幸福路垃圾未清运",
                     "unit": "环境卫生管理处", "deadline": "2026-11-03 17:30", "days": 2,
                     "status": "逾期答复"}],
        "overdue_total": 1, "overdue_more": 0,
        "low_units": [{"index": 1, "unit": "市政设施管理处", "evaluated": 10, "satisfied": 8,
                       "dissatisfied": 2, "rate": "80.0%"}],
        "satisfaction_floor": "90%",
        "dissatisfied": [{"index": 1, "number": "261102-ABCDEF", "title": "路灯不亮",
                          "unit": "市政设施管理处", "level": "不满意", "date": "2026-11-05"}],
        "dissatisfied_total": 1, "dissatisfied_more": 0,
        "highlights": [{"index": 1, "date": "2026-11-06", "unit": "环境卫生管理处",
                        "kind": "下基层走访", "summary": "走访幸福社区，座谈环境卫生。"}],
        "highlight_counts": [{"kind": "下基层走访", "count": 1}],
        "highlight_total": 1, "highlight_text": "下基层走访 1 次",
    }


# --- templates -------------------------------------------------------------------------------
def default_template_bytes() -> bytes:
    return DEFAULT_TEMPLATE.read_bytes()


def _where(error: TemplateError) -> str:
    """The template's text near a Jinja error (docxtpl keeps a few lines of it)."""
    lines = [line.strip() for line in getattr(error, "docx_context", None) or [] if line.strip()]
    text = " ".join(lines)[:80]
    return f"（出错位置附近的文字：“{text}”）" if text else ""


def _explain(error: Exception) -> str:
    if isinstance(error, TemplateSyntaxError):
        return f"模板中的标签写法有误{_where(error)}：{error.message}。请检查 {{{{ }}}} 和 " \
               "{% %} 是否成对、完整。"
    if isinstance(error, UndefinedError):
        match = re.search(r"'([^']+)' (?:is undefined|has no attribute '([^']+)')",
                          error.message or "")
        if match and match.group(2):
            name = match.group(2)
        elif match:
            name = match.group(1)
        else:
            name = error.message or ""
        return f"模板使用了不存在的标签“{name}”{_where(error)}。可用的标签见说明文档。"
    if isinstance(error, SecurityError):
        return "模板中含有不允许的写法（只能使用说明文档列出的标签）。"
    if isinstance(error, TemplateError):
        return f"模板无法生成通报{_where(error)}：{error}"
    return f"模板无法生成通报：{error}"


def render(template: bytes, context: dict) -> bytes:
    """The filled-in .docx; ``ActionError`` in Chinese when the template cannot be used."""
    try:
        document = DocxTemplate(io.BytesIO(template))
        document.render(context, jinja_env=environment(), autoescape=True)
        out = io.BytesIO()
        document.save(out)
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise ActionError("invalid", "模板文件无法打开：文件已损坏，或不是 Word（.docx）文档。",
                          "file") from error
    except (TemplateError, SecurityError) as error:
        raise ActionError("invalid", _explain(error), "file") from error
    return out.getvalue()


def check(template: bytes) -> None:
    """Refuse a template that cannot make a bulletin: not a Word file, a broken tag, a tag
    that is not in the context, or without the 文号 and 标题 tags. Renders the sample
    context and reads the result back."""
    try:
        used = DocxTemplate(io.BytesIO(template)).get_undeclared_template_variables(
            environment())
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise ActionError("invalid", "模板文件无法打开：文件已损坏，或不是 Word（.docx）文档。",
                          "file") from error
    except TemplateError as error:
        raise ActionError("invalid", _explain(error), "file") from error
    missing = [f"{{{{ {tag} }}}}（{label}）" for tag, label in REQUIRED_TAGS.items()
               if tag not in used]
    if missing:
        raise ActionError("invalid", f"模板缺少必需的标签：{'、'.join(missing)}。", "file")
    unknown = sorted(used - set(sample_context()))
    if unknown:
        raise ActionError("invalid", "模板使用了不存在的标签：" + "、".join(
            f"“{name}”" for name in unknown) + "。可用的标签见说明文档。", "file")
    rendered = render(template, sample_context())
    Document(io.BytesIO(rendered))  # what Word will open
