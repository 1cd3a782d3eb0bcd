"""The one photo helper (lib/photos.py): type by content, size and pixel limits, EXIF
(GPS) stripped, the picture upright, resized copies."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lib import photos
from lib.errors import ActionError

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(width=3000, height=2000, orientation=1) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (33.0, 57.0, 46.0), 3: "E", 4: (118.0, 16.0, 30.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="现场照片.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_the_gps_and_camera_are_gone_from_every_copy():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it was there
    prepared = photos.prepare(upload(original))
    for data in (prepared.full, prepared.phone, prepared.thumb):
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert not image.getexif(), "no EXIF at all"
        assert b"PhoneMaker" not in data


def test_copies_are_resized_to_their_longest_side():
    prepared = photos.prepare(upload(jpeg_with_gps(3000, 2000)))
    sizes = [Image.open(io.BytesIO(d)).size for d in (prepared.full, prepared.phone,
                                                        prepared.thumb)]
    assert sizes == [(2048, 1365), (800, 533), (240, 160)]
    assert (prepared.width, prepared.height) == (2048, 1365)  # what is stored


def test_a_sideways_phone_photo_is_turned_upright():
    # orientation 6: the camera held sideways; a viewer rotates it 90° clockwise
    prepared = photos.prepare(upload(jpeg_with_gps(300, 200, orientation=6)))
    image = Image.open(io.BytesIO(prepared.full))
    assert image.size == (200, 300)
    assert image.getpixel((100, 10))[2] > 150  # the blue half is now on top


def test_a_transparent_png_becomes_a_jpeg_on_white():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    prepared = photos.prepare(SimpleUploadedFile("图.png", out.getvalue()))
    assert Image.open(io.BytesIO(prepared.full)).getpixel((50, 50)) == (255, 255, 255)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("照片.jpg", b"this is not a picture at all", "不是图片或 PDF"),
    ("照片.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("说明.pdf", b"%PDF-1.7 ....", "不是 JPEG、PNG 或 WebP 图片"),
    ("照片.png", jpeg_with_gps(10, 10), "扩展名与内容不符"),
    ("照片.jpg", b"\xff\xd8\xff\xe0 broken jpeg", "无法读取"),
])
def test_what_is_not_a_photo_is_refused_in_chinese(name, data, message):
    with pytest.raises(ActionError, match=message):
        photos.prepare(SimpleUploadedFile(name, data))


def test_too_large_and_too_many_pixels_are_refused(monkeypatch):
    big = upload(jpeg_with_gps(100, 100))
    big.size = photos.MAX_BYTES + 1
    with pytest.raises(ActionError, match="超过 10 MB"):
        photos.prepare(big)
    monkeypatch.setattr(photos, "MAX_PIXELS", 100 * 100 - 1)
    with pytest.raises(ActionError, match="像素过多"):
        photos.prepare(upload(jpeg_with_gps(100, 100)))


def test_more_than_nine_are_refused_before_any_is_read():
    with pytest.raises(ActionError, match="最多 9 张"):
        photos.prepare_many([upload(b"x")] * 10)
