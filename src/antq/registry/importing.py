"""Import of units from a spreadsheet: read the file, check every row, confirm, insert.

The flow has two steps so that nothing reaches ``Unit`` by surprise:

1. ``import_batch_create`` reads the upload (``.xlsx`` streamed with openpyxl's read-only
   mode, or ``.csv`` in UTF-8/UTF-16), matches the Vietnamese column headers, checks every row
   and stores it as an ``ImportRow`` (what the file said, what it will become, what is wrong).
   A unit already in the file or in the registry — same tax code, or same name in the same
   ward — is an error.
2. ``import_batch_confirm`` re-checks the units against the registry (another import may have
   landed in between) and inserts the accepted rows with ``services.units_bulk_create`` — all
   of them or none.

Files with more than ``settings.BACKGROUND_THRESHOLD_ROWS`` rows are checked (status
``CHECKING``) and imported (``QUEUED``) by the worker (``registry.tasks``); the header,
encoding and file format are still checked in the request, so a wrong file is refused at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antq.core.jobs import job_create, job_files_dir, job_stop
from antq.registry import selectors, services
from antq.registry.models import (
    AdministrativeArea,
    ImportBatch,
    ImportRow,
    ImportStatus,
    Unit,
)
from antq.registry.status import UnitKind, UnitStatus
from antq.textvn import fold, nfc

logger = logging.getLogger(__name__)

JOB_KIND_CHECK = "units_import_check"
JOB_KIND_IMPORT = "units_import"

MAX_ROWS = 100_000
# Columns beyond this are not read: no real unit list is wider, and it bounds the work a
# malicious file can cause.
MAX_COLUMNS = 60
# Uncompressed size limits of an .xlsx (zipfile never inflates a member past its declared size,
# so the declared sizes can be trusted).
MAX_XLSX_UNPACKED = 256 * 1024 * 1024
MAX_XLSX_STRINGS = 64 * 1024 * 1024
# Members larger than this may not inflate more than ``MAX_XLSX_RATIO`` times.
MAX_RATIO_FROM = 8 * 1024 * 1024
MAX_XLSX_RATIO = 200
# The header row may sit below a title ("DANH SÁCH ĐƠN VỊ ...") in the first rows.
HEADER_SEARCH_ROWS = 10
CHUNK = 500
# Rows inserted at a time when a checked batch is imported (with their audit rows).
APPLY_CHUNK = 2000
# Rows whose text is sampled to detect legacy Vietnamese encodings (TCVN3, VNI).
SAMPLE_ROWS = 200


@dataclass(frozen=True)
class Column:
    field: str
    # The header is part of the file format, so it is not translated.
    header: str
    required: bool = False
    help: str | Promise = ""


# The columns of the template, in order. ``field`` is the Unit field the column fills.
COLUMNS: tuple[Column, ...] = (
    Column("name", "Tên đơn vị", True),
    Column(
        "kind", "Loại hình", True, gettext_lazy("Một loại hình trong danh mục (trang «Hướng dẫn»).")
    ),
    Column("sector", "Ngành, lĩnh vực"),
    Column(
        "code", "Mã số thuế / mã đơn vị", help=gettext_lazy("Không được trùng với đơn vị đã có.")
    ),
    Column("address", "Địa chỉ"),
    Column(
        "ward",
        "Xã, phường",
        True,
        gettext_lazy("Tên hiện nay hoặc tên cũ trước ngày 01/07/2025, nếu không bị chia."),
    ),
    Column("headcount", "Số cán bộ, nhân viên", help=gettext_lazy("Số nguyên, không âm.")),
    Column("phone", "Điện thoại", help=gettext_lazy("Ví dụ: 0912 345 678 hoặc 024 3825 1234.")),
    Column("email", "Email"),
    Column("security_contact_name", "Cán bộ phụ trách ANTT"),
    Column("security_contact_phone", "Điện thoại cán bộ ANTT"),
    Column("head_name", "Thủ trưởng đơn vị"),
    Column("head_title", "Chức vụ thủ trưởng"),
    Column("notes", "Ghi chú"),
)
# Columns an exported file adds; "Trạng thái" is read back, "Khối" is derived from the kind.
STATUS_COLUMN = Column("status", "Trạng thái", help=gettext_lazy("Để trống là «Đang hoạt động»."))
BLOCK_HEADER = "Khối"
ERRORS_HEADER = "Lỗi"

PHONE_FIELDS = services.PHONE_FIELDS
_COLUMN_BY_FIELD = {c.field: c for c in (*COLUMNS, STATUS_COLUMN)}


def header_key(text: str) -> str:
    """'Mã số thuế / mã đơn vị' → 'ma so thue ma don vi': accents, case and punctuation off."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


# Other spellings people use for the same columns.
_HEADER_ALIASES = {
    "ten": "name",
    "ten co quan don vi": "name",
    "ten co quan": "name",
    "ten doanh nghiep": "name",
    "loai hinh don vi": "kind",
    "loai": "kind",
    "nganh": "sector",
    "linh vuc": "sector",
    "ma so thue": "code",
    "mst": "code",
    "ma don vi": "code",
    "xa phuong dac khu": "ward",
    "phuong xa": "ward",
    "phuong": "ward",
    "xa": "ward",
    "so dien thoai": "phone",
    "dien thoai don vi": "phone",
    "e mail": "email",
    "thu dien tu": "email",
    "so can bo nhan vien": "headcount",
    "so nhan vien": "headcount",
    "so lao dong": "headcount",
    "can bo phu trach an ninh trat tu": "security_contact_name",
    "dien thoai can bo phu trach antt": "security_contact_phone",
    "thu truong": "head_name",
    "chuc vu": "head_title",
}
HEADER_FIELDS: dict[str, str] = {
    **_HEADER_ALIASES,
    **{header_key(c.header): c.field for c in (*COLUMNS, STATUS_COLUMN)},
}
# Columns that are expected but carry nothing to import: row numbers, the derived block, the
# error column of a downloaded "rejected rows" file.
IGNORED_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "khoi", "loi"})


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Reading --------------------------------------------------------------------------------


