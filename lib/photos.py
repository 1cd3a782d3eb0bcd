"""Photos shown to the public: one helper for every module that takes them.

A photo from a phone carries its place (EXIF GPS), the camera and the time; a public page
must show none of it. ``prepare(upload)`` checks the type by content (``lib.filetype``),
the size and the pixel count (a decompression bomb is refused before it is decoded),
turns the picture upright by its EXIF orientation, and re-encodes it without any
metadata, as a full copy (at most ``FULL_PX`` on the long side), a phone copy
(``PHONE_PX``) and a thumbnail (``THUMB_PX``), all JPEG (PNG with transparency is
flattened on white). ``PhotoFields`` is the abstract model a domain's photo inherits;
``attach(photo, upload)`` fills it.

Nothing of the original file is kept: what is stored is what may be shown.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from lib import filetype
from lib.errors import ActionError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel picture; more is refused before decoding
FULL_PX = 2048
PHONE_PX = 800
THUMB_PX = 240
MAX_PHOTOS = 9
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
QUALITY = 82


@dataclass(frozen=True)
class Prepared:
    """A photo as it may be stored and shown: JPEG bytes without metadata."""

    full: bytes
    phone: bytes
    thumb: bytes
    width: int  # of the full copy, as stored
    height: int


def _jpeg(image, longest: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=QUALITY, optimize=True)  # no exif=…: none is written
    return out.getvalue()


def prepare(upload, label: str = "照片") -> Prepared:
    """Check and re-encode one uploaded photo (anything with ``name``, ``size``, ``read``
    and ``seek``). Raises ``ActionError`` with a Chinese sentence on refusal."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = getattr(upload, "name", "") or "photo"
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ActionError("invalid", f"{label}“{name}”超过 {MAX_BYTES // 1024 // 1024} MB。",
                          "photos")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    verdict = filetype.check(name, head)
    if not verdict.ok:
        raise ActionError("invalid", verdict.problem, "photos")
    if verdict.content_type not in IMAGE_TYPES:
        raise ActionError("invalid", f"{label}“{name}”不是 JPEG、PNG 或 WebP 图片。", "photos")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ActionError("invalid", f"{label}“{name}”超过 {MAX_BYTES // 1024 // 1024} MB。",
                          "photos")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ActionError("invalid", f"{label}“{name}”像素过多（超过 4000 万），"
                                             "请缩小后再上传。", "photos")
            image = ImageOps.exif_transpose(opened)  # upright, as the phone showed it
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ActionError("invalid", f"{label}“{name}”无法读取，可能已损坏。", "photos") from None
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.info.clear()
    full = _jpeg(image, FULL_PX)
    with Image.open(io.BytesIO(full)) as stored:
        width, height = stored.size
    return Prepared(full=full, phone=_jpeg(image, PHONE_PX), thumb=_jpeg(image, THUMB_PX),
                    width=width, height=height)


def prepare_many(uploads, label: str = "照片") -> list[Prepared]:
    """Every photo of a form, all checked before any is kept (nothing half-saved)."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        raise ActionError("invalid", f"{label}最多 {MAX_PHOTOS} 张。", "photos")
    return [prepare(upload, label) for upload in uploads]


class PhotoFields(models.Model):
    """What a domain's photo model inherits: the three copies and their size."""

    image = models.ImageField(_("照片"), upload_to="photos/%Y/%m/")
    phone = models.ImageField(_("手机版"), upload_to="photos/%Y/%m/")
    thumb = models.ImageField(_("缩略图"), upload_to="photos/%Y/%m/")
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)

    class Meta:
        abstract = True


def attach(photo: PhotoFields, prepared: Prepared) -> PhotoFields:
    """Fill ``photo``'s files from a prepared photo (the caller saves the model). Names are
    random: an upload's file name may hold a person's name."""
    stem = uuid.uuid4().hex
    photo.image.save(f"{stem}.jpg", ContentFile(prepared.full), save=False)
    photo.phone.save(f"{stem}-800.jpg", ContentFile(prepared.phone), save=False)
    photo.thumb.save(f"{stem}-240.jpg", ContentFile(prepared.thumb), save=False)
    photo.width, photo.height = prepared.width, prepared.height
    return photo
