"""DOCX layout of an administrative document (NĐ 30/2020 Phụ lục I): pure, fields in, bytes
out. A4, Times New Roman, the quốc hiệu and tiêu ngữ beside the issuer, số/ký hiệu, địa danh
and date, the kind and summary of the document, its body, nơi nhận and the signature."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any, TypedDict

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from antq.textvn import nfc

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
# Usable width of an A4 page with the margins of NĐ 30 (left 30 mm, right 15 mm).
TEXT_WIDTH_MM = 165
HEADER_LEFT_MM = 68
SIGN_LEFT_MM = 85


class DocFields(TypedDict):
    """What ``render_docx`` lays out; every text is plain (no markup)."""

    superior: str  # cơ quan chủ quản, above the issuer; may be empty
    issuer: str  # cơ quan ban hành
    number: str  # "12/TB-CAPHK"; printed after "Số: "
    place: str  # địa danh
    issued_on: dt.date
    kind_name: str  # tên loại văn bản
    title: str  # trích yếu
    body: str  # paragraphs, one a line
    recipients: str  # nơi nhận, one a line
    signer: str
    signer_title: str


def date_line(place: str, day: dt.date) -> str:
    """The địa danh and date line, e.g. "Hoàn Kiếm, ngày 05 tháng 3 năm 2026": NĐ 30 writes
    a day below 10 and the months 1 and 2 with a leading zero, the other months without."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _font(run: Any, *, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    # Word picks the East Asian font slot for some Vietnamese letters; name it too.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _para(
    container: Any,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    after: float = 0,
    first_line_mm: float = 0,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    if first_line_mm:
        fmt.first_line_indent = Mm(first_line_mm)
    if text:
        run = paragraph.add_run(text)
        _font(run, size=size, bold=bold, italic=italic)
        run.font.underline = underline
    return paragraph


_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule_under(container: Any, *, width_mm: float, box_mm: float) -> None:
    """A short centred line (the one under the issuer's name and under the title): a
    paragraph's bottom border, narrowed by indenting it on both sides."""
    paragraph = _para(container, size=4)
    fmt = paragraph.paragraph_format
    side = max(0.0, (box_mm - width_mm) / 2)
    fmt.left_indent = Mm(side)
    fmt.right_indent = Mm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # The schema fixes the order of a paragraph's properties; Word refuses a file where the
    # border comes after the spacing, indentation or alignment.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _cell(table: Any, row: int, col: int, width_mm: float) -> _Cell:
    cell: _Cell = table.cell(row, col)
    cell.width = Mm(width_mm)
    # A new cell holds one empty paragraph; the content is added after it, so drop it.
    first = cell.paragraphs[0]
    if not first.text:
        first._p.getparent().remove(first._p)
    return cell


def _plain_table(document: Any, rows: int, widths: tuple[float, float]) -> Any:
    table = document.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    return table


_ARTICLE = re.compile(r"^(Điều \d+\.)(.*)$")


def _is_heading(line: str) -> bool:
    """An all-capitals line ("QUYẾT ĐỊNH:", the authority of a decision) is centred, bold."""
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and line == line.upper() and len(line) <= 160


def _body(document: Any, body: str) -> None:
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _is_heading(line):
            _para(document, line, bold=True, after=6)
        elif line.startswith("Kính gửi:"):
            _para(document, line, after=6)
        else:
            paragraph = _para(document, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, first_line_mm=10)
            match = _ARTICLE.match(line)
            parts = [(match.group(1), True), (match.group(2), False)] if match else [(line, False)]
            for text, bold in parts:
                if text:
                    _font(paragraph.add_run(text), size=14, bold=bold)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def render_docx(fields: Mapping[str, Any]) -> bytes:
    """The document laid out as NĐ 30/2020 Phụ lục I asks: A4, Times New Roman, the issuer
    top left under its superior, the national motto top right, the number and the place and
    date under them, the type and the summary centred, the body, the recipients bottom left
    and the signer bottom right."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)

    right_mm = TEXT_WIDTH_MM - HEADER_LEFT_MM
    header = _plain_table(document, 2, (HEADER_LEFT_MM, right_mm))
    left = _cell(header, 0, 0, HEADER_LEFT_MM)
    superior = nfc(str(fields.get("superior", ""))).strip()
    if superior:
        _para(left, superior.upper(), size=12)
    _para(left, nfc(str(fields["issuer"])).strip().upper(), size=12, bold=True)
    _rule_under(left, width_mm=22, box_mm=HEADER_LEFT_MM)
    right = _cell(header, 0, 1, right_mm)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, underline=True)
    number = _cell(header, 1, 0, HEADER_LEFT_MM)
    _para(number, f"Số: {nfc(str(fields['number'])).strip()}", size=13)
    dated = _cell(header, 1, 1, right_mm)
    _para(dated, date_line(nfc(str(fields["place"])).strip(), fields["issued_on"]), italic=True)

    _para(document, "", after=6)
    _para(document, nfc(str(fields["kind_name"])).upper(), bold=True)
    _para(document, nfc(str(fields["title"])).strip(), bold=True)
    _rule_under(document, width_mm=40, box_mm=TEXT_WIDTH_MM)
    _para(document, "", after=6)
    _body(document, nfc(str(fields["body"])))
    _para(document, "", after=6)

    sign_right = TEXT_WIDTH_MM - SIGN_LEFT_MM
    footer = _plain_table(document, 1, (SIGN_LEFT_MM, sign_right))
    recipients = _cell(footer, 0, 0, SIGN_LEFT_MM)
    _para(recipients, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in _lines(nfc(str(fields.get("recipients", "")))):
        text = line if line.startswith("-") else f"- {line}"
        _para(recipients, text, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    signature = _cell(footer, 0, 1, sign_right)
    _para(signature, nfc(str(fields.get("signer_title", ""))).strip().upper(), bold=True)
    for _blank in range(4):  # room for the signature and the seal
        _para(signature)
    _para(signature, nfc(str(fields.get("signer", ""))).strip(), bold=True)

    properties = document.core_properties
    properties.title = nfc(str(fields["title"])).strip()
    properties.subject = nfc(str(fields["kind_name"]))
    properties.author = nfc(str(fields["issuer"])).strip()
    properties.last_modified_by = properties.author
    properties.comments = ""
    properties.keywords = ""
    properties.language = "vi-VN"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
