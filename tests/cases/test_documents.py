"""A case's notices and decisions (``antq.cases.documents``): the pre-filled draft, the DOCX
in the form of NĐ 30/2020, issuing it (sealed name refused, notice deadline met), and the
form and download views with their scope."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from antq.cases import documents, layout, services
from antq.cases.models import Case, CaseDeadline, CaseDocument
from antq.cases.services import SealedInput
from antq.cases.status import CaseChannel, CaseKind, CaseStatus, Complexity, DocumentType, Stage
from antq.core.models import AuditAction, AuditEntry

SEALED = "Trần Thị Tố Giác"
REASON = "Lý do, căn cứ ghi đầy đủ"
CONCLUSION = "Nội dung tố cáo đúng một phần: bảo vệ có nhận tiền gửi xe."
DATE_LINE = re.compile(r"^Hoàn Kiếm, ngày \d{2} tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _register(cast: Any, kind: str = CaseKind.DENUNCIATION, **fields: Any) -> Case:
    if kind == CaseKind.DENUNCIATION:
        fields.setdefault("sealed", SealedInput(name=SEALED))
    else:
        fields.setdefault("filer_name", "Lê Văn Khiếu")
    if "unit" not in fields:
        fields.setdefault("ward_id", cast.ward_a.pk)
    fields.setdefault("subject", "Tố cáo bảo vệ thu tiền gửi xe trái quy định")
    return services.case_register(
        actor=cast.department,
        kind=kind,
        content="Nội dung đơn.",
        channel=CaseChannel.DIRECT,
        received_on=services.today() - dt.timedelta(days=20),
        respondent="Ông Phạm Văn Bảo, bảo vệ",
        complexity=Complexity.VERY_COMPLEX,
        **fields,
    )


PATHS = {
    CaseStatus.ACCEPTED: [CaseStatus.INITIAL, CaseStatus.ACCEPTED],
    CaseStatus.REJECTED: [CaseStatus.INITIAL, CaseStatus.REJECTED],
    CaseStatus.TRANSFERRED: [CaseStatus.INITIAL, CaseStatus.TRANSFERRED],
    CaseStatus.EXTENDED: [
        CaseStatus.INITIAL,
        CaseStatus.ACCEPTED,
        CaseStatus.VERIFYING,
        CaseStatus.EXTENDED,
    ],
    CaseStatus.SUSPENDED: [
        CaseStatus.INITIAL,
        CaseStatus.ACCEPTED,
        CaseStatus.VERIFYING,
        CaseStatus.SUSPENDED,
    ],
    CaseStatus.TERMINATED: [
        CaseStatus.INITIAL,
        CaseStatus.ACCEPTED,
        CaseStatus.VERIFYING,
        CaseStatus.TERMINATED,
    ],
    CaseStatus.CONCLUDED: [
        CaseStatus.INITIAL,
        CaseStatus.ACCEPTED,
        CaseStatus.VERIFYING,
        CaseStatus.CONCLUDED,
    ],
}


def _case_at(cast: Any, status: str, kind: str = CaseKind.DENUNCIATION, **fields: Any) -> Case:
    case = _register(cast, kind, **fields)
    for to in PATHS[status]:
        case = services.case_transition(
            case=case, to=to, actor=cast.department, reason=REASON, conclusion=CONCLUSION
        )
    return case


def _filled(draft: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The draft as an officer completes it: the gaps filled, a signer named."""
    data = {
        k: v.replace(documents.BLANK, "Công an phường Cửa Nam") if isinstance(v, str) else v
        for k, v in draft.items()
    }
    data["signer"] = data["signer"] or "Nguyễn Văn Trưởng"
    data.update(changes)
    return data


def _draft(case: Case, doc_type: str) -> dict[str, Any]:
    return documents.draft_for_case(case, doc_type, today=services.today())


def _issue(cast: Any, case: Case, doc_type: str, **changes: Any) -> CaseDocument:
    data = _filled(_draft(case, doc_type), **changes)
    return documents.document_issue(case=case, actor=cast.department, data=data)


def _texts(content: bytes) -> list[str]:
    """Every paragraph of the document, the header and signature tables included."""
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return texts


