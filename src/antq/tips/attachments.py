"""Files sent with a tip: checked by content, stripped of metadata, stored under a random name.

The type is decided by the first bytes of the file, never by its name or by what the browser
claims: an HTML page, an SVG or a program renamed to ``.jpg`` is refused. Photos are decoded
and encoded again without EXIF (GPS position, camera serial), XMP, ICC profile or comments.
Videos and voice recordings (MP4, MOV, M4A) keep their sound and pictures; their metadata
boxes (``udta``, ``meta``, ``uuid`` — where phones write the recording place) are blanked
in place, which keeps every offset in the file valid. PDF files are stored as they are.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from antq.textvn import nfc

# Larger photos are refused (a "decompression bomb" decodes to gigabytes); larger sides are
# scaled down, which still keeps a licence plate readable.
MAX_PIXELS = 60_000_000
# PNG and WebP cannot be decoded at a reduced scale as JPEG can (``draft``): every pixel is
# decoded and resampled, seconds of work and hundreds of MB for a 60 MP image sent by anyone.
# A screenshot or a photo saved as PNG is far below this.
MAX_DECODED_PIXELS = 25_000_000
MAX_SIDE = 4096
DISPLAY_NAME_LIMIT = 200
PLAIN_MODES = ("1", "L", "LA", "RGB", "RGBA", "I;16")


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks, ready to store."""

    name: str
    content_type: str
    extension: str
    data: bytes


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    # Extensions a person may have given such a file (the display name keeps one of them).
    aliases: tuple[str, ...]
    image_format: str = ""


JPEG = Kind("image/jpeg", ".jpg", (".jpg", ".jpeg", ".jpe", ".jfif"), "JPEG")
PNG = Kind("image/png", ".png", (".png",), "PNG")
WEBP = Kind("image/webp", ".webp", (".webp",), "WEBP")
PDF = Kind("application/pdf", ".pdf", (".pdf",))
MP4 = Kind("video/mp4", ".mp4", (".mp4", ".m4v"))
MOV = Kind("video/quicktime", ".mov", (".mov", ".qt"))
M4A = Kind("audio/mp4", ".m4a", (".m4a", ".mp4", ".aac"))

# ISO base media "ftyp" brands of audio-only files and of QuickTime movies.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_QUICKTIME_BRANDS = {b"qt  "}
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


def _unsupported() -> ValidationError:
    return ValidationError(
        _(
            "Chỉ nhận ảnh (JPEG, PNG, WebP), tài liệu PDF, video MP4/MOV hoặc ghi âm M4A. "
            "Tệp này không thuộc các loại đó."
        ),
        code="file_type",
    )


def sniff(head: bytes) -> Kind:
    """The kind of a file from its first bytes; :class:`ValidationError` if not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_BRANDS:
            raise ValidationError(
                _(
                    "Ảnh HEIC/AVIF chưa được hỗ trợ. Hãy gửi ảnh JPEG (trên iPhone: Cài đặt → "
                    "Camera → Định dạng → Tương thích nhất)."
                ),
                code="file_type",
            )
        if brand in _AUDIO_BRANDS:
            return M4A
        if brand in _QUICKTIME_BRANDS:
            return MOV
        return MP4
    raise _unsupported()


_ALL_KINDS = (JPEG, PNG, WEBP, PDF, MP4, MOV, M4A)
# Extensions of some type: "anh.png" that really is a JPEG becomes "anh.jpg", while the dot
# in "biên bản 12.3" is part of the name.
_KNOWN_SUFFIXES = {a for k in _ALL_KINDS for a in k.aliases} | {
    ".gif",
    ".heic",
    ".heif",
    ".avif",
    ".htm",
    ".html",
    ".svg",
    ".exe",
    ".js",
}


def display_name(raw: str, kind: Kind) -> str:
    """The name a person gave the file, kept only for display: no folder, no control
    characters, and an extension that matches what the file really is."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(ch for ch in nfc(name) if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix}" if dot else ""
    if suffix.lower() not in kind.aliases:
        if suffix.lower() not in _KNOWN_SUFFIXES:
            stem = name
        suffix = kind.extension
    stem = stem.strip(" .") or _("tệp đính kèm")
    return stem[: DISPLAY_NAME_LIMIT - len(suffix)] + suffix