# C0 control characters but tab, line feed and carriage return: invisible in a spreadsheet,
# and PostgreSQL refuses NUL in text and JSON.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_text(value: Any, *, phone: bool = False) -> str:
    """One cell as the text a person would see, trimmed and NFC, without control characters.

    A number in a phone column lost its leading zero in Excel ("912345678"): it is put back.
    An apostrophe that our export put before ``= + - @`` (formula neutralising) is removed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if phone and value > 0 and not (text.startswith("84") and len(text) >= 11):
            text = "0" + text
        return text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = nfc(_CONTROL.sub("", str(value))).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]
    return text


# Latin-1 letters that Vietnamese really uses; other Latin-1 characters in quantity are the
# fingerprint of TCVN3 (ABC) or VNI text read as Windows-1252 ("Tr­êng", "Tröôøng").
_VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ\u00a0")
_VIETNAMESE_SPECIFIC = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9\u0300-\u0323]")


def looks_like_legacy_vietnamese(text: str) -> bool:
    """True if ``text`` is Vietnamese typed in a pre-Unicode font (TCVN3/ABC, VNI)."""
    suspicious = sum(
        1 for ch in text if "\u00a1" <= ch <= "\u00ff" and ch not in _VIETNAMESE_LATIN1
    )
    specific = len(_VIETNAMESE_SPECIFIC.findall(text))
    return suspicious >= 3 and suspicious > 2 * specific


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16; anything else is refused with a clear message."""
    not_utf8 = _(
        "Tệp CSV không phải UTF-8; hãy lưu lại bằng 'CSV UTF-8 (Comma delimited)' trong "
        "Excel (Tệp → Lưu thành) rồi tải lên lại."
    )
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        if b"\x00" in data[:4096]:
            head = data[:4096]
            odd_zeros = head[1::2].count(0)
            even_zeros = head[0::2].count(0)
            if odd_zeros > len(head) // 4:
                return data.decode("utf-16-le")
            if even_zeros > len(head) // 4:
                return data.decode("utf-16-be")
        # A stray NUL in UTF-8 text is dropped with the other control characters (cell_text).
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(not_utf8) from exc


def _legacy_error() -> ImportFileError:
    return ImportFileError(
        _(
            "Chữ trong tệp có vẻ được gõ bằng bảng mã cũ (TCVN3/ABC hoặc VNI), không phải "
            "Unicode; hãy chuyển mã sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey) "
            "rồi tải lên lại."
        )
    )


def _header_field(text: str) -> str | None:
    return HEADER_FIELDS.get(header_key(text))


