"""The case register and the case file as officers use them: register, read, move, files,
the denunciator's sealed identity on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from antq.cases import services
from antq.cases.models import Case, CaseAttachment, SealedIdentity
from antq.cases.status import CaseStatus, Stage
from antq.core.models import AuditAction, AuditEntry
from tests.factories import make_tip

PDF = b"%PDF-1.4 bien ban lam viec"
SECRET_NAME = "Trần Thị Bí Mật"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _complaint(cast, **fields) -> Case:
    values = {
        "actor": cast.department,
        "kind": "complaint_1",
        "subject": "Khiếu nại quyết định kỷ luật",
        "content": "Ông A khiếu nại quyết định kỷ luật khiển trách.",
        "channel": "direct",
        "received_on": dt.date(2026, 3, 2),
        "unit": cast.unit_x,
        "filer_name": "Nguyễn Văn A",
    }
    values.update(fields)
    return services.case_register(**values)


def _denunciation(cast, **fields) -> Case:
    values = {
        "actor": cast.department,
        "kind": "denunciation",
        "subject": "Tố cáo trưởng phòng nhận tiền",
        "content": "Tố cáo ông B nhận tiền của người lao động.",
        "channel": "post",
        "received_on": dt.date(2026, 3, 2),
        "unit": cast.unit_x,
        "respondent": "Ông B, trưởng phòng",
        "sealed": services.SealedInput(
            name=SECRET_NAME, address="Số 1 Hàng Bạc", contact="0912345678"
        ),
    }
    values.update(fields)
    return services.case_register(**values)


def _form(**fields) -> dict[str, str]:
    data = {
        "kind": "complaint_1",
        "subject": "Khiếu nại việc chấm dứt hợp đồng",
        "content": "Bà C khiếu nại việc bệnh viện chấm dứt hợp đồng lao động.",
        "channel": "direct",
        "received_on": "2026-11-02",
        "filer_name": "Lê Thị C",
        "respondent": "Giám đốc bệnh viện",
        "complexity": "normal",
    }
    data.update(fields)
    return data


def test_a_unit_officer_registers_a_complaint_and_sees_its_legal_deadline(client, cast) -> None:
    client.force_login(cast.unit_x_officer)
    response = client.post(reverse("cases:case_create"), _form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.unit == cast.unit_x and case.ward == cast.unit_x.ward
    assert case.code == f"KN2026-{case.pk:06d}"
    # Received Monday 02/11/2026; thụ lý within 10 working days (Luật Khiếu nại Điều 27,
    # TT 07/2013): 03–06/11 (4), 09–13/11 (9), 16/11 (10).
    deadline = case.deadlines.get(stage=Stage.ACCEPTANCE)
    assert deadline.due_on == dt.date(2026, 11, 16)
    body = client.get(response["Location"], follow=True).content.decode()
    assert "16/11/2026" in body
    assert "Luật Khiếu nại 02/2011/QH13" in body and "Điều 27" in body
    assert f"Đã đăng ký vụ việc {case.code}" in body


def test_register_form_refuses_bad_input_with_messages_in_vietnamese(client, cast) -> None:
    client.force_login(cast.department)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("cases:case_create"),
        _form(subject="", received_on=future, kind="denunciation", filer_name="Tên thật"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hãy ghi trích yếu vụ việc." in body
    assert "Ngày này không được sau ngày hôm nay." in body
    assert "Tố cáo phải có họ tên người tố cáo" in body
    assert "Hãy chọn đơn vị, hoặc xã, phường" in body
    assert not Case.objects.exists()


def test_a_denunciation_shows_only_its_pseudonym_to_the_handler(client, cast) -> None:
    case = _denunciation(cast)
    client.force_login(cast.unit_x_officer)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert case.filer_label in body
    assert SECRET_NAME not in body and "0912345678" not in body
    assert "Xem thông tin người tố cáo" not in body  # no unsealing for a handler
    response = client.post(
        reverse("cases:case_unseal", args=[case.pk]), {"reason": "Cần xác minh thêm nội dung"}
    )
    assert response.status_code == 403


def test_the_unit_head_unseals_with_a_reason_and_it_is_audited(client, cast) -> None:
    case = _denunciation(cast)
    client.force_login(cast.unit_x_head)
    short = client.post(reverse("cases:case_unseal", args=[case.pk]), {"reason": "xem"})
    assert short.status_code == 200
    assert SECRET_NAME not in short.content.decode()
    response = client.post(
        reverse("cases:case_unseal", args=[case.pk]), {"reason": "Cần mời người tố cáo làm việc"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and SECRET_NAME in body
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.reason == "Cần mời người tố cáo làm việc" and entry.actor == cast.unit_x_head


def test_the_signed_petition_is_stored_encrypted_and_read_only_by_unsealing(
    client, cast, media
) -> None:
    from antq.tips.attachments import CleanFile

    petition = CleanFile(
        name="don-to-cao.pdf", data=PDF, content_type="application/pdf", extension="pdf"
    )
    case = _denunciation(cast, sealed=services.SealedInput(name=SECRET_NAME, petition=petition))
    stored = SealedIdentity.objects.get(case=case)
    assert PDF not in bytes(stored.petition_enc)
    assert not any(media.rglob("*.pdf"))  # never in the media folder
    client.force_login(cast.leader)
    response = client.post(
        reverse("cases:case_unseal", args=[case.pk]),
        {"reason": "Đối chiếu chữ ký trên đơn gốc", "petition": "1"},
    )
    assert response.status_code == 200 and response.content == PDF
    assert "attachment" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 1


def test_a_case_moves_to_its_conclusion_through_the_page(client, cast) -> None:
    case = _complaint(cast, received_on=dt.date(2026, 9, 1))
    client.force_login(cast.unit_x_officer)
    url = reverse("cases:case_transition", args=[case.pk])
    steps = [
        {"to": "initial", "on": "2026-09-03"},
        {"to": "accepted", "on": "2026-09-08"},
        {"to": "verifying", "on": "2026-09-09"},
        {"to": "concluded", "on": "2026-10-01", "conclusion": "Khiếu nại đúng một phần."},
    ]
    for step in steps:
        response = client.post(url, step)
        assert response.status_code == 302, response.content.decode()[:500]
    case.refresh_from_db()
    assert case.status == CaseStatus.CONCLUDED
    assert case.concluded_on == dt.date(2026, 10, 1)
    resolution = case.deadlines.get(stage=Stage.RESOLUTION)
    # Thụ lý 08/09/2026, 30 days (Luật Khiếu nại Điều 28) → 08/10/2026; met on 01/10.
    assert resolution.due_on == dt.date(2026, 10, 8) and resolution.met_on == dt.date(2026, 10, 1)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Khiếu nại đúng một phần." in body and "Xong ngày 01/10/2026" in body


def test_a_refused_move_says_why_and_changes_nothing(client, cast) -> None:
    case = _complaint(cast)
    client.force_login(cast.department)
    response = client.post(reverse("cases:case_transition", args=[case.pk]), {"to": "closed"})
    assert response.status_code == 200
    assert "Bước này không được phép" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


def test_scoping_of_the_register_and_the_case_page(client, cast) -> None:
    mine = _complaint(cast)
    other = _complaint(cast, unit=cast.unit_y, subject="Khiếu nại ở đơn vị Y")
    client.force_login(cast.unit_x_officer)
    body = client.get(reverse("cases:case_list")).content.decode()
    assert mine.code in body and other.code not in body
    assert client.get(reverse("cases:case_detail", args=[other.pk])).status_code == 404
    client.force_login(cast.ward_b_officer)
    assert client.get(reverse("cases:case_detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("cases:case_detail", args=[other.pk])).status_code == 200
    client.force_login(cast.leader)
    assert client.get(reverse("cases:case_detail", args=[mine.pk])).status_code == 200
    response = client.post(reverse("cases:case_transition", args=[mine.pk]), {"to": "initial"})
    assert response.status_code == 403
    assert client.get(reverse("cases:case_create")).status_code == 403


def test_list_filters(client, cast) -> None:
    old = _complaint(cast, received_on=dt.date(2025, 6, 2), subject="Khiếu nại năm trước")
    new = _denunciation(cast)
    client.force_login(cast.department)
    body = client.get(reverse("cases:case_list"), {"kind": "denunciation"}).content.decode()
    assert new.code in body and old.code not in body
    body = client.get(reverse("cases:case_list"), {"year": "2025"}).content.decode()
    assert old.code in body and new.code not in body
    body = client.get(reverse("cases:case_list"), {"status": "overdue"}).content.decode()
    assert old.code in body  # its acceptance deadline passed in June 2025
    body = client.get(reverse("cases:case_list"), {"q": "không có gì như vậy"}).content.decode()
    assert "Không có vụ việc nào phù hợp" in body


def test_a_case_is_created_from_a_tip(client, cast) -> None:
    tip = make_tip(
        ward=cast.ward_a, category="ma-tuy", text="Có người tố cáo cán bộ phường nhận tiền"
    )
    client.force_login(cast.ward_a_officer)
    page = client.get(reverse("cases:case_create"), {"tip": tip.pk}).content.decode()
    assert "Có người tố cáo cán bộ phường nhận tiền" in page and tip.code in page
    response = client.post(
        reverse("cases:case_create"),
        _form(tip=str(tip.pk), channel="tip", ward=str(cast.ward_a.pk), filer_name=""),
    )
    assert response.status_code == 302
    assert Case.objects.get().tip == tip
    client.force_login(cast.ward_b_officer)  # a tip he cannot see
    assert client.get(reverse("cases:case_create"), {"tip": tip.pk}).status_code == 404


def test_files_are_added_to_the_case_file_and_served_to_those_who_see_it(
    client, cast, media
) -> None:
    case = _complaint(cast)
    client.force_login(cast.unit_x_officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("cases:case_add_files", args=[case.pk]), {"attachments": upload})
    assert response.status_code == 302, response.content.decode()[:300]
    attachment = CaseAttachment.objects.get(case=case)
    url = reverse("cases:attachment_download", args=[case.pk, attachment.token])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(cast.unit_y_officer)
    assert client.get(url).status_code == 404


def test_editing_the_complexity_moves_the_deadline(client, cast) -> None:
    case = _complaint(cast, received_on=dt.date(2026, 9, 1))
    services.case_transition(case=case, to="initial", actor=cast.department, on=dt.date(2026, 9, 3))
    case = services.case_transition(
        case=case, to="accepted", actor=cast.department, on=dt.date(2026, 9, 8)
    )
    assert case.deadlines.get(stage=Stage.RESOLUTION).due_on == dt.date(2026, 10, 8)
    client.force_login(cast.unit_x_officer)
    response = client.post(
        reverse("cases:case_edit", args=[case.pk]),
        {
            "subject": case.subject,
            "content": case.content,
            "filer_name": case.filer_name,
            "respondent": "",
            "complexity": "complex",
            "reason": "Nhiều người liên quan",
        },
    )
    assert response.status_code == 302
    # Complex: 45 days from 08/09/2026 → 23/10/2026 (Luật Khiếu nại Điều 28).
    assert case.deadlines.get(stage=Stage.RESOLUTION).due_on == dt.date(2026, 10, 23)


def test_the_department_picks_the_unit_by_ward_and_name(client, cast) -> None:
    client.force_login(cast.department)
    options = client.get(
        reverse("cases:unit_options"), {"ward": cast.ward_b.pk, "unit_q": cast.unit_y.name[:6]}
    ).content.decode()
    assert cast.unit_y.name in options and cast.unit_x.name not in options
    response = client.post(
        reverse("cases:case_create"),
        _form(ward=str(cast.ward_b.pk), unit=str(cast.unit_y.pk)),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.unit == cast.unit_y and case.ward == cast.ward_b


def test_a_ward_officer_cannot_register_for_a_unit_outside_his_wards(client, cast) -> None:
    client.force_login(cast.ward_a_officer)
    options = client.get(reverse("cases:unit_options"), {"ward": cast.ward_b.pk}).content.decode()
    assert cast.unit_y.name not in options
    response = client.post(
        reverse("cases:case_create"), _form(ward=str(cast.ward_a.pk), unit=str(cast.unit_y.pk))
    )
    assert response.status_code == 200
    assert "Đơn vị này không có trong địa bàn của bạn." in response.content.decode()
    assert not Case.objects.exists()


def test_the_unit_search_works_without_scripts(client, cast) -> None:
    client.force_login(cast.department)
    response = client.post(
        reverse("cases:case_create"),
        {"ward": str(cast.ward_a.pk), "unit_q": cast.unit_x.name[:8], "action": "find_unit"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and cast.unit_x.name in body
    assert "Hãy ghi trích yếu" not in body and not Case.objects.exists()