def _file(document: CaseDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _raw_xml(content: bytes) -> str:
    """Every XML part of the package (text, properties), for what must appear nowhere."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "".join(
            package.read(name).decode("utf-8", "replace")
            for name in package.namelist()
            if name.endswith(".xml")
        )


# -- the DOCX ---------------------------------------------------------------------------------


def test_the_docx_is_laid_out_as_nd30_asks(cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    issued = _issue(cast, case, DocumentType.ACCEPT_NOTICE)
    content = _file(issued)
    texts = _texts(content)
    document = Document(io.BytesIO(content))

    assert issued.number == "01/TB-CAPHK"
    header = document.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text]
    right = header.cell(0, 1).paragraphs
    assert left == ["CÔNG AN THÀNH PHỐ HÀ NỘI", "CÔNG AN PHƯỜNG HOÀN KIẾM"]
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert right[0].runs[0].bold
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert right[1].runs[0].underline and right[1].runs[0].bold
    assert header.cell(1, 0).paragraphs[0].text == "Số: 01/TB-CAPHK"
    dated = header.cell(1, 1).paragraphs[0]
    assert DATE_LINE.match(dated.text), dated.text
    assert dated.runs[0].italic
    assert "THÔNG BÁO" in texts and "Về việc thụ lý tố cáo" in texts
    body = "\n".join(texts)
    assert case.code in body
    assert "Căn cứ Điều 29 Luật Tố cáo năm 2018" in body
    assert "Nơi nhận:" in texts and "TRƯỞNG CÔNG AN PHƯỜNG" in texts
    assert "Nguyễn Văn Trưởng" in texts
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.right_margin)
    assert [round(size.mm) for size in sizes] == [210, 297, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_the_date_line_pads_the_day_and_only_january_and_february() -> None:
    assert layout.date_line("Hoàn Kiếm", dt.date(2026, 3, 5)) == (
        "Hoàn Kiếm, ngày 05 tháng 3 năm 2026"
    )
    assert layout.date_line("Hoàn Kiếm", dt.date(2026, 1, 9)) == (
        "Hoàn Kiếm, ngày 09 tháng 01 năm 2026"
    )
    assert layout.date_line("Cửa Nam", dt.date(2026, 12, 25)) == (
        "Cửa Nam, ngày 25 tháng 12 năm 2026"
    )


def test_text_typed_in_decomposed_unicode_is_written_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Thông báo thụ lý tố cáo của Công an phường")
    content = layout.render_docx(
        layout.DocFields(
            superior="",
            issuer=unicodedata.normalize("NFD", "Công an phường Hoàn Kiếm"),
            number="03/TB-CAPHK",
            place="Hoàn Kiếm",
            issued_on=dt.date(2026, 3, 5),
            kind_name="Thông báo",
            title=decomposed,
            body=decomposed,
            recipients="Lưu: VT",
            signer="Nguyễn Văn Trưởng",
            signer_title="Trưởng Công an phường",
        )
    )
    texts = _texts(content)
    assert "CÔNG AN PHƯỜNG HOÀN KIẾM" in texts
    assert "Thông báo thụ lý tố cáo của Công an phường" in texts
    assert not any(unicodedata.combining(ch) for t in texts for ch in t)
    assert "Hoàn Kiếm, ngày 05 tháng 3 năm 2026" in texts


# -- what applies, what the draft says -------------------------------------------------------

CITATIONS = [
    (CaseKind.DENUNCIATION, CaseStatus.ACCEPTED, DocumentType.ACCEPT_NOTICE, "Điều 29 Luật Tố cáo"),
    (
        CaseKind.DENUNCIATION,
        CaseStatus.REJECTED,
        DocumentType.REJECT_NOTICE,
        "khoản 2 Điều 29 Luật Tố cáo",
    ),
    (
        CaseKind.COMPLAINT_FIRST,
        CaseStatus.REJECTED,
        DocumentType.REJECT_NOTICE,
        "Điều 11 Luật Khiếu nại",
    ),
    (
        CaseKind.COMPLAINT_FIRST,
        CaseStatus.ACCEPTED,
        DocumentType.ACCEPT_NOTICE,
        "Điều 27 Luật Khiếu nại",
    ),
    (
        CaseKind.DENUNCIATION,
        CaseStatus.TRANSFERRED,
        DocumentType.TRANSFER_NOTICE,
        "khoản 3 Điều 24 Luật Tố cáo",
    ),
    (
        CaseKind.DENUNCIATION,
        CaseStatus.EXTENDED,
        DocumentType.EXTENSION_DECISION,
        "Điều 30 Luật Tố cáo",
    ),
    (
        CaseKind.DENUNCIATION,
        CaseStatus.SUSPENDED,
        DocumentType.SUSPENSION_DECISION,
        "Điều 34 Luật Tố cáo",
    ),
    (
        CaseKind.DENUNCIATION,
        CaseStatus.TERMINATED,
        DocumentType.TERMINATION_DECISION,
        "Điều 34 Luật Tố cáo",
    ),
    (CaseKind.DENUNCIATION, CaseStatus.CONCLUDED, DocumentType.CONCLUSION, "Điều 35 Luật Tố cáo"),
    (
        CaseKind.COMPLAINT_FIRST,
        CaseStatus.CONCLUDED,
        DocumentType.COMPLAINT_DECISION,
        "Điều 31 Luật Khiếu nại",
    ),
]


@pytest.mark.parametrize(("kind", "status", "doc_type", "citation"), CITATIONS)
def test_each_stage_drafts_its_document_citing_its_article(
    cast, kind: str, status: str, doc_type: str, citation: str
) -> None:
    case = _case_at(cast, status, kind)
    assert doc_type in dict(documents.available_documents(case))
    issued = _issue(cast, case, doc_type)
    text = "\n".join(_texts(_file(issued)))
    assert citation in text
    assert case.code in text
    assert documents.SPECS[doc_type].kind_name.upper() in text


def test_the_documents_offered_follow_the_stage_and_the_kind(cast) -> None:
    received = _register(cast)
    accepted = _case_at(cast, CaseStatus.ACCEPTED)
    denunciation = _case_at(cast, CaseStatus.CONCLUDED)
    complaint = _case_at(cast, CaseStatus.CONCLUDED, CaseKind.COMPLAINT_FIRST)
    assert documents.available_documents(received) == []
    assert [t for t, _ in documents.available_documents(accepted)] == [DocumentType.ACCEPT_NOTICE]
    assert [t for t, _ in documents.available_documents(denunciation)] == [DocumentType.CONCLUSION]
    assert [t for t, _ in documents.available_documents(complaint)] == [
        DocumentType.COMPLAINT_DECISION
    ]


def test_the_conclusion_draft_carries_the_case_conclusion_and_a_gap_to_fill(cast) -> None:
    case = _case_at(cast, CaseStatus.CONCLUDED)
    draft = _draft(case, DocumentType.CONCLUSION)
    assert CONCLUSION in draft["body"]
    assert documents.BLANK in draft["body"]
    with pytest.raises(ValidationError) as raised:
        documents.document_issue(
            case=case, actor=cast.department, data={**draft, "signer": "Nguyễn Văn Trưởng"}
        )
    assert "body" in raised.value.message_dict
    assert CaseDocument.objects.count() == 0


def test_a_unit_case_is_issued_by_the_unit_and_signed_by_its_head(cast) -> None:
    cast.unit_x.head_name = "Trần Văn Giám"
    cast.unit_x.head_title = "Giám đốc"
    cast.unit_x.save()
    case = _case_at(cast, CaseStatus.ACCEPTED, unit=cast.unit_x)
    draft = _draft(case, DocumentType.ACCEPT_NOTICE)
    assert draft["issuer"] == "Bệnh viện Hữu Nghị Việt Đức"
    assert draft["number"] == "01/TB-BVHNVĐ"
    assert (draft["signer"], draft["signer_title"]) == ("Trần Văn Giám", "Giám đốc")
    assert draft["place"] == "Hoàn Kiếm"


# -- the sealed identity ----------------------------------------------------------------------


def test_a_denunciation_never_names_the_denunciator(cast) -> None:
    # The officer typed the name into the subject: the draft still must not carry it.
    case = _case_at(
        cast,
        CaseStatus.CONCLUDED,
        subject=f"Bà {SEALED} tố cáo bảo vệ thu tiền gửi xe",
    )
    draft = _draft(case, DocumentType.CONCLUSION)
    for value in draft.values():
        if isinstance(value, str):
            assert SEALED.casefold() not in value.casefold()
    assert case.filer_label in draft["body"]
    issued = _issue(cast, case, DocumentType.CONCLUSION)
    raw = _raw_xml(_file(issued))
    assert SEALED not in raw and "Tố Giác" not in raw
    assert SEALED not in issued.body and SEALED not in issued.title


@pytest.mark.parametrize(
    "written",
    [
        SEALED,
        SEALED.upper(),
        unicodedata.normalize("NFD", SEALED),
        "Tran Thi To Giac",
        "Trần  Thị\nTố Giác",
    ],
    ids=["as-is", "capitals", "decomposed", "no-tone-marks", "split"],
)
def test_issuing_a_text_with_the_sealed_name_is_refused(cast, written: str) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    data = _filled(_draft(case, DocumentType.ACCEPT_NOTICE))
    data["body"] += f"\nNgười tố cáo là {written}."
    with pytest.raises(ValidationError) as raised:
        documents.document_issue(case=case, actor=cast.department, data=data)
    assert "Luật Tố cáo Điều 47" in " ".join(raised.value.message_dict["body"])
    assert CaseDocument.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="cases.casedocument").exists()
    notice = CaseDeadline.objects.get(case=case, stage=Stage.NOTICE)
    assert notice.met_on is None


def test_a_complaint_may_name_its_filer(cast) -> None:
    case = _case_at(cast, CaseStatus.CONCLUDED, CaseKind.COMPLAINT_FIRST)
    issued = _issue(cast, case, DocumentType.COMPLAINT_DECISION)
    assert "Lê Văn Khiếu" in issued.title
    assert "Lê Văn Khiếu" in "\n".join(_texts(_file(issued)))


# -- issuing ----------------------------------------------------------------------------------


def test_the_acceptance_notice_meets_the_notice_deadline_and_is_audited(cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    notice = CaseDeadline.objects.get(case=case, stage=Stage.NOTICE)
    resolution = CaseDeadline.objects.get(case=case, stage=Stage.RESOLUTION)
    assert notice.met_on is None and notice.due_on is not None
    assert Case.objects.get(pk=case.pk).next_due_on == notice.due_on
    day = services.today()

    issued = _issue(cast, case, DocumentType.ACCEPT_NOTICE, issued_on=day)

    notice.refresh_from_db()
    assert notice.met_on == day
    assert Case.objects.get(pk=case.pk).next_due_on == resolution.due_on
    entry = AuditEntry.objects.get(object_type="cases.casedocument", object_id=str(issued.pk))
    assert entry.action == AuditAction.CREATE
    assert (entry.ward_id, entry.unit_id) == (cast.ward_a.pk, None)
    assert entry.after["number"] == issued.number


def test_another_document_leaves_the_notice_deadline_open(cast) -> None:
    case = _case_at(cast, CaseStatus.EXTENDED)
    _issue(cast, case, DocumentType.EXTENSION_DECISION)
    assert CaseDeadline.objects.get(case=case, stage=Stage.NOTICE).met_on is None


def test_a_number_is_used_once_in_a_register_and_the_next_draft_takes_the_next(cast) -> None:
    first = _case_at(cast, CaseStatus.ACCEPTED)
    second = _case_at(cast, CaseStatus.ACCEPTED)
    _issue(cast, first, DocumentType.ACCEPT_NOTICE)
    assert _draft(second, DocumentType.ACCEPT_NOTICE)["number"] == "02/TB-CAPHK"
    with pytest.raises(ValidationError) as raised:
        _issue(cast, second, DocumentType.ACCEPT_NOTICE, number="01/tb-caphk")
    assert "number" in raised.value.message_dict
    assert CaseDocument.objects.count() == 1


def test_a_document_not_due_at_this_stage_is_refused(cast) -> None:
    accepted = _case_at(cast, CaseStatus.ACCEPTED)
    draft = _filled(_draft(accepted, DocumentType.ACCEPT_NOTICE))
    with pytest.raises(ValidationError) as raised:
        documents.document_issue(
            case=accepted,
            actor=cast.department,
            data={**draft, "doc_type": DocumentType.CONCLUSION},
        )
    assert "doc_type" in raised.value.message_dict


def test_a_leader_may_not_issue(cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    data = _filled(_draft(case, DocumentType.ACCEPT_NOTICE))
    with pytest.raises(PermissionDenied):
        documents.document_issue(case=case, actor=cast.leader, data=data)
    assert CaseDocument.objects.count() == 0


# -- the views --------------------------------------------------------------------------------


def _new_url(case: Case, doc_type: str) -> str:
    return reverse("cases:document_new", args=[case.pk]) + f"?type={doc_type}"


def _post_data(draft: dict[str, Any]) -> dict[str, str]:
    data = _filled(draft)
    data["issued_on"] = data["issued_on"].isoformat()
    data.pop("doc_type")
    return data


def test_the_form_shows_the_prefilled_draft_and_the_header_preview(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    client.force_login(cast.ward_a_officer)
    response = client.get(_new_url(case, DocumentType.ACCEPT_NOTICE))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "CÔNG AN PHƯỜNG HOÀN KIẾM",
        "01/TB-CAPHK",
        "Về việc thụ lý tố cáo",
        case.code,
        case.filer_label,
    ):
        assert text in body, text
    assert SEALED not in body


def test_editing_the_body_in_the_form_changes_the_file(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    client.force_login(cast.ward_a_officer)
    data = _post_data(_draft(case, DocumentType.ACCEPT_NOTICE))
    draft_sentence = data["body"].splitlines()[1]
    data["body"] = "Kính gửi: Người tố cáo.\nĐoạn văn do cán bộ sửa lại trước khi ban hành."
    response = client.post(_new_url(case, DocumentType.ACCEPT_NOTICE), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    issued = CaseDocument.objects.get(case=case)
    assert issued.issued_by == cast.ward_a_officer
    texts = _texts(_file(issued))
    assert "Đoạn văn do cán bộ sửa lại trước khi ban hành." in texts
    assert draft_sentence not in texts

    download = client.get(reverse("cases:document_download", args=[case.pk, issued.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (f'attachment; filename="TB-thu-ly-{case.code}.docx"')
    assert download["Content-Type"] == layout.DOCX_TYPE
    content = b"".join(download.streaming_content)
    assert "Đoạn văn do cán bộ sửa lại trước khi ban hành." in _texts(content)


def test_the_form_refuses_the_sealed_name_and_says_why(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    client.force_login(cast.department)
    data = _post_data(_draft(case, DocumentType.ACCEPT_NOTICE))
    data["body"] += f"\nNgười tố cáo: {SEALED}."
    response = client.post(_new_url(case, DocumentType.ACCEPT_NOTICE), data)
    assert response.status_code == 200
    assert "Luật Tố cáo Điều 47" in response.content.decode()
    assert CaseDocument.objects.count() == 0


def test_the_form_refuses_an_empty_number_in_vietnamese(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    client.force_login(cast.department)
    data = _post_data(_draft(case, DocumentType.ACCEPT_NOTICE))
    data["number"] = "  "
    response = client.post(_new_url(case, DocumentType.ACCEPT_NOTICE), data)
    assert response.status_code == 200
    assert "Hãy nhập số, ký hiệu của văn bản." in response.content.decode()
    assert CaseDocument.objects.count() == 0


@pytest.mark.parametrize("doc_type", ["", "bogus", DocumentType.CONCLUSION])
def test_an_unknown_or_untimely_type_is_404(client, cast, doc_type: str) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    client.force_login(cast.department)
    assert client.get(_new_url(case, doc_type)).status_code == 404


def test_another_units_officer_gets_404_everywhere(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED, unit=cast.unit_x)
    issued = _issue(cast, case, DocumentType.ACCEPT_NOTICE)
    client.force_login(cast.unit_y_officer)
    url = _new_url(case, DocumentType.ACCEPT_NOTICE)
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "x"}).status_code == 404
    download = reverse("cases:document_download", args=[case.pk, issued.pk])
    assert client.get(download).status_code == 404
    assert CaseDocument.objects.count() == 1


def test_a_document_is_downloaded_only_through_its_own_case(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED)
    other = _case_at(cast, CaseStatus.ACCEPTED)
    issued = _issue(cast, case, DocumentType.ACCEPT_NOTICE)
    client.force_login(cast.department)
    url = reverse("cases:document_download", args=[other.pk, issued.pk])
    assert client.get(url).status_code == 404


def test_a_leader_reads_and_downloads_but_gets_403_on_issuing(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED, unit=cast.unit_x)
    issued = _issue(cast, case, DocumentType.ACCEPT_NOTICE)
    client.force_login(cast.leader)
    data = _post_data(_draft(case, DocumentType.ACCEPT_NOTICE))
    data["number"] = "02/TB-BVHNVĐ"
    response = client.post(_new_url(case, DocumentType.ACCEPT_NOTICE), data)
    assert response.status_code == 403
    assert "không được ban hành văn bản" in response.content.decode()
    assert CaseDocument.objects.count() == 1
    download = client.get(reverse("cases:document_download", args=[case.pk, issued.pk]))
    assert download.status_code == 200


def test_the_units_own_officer_issues_for_its_case(client, cast) -> None:
    case = _case_at(cast, CaseStatus.ACCEPTED, unit=cast.unit_x)
    client.force_login(cast.unit_x_officer)
    data = _post_data(_draft(case, DocumentType.ACCEPT_NOTICE))
    response = client.post(_new_url(case, DocumentType.ACCEPT_NOTICE), data)
    assert response.status_code == 302
    assert CaseDocument.objects.get(case=case).number == "01/TB-BVHNVĐ"