@dataclass
class Table:
    """The data rows of an uploaded file, with its columns matched to unit fields."""

    headers: list[str]
    fields: list[str | None]
    unknown: list[str]
    header_line: int
    # Data rows: exact for CSV; for .xlsx the size the file declares (it can be wrong), or 0.
    estimated_rows: int
    _rows: Callable[[], Iterator[tuple[int, list[Any]]]]
    _close: Callable[[], None] = lambda: None
    exact: bool = False

    @property
    def columns(self) -> dict[str, str]:
        """{unit field: header} of the recognised columns."""
        return {f: h for h, f in zip(self.headers, self.fields, strict=True) if f is not None}

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(line, texts of the header's columns) of every data row, blank ones included.

        The file is refused as soon as a row lies more than ``MAX_ROWS`` below the header,
        blank or not: a sheet with one cell at row 1,048,576 would otherwise cost a million
        empty rows per pass.
        """
        phone_columns = {i for i, f in enumerate(self.fields) if f in PHONE_FIELDS}
        width = len(self.headers)
        for line, cells in self._rows():
            if line - self.header_line > MAX_ROWS:
                raise _too_many_rows()
            if all(c is None for c in cells[:width]):
                yield line, []
                continue
            yield (
                line,
                [
                    cell_text(cells[i] if i < len(cells) else None, phone=i in phone_columns)
                    for i in range(width)
                ],
            )

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line in the file, {header: text}) for every non-blank data row."""
        for line, texts in self._records():
            if any(texts):
                yield line, dict(zip(self.headers, texts, strict=True))

    def count_up_to(self, limit: int) -> int:
        """The number of data rows, counting no further than ``limit``."""
        if self.exact:
            return min(self.estimated_rows, limit)
        count = 0
        for _line, texts in self._records():
            if any(texts):
                count += 1
                if count >= limit:
                    break
        return count

    def close(self) -> None:
        self._close()


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("Tệp có hơn %(n)s dòng; hãy chia thành nhiều tệp nhỏ hơn.")
        % {"n": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def _match_headers(cells: list[Any]) -> tuple[list[str], list[str | None], list[str]]:
    """Original headers (made unique), their fields, and the unknown ones."""
    headers: list[str] = []
    fields: list[str | None] = []
    unknown: list[str] = []
    seen: dict[str, str] = {}
    last = max((i for i, c in enumerate(cells) if cell_text(c)), default=-1)
    for index, cell in enumerate(cells[: last + 1]):
        text = " ".join(cell_text(cell).split()) or _("Cột %(n)s") % {"n": index + 1}
        name = text
        suffix = 2
        while name in headers:
            name = f"{text} ({suffix})"
            suffix += 1
        headers.append(name)
        key = header_key(text)
        found = HEADER_FIELDS.get(key)
        if found is not None:
            if found in seen:
                raise ImportFileError(
                    _("Cột «%(a)s» và cột «%(b)s» cùng là «%(label)s»; hãy giữ lại một cột.")
                    % {"a": seen[found], "b": text, "label": _COLUMN_BY_FIELD[found].header}
                )
            seen[found] = text
        elif key not in IGNORED_HEADERS and cell_text(cell):
            unknown.append(text)
        fields.append(found)
    missing = [c.header for c in COLUMNS if c.required and c.field not in seen]
    if missing:
        raise ImportFileError(
            _("Tệp thiếu cột bắt buộc: %(cols)s. Hãy dùng tệp mẫu.")
            % {"cols": ", ".join(f"«{m}»" for m in missing)}
        )
    return headers, fields, unknown


def _find_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, list[Any]]:
    for line, cells in rows[:HEADER_SEARCH_ROWS]:
        if any(_header_field(cell_text(c)) == "name" for c in cells):
            return line, cells
    texts = [cell_text(c) for _line, cells in rows for c in cells]
    if not any(texts):
        raise ImportFileError(_("Tệp rỗng, không có dữ liệu."))
    if looks_like_legacy_vietnamese(" ".join(texts)):
        raise _legacy_error()
    raise ImportFileError(
        _(
            "Không tìm thấy dòng tiêu đề có cột «Tên đơn vị» trong %(n)s dòng đầu của tệp. "
            "Hãy dùng tệp mẫu."
        )
        % {"n": HEADER_SEARCH_ROWS}
    )


def _sample_check(table: Table) -> None:
    """Refuse a file without data rows, or one typed in a legacy encoding."""
    sample: list[str] = []
    seen = 0
    for _line, raw in table.rows():
        seen += 1
        sample.extend(raw.values())
        if seen >= SAMPLE_ROWS:
            break
    if seen == 0:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào (ngoài dòng tiêu đề)."))
    if looks_like_legacy_vietnamese(" ".join(sample)):
        raise _legacy_error()


def _open_csv(data: bytes) -> Table:
    text = decode_csv(data).lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError(_("Tệp rỗng, không có dữ liệu."))
    if looks_like_legacy_vietnamese(text[:50_000]):
        raise _legacy_error()
    first_lines = text[:100_000].splitlines()[:HEADER_SEARCH_ROWS]

    def recognised(delimiter: str) -> int:
        return max(
            sum(1 for c in cells if _header_field(c))
            for cells in csv.reader(first_lines, delimiter=delimiter)
        )

    # The headers themselves contain commas ("Xã, phường"), so counting separators would be
    # wrong: the delimiter is the one that splits the header line into known headers.
    delimiter = max((";", ",", "\t"), key=recognised)
    if recognised(delimiter) == 0:
        delimiter = max((";", ",", "\t"), key=lambda d: sum(ln.count(d) for ln in first_lines))

    def read() -> Iterator[tuple[int, list[Any]]]:
        # Rows are numbered by record, as a spreadsheet shows them: a cell with a line break
        # does not shift the numbers of the rows below it.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, list(cells[:MAX_COLUMNS])
        except csv.Error as exc:
            raise ImportFileError(
                _("Tệp CSV bị lỗi ở dòng %(line)s: %(error)s")
                % {"line": reader.line_num, "error": exc}
            ) from exc

    head = []
    for item in read():
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    header_line, header_cells = _find_header(head)
    headers, fields, unknown = _match_headers(header_cells)

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        for line, cells in read():
            if line > header_line:
                yield line, cells

    table = Table(headers, fields, unknown, header_line, 0, data_rows)
    table.estimated_rows = table.count_up_to(MAX_ROWS + 1)
    if table.estimated_rows > MAX_ROWS:
        raise _too_many_rows()
    table.exact = True
    return table


def _bad_xlsx() -> ImportFileError:
    return ImportFileError(
        _(
            "Tệp .xlsx bị hỏng hoặc không phải tệp Excel; hãy mở bằng Excel, lưu lại "
            "(định dạng «Excel Workbook (.xlsx)») rồi tải lên lại."
        )
    )


def _check_unpacked_size(source: IO[bytes]) -> None:
    """Refuse a "zip bomb": openpyxl keeps the shared strings of a workbook in memory."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _bad_xlsx() from exc
    total = sum(m.file_size for m in members)
    strings = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    # A sheet of real cells deflates 5 to 30 times; hundreds of MB of one repeated byte
    # (spaces the XML parser keeps in memory as one text) deflate a thousand times.
    bomb = any(
        m.file_size > MAX_RATIO_FROM and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if total > MAX_XLSX_UNPACKED or strings > MAX_XLSX_STRINGS or bomb:
        raise ImportFileError(
            _("Tệp .xlsx khi giải nén quá lớn; hãy chia thành nhiều tệp nhỏ hơn.")
        )
    source.seek(0)


def _open_xlsx(source: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    _check_unpacked_size(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML and openpyxl errors alike: an unreadable file
        raise _bad_xlsx() from exc
    try:
        return _xlsx_table(workbook)
    except ImportFileError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _bad_xlsx() from exc


def _xlsx_table(workbook: Any) -> Table:
    first_error: ImportFileError | None = None
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # a chart sheet
        declared = sheet.max_row
        # Some writers declare a wrong size ("A1"), and openpyxl would stop reading there.
        sheet.reset_dimensions()

        def read(sheet: Any = sheet, start: int = 1) -> Iterator[tuple[int, list[Any]]]:
            try:
                for line, cells in enumerate(
                    sheet.iter_rows(min_row=start, max_col=MAX_COLUMNS, values_only=True),
                    start=start,
                ):
                    yield line, list(cells)
            except ImportFileError:
                raise
            except Exception as exc:
                raise _bad_xlsx() from exc

        head = []
        for item in read():
            head.append(item)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        try:
            header_line, header_cells = _find_header(head)
        except ImportFileError as exc:
            first_error = first_error or exc
            continue
        headers, fields, unknown = _match_headers(header_cells)
        estimated = max(0, (declared or 0) - header_line)

        def data_rows(
            read: Callable[..., Iterator[tuple[int, list[Any]]]] = read,
            start: int = header_line + 1,
        ) -> Iterator[tuple[int, list[Any]]]:
            return read(start=start)

        return Table(headers, fields, unknown, header_line, estimated, data_rows, workbook.close)
    raise first_error or ImportFileError(_("Tệp rỗng, không có dữ liệu."))


def file_kind(filename: str) -> Literal["xlsx", "csv"]:
    """The format from the extension, or a clear refusal."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    if suffix == ".xls":
        raise ImportFileError(
            _(
                "Tệp .xls (Excel 97–2003) không được hỗ trợ; hãy mở bằng Excel và lưu lại "
                "thành .xlsx."
            )
        )
    raise ImportFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def too_large_error() -> ImportFileError:
    return ImportFileError(
        _(
            "Tệp lớn quá giới hạn %(limit)s MB; hãy chia thành nhiều tệp nhỏ hơn "
            "hoặc bỏ bớt các cột, trang tính không cần thiết."
        )
        % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
    )


def check_size(size: int) -> None:
    if size == 0:
        raise ImportFileError(_("Tệp rỗng, không có dữ liệu."))
    if size > settings.IMPORT_MAX_BYTES:
        raise too_large_error()


def open_table(source: IO[bytes], filename: str) -> Table:
    """Open an uploaded file; raises ImportFileError with a message for any unusable file.

    The caller closes the returned table (it may hold the workbook open).
    """
    kind = file_kind(filename)
    if kind == "csv":
        table = _open_csv(source.read(settings.IMPORT_MAX_BYTES + 1))
    else:
        table = _open_xlsx(source)
    try:
        _sample_check(table)
    except ImportFileError:
        table.close()
        raise
    return table


# --- Checking rows --------------------------------------------------------------------------


def _labels(choice: Any) -> list[str]:
    """A choice's label in every UI language: a file is read the same whoever uploads it."""
    labels = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.append(str(choice.label))
    return labels


def _kind_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for kind in UnitKind:
        for label in _labels(kind):
            lookup[header_key(label)] = kind.value
        lookup[header_key(kind.value.replace("_", " "))] = kind.value
    return lookup


def _status_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for status in UnitStatus:
        for label in _labels(status):
            lookup[header_key(label)] = status.value
        lookup[header_key(status.value)] = status.value
    lookup[header_key("Ngừng hoạt động")] = UnitStatus.CLOSED
    lookup[header_key("Đã giải thể")] = UnitStatus.CLOSED
    return lookup


def _max_length(name: str) -> int | None:
    return getattr(Unit._meta.get_field(name), "max_length", None)


# The fields read from a cell and parsed; every other unit field is text, taken as typed and
# normalised by ``services.clean_unit_data``.
_PARSED_FIELDS = ("kind", "ward", "headcount", "status")
_TYPED_FIELDS = tuple(f for f in services.UNIT_FIELDS if f not in _PARSED_FIELDS)
_HEADCOUNT = re.compile(r"\d{1,3}([.,\s]\d{3})+|\d+")


def parse_headcount(text: str) -> int:
    """'350' → 350; '1.200' and '1 200' → 1200; anything else raises ValueError."""
    value = text.strip()
    if value.endswith((".0", ",0")):
        value = value[:-2]
    if not _HEADCOUNT.fullmatch(value):
        raise ValueError(text)
    number = int(re.sub(r"[.,\s]", "", value))
    if number > 2_147_483_647:  # the largest value of the database column
        raise ValueError(text)
    return number


def _column_label(name: str) -> str:
    column = _COLUMN_BY_FIELD.get(name)
    return column.header if column is not None else name


def _field_errors(error: ValidationError, data: dict[str, Any]) -> dict[str, list[str]]:
    """The messages of ``services.clean_unit_data`` as row errors that name the column and
    quote the value, like the other errors of the preview."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    found: dict[str, list[str]] = {}
    for name, messages in by_field.items():
        value = data.get(name, "")
        if name in PHONE_FIELDS:
            found[name] = [
                _("%(label)s «%(v)s» không hợp lệ (ví dụ đúng: 0912 345 678).")
                % {"label": _column_label(name), "v": value}
            ]
        elif name in _COLUMN_BY_FIELD:
            found[name] = [
                _("%(label)s «%(v)s»: %(error)s")
                % {"label": _column_label(name), "v": value, "error": message}
                for message in messages
            ]
        else:
            found[name] = list(messages)
    return found


# A unit is known by its tax code, or else by its name in its ward.
NameKey = tuple[str, int]


@dataclass
class Checked:
    """A row as ``RowChecker.check_one`` leaves it: the keys that identify the unit."""

    row: ImportRow
    code: str
    name_key: NameKey | None


class RowChecker:
    """Checks rows one chunk at a time, remembering what earlier chunks contained.

    Wards are resolved once per distinct name; tax codes, and names within a ward, are
    compared with the rest of the file and with the registry (one query each per chunk).
    """

    def __init__(self, columns: dict[str, str]) -> None:
        self.columns = columns
        self.kinds = _kind_lookup()
        self.statuses = _status_lookup()
        self.wards: dict[str, list[AdministrativeArea]] = {}
        self.codes: dict[str, int] = {}
        self.names: dict[NameKey, int] = {}

    def value(self, raw: dict[str, str], name: str) -> str:
        header = self.columns.get(name)
        return raw.get(header, "") if header else ""

    def ward(self, name: str) -> list[AdministrativeArea]:
        key = fold(name)
        if key not in self.wards:
            self.wards[key] = selectors.ward_resolve(name)
        return self.wards[key]

    def check_one(self, line: int, raw: dict[str, str]) -> Checked:
        """The checked row (``cleaned`` empty when it has errors) and its keys."""
        errors: list[str] = []
        data: dict[str, Any] = {name: self.value(raw, name) for name in _TYPED_FIELDS}
        if not data["name"]:
            errors.append(_("Thiếu tên đơn vị."))
        if looks_like_legacy_vietnamese(" ".join(raw.values())):
            errors.append(
                _(
                    "Chữ trong dòng này có vẻ được gõ bằng bảng mã cũ (TCVN3/ABC hoặc VNI), "
                    "không phải Unicode."
                )
            )

        kind_text = self.value(raw, "kind")
        if not kind_text:
            errors.append(_("Thiếu loại hình."))
        elif header_key(kind_text) not in self.kinds:
            errors.append(_("Loại hình «%(v)s» không có trong danh mục.") % {"v": kind_text})
        else:
            data["kind"] = self.kinds[header_key(kind_text)]

        ward_text = self.value(raw, "ward")
        if not ward_text:
            errors.append(_("Thiếu xã, phường."))
        else:
            found = self.ward(ward_text)
            if not found:
                errors.append(_("Không tìm thấy xã, phường «%(v)s».") % {"v": ward_text})
            elif len(found) > 1:
                errors.append(
                    _(
                        "«%(v)s» ứng với nhiều xã, phường hiện nay: %(list)s; hãy ghi tên "
                        "xã, phường hiện nay."
                    )
                    % {"v": ward_text, "list": ", ".join(w.name for w in found)}
                )
            else:
                data["ward"] = found[0].pk

        headcount = self.value(raw, "headcount")
        data["headcount"] = None
        if headcount:
            try:
                data["headcount"] = parse_headcount(headcount)
            except ValueError:
                errors.append(
                    _("Số cán bộ, nhân viên «%(v)s» phải là số nguyên không âm.") % {"v": headcount}
                )

        status_text = self.value(raw, "status")
        data["status"] = self.statuses.get(header_key(status_text), UnitStatus.ACTIVE)

        # The same normalisation as a unit typed in the form (phones to +84, NFC, spaces).
        cleaned: dict[str, Any] = {}
        invalid: dict[str, list[str]] = {}
        try:
            cleaned = services.clean_unit_data(data)
        except ValidationError as exc:
            invalid = _field_errors(exc, data)
        for messages in invalid.values():
            errors.extend(messages)

        if data["email"] and "email" not in invalid:
            try:
                validate_email(data["email"])
            except ValidationError:
                errors.append(_("Email «%(v)s» không hợp lệ.") % {"v": data["email"]})

        if status_text and header_key(status_text) not in self.statuses:
            errors.append(_("Trạng thái «%(v)s» không hợp lệ.") % {"v": status_text})

        code = data["code"].replace(" ", "")
        for name in _TYPED_FIELDS:
            limit = _max_length(name)
            value = code if name == "code" else data[name]
            if limit and len(value) > limit:
                errors.append(
                    _("«%(label)s» dài quá %(n)s ký tự.")
                    % {"label": _column_label(name), "n": limit}
                )

        name_key = (fold(data["name"]), data["ward"]) if data["name"] and "ward" in data else None
        row = ImportRow(
            line=line,
            raw=raw,
            cleaned={} if errors else cleaned,
            errors=errors,
            valid=not errors,
        )
        return Checked(row, code, name_key)

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> list[ImportRow]:
        """Check a chunk; a unit may appear once in the file and not in the registry.

        A unit is the same as another when the tax codes are equal or, failing that, when the
        names (accents and case aside) and wards are. The first line keeps the unit; later
        lines are errors.
        """
        checked = [self.check_one(line, raw) for line, raw in rows]
        codes = existing_codes([c.code for c in checked if c.code])
        names = existing_units([c.name_key for c in checked if c.name_key])
        for item in checked:
            row = item.row
            duplicate = ""
            if item.code:
                first = self.codes.setdefault(item.code, row.line)
                if first != row.line:
                    duplicate = _duplicate_in_file(item.code, first)
                elif item.code in codes:
                    duplicate = _duplicate_in_registry(item.code, codes[item.code])
            if item.name_key:
                first = self.names.setdefault(item.name_key, row.line)
                # One reason is enough, and the tax code is the stronger one.
                if not duplicate and first != row.line:
                    duplicate = _same_name_in_file(first)
                elif not duplicate and item.name_key in names:
                    duplicate = _same_name_in_registry(*names[item.name_key])
            if duplicate:
                row.errors.append(duplicate)
                row.valid = False
                row.cleaned = {}
        return [c.row for c in checked]


def _duplicate_in_file(code: str, first_line: int) -> str:
    return _("Mã số thuế / mã đơn vị «%(code)s» trùng với dòng %(line)s trong tệp.") % {
        "code": code,
        "line": first_line,
    }


def _duplicate_in_registry(code: str, name: str) -> str:
    return _("Mã số thuế / mã đơn vị «%(code)s» đã có trong danh sách (đơn vị «%(name)s»).") % {
        "code": code,
        "name": name,
    }


def _same_name_in_file(first_line: int) -> str:
    return _("Trùng tên đơn vị và xã, phường với dòng %(line)s trong tệp.") % {"line": first_line}


def _same_name_in_registry(name: str, ward: str) -> str:
    return _("Đơn vị «%(name)s» ở %(ward)s đã có trong danh sách.") % {"name": name, "ward": ward}


def existing_codes(codes: list[str]) -> dict[str, str]:
    """{code: unit name} of the given codes that already belong to a unit."""
    found: dict[str, str] = {}
    # In slices: SQLite limits the number of parameters of one query.
    for start in range(0, len(codes), 900):
        units = Unit.objects.filter(code__in=codes[start : start + 900])
        for code, name in units.values_list("code", "name"):
            if code is not None:
                found[code] = name
    return found


def existing_units(keys: list[NameKey]) -> dict[NameKey, tuple[str, str]]:
    """{(folded name, ward id): (unit name, ward name)} of the keys a unit already has."""
    wanted = set(keys)
    found: dict[NameKey, tuple[str, str]] = {}
    # One query per chunk of the file: at most 2 × CHUNK parameters.
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        units = Unit.objects.filter(
            name_folded__in={name for name, _ward in part},
            ward_id__in={ward for _name, ward in part},
        ).order_by("id")
        for folded, ward_id, name, ward in units.values_list(
            "name_folded", "ward_id", "name", "ward__name"
        ):
            if (folded, ward_id) in wanted:
                found.setdefault((folded, ward_id), (name, ward))
    return found


def batch_fill(
    batch: ImportBatch,
    table: Table,
    *,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Check every row of ``table`` and store it under ``batch``, one chunk at a time."""
    checker = RowChecker(table.columns)
    total = valid = 0
    chunk: list[tuple[int, dict[str, str]]] = []

    def flush() -> None:
        nonlocal total, valid
        rows = checker.check(chunk)
        for row in rows:
            row.batch = batch
        ImportRow.objects.bulk_create(rows)
        total += len(rows)
        valid += sum(1 for r in rows if r.valid)
        chunk.clear()
        if progress is not None:
            progress(total)

    for item in table.rows():
        chunk.append(item)
        if len(chunk) >= CHUNK:
            flush()
            if cancelled is not None and cancelled():
                return
    if chunk:
        flush()
    batch.total_rows = total
    batch.valid_rows = valid
    batch.save(update_fields=["total_rows", "valid_rows"])


# --- Services -------------------------------------------------------------------------------


@dataclass
class Upload:
    """What ``import_batch_create`` did: the batch and the columns it will ignore."""

    batch: ImportBatch
    unknown_columns: list[str] = field(default_factory=list)
    background: bool = False


def _uploads_dir() -> Path:
    path = job_files_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for piece in upload.chunks():
        digest.update(piece)
    upload.seek(0)
    return digest.hexdigest()


def import_batch_create(*, owner: Any, upload: UploadedFile) -> Upload:
    """Read and check an uploaded file. Small files are checked now; large ones by the worker.

    Raises ImportFileError when the file cannot be used at all.
    """
    filename = _CONTROL.sub("", Path(upload.name or "").name)[:255] or "tep"
    kind = file_kind(filename)
    check_size(upload.size or 0)
    sha256 = _sha256(upload)
    table = open_table(upload, filename)
    threshold = settings.BACKGROUND_THRESHOLD_ROWS
    try:
        if table.count_up_to(threshold + 1) <= threshold:
            with transaction.atomic():
                batch = ImportBatch.objects.create(
                    owner=owner, filename=filename, sha256=sha256, columns=table.columns
                )
                batch_fill(batch, table)
            return Upload(batch, table.unknown)
    finally:
        table.close()
    batch = _queue_check(owner, upload, filename, kind, table, sha256)
    return Upload(batch, table.unknown, True)


@transaction.atomic
def _queue_check(
    owner: Any, upload: UploadedFile, filename: str, kind: str, table: Table, sha256: str
) -> ImportBatch:
    from antq.registry.tasks import import_check_task

    stored = _uploads_dir() / f"{uuid.uuid4().hex}.{kind}"
    upload.seek(0)
    with stored.open("wb") as out:
        for piece in upload.chunks():
            out.write(piece)
    batch = ImportBatch.objects.create(
        owner=owner,
        filename=filename,
        sha256=sha256,
        columns=table.columns,
        status=ImportStatus.CHECKING,
    )
    job = job_create(
        owner=owner,
        kind=JOB_KIND_CHECK,
        params={
            "batch": batch.pk,
            "upload": str(stored.relative_to(job_files_dir())),
            "next_url": reverse("registry:import_preview", args=[batch.pk]),
        },
        total=table.estimated_rows,
    )
    batch.job = job
    batch.save(update_fields=["job"])
    transaction.on_commit(lambda: import_check_task.enqueue(job.pk))
    return batch


# The statuses in which the worker has the batch: the page shows its progress.
WORKER_STATUSES = (ImportStatus.CHECKING, ImportStatus.QUEUED)
# A job that reported no progress this long after it was created is taken as lost (the worker
# was stopped or never started). Jobs record no time of their last progress.
STUCK_AFTER = dt.timedelta(minutes=15)


def batch_stuck(batch: ImportBatch) -> bool:
    """The worker has the batch, but its job failed, ended, or never got going."""
    if batch.status not in WORKER_STATUSES:
        return False
    job = batch.job
    if job is None or job.finished:
        return True
    return job.progress == 0 and job.created_at < timezone.now() - STUCK_AFTER


def batch_cancellable(batch: ImportBatch) -> bool:
    """Waiting for a decision, being checked (the worker stops at its next chunk), or queued
    for an import the worker will not do. An import under way cannot be cancelled."""
    if batch.status in (ImportStatus.PREVIEW, ImportStatus.CHECKING):
        return True
    return batch.status == ImportStatus.QUEUED and batch_stuck(batch)


def previous_import(batch: ImportBatch) -> ImportBatch | None:
    """The latest other batch of the very same file that was imported, if any."""
    if not batch.sha256:
        return None
    return (
        ImportBatch.objects.filter(sha256=batch.sha256, status=ImportStatus.DONE)
        .exclude(pk=batch.pk)
        .order_by("-imported_at", "-id")
        .first()
    )


ConfirmStatus = Literal[
    "imported", "queued", "conflict", "already", "busy", "invalid", "empty", "failed"
]


@dataclass(frozen=True)
class ConfirmResult:
    status: ConfirmStatus
    count: int = 0


# What the page says after a confirmation: (message level, text with %(n)s and %(file)s).
CONFIRM_MESSAGES: dict[ConfirmStatus, tuple[int, Promise]] = {
    "imported": (message_levels.SUCCESS, gettext_lazy("Đã nhập %(n)s đơn vị từ tệp «%(file)s».")),
    "queued": (
        message_levels.INFO,
        gettext_lazy("Đang nhập %(n)s đơn vị ở chế độ nền; trang sẽ tự cập nhật khi xong."),
    ),
    "conflict": (
        message_levels.ERROR,
        gettext_lazy(
            "Có %(n)s dòng hiện đã trùng với đơn vị có trong danh sách (cùng mã số thuế, hoặc "
            "cùng tên và xã, phường; có thể vừa được nhập); chưa nhập dòng nào. Hãy xem các "
            "dòng lỗi rồi quyết định lại."
        ),
    ),
    "already": (
        message_levels.WARNING,
        gettext_lazy("Lần nhập này đã được xử lý trước đó; không nhập lại."),
    ),
    "busy": (
        message_levels.WARNING,
        gettext_lazy("Tệp vẫn đang được kiểm tra; hãy đợi kiểm tra xong."),
    ),
    "invalid": (
        message_levels.ERROR,
        gettext_lazy(
            "Không nhập được: tệp còn dòng lỗi. Hãy sửa tệp và tải lên lại, hoặc chọn "
            "«Chỉ nhập các dòng hợp lệ»."
        ),
    ),
    "empty": (message_levels.ERROR, gettext_lazy("Không có dòng hợp lệ nào để nhập.")),
    "failed": (
        message_levels.ERROR,
        gettext_lazy("Không nhập được do lỗi hệ thống; chưa có đơn vị nào được nhập."),
    ),
}


def confirm_message(result: ConfirmResult, filename: str) -> tuple[int, str]:
    level, text = CONFIRM_MESSAGES[result.status]
    return level, str(text) % {"n": result.count, "file": filename}


def conflict_message(count: int) -> str:
    return confirm_message(ConfirmResult("conflict", count), "")[1]


def failed_message() -> str:
    return confirm_message(ConfirmResult("failed"), "")[1]


def import_batch_confirm(*, batch: ImportBatch, actor: Any, only_valid: bool) -> ConfirmResult:
    """Import the accepted rows of ``batch`` — now, or by the worker for a large batch.

    The batch row is locked and its status checked first, so a double click (or two tabs)
    imports once. Everything is inserted in one transaction or nothing is.
    """
    from antq.registry.tasks import import_apply_task

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.CHECKING:
            return ConfirmResult("busy")
        if locked.status != ImportStatus.PREVIEW:
            return ConfirmResult("already")
        if locked.valid_rows == 0:
            return ConfirmResult("empty")
        if not only_valid and locked.valid_rows != locked.total_rows:
            return ConfirmResult("invalid")
        locked.only_valid = only_valid
        if locked.valid_rows > settings.BACKGROUND_THRESHOLD_ROWS:
            job = job_create(
                owner=actor,
                kind=JOB_KIND_IMPORT,
                params={
                    "batch": locked.pk,
                    "next_url": reverse("registry:import_preview", args=[locked.pk]),
                },
                total=locked.valid_rows,
            )
            locked.status = ImportStatus.QUEUED
            locked.job = job
            locked.save(update_fields=["status", "only_valid", "job"])
            transaction.on_commit(lambda: import_apply_task.enqueue(job.pk))
            return ConfirmResult("queued", locked.valid_rows)
        locked.save(update_fields=["only_valid"])
        return batch_apply(locked, actor=actor)


def _source(batch: ImportBatch) -> str:
    return _("Nhập từ tệp «%(file)s» (lần nhập số %(pk)s)") % {
        "file": batch.filename,
        "pk": batch.pk,
    }


def _valid_chunks(batch: ImportBatch) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """The valid rows of ``batch`` as (row id, cleaned values), ``APPLY_CHUNK`` at a time in
    file order (rows are stored in file order): a large file is never all in memory."""
    rows = batch.rows.filter(valid=True).order_by("pk").values_list("pk", "cleaned")
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:APPLY_CHUNK]):
        yield chunk
        last = chunk[-1][0]


