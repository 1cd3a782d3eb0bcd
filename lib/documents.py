"""Office documents attached to records: one helper for every module that takes them.

A campaign's 实施方案, a unit's filed plan, the minutes of a grassroots visit arrive as PDF,
Word, Excel, WPS or OFD files. ``prepare(upload)`` judges the type by content, not by name
(a renamed executable is refused), checks that the extension says the same thing, and the
size. ``DocumentFields`` is the abstract model a domain's attachment inherits; ``attach``
fills it with a random stored name (an upload's name may hold a person's name; the
original name is kept as text for the download).

Photos go through ``lib.photos`` instead: they are re-encoded, documents are kept as sent.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.errors import ActionError

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 5
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .wps (the old binary formats)
ZIP = b"PK\x03\x04"

# content type → (extensions, a member a genuine file of that type holds, label)
KINDS = {
    "application/pdf": ({"pdf"}, None, "PDF"),
    "application/msword": ({"doc", "wps"}, None, "Word"),
    "application/vnd.ms-excel": ({"xls", "et"}, None, "Excel"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ({"docx"}, "word/", "Word"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        ({"xlsx"}, "xl/", "Excel"),
    "application/ofd": ({"ofd"}, "OFD.xml", "OFD"),
}
ALLOWED = sorted({ext for exts, _member, _label in KINDS.values() for ext in exts})


@dataclass(frozen=True)
class Prepared:
    name: str  # the original name, for the download
    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower()


def _zip_kind(data: bytes, extension: str) -> str | None:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return None
    for content_type, (extensions, member, _label) in KINDS.items():
        if member and extension in extensions and any(n.startswith(member) for n in names):
            return content_type
    for content_type, (_extensions, member, _label) in KINDS.items():
        if member and any(n.startswith(member) for n in names):
            return content_type
    return None


def sniff(data: bytes, extension: str) -> str | None:
    """The content type the bytes show, or ``None``."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(OLE2):
        return "application/vnd.ms-excel" if extension in {"xls", "et"} else "application/msword"
    if data.startswith(ZIP):
        return _zip_kind(data, extension)
    return None


def prepare(upload, label: str = "附件") -> Prepared:
    """Check one uploaded document (anything with ``name``, ``size`` and ``read``).
    Raises ``ActionError`` with a Chinese sentence on refusal."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise ActionError("invalid", f"{label}“{name}”的类型不支持，只接受 "
                                     f"{'、'.join(ALLOWED)} 文件。", "files")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ActionError("invalid", f"{label}“{name}”超过 {MAX_BYTES // 1024 // 1024} MB。",
                          "files")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ActionError("invalid", f"{label}“{name}”超过 {MAX_BYTES // 1024 // 1024} MB。",
                          "files")
    if not data:
        raise ActionError("invalid", f"{label}“{name}”是空文件。", "files")
    content_type = sniff(data, extension)
    if content_type is None:
        raise ActionError("invalid", f"{label}“{name}”的内容不是 PDF、Word、Excel 或 OFD 文件，"
                                     "可能已损坏或扩展名被改动。", "files")
    extensions, _member, kind_label = KINDS[content_type]
    if extension not in extensions:
        raise ActionError("invalid",
                          f"{label}“{name}”的扩展名与内容不符（内容是 {kind_label} 文件）。",
                          "files")
    return Prepared(name=name[:200], content_type=content_type, data=data)


def prepare_many(uploads, label: str = "附件") -> list[Prepared]:
    """Every document of a form, all checked before any is kept (nothing half-saved)."""
    uploads = [upload for upload in (uploads or []) if upload]
    if len(uploads) > MAX_FILES:
        raise ActionError("invalid", f"{label}最多 {MAX_FILES} 个。", "files")
    return [prepare(upload, label) for upload in uploads]


class DocumentFields(models.Model):
    """What a domain's attachment model inherits."""

    file = models.FileField(_("文件"), upload_to="documents/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"), default=0)

    class Meta:
        abstract = True


def attach(document: DocumentFields, prepared: Prepared) -> DocumentFields:
    """Fill ``document``'s file from a prepared upload (the caller saves the model)."""
    document.file.save(f"{uuid.uuid4().hex}.{prepared.extension}", ContentFile(prepared.data),
                       save=False)
    document.name = prepared.name
    document.content_type = prepared.content_type
    document.size = len(prepared.data)
    return document
