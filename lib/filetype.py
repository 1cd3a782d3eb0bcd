"""What a file really is, from its first bytes — not from its name.

Demands carry photos and documents from the public; an upload is accepted only when its
content is one of the allowed types *and* its extension says the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
EXTENSIONS = {
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    "application/pdf": {"pdf"},
}


@dataclass(frozen=True)
class Verdict:
    content_type: str | None
    problem: str | None  # a Chinese sentence for the person who uploaded it

    @property
    def ok(self) -> bool:
        return self.problem is None


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check(name: str, head: bytes) -> Verdict:
    """Judge an upload by its name and its first bytes (16 are enough)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = sorted({ext for exts in EXTENSIONS.values() for ext in exts})
    if extension not in allowed:
        return Verdict(None, f"不支持的文件类型“.{extension or '无扩展名'}”，"
                             f"只接受 {'、'.join(allowed)} 文件。")
    content_type = sniff(head)
    if content_type is None:
        return Verdict(None, f"文件“{name}”的内容不是图片或 PDF，可能已损坏或扩展名被改动。")
    if extension not in EXTENSIONS[content_type]:
        return Verdict(content_type, f"文件“{name}”的扩展名与内容不符（内容是 {content_type}）。")
    return Verdict(content_type, None)