def _clean_image(data: bytes, kind: Kind) -> bytes:
    """Decode and encode again: only the pixels survive, turned upright first."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.image_format]) as opened:
                limit = MAX_PIXELS if kind is JPEG else MAX_DECODED_PIXELS
                if opened.width * opened.height > limit:
                    raise ValidationError(
                        _("Ảnh quá lớn (trên %(mp)s megapixel).") % {"mp": limit // 10**6},
                        code="image_too_large",
                    )
                if kind is JPEG:
                    # Decode a huge JPEG at a reduced scale: cheaper and enough for evidence.
                    opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("Không đọc được ảnh: tệp bị hỏng hoặc không phải ảnh."), code="image_broken"
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("Ảnh quá lớn (trên %(mp)s megapixel).") % {"mp": MAX_PIXELS // 10**6},
            code="image_too_large",
        ) from exc
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    if kind is JPEG:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    elif image.mode not in PLAIN_MODES or "transparency" in image.info:
        # Palette and exotic modes become RGBA: transparency lives in ``info``, cleared below.
        image = image.convert("RGBA")
    # Pillow writes some metadata (JPEG comment, PNG ICC profile) from ``info`` by itself.
    image.info = {}
    out = io.BytesIO()
    if kind is JPEG:
        image.save(out, "JPEG", quality=90, optimize=True)
    elif kind is PNG:
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=90, method=4)
    return out.getvalue()


# Boxes that only hold metadata (the recording place, the phone's model, XMP); blanked.
_META_BOXES = {b"udta", b"meta", b"uuid"}
# Boxes that hold other boxes and may hold a metadata box somewhere inside.
_CONTAINER_BOXES = {b"moov", b"trak", b"mdia", b"minf", b"edts"}


def _blank_metadata_boxes(buf: bytearray, start: int, end: int, depth: int = 0) -> None:
    """Turn metadata boxes between ``start`` and ``end`` into ``free`` boxes of the same size
    with zeroed content. Sizes and offsets do not change, so the movie still plays."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise ValueError("truncated box header")
        size = int.from_bytes(buf[pos : pos + 4], "big")
        box = bytes(buf[pos + 4 : pos + 8])
        header = 8
        if size == 1:
            if end - pos < 16:
                raise ValueError("truncated large box header")
            size = int.from_bytes(buf[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos  # the box runs to the end of its parent
        if size < header or pos + size > end:
            raise ValueError("box size out of range")
        if box in _META_BOXES:
            buf[pos + 4 : pos + 8] = b"free"
            buf[pos + header : pos + size] = bytes(size - header)
        elif box in _CONTAINER_BOXES and depth < 8:
            _blank_metadata_boxes(buf, pos + header, pos + size, depth + 1)
        pos += size


def _clean_movie(data: bytes) -> bytes:
    buf = bytearray(data)
    try:
        _blank_metadata_boxes(buf, 0, len(buf))
    except ValueError as exc:
        raise ValidationError(
            _("Không đọc được tệp video hoặc ghi âm: tệp bị hỏng."), code="movie_broken"
        ) from exc
    return bytes(buf)


def clean_upload(uploaded_file: UploadedFile) -> CleanFile:
    """Check one uploaded file and return what may be stored, or raise
    :class:`ValidationError` with a Vietnamese message."""
    limit = settings.TIP_MAX_FILE_BYTES
    name = uploaded_file.name or ""
    size = uploaded_file.size or 0
    if size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn quá %(mb)s MB.") % {"name": name, "mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("Tệp “%(name)s” lớn quá %(mb)s MB.") % {"name": name, "mb": limit // (1024 * 1024)},
            code="file_too_large",
        )
    if not data:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="file_empty")
    try:
        kind = sniff(data[:32])
    except ValidationError as exc:
        raise ValidationError(f"“{name}”: {exc.messages[0]}", code=exc.code) from exc
    if kind.image_format:
        cleaned = _clean_image(data, kind)
    elif kind in (MP4, MOV, M4A):
        cleaned = _clean_movie(data)
    else:
        cleaned = data
    return CleanFile(
        name=display_name(name, kind),
        content_type=kind.content_type,
        extension=kind.extension,
        data=cleaned,
    )


def clean_uploads(files: Sequence[UploadedFile]) -> list[CleanFile]:
    """Check every file of one submission (the count too); all errors at once."""
    if len(files) > settings.TIP_MAX_FILES:
        raise ValidationError(
            _("Chỉ được gửi tối đa %(n)s tệp.") % {"n": settings.TIP_MAX_FILES},
            code="too_many_files",
        )
    cleaned: list[CleanFile] = []
    errors: list[ValidationError] = []
    for f in files:
        try:
            cleaned.append(clean_upload(f))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned
