"""Diacritics restored where users meet them: an SMS tip typed without them shows its
restored text beside the original; "Thêm dấu" on the operator's form and the messages; the
restored words in search (antq/tips/restoration.py)."""

from __future__ import annotations

import logging
import re
from html import unescape
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from antq.core.models import AuditEntry
from antq.textvn import diacritics
from antq.textvn.diacritics import RestoredWord
from antq.textvn.search import marked_hits, marked_words
from antq.tips import restoration
from antq.tips.models import Tip, TipMessage
from antq.tips.search import reindex_all, search_document, tip_search
from antq.tips.services import tip_message_post
from tests.conftest import Cast
from tests.factories import make_tip
from tests.tips.test_operator_form import call
from tests.tips.test_sms_webhook import post_sms, sms

TEXT = "co nguoi ban ma tuy o ngo 12 phuong hoan kiem"
RESTORED = "có người bán ma túy ở ngõ 12 phường hoàn kiếm"
LABEL = "Thêm dấu tự động — có thể chưa đúng, đối chiếu với bản gốc"
RESTORE_URL = "/tin-bao/them-dau/"
OPERATOR_URL = "/tin-bao/goi-den/"


@pytest.fixture(autouse=True)
def _gateway_secret(settings: Any) -> None:
    settings.ANTQ_SMS_WEBHOOK_SECRET = "bi-mat-cong-sms-thu-nghiem"


