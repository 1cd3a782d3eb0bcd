"""lib.documents: office attachments judged by content, not by name."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lib import documents
from lib.errors import ActionError


def _zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, "<x/>")
    return out.getvalue()


def test_a_real_docx_xlsx_pdf_and_doc_are_taken():
    cases = {
        "方案.docx": (_zip("word/document.xml"), "wordprocessingml"),
        "台账.xlsx": (_zip("xl/workbook.xml"), "spreadsheetml"),
        "通知.pdf": (b"%PDF-1.7\n...", "application/pdf"),
        "旧版.doc": (documents.OLE2 + b"\0" * 64, "application/msword"),
        "旧表.xls": (documents.OLE2 + b"\0" * 64, "application/vnd.ms-excel"),
    }
    for name, (data, kind) in cases.items():
        prepared = documents.prepare(SimpleUploadedFile(name, data))
        assert kind in prepared.content_type
        assert prepared.name == name


@pytest.mark.parametrize(("name", "data", "says"), [
    ("病毒.exe", b"MZ\x90\x00", "类型不支持"),
    ("改名.docx", b"MZ\x90\x00not a zip", "内容不是"),
    ("表格.docx", _zip("xl/workbook.xml"), "扩展名与内容不符"),
    ("空.pdf", b"", "空文件"),
])
def test_wrong_files_are_refused_in_chinese(name, data, says):
    with pytest.raises(ActionError) as refused:
        documents.prepare(SimpleUploadedFile(name, data))
    assert says in refused.value.message


def test_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    with pytest.raises(ActionError) as refused:
        documents.prepare(SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * 2000))
    assert "超过" in refused.value.message


def test_prepare_many_checks_every_file_before_any_is_kept():
    good = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    bad = SimpleUploadedFile("b.pdf", b"not a pdf")
    with pytest.raises(ActionError):
        documents.prepare_many([good, bad])
    assert len(documents.prepare_many([good])) == 1
