from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image, PngImagePlugin

from antq.tips.attachments import JPEG, PDF, clean_upload, clean_uploads, display_name


def _upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_gps(size: tuple[int, int] = (64, 48), orientation: int = 1) -> bytes:
    """A phone photo: GPS position, camera model, orientation, comment, ICC and XMP."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15 Pro"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (21.0, 1.0, 42.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (105.0, 51.0, 12.0),
    }
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        exif=exif,
        comment=b"Nguyen Van An",
        icc_profile=b"fake-icc-profile-of-the-phone",
        xmp=b"<x:xmpmeta>GPS 21.0285 105.8542</x:xmpmeta>",
    )
    return out.getvalue()


def test_a_photo_loses_its_gps_position_and_every_other_metadata() -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture really has GPS

    cleaned = clean_upload(_upload("IMG_0042.JPG", original))

    assert cleaned.content_type == "image/jpeg"
    assert cleaned.extension == ".jpg"
    assert cleaned.name == "IMG_0042.JPG"
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.format == "JPEG"
        assert dict(after.getexif()) == {}
        assert after.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "icc_profile" not in after.info
        assert "comment" not in after.info
        assert "xmp" not in after.info
        assert after.size == (64, 48)
    for trace in (b"Exif", b"iPhone", b"Apple", b"Nguyen", b"fake-icc", b"xmpmeta", b"21.0285"):
        assert trace not in cleaned.data


def test_a_photo_is_turned_upright_before_its_orientation_tag_is_dropped() -> None:
    # Orientation 6: the camera held sideways; the pixels must be rotated, not the tag kept.
    cleaned = clean_upload(_upload("doc.jpg", jpeg_with_gps(size=(64, 48), orientation=6)))
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.size == (48, 64)
        assert dict(after.getexif()) == {}


def test_a_png_loses_its_text_chunks_and_colour_profile() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyen Van An")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(
        out, "PNG", pnginfo=info, icc_profile=b"fake-icc"
    )
    cleaned = clean_upload(_upload("chup-man-hinh.png", out.getvalue(), "image/png"))
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.format == "PNG"
        assert after.mode == "RGBA"
        assert "Author" not in after.info
        assert "icc_profile" not in after.info
    assert b"Nguyen" not in cleaned.data and b"xmpmeta" not in cleaned.data


def test_a_huge_photo_is_scaled_down() -> None:
    out = io.BytesIO()
    Image.new("L", (5000, 100), 128).save(out, "PNG")
    cleaned = clean_upload(_upload("toan-canh.png", out.getvalue(), "image/png"))
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.size == (4096, 82)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(9000, 9000), (30000, 30000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(width: int, height: int) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload("bom.png", _png_header_only(width, height), "image/png"))
    assert "Ảnh quá lớn" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("anh.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("anh.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("anh.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("tai-lieu.pdf", b"PK\x03\x04 a zip or docx renamed"),
        ("anh.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_a_file_of_another_type_is_refused_whatever_its_name(name: str, data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload(name, data))
    assert "Chỉ nhận ảnh" in caught.value.messages[0]
    assert name in caught.value.messages[0]


def test_an_iphone_heic_photo_is_refused_with_advice() -> None:
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload("IMG_1.HEIC", data))
    assert "HEIC" in caught.value.messages[0]


def test_a_broken_jpeg_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload("hong.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40))
    assert "Không đọc được ảnh" in caught.value.messages[0]


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload("rong.jpg", b""))
    assert "rỗng" in caught.value.messages[0]


@override_settings(TIP_MAX_FILE_BYTES=1024 * 1024)
def test_a_file_over_the_size_limit_is_refused() -> None:
    data = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload("lon.pdf", data, "application/pdf"))
    assert caught.value.messages == ["Tệp “lon.pdf” lớn quá 1 MB."]


@override_settings(TIP_MAX_FILES=2)
def test_more_files_than_allowed_are_refused_together() -> None:
    files = [_upload(f"{n}.pdf", b"%PDF-1.4\n%%EOF", "application/pdf") for n in range(3)]
    with pytest.raises(ValidationError) as caught:
        clean_uploads(files)
    assert caught.value.messages == ["Chỉ được gửi tối đa 2 tệp."]


def test_every_bad_file_of_a_submission_is_reported() -> None:
    files = [
        _upload("tot.pdf", b"%PDF-1.4\n%%EOF", "application/pdf"),
        _upload("a.jpg", b"<html>"),
        _upload("b.jpg", b"<svg/>"),
    ]
    with pytest.raises(ValidationError) as caught:
        clean_uploads(files)
    assert len(caught.value.messages) == 2


def test_a_pdf_is_kept_as_it_is() -> None:
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
    cleaned = clean_upload(_upload("bien ban.pdf", data, "text/html"))
    assert (cleaned.name, cleaned.content_type, cleaned.extension, cleaned.data) == (
        "bien ban.pdf",
        "application/pdf",
        ".pdf",
        data,
    )


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _movie(brand: bytes) -> tuple[bytes, bytes]:
    media = b"\x00\x01\x02 the recorded pictures and sound \x03\x04"
    place = b"+21.0285+105.8542/"
    udta = _box(b"udta", _box(b"\xa9xyz", b"\x00\x12\x15\xc7" + place))
    meta = _box(b"meta", b"\x00\x00\x00\x00" + _box(b"keys", b"com.apple.quicktime.location"))
    trak = _box(b"trak", _box(b"tkhd", b"\x00" * 20) + _box(b"udta", _box(b"name", b"Pixel 8")))
    moov = _box(b"moov", _box(b"mvhd", b"\x00" * 20) + udta + meta + trak)
    data = _box(b"ftyp", brand + b"\x00\x00\x02\x00isomiso2") + moov + _box(b"mdat", media)
    return data, media


@pytest.mark.parametrize(
    ("brand", "content_type", "extension"),
    [
        (b"isom", "video/mp4", ".mp4"),
        (b"qt  ", "video/quicktime", ".mov"),
        (b"M4A ", "audio/mp4", ".m4a"),
    ],
)
def test_a_recording_loses_its_place_but_keeps_its_media(
    brand: bytes, content_type: str, extension: str
) -> None:
    data, media = _movie(brand)
    cleaned = clean_upload(_upload("quay-phim" + extension, data, "video/mp4"))
    assert (cleaned.content_type, cleaned.extension) == (content_type, extension)
    assert len(cleaned.data) == len(data)  # sizes unchanged: every offset stays valid
    for trace in (b"+21.0285", b"com.apple", b"Pixel 8", b"udta", b"meta"):
        assert trace not in cleaned.data
    assert cleaned.data.endswith(_box(b"mdat", media))
    assert b"mvhd" in cleaned.data and b"tkhd" in cleaned.data


def test_a_recording_with_broken_boxes_is_refused() -> None:
    data = _box(b"ftyp", b"isom\x00\x00\x02\x00") + struct.pack(">I", 10_000) + b"moov" + b"\x00"
    with pytest.raises(ValidationError) as caught:
        clean_upload(_upload("hong.mp4", data, "video/mp4"))
    assert "bị hỏng" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("C:\\Users\\An\\Desktop\\bien ban.pdf", PDF, "bien ban.pdf"),
        ("../../etc/pass\x00wd\u202e.pdf", PDF, "passwd.pdf"),
        ("anh.png", JPEG, "anh.jpg"),
        ("anh.HTML", JPEG, "anh.jpg"),
        ("bien ban 12.3", PDF, "bien ban 12.3.pdf"),
        ("Ảnh chụp.JPEG", JPEG, "Ảnh chụp.JPEG"),
        ("", JPEG, "tệp đính kèm.jpg"),
        ("a" * 300 + ".pdf", PDF, "a" * 196 + ".pdf"),
    ],
)
def test_the_original_name_is_kept_only_as_a_clean_display_name(raw, kind, expected) -> None:
    assert display_name(raw, kind) == expected
