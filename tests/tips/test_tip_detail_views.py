"""The tip page (facts, routing, dialogue, notes, timeline, duplicates) and private files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from antq.tips import services
from antq.tips.attachments import CleanFile
from antq.tips.models import Tip, TipAttachment
from antq.tips.status import TipStatus
from tests.factories import make_tip

PDF = b"%PDF-1.4 bien ban"


def _url(tip: Tip) -> str:
    return reverse("tips:tip_detail", args=[tip.pk])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_page_shows_the_facts_the_deadline_and_its_legal_basis(client, cast) -> None:
    tip = make_tip(
        ward=cast.ward_a,
        category="ma-tuy",
        text="Có người bán ma túy\nở ngõ 12",
        place="Ngõ 12 Hàng Bạc",
        occurred_at=timezone.make_aware(dt.datetime(2026, 3, 4, 22, 30)),
    )
    client.force_login(cast.ward_a_officer)
    body = client.get(_url(tip)).content.decode()
    deadline = f"{tip.deadline:%d/%m/%Y}"
    for text in (
        f"Tin báo {tip.code}",
        "Có người bán ma túy<br>ở ngõ 12",
        "Ngõ 12 Hàng Bạc",
        "04/03/2026 22:30",
        "Ma túy",
        deadline,
        "còn 20 ngày",
        "Bộ luật Tố tụng hình sự 2015, Điều 147",
        "Phường Hoàn Kiếm",
        "Ẩn danh",
    ):
        assert text in body, text


def test_the_page_shows_the_routing_to_a_unit(client, cast) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    client.force_login(cast.unit_x_officer)
    response = client.get(_url(tip))
    body = response.content.decode()
    assert response.status_code == 200
    assert cast.unit_x.name in body
    assert "cán bộ phụ trách ANTT của đơn vị theo dõi tin này" in body


def test_the_page_never_shows_who_the_tipster_is(client, cast) -> None:
    tip = make_tip(
        ward=cast.ward_a, anonymous=False, reporter_name="Đỗ Văn Hùng", reporter_phone="0912345678"
    )
    client.force_login(cast.department)
    body = client.get(_url(tip)).content.decode()
    for secret in ("Đỗ Văn Hùng", "0912345678", "+84912345678", "0912 345 678"):
        assert secret not in body
    assert "Xem thông tin người báo tin" in body


def test_another_wards_tip_does_not_exist_for_an_officer(client, cast) -> None:
    tip = make_tip(ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    assert client.get(_url(tip)).status_code == 404
    assert client.get("/tin-bao/999999/").status_code == 404


def test_the_leader_reads_the_tip_without_any_action_form(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a, anonymous=False, reporter_name="Lê C")
    services.tip_note_add(tip=tip, body="Đã cử tổ công tác", actor=cast.department)
    client.force_login(cast.leader)
    response = client.get(_url(tip))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đã cử tổ công tác" in body
    for action in ("tip_assign", "tip_transition", "tip_message", "tip_note", "tip_merge"):
        assert reverse(f"tips:{action}", args=[tip.pk]) not in body, action
    assert reverse("tips:tip_identity", args=[tip.pk]) not in body
    assert reverse("tips:tip_edit", args=[tip.pk]) not in body


def test_the_units_officer_may_add_notes_but_not_handle(client, cast) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x)
    client.force_login(cast.unit_x_officer)
    body = client.get(_url(tip)).content.decode()
    assert reverse("tips:tip_note", args=[tip.pk]) in body
    assert reverse("tips:tip_message", args=[tip.pk]) not in body
    assert reverse("tips:tip_assign", args=[tip.pk]) not in body


def test_a_handler_gets_every_action_form(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    response = client.get(_url(tip))
    body = response.content.decode()
    for action in ("tip_assign", "tip_transition", "tip_message", "tip_note", "tip_merge"):
        assert reverse(f"tips:{action}", args=[tip.pk]) in body, action
    assert "Nhận xử lý" in body
    # Only the statuses that may follow "mới", and "trùng" only through merging.
    choices = [c[0] for c in response.context["transition_form"].fields["status"].choices]
    assert choices == ["received", "verifying", "transferred", "unfounded", "spam"]
    # Officers offered: the department and the police of the tip's ward.
    offered = set(response.context["assign_form"].fields["assignee"].queryset)
    assert offered == {cast.department, cast.ward_a_officer}


def test_the_dialogue_shows_both_sides_and_the_unread_ones(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_message_post(tip=tip, body="Tối nay họ lại đến")
    services.tip_message_post(tip=tip, body="Cảm ơn, chúng tôi sẽ xác minh", actor=cast.department)
    client.force_login(cast.ward_a_officer)
    response = client.get(_url(tip))
    body = response.content.decode()
    assert body.index("Tối nay họ lại đến") < body.index("Cảm ơn, chúng tôi sẽ xác minh")
    assert response.context["unread"] == 1
    assert cast.department.get_full_name() in body


def test_opening_the_page_does_not_mark_the_tipsters_messages_read(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_message_post(tip=tip, body="Tôi bổ sung")
    client.force_login(cast.leader)
    client.get(_url(tip))
    assert tip.messages.get().read_at is None


def test_internal_notes_are_marked_as_unseen_by_the_tipster(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_note_add(tip=tip, body="Nguồn tin đáng tin cậy", actor=cast.ward_a_officer)
    client.force_login(cast.ward_a_officer)
    body = client.get(_url(tip)).content.decode()
    assert "Nội bộ — người báo tin không thấy" in body
    assert "Nguồn tin đáng tin cậy" in body


def test_the_timeline_tells_what_happened_in_words(client, cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    services.tip_assign(tip=tip, assignee=cast.ward_a_officer, actor=cast.department)
    services.tip_transition(tip=tip, to=TipStatus.VERIFYING, actor=cast.ward_a_officer)
    services.tip_message_post(tip=tip, body="Bổ sung")
    services.tip_transition(
        tip=tip, to=TipStatus.HANDLED, actor=cast.ward_a_officer, reason="Đã xử phạt"
    )
    client.force_login(cast.ward_a_officer)
    response = client.get(_url(tip))
    history = response.context["history"]
    assert [e.action for e in history] == [
        "receive",
        "assign",
        "transition",
        "message",
        "transition",
    ]
    body = response.content.decode()
    section = body[body.index('id="dien-bien"') :]
    for text in (
        "Tiếp nhận tin báo",
        "Người báo tin gửi tin nhắn",
        "<del>Đã tiếp nhận</del> → <ins>Đang xác minh</ins>",
        "<del>Đang xác minh</del> → <ins>Đã xử lý</ins>",
        "Lý do: Đã xử phạt",
        cast.department.get_full_name(),
    ):
        assert text in section, text


def test_likely_duplicates_are_shown_with_a_merge_button(client, cast) -> None:
    text = "Cháy lớn ở kho hàng cuối ngõ 48 phố Hàng Bạc, khói bốc cao"
    older = make_tip(ward=cast.ward_a, text=text)
    tip = make_tip(ward=cast.ward_a, text="chay lon o kho hang cuoi ngo 48 pho hang bac")
    make_tip(ward=cast.ward_a, text="Trộm xe máy trước cổng chợ")
    client.force_login(cast.ward_a_officer)
    response = client.get(_url(tip))
    assert [d.tip for d in response.context["duplicates"]] == [older]
    body = response.content.decode()
    assert f"Gộp tin này vào {older.code}" in body
    # On the older tip, the newer one is offered to be merged into it.
    body = client.get(_url(older)).content.decode()
    assert f"Gộp {tip.code} vào tin này" in body
    assert reverse("tips:tip_merge", args=[tip.pk]) in body


def test_a_closed_tip_shows_no_duplicates(client, cast) -> None:
    text = "Cháy lớn ở kho hàng cuối ngõ 48 phố Hàng Bạc"
    make_tip(ward=cast.ward_a, text=text)
    tip = make_tip(ward=cast.ward_a, text=text)
    services.tip_transition(tip=tip, to=TipStatus.SPAM, actor=cast.department, reason="x")
    client.force_login(cast.ward_a_officer)
    assert client.get(_url(tip)).context["duplicates"] == []


def test_the_main_tip_lists_its_merged_duplicates_and_their_files(client, cast, media) -> None:
    main = make_tip(ward=cast.ward_a)
    dup = make_tip(
        ward=cast.ward_a,
        attachments=[CleanFile("anh-hien-truong.pdf", "application/pdf", ".pdf", PDF)],
    )
    services.tip_merge(duplicate=dup, into=main, actor=cast.department)
    client.force_login(cast.ward_a_officer)
    body = client.get(_url(main)).content.decode()
    assert dup.code in body and "anh-hien-truong.pdf" in body
    assert f"từ tin trùng {dup.code}" in body
    body = client.get(_url(Tip.objects.get(pk=dup.pk))).content.decode()
    assert f'href="{_url(main)}"' in body


# -- private files ------------------------------------------------------------------------


def _attachment(cast, name: str = "biên bản.pdf", **fields) -> TipAttachment:
    tip = make_tip(
        attachments=[CleanFile(name, "application/pdf", ".pdf", PDF)],
        **({"ward": cast.ward_a} | fields),
    )
    return TipAttachment.objects.get(tip=tip)


def test_a_file_is_downloaded_as_an_attachment_that_cannot_run(client, cast, media) -> None:
    attachment = _attachment(cast)
    client.force_login(cast.ward_a_officer)
    response = client.get(reverse("tips:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "bi%C3%AAn%20b%E1%BA%A3n.pdf" in response["Content-Disposition"]


def test_a_file_name_cannot_smuggle_a_path_or_an_extension(client, cast, media) -> None:
    attachment = _attachment(cast, name='..\\..\\etc/"pass\nwd".html')
    client.force_login(cast.ward_a_officer)
    response = client.get(reverse("tips:attachment_download", args=[attachment.pk]))
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="\\"passwd\\".pdf"'


def test_a_file_of_another_wards_tip_does_not_exist(client, cast, media) -> None:
    attachment = _attachment(cast, ward=cast.ward_b)
    client.force_login(cast.ward_a_officer)
    response = client.get(reverse("tips:attachment_download", args=[attachment.pk]))
    assert response.status_code == 404


def test_the_units_officer_downloads_the_files_of_a_tip_routed_to_him(client, cast, media) -> None:
    routed = _attachment(cast, category="bao-luc-hoc-duong", unit=cast.unit_x)
    not_routed = _attachment(cast, category="trom-cap", unit=cast.unit_x)
    client.force_login(cast.unit_x_officer)
    assert client.get(reverse("tips:attachment_download", args=[routed.pk])).status_code == 200
    url = reverse("tips:attachment_download", args=[not_routed.pk])
    assert client.get(url).status_code == 404


def test_a_file_missing_on_disk_is_a_404(client, cast, media) -> None:
    attachment = _attachment(cast)
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(cast.department)
    response = client.get(reverse("tips:attachment_download", args=[attachment.pk]))
    assert response.status_code == 404