def _conflicts(batch: ImportBatch) -> dict[int, str]:
    """{row id: error} for valid rows whose unit is now in the registry, or whose ward is
    gone.

    The wards of the rows are locked first: two imports into the same wards take turns, so
    the second sees the units of the first (the name, unlike the tax code, has no unique
    constraint to catch it). FOR NO KEY UPDATE does not block units being saved meanwhile.
    """
    ward_ids = sorted({cleaned["ward"] for rows in _valid_chunks(batch) for _pk, cleaned in rows})
    wards = set(
        AdministrativeArea.objects.select_for_update(no_key=True)
        .filter(pk__in=ward_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    problems: dict[int, str] = {}
    for rows in _valid_chunks(batch):
        codes = existing_codes([cleaned["code"] for _pk, cleaned in rows if cleaned.get("code")])
        names = existing_units([(fold(cleaned["name"]), cleaned["ward"]) for _pk, cleaned in rows])
        for pk, cleaned in rows:
            code = cleaned.get("code")
            name_key = (fold(cleaned["name"]), cleaned["ward"])
            if code and code in codes:
                problems[pk] = _duplicate_in_registry(code, codes[code])
            elif name_key in names:
                problems[pk] = _same_name_in_registry(*names[name_key])
            elif cleaned["ward"] not in wards:
                problems[pk] = _("Xã, phường của dòng này không còn trong danh mục.")
    return problems


def _mark(batch: ImportBatch, problems: dict[int, str]) -> None:
    rows = list(ImportRow.objects.filter(pk__in=problems))
    for row in rows:
        row.errors = [*row.errors, problems[row.pk]]
        row.valid = False
    ImportRow.objects.bulk_update(rows, ["errors", "valid"], batch_size=CHUNK)
    batch.valid_rows = batch.rows.filter(valid=True).count()
    batch.save(update_fields=["valid_rows"])


def batch_apply(batch: ImportBatch, *, actor: Any) -> ConfirmResult:
    """Insert the valid rows of a locked batch. Must run inside its transaction.

    If a unit of the file is now in the registry (an import or a person was quicker),
    nothing is inserted: the rows get the error and the batch waits for a new decision.
    """
    problems = _conflicts(batch)
    if problems:
        _mark(batch, problems)
        return ConfirmResult("conflict", len(problems))
    created = 0
    wards: dict[int, AdministrativeArea] = {}
    source = _source(batch)
    try:
        # One savepoint around every chunk: a refused chunk takes the earlier ones with it.
        with transaction.atomic():
            for rows in _valid_chunks(batch):
                needed = {cleaned["ward"] for _pk, cleaned in rows} - wards.keys()
                wards.update(AdministrativeArea.objects.in_bulk(needed))
                data = [{**cleaned, "ward": wards[cleaned["ward"]]} for _pk, cleaned in rows]
                created += len(services.units_bulk_create(actor=actor, rows=data, source=source))
    except DatabaseError:
        # A concurrent insert took a code between the check and the insert (PostgreSQL), or
        # the database refused a row: the savepoint is rolled back; say which rows if we can.
        logger.exception("import of batch %s failed", batch.pk)
        problems = _conflicts(batch)
        if problems:
            _mark(batch, problems)
            return ConfirmResult("conflict", len(problems))
        return ConfirmResult("failed")
    batch.status = ImportStatus.DONE
    batch.imported_rows = created
    batch.imported_at = timezone.now()
    batch.save(update_fields=["status", "imported_rows", "imported_at"])
    return ConfirmResult("imported", created)


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch) -> bool:
    """Drop a batch that was not imported; False if it is imported or being imported."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the join to the job.
    locked = (
        ImportBatch.objects.select_for_update(of=("self",)).select_related("job").get(pk=batch.pk)
    )
    if not batch_cancellable(locked):
        return False
    locked.status = ImportStatus.CANCELLED
    locked.save(update_fields=["status"])
    # The rows are of no further use and can be many.
    locked.rows.all().delete()
    if locked.job_id is not None:
        # A pending job is never taken up; a running check stops at its next chunk.
        job_stop(locked.job_id, _("Lần nhập đã bị huỷ."))
    return True


def recent_batches_for(user: Any, limit: int = 10) -> QuerySet[ImportBatch]:
    """The user's own latest imports (batches are private to their owner)."""
    return ImportBatch.objects.filter(owner=user).order_by("-id")[:limit]


def batch_rows(batch: ImportBatch, view: str) -> QuerySet[ImportRow]:
    """Rows of a batch for the preview: all in file order, errors first, or only errors."""
    rows = batch.rows.all()
    if view == "loi":
        return rows.filter(valid=False).order_by("line")
    if view == "loi-truoc":
        return rows.order_by("valid", "line")
    return rows.order_by("line")


def ordered_headers(rows: list[dict[str, str]]) -> list[str]:
    """The original headers of the given raw rows: known columns in template order first."""
    order = {c.field: i for i, c in enumerate((*COLUMNS, STATUS_COLUMN))}
    seen: dict[str, None] = {}
    for raw in rows:
        for header in raw:
            seen.setdefault(header, None)

    def key(header: str) -> tuple[int, int]:
        found = _header_field(header)
        if found is not None:
            return (0, order[found])
        return (1, list(seen).index(header))

    return sorted(seen, key=key)