@pytest.fixture
def fixed_restorer(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A restorer that knows the texts of the test by heart: wiring tests do not depend on
    the model's choices. Returns the table, to add texts to."""
    table = {TEXT: RESTORED}
    monkeypatch.setattr(diacritics, "restore_diacritics", lambda text: table.get(text, text))
    return table


def page_text(response: Any) -> str:
    """The visible text of a page, tags dropped and spaces squashed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# -- the journey --------------------------------------------------------------------


def test_an_sms_without_diacritics_shows_the_officer_its_restored_text_beside_it(
    client: Client, cast: Cast
) -> None:
    response = post_sms(client, sms(text=TEXT))
    assert response.status_code == 201
    tip = Tip.objects.get()
    assert (tip.text, tip.text_restored) == (TEXT, RESTORED)
    client.force_login(cast.ward_a_officer)
    page = client.get(reverse("tips:tip_detail", args=[tip.pk]))
    html = page.content.decode()
    assert f'<div class="tip-text" data-testid="tip-text">{TEXT}</div>' in html
    assert f'data-testid="tip-text-restored">{RESTORED}</div>' in html
    assert LABEL in page_text(page)
    # Side by side, the original first.
    assert html.index(TEXT) < html.index(RESTORED)


def test_the_restored_text_is_kept_beside_the_original_and_shown_marked(
    client: Client, cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    post_sms(client, sms(text=TEXT))
    tip = Tip.objects.get()
    assert (tip.text, tip.text_restored) == (TEXT, RESTORED)
    client.force_login(cast.department)
    text = page_text(client.get(reverse("tips:tip_detail", args=[tip.pk])))
    assert f"Nguyên văn như khi nhận {TEXT} {LABEL} {RESTORED}" in text


def test_a_text_typed_with_its_diacritics_is_not_restored(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(text: str) -> str:
        raise AssertionError("a marked text must not be restored")

    monkeypatch.setattr(diacritics, "restore_diacritics", never)
    post_sms(client, sms(text="Có người bán ma túy ở ngõ 12 phường Hoàn Kiếm"))
    tip = Tip.objects.get()
    assert tip.text_restored == ""
    client.force_login(cast.department)
    assert LABEL not in page_text(client.get(reverse("tips:tip_detail", args=[tip.pk])))


def test_a_failing_restorer_never_loses_the_tip(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> str:
        raise MemoryError("the model could not be loaded")

    monkeypatch.setattr(diacritics, "restore_diacritics", broken)
    with caplog.at_level(logging.ERROR, logger="antq.tips.restoration"):
        response = post_sms(client, sms(text=TEXT))
    assert response.status_code == 201
    tip = Tip.objects.get()
    assert response.json() == {"code": tip.code, "created": True}
    assert (tip.text, tip.text_restored) == (TEXT, "")
    assert [r.message for r in caplog.records] == ["diacritic restoration failed"]


def test_without_a_model_the_tip_is_stored_as_received(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diacritics, "model_available", lambda: False)
    post_sms(client, sms(text=TEXT))
    assert Tip.objects.get().text_restored == ""


def test_a_web_tip_typed_without_diacritics_is_restored_too(
    cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    tip = make_tip(text=TEXT, channel="web")
    assert (tip.text, tip.text_restored) == (TEXT, RESTORED)


def test_the_api_gives_the_restored_text_read_only(
    client: Client, cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    post_sms(client, sms(text=TEXT))
    tip = Tip.objects.get()
    client.force_login(cast.ward_a_officer)
    item = client.get(f"/api/v1/tips/{tip.pk}").json()
    assert (item["text"], item["text_restored"]) == (TEXT, RESTORED)


# -- "Thêm dấu" on the operator's form --------------------------------------------------------


def _alternatives(monkeypatch: pytest.MonkeyPatch) -> None:
    """restore_alternatives for TEXT: sure of every word but "ngo" (ngõ 55%, ngô 30%...)."""

    def alternatives(text: str, limit: int = 4) -> list[RestoredWord]:
        assert text == TEXT
        found = []
        for match in re.finditer(r"[a-z]+", text):
            original = match.group()
            restored = RESTORED[match.start() : match.end()]
            choices: tuple[tuple[str, float], ...] = ((restored, 0.97), (original, 0.03))
            if original == "ngo":
                choices = (("ngõ", 0.55), ("ngô", 0.3), ("ngờ", 0.1), ("ngộ", 0.05))
            found.append(RestoredWord(match.start(), match.end(), original, restored, choices))
        return found

    monkeypatch.setattr(diacritics, "restore_alternatives", alternatives)
    monkeypatch.setattr(diacritics, "model_available", lambda: True)


def test_the_action_gives_the_restored_text_and_the_words_to_check(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _alternatives(monkeypatch)
    client.force_login(cast.ward_a_officer)
    response = client.post(RESTORE_URL, {"text": TEXT})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert f'data-restored="{RESTORED}"' in html
    assert f'data-typed="{TEXT}"' in html
    assert '<u class="restore-doubt">ngõ</u>' in html  # the one word under 90%
    assert html.count('class="restore-doubt"') == 1
    text = page_text(response)
    assert LABEL in text
    assert "ngõ (55%) — hoặc ngô (30%), ngờ (10%), ngộ (5%)" in text
    assert "Hoàn tác" in text
    assert Tip.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_the_action_restores_with_the_real_model(client: Client, cast: Cast) -> None:
    client.force_login(cast.department)
    response = client.post(RESTORE_URL, {"text": "Co nguoi ban ma tuy"})
    assert response.status_code == 200
    assert 'data-restored="Có người bán ma túy"' in response.content.decode()


def test_a_text_without_anything_to_restore_says_so(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diacritics, "restore_alternatives", lambda text, limit=4: [])
    monkeypatch.setattr(diacritics, "model_available", lambda: True)
    client.force_login(cast.department)
    response = client.post(RESTORE_URL, {"text": "Có người bán ma túy"})
    assert response.status_code == 200
    assert "data-restored" not in response.content.decode()
    assert "Không có từ nào cần thêm dấu." in page_text(response)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a" * 5001, "Nội dung dài quá 5.000 ký tự, không thêm dấu được."),
        ("   ", "Chưa có nội dung để thêm dấu."),
        ("", "Chưa có nội dung để thêm dấu."),
    ],
)
def test_the_action_refuses_a_text_too_long_or_empty_in_vietnamese(
    client: Client, cast: Cast, text: str, message: str
) -> None:
    client.force_login(cast.department)
    response = client.post(RESTORE_URL, {"text": text})
    assert response.status_code == 400
    assert '<p class="msg msg-error" role="alert">' + message + "</p>" in response.content.decode()


def test_the_action_apologises_when_no_model_is_installed(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diacritics, "model_available", lambda: False)
    client.force_login(cast.department)
    response = client.post(RESTORE_URL, {"text": TEXT})
    assert response.status_code == 200
    assert "Chưa thêm dấu được lúc này; hãy kiểm tra và tự thêm dấu." in page_text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("department", 200),
        ("ward_b_officer", 200),
        ("leader", 403),
        ("unit_x_officer", 403),
        ("unit_x_head", 403),
    ],
)
def test_the_action_is_for_those_who_take_calls(
    client: Client, cast: Cast, fixed_restorer: dict[str, str], role: str, status: int
) -> None:
    client.force_login(cast.by_name(role))
    assert client.post(RESTORE_URL, {"text": TEXT}).status_code == status


def test_the_action_needs_a_login_a_post_and_the_csrf_token(cast: Cast) -> None:
    anonymous = Client()
    response = anonymous.post(RESTORE_URL, {"text": TEXT})
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(cast.department)
    assert staff.get(RESTORE_URL).status_code == 405
    refused = staff.post(RESTORE_URL, {"text": TEXT})
    assert refused.status_code == 403
    assert "data-restored" not in refused.content.decode()


def test_the_operator_form_has_the_action_under_the_text(client: Client, cast: Cast) -> None:
    client.force_login(cast.ward_a_officer)
    html = client.get(OPERATOR_URL).content.decode()
    box = re.search(r'<div class="field field-wide restore" data-restore [^>]*>', html)
    assert box is not None
    assert f'data-restore-url="{RESTORE_URL}"' in box.group()
    assert 'data-restore-for="id_text"' in box.group()
    assert " hidden" not in box.group()  # works without JavaScript: a submit button
    assert html.index('name="text"') < html.index('name="restore"') < html.index('name="ward"')
    # Enter in a field saves: the first submit button of the form is a (hidden) save.
    first = re.search(r"<button [^>]*>", html[html.index("data-operator-form") :])
    assert first is not None and 'class="default-submit"' in first.group()


def _operator_post(client: Client, **fields: Any) -> Any:
    """The operator's form posted with the test's text (see test_operator_form.call)."""
    return call(client, **{"text": TEXT, **fields})


def test_without_javascript_the_form_comes_back_restored_and_nothing_is_saved(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _alternatives(monkeypatch)
    client.force_login(cast.department)
    response = _operator_post(client, restore="1", nonce="nonce-cua-cuoc-goi-0001")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<textarea name="text"[^>]*>\n?{RESTORED}</textarea>', html)
    assert 'value="Cuối ngõ 12 phố Hàng Bạc"' in html
    assert 'value="nonce-cua-cuoc-goi-0001"' in html
    assert f'<input type="hidden" name="typed" value="{TEXT}">' in html
    assert "errorlist" not in html  # nothing was validated: not a failed save
    assert Tip.objects.count() == 0
    # "Hoàn tác" gives back what was typed.
    undone = _operator_post(client, restore_undo="1", text=RESTORED, typed=TEXT)
    assert re.search(rf'<textarea name="text"[^>]*>\n?{TEXT}</textarea>', undone.content.decode())
    assert Tip.objects.count() == 0
    # Saving keeps the restored text the operator accepted, and it needs no restoring.
    saved = _operator_post(client, text=RESTORED, typed=TEXT)
    assert saved.status_code == 200 and "Đã ghi nhận tin báo" in saved.content.decode()
    tip = Tip.objects.get()
    assert (tip.text, tip.text_restored) == (RESTORED, "")


def test_without_javascript_a_too_long_text_is_refused_in_vietnamese(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.department)
    response = _operator_post(client, restore="1", text="ban " * 1300)
    assert "Nội dung dài quá 5.000 ký tự, không thêm dấu được." in page_text(response)
    assert Tip.objects.count() == 0


# -- messages ------------------------------------------------------------------------------

MESSAGE = "toi thay ho ban hang o cuoi ngo moi toi"
MESSAGE_RESTORED = "tôi thấy họ bán hàng ở cuối ngõ mỗi tối"


def test_a_message_without_diacritics_has_a_thêm_dấu_toggle_and_stays_as_written(
    client: Client, cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    fixed_restorer[MESSAGE] = MESSAGE_RESTORED
    tip = make_tip(ward=cast.ward_a)
    tip_message_post(tip=tip, body=MESSAGE)
    tip_message_post(tip=tip, body="Cảm ơn anh, chúng tôi sẽ kiểm tra.", actor=cast.ward_a_officer)
    client.force_login(cast.ward_a_officer)
    html = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    toggles = re.findall(r'<details class="restore-toggle">.*?</details>', html, re.S)
    assert len(toggles) == 1  # the officer's marked message has none
    assert "<summary>Thêm dấu</summary>" in toggles[0]
    assert f'<div class="restored-text" lang="vi">{MESSAGE_RESTORED}</div>' in toggles[0]
    assert LABEL in toggles[0]
    assert TipMessage.objects.filter(body=MESSAGE).count() == 1


def test_the_message_form_offers_thêm_dấu_with_javascript_only(client: Client, cast: Cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    html = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    box = re.search(r'<div class="field field-wide restore" data-restore [^>]*>', html)
    assert box is not None and box.group().endswith(" hidden>")
    assert 'src="/static/antq/tip-restore.js"' in html
    # A leader reads the tip and writes nothing: no form, no action.
    client.force_login(cast.leader)
    html = client.get(reverse("tips:tip_detail", args=[tip.pk])).content.decode()
    assert "data-restore" not in html and "tip-restore.js" not in html


# -- search --------------------------------------------------------------------------------


def test_the_marked_words_of_a_query_and_their_exact_hits() -> None:
    assert marked_words("bán ma tuy Hoà") == {"bán", "hòa"}
    assert marked_words("ban ma tuy") == frozenset()
    assert marked_hits("Có người BÁN ma túy", frozenset({"bán"})) == 1
    assert marked_hits("bạn bè rủ nhau", frozenset({"bán"})) == 0
    assert marked_hits("phường Thanh Xuân, hoà bình", frozenset({"hòa", "bán"})) == 1


def test_the_restored_words_are_indexed_once(cast: Cast, fixed_restorer: dict[str, str]) -> None:
    tip = make_tip(text=TEXT, channel="sms", ward=cast.ward_a)
    document = search_document(tip)
    assert document == tip.search_text
    assert document.split().count("ban") == 1  # not counted twice in the ranking
    assert "tuy" in document.split()


def test_a_query_with_diacritics_ranks_the_exact_restored_word_first(
    cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    selling = make_tip(text=TEXT, channel="sms", ward=cast.ward_a)
    # "ban" twice in a shorter text: ahead on the folded words alone.
    friend = make_tip(text="Bạn tôi bảo bạn ấy bị mất xe", ward=cast.ward_a)
    tips = Tip.objects.all()
    assert list(tip_search(tips, "ban")) == [friend, selling]
    assert list(tip_search(tips, "bạn")) == [friend, selling]
    assert list(tip_search(tips, "bán")) == [selling, friend]
    assert list(tip_search(tips, "người bán")) == [selling]


def test_the_inbox_search_shows_the_restored_extract_too(
    client: Client, cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    make_tip(text=TEXT, channel="sms", ward=cast.ward_a)
    client.force_login(cast.ward_a_officer)
    html = client.get(reverse("tips:tip_list"), {"q": "ma túy"}).content.decode()
    assert '<div class="small snippet">co nguoi ban <mark>ma</mark> <mark>tuy</mark>' in html
    assert "<mark>ma</mark> <mark>túy</mark> ở ngõ 12" in html
    assert f'title="{LABEL}">Thêm dấu tự động</span>' in html


def test_restoration_of_keeps_what_the_restorer_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    _alternatives(monkeypatch)
    result = restoration.restoration_of(TEXT)
    assert (result.typed, result.text, result.changed) == (TEXT, RESTORED, True)
    assert "".join(p.text for p in result.pieces) == RESTORED
    assert [(d.original, d.restored, d.percent) for d in result.doubts] == [("ngo", "ngõ", 55)]


def test_reindexing_with_restore_restores_the_tips_received_before(
    cast: Cast, fixed_restorer: dict[str, str]
) -> None:
    old = make_tip(text=TEXT, channel="sms", ward=cast.ward_a)
    marked = make_tip(text="Có người lạ đứng trước cổng", ward=cast.ward_a)
    Tip.objects.filter(pk=old.pk).update(text_restored="")
    assert reindex_all() == 0  # the search text alone is up to date
    out = StringIO()
    call_command("tips-reindex", "--restore", stdout=out)
    assert out.getvalue() == "Đã cập nhật nội dung tìm kiếm của 1 tin báo.\n"
    old.refresh_from_db()
    assert (old.text, old.text_restored) == (TEXT, RESTORED)
    assert Tip.objects.get(pk=marked.pk).text_restored == ""
