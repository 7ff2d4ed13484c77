"""Full-text search over tips (tips/search.py), on SQLite FTS5 and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import importlib
import sqlite3
import unicodedata
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antq.accounts.scoping import tips_for
from antq.textvn import index_text, search_terms, words
from antq.tips import search
from antq.tips.models import Tip, TipCategory
from antq.tips.search import (
    fts5_query,
    highlight,
    reindex_all,
    search_document,
    tip_search,
    tsquery,
)
from antq.tips.services import tip_transition, tip_update
from antq.tips.status import TipStatus
from tests.conftest import Cast
from tests.factories import make_tip

HOSTILE = [
    '"',
    '""',
    "'",
    "*",
    "lua*",
    ":*",
    "lừa:*",
    "a:",
    "search_text : lua",
    "ward_id:1",
    "AND",
    "lua AND",
    "OR NOT lua",
    "NEAR(lua dao)",
    "lua + dao",
    "^lua",
    "(lua",
    "lua)",
    "{search_text}: lua",
    "\\",
    "lua & | ! <-> dao",
    "'lua':* & !dao",
    "\x00lua",
    "lua\u200bđảo",
    "ﬁ ẞ ǅ İ",
    "a" * 3000,
    " ".join(["lua"] * 200),
]


def found(qs: QuerySet[Tip], query: str) -> list[Tip]:
    return list(tip_search(qs, query))


@pytest.fixture
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Force one of the ways tip_search answers (ranked or newest first; on PostgreSQL the
    row-by-row walk or the GIN index), whatever the size of the test database."""
    name = request.param
    settings_by_plan = {
        "ranked": {},
        "newest": {"RANK_LIMIT": 0},
        "ranked-index": {"PG_WALK_ROWS": 0, "PG_WALK_DENSITY": 2.0},
        "newest-index": {"RANK_LIMIT": 0, "PG_WALK_ROWS": 0, "PG_WALK_DENSITY": 2.0},
        "newest-walk": {"RANK_LIMIT": 0, "PG_WALK_ROWS": 0, "PG_WALK_DENSITY": 0.0},
    }
    for attribute, value in settings_by_plan[name].items():
        monkeypatch.setattr(search, attribute, value)
    yield name


PLANS = ["ranked", "newest", "ranked-index", "newest-index", "newest-walk"]


# --- The document ----------------------------------------------------------------------


def test_the_search_text_is_folded_and_carries_the_meaning_of_abbreviations(cast: Cast) -> None:
    tip = Tip(
        code="AB3CD-EF4GH",
        category=TipCategory.objects.get(code="lua-dao"),
        text="Ảnh hưởng ANTT, gọi 0912.345.678",
        place="Ngõ 5",
        ward=cast.ward_a,
        unit=cast.unit_x,
    )
    assert search_document(tip) == (
        "ab3cd ef4gh lua dao toi pham cong nghe cao anh huong antt an ninh trat tu goi 0912 345 "
        "678 ngo 5 phuong hoan kiem benh vien huu nghi viet duc 0912345678"
    )


def test_a_new_tip_is_found_by_its_code(cast: Cast) -> None:
    tip = make_tip(text="Có người lạ", ward=cast.ward_a)
    assert found(Tip.objects.all(), tip.code) == [tip]


# --- Matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "lua dao",
        "LỪA ĐẢO",
        "Lừa Đảo",
        unicodedata.normalize("NFD", "lừa đảo"),
        "dao lua",
        "lua da",
        "lua d",
        "lu",
        "  lua,  dao!  ",
    ],
)
def test_it_finds_a_tip_whatever_the_accents_case_and_order_of_the_words(
    cast: Cast, query: str
) -> None:
    tip = make_tip(text="Có đối tượng lừa đảo qua mạng", ward=cast.ward_a)
    make_tip(text="Mất trộm xe máy trước cửa nhà", ward=cast.ward_a)
    assert found(Tip.objects.all(), query) == [tip]


# The stray words start with letters no tip code contains (I, O, U: codes.CODE_ALPHABET),
# or they would find the tip by a prefix of its random code now and then.
@pytest.mark.parametrize("query", ["lua dao iou", "lua dao may", "luaa", "dao mang lua u"])
def test_every_word_must_match(cast: Cast, query: str) -> None:
    make_tip(text="Có đối tượng lừa đảo qua mạng", ward=cast.ward_a)
    assert found(Tip.objects.all(), query) == []


def test_it_finds_a_tip_by_its_code_place_and_ward(cast: Cast) -> None:
    tip = make_tip(text="Có người lạ", place="Ngõ Huyện", ward=cast.ward_a)
    assert found(Tip.objects.all(), tip.code) == [tip]
    assert found(Tip.objects.all(), tip.code.lower().replace("-", "")[:5]) == [tip]
    assert found(Tip.objects.all(), "ngo huyen") == [tip]
    assert found(Tip.objects.all(), "hoan kiem") == [tip]


def test_an_abbreviation_finds_its_meaning_and_the_meaning_its_abbreviation(cast: Cast) -> None:
    short = make_tip(text="Vụ việc ảnh hưởng ANTT khu phố", ward=cast.ward_a)
    long = make_tip(text="Gây mất an ninh, trật tự tại chợ", ward=cast.ward_a)
    make_tip(text="Mất trộm xe máy", ward=cast.ward_a)
    assert set(found(Tip.objects.all(), "ANTT")) == {short, long}
    assert set(found(Tip.objects.all(), "antt")) == {short, long}
    assert set(found(Tip.objects.all(), "an ninh trat tu")) == {short, long}


def test_a_phone_number_is_found_however_it_is_written(cast: Cast) -> None:
    tip = make_tip(text="Đối tượng gọi từ số 0912.345.678 xưng là công an", ward=cast.ward_a)
    for query in ["0912345678", "+84 912 345 678", "0912 345 678", "84912345678", "0912.345"]:
        assert found(Tip.objects.all(), query) == [tip], query


def test_it_searches_only_the_tips_the_user_may_see(cast: Cast) -> None:
    mine = make_tip(text="Trộm cắp tài sản tại chợ", ward=cast.ward_a)
    make_tip(text="Trộm cắp tài sản tại chợ", ward=cast.ward_b)
    assert found(tips_for(cast.ward_a_officer), "trom cap cho") == [mine]


def test_a_unit_officer_finds_only_the_tips_about_his_unit(cast: Cast) -> None:
    about_x = make_tip(
        category="bao-luc-hoc-duong", text="Học sinh bị đánh", ward=cast.ward_a, unit=cast.unit_x
    )
    make_tip(category="bao-luc-hoc-duong", text="Học sinh bị đánh", ward=cast.ward_a)
    make_tip(
        category="bao-luc-hoc-duong", text="Học sinh bị đánh", ward=cast.ward_b, unit=cast.unit_y
    )
    assert found(tips_for(cast.unit_x_officer), "hoc sinh") == [about_x]


# --- Order -----------------------------------------------------------------------------


def test_the_best_match_comes_first_then_the_newest(cast: Cast) -> None:
    best = make_tip(text="Lừa đảo qua mạng", ward=cast.ward_a)
    older_twin = make_tip(text="Lừa đảo chiếm đoạt tài sản", ward=cast.ward_a)
    newer_twin = make_tip(text="Lừa đảo chiếm đoạt tài sản", ward=cast.ward_a)
    weak = make_tip(
        text="Nghi có người đảo ngược lời khai, nói mình bị lừa nhưng không rõ sự việc xảy ra "
        "ở đâu, khi nào, với ai, và ai đã chứng kiến",
        ward=cast.ward_a,
    )
    assert found(Tip.objects.all(), "lua dao") == [best, newer_twin, older_twin, weak]


@pytest.mark.parametrize("plan", ["newest", "newest-index", "newest-walk"], indirect=True)
def test_a_broad_search_lists_the_newest_first(cast: Cast, plan: str) -> None:
    tips = [make_tip(text=f"Lừa đảo lần {n}", ward=cast.ward_a) for n in range(4)]
    assert found(Tip.objects.all(), "lua dao") == tips[::-1]
    assert found(tips_for(cast.ward_a_officer), "lua dao") == tips[::-1]


# --- Every plan gives the same answer --------------------------------------------------


def _scopes(cast: Cast) -> dict[str, QuerySet[Tip]]:
    since = timezone.now() - dt.timedelta(days=1)
    tips = Tip.objects.select_related("category", "ward", "assignee")
    return {
        "all": tips,
        "ward A officer": tips_for(cast.ward_a_officer),
        "ward A, new": tips.filter(ward_id=cast.ward_a.pk, status=TipStatus.NEW),
        "open statuses": tips.filter(status__in=[TipStatus.NEW, TipStatus.RECEIVED]),
        "received since yesterday": tips.filter(received_at__gte=since),
        "unit X officer": tips_for(cast.unit_x_officer),
        "not in ward B": tips.exclude(ward_id=cast.ward_b.pk),
        "nothing": tips.none(),
    }


@pytest.mark.parametrize("plan", PLANS, indirect=True)
def test_every_way_of_answering_finds_the_same_tips(cast: Cast, plan: str) -> None:
    a1 = make_tip(text="Lừa đảo qua mạng ở chợ", ward=cast.ward_a)
    a2 = make_tip(text="Chợ đêm có đối tượng lừa đảo", ward=cast.ward_a)
    b1 = make_tip(text="Lừa đảo tại chợ", ward=cast.ward_b)
    x1 = make_tip(
        category="bao-luc-hoc-duong",
        text="Lừa đảo học sinh ở cổng trường, gần chợ",
        ward=cast.ward_a,
        unit=cast.unit_x,
    )
    make_tip(text="Mất trộm xe máy ở chợ", ward=cast.ward_a)
    tip_transition(tip=a2, to=TipStatus.RECEIVED, actor=cast.ward_a_officer)
    expected = {
        "all": {a1, a2, b1, x1},
        "ward A officer": {a1, a2, x1},
        "ward A, new": {a1, x1},
        "open statuses": {a1, a2, b1, x1},
        "received since yesterday": {a1, a2, b1, x1},
        "unit X officer": {x1},
        "not in ward B": {a1, a2, x1},
        "nothing": set(),
    }
    for name, qs in _scopes(cast).items():
        result = found(qs, "lua dao cho")
        assert len(result) == len(set(result)), name
        assert set(result) == expected[name], name


# --- Queries that try to break it ------------------------------------------------------


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("plan", ["ranked", "newest"], indirect=True)
def test_no_query_raises(cast: Cast, plan: str, query: str) -> None:
    tip = make_tip(text="Lừa đảo qua mạng", ward=cast.ward_a)
    result = found(Tip.objects.all(), query)
    assert result in ([], [tip])
    tip_search(tips_for(cast.ward_a_officer), query).order_by()[:10001].count()


@pytest.mark.parametrize("query", ["", "   ", "?!…", '"*":()', "-- ;", "\u200b"])
def test_a_query_without_words_returns_the_queryset_unchanged(cast: Cast, query: str) -> None:
    qs = tips_for(cast.ward_a_officer)
    assert tip_search(qs, query) is qs


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40))
def test_no_generated_query_raises_on_the_database(cast: Cast, query: str) -> None:
    found(Tip.objects.all(), query)
    found(tips_for(cast.ward_a_officer), query)


def _fts5_table() -> sqlite3.Connection:
    """An in-memory FTS5 table defined like the real one, without the external content."""
    migration = importlib.import_module("antq.tips.migrations.0003_search_index")
    create = (
        migration.SQLITE_CREATE[0]
        .replace("content='tips_tip',", "")
        .replace("content_rowid='id',", "")
    )
    db = sqlite3.connect(":memory:")
    db.execute(create)
    return db


@settings(max_examples=200, deadline=None)
@given(document=st.text(max_size=80), query=st.text(max_size=40))
def test_the_fts5_query_is_always_valid_syntax(document: str, query: str) -> None:
    db = _fts5_table()
    db.execute(
        "INSERT INTO tips_tip_fts (rowid, search_text, ward_id) VALUES (1, ?, 7)",
        [index_text(document)],
    )
    terms = search_terms(query)
    if terms:
        for filters in ([], [("ward_id", ["7", "8"])], [("status", ["new"])]):
            db.execute(
                "SELECT rowid FROM tips_tip_fts WHERE tips_tip_fts MATCH ?",
                [fts5_query(terms, filters)],
            ).fetchall()


@settings(max_examples=200, deadline=None)
@given(document=st.text(max_size=80), data=st.data())
def test_fts5_finds_every_word_of_a_document(document: str, data: Any) -> None:
    present = words(document)
    if not present:
        return
    word = data.draw(st.sampled_from(present))
    db = _fts5_table()
    db.execute(
        "INSERT INTO tips_tip_fts (rowid, search_text) VALUES (1, ?)", [index_text(document)]
    )
    match = fts5_query(search_terms(word))
    rows = db.execute(
        "SELECT rowid FROM tips_tip_fts WHERE tips_tip_fts MATCH ?", [match]
    ).fetchall()
    assert rows == [(1,)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full text only")
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=st.text(max_size=80), query=st.text(max_size=40), data=st.data())
def test_the_tsquery_is_always_valid_and_finds_every_word(
    db: None, document: str, query: str, data: Any
) -> None:
    def matches(text: str, tsq: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_tsvector('simple'::regconfig, %s) @@ "
                "to_tsquery('simple'::regconfig, %s)",
                [text, tsq],
            )
            return bool(cursor.fetchone()[0])

    indexed = index_text(document).replace("\x00", "")
    if terms := search_terms(query):
        matches(indexed, tsquery(terms))
    latin = [w for w in words(document) if w.isascii()]
    if latin:
        word = data.draw(st.sampled_from(latin))
        assert matches(indexed, tsquery(search_terms(word)))


# --- The index follows the tips --------------------------------------------------------


def test_the_index_follows_updates_transitions_and_deletions(cast: Cast) -> None:
    tip = make_tip(text="Tụ tập đánh nhau", place="Phố Hàng Bạc", ward=cast.ward_a)
    actor = cast.ward_a_officer
    tip = tip_update(tip=tip, actor=actor, data={"place": "Phố Hàng Đào"})
    assert found(Tip.objects.all(), "hang dao") == [tip]
    assert found(Tip.objects.all(), "hang bac") == []

    new_only = Tip.objects.filter(status=TipStatus.NEW)
    assert found(new_only, "danh nhau") == [tip]
    tip_transition(tip=tip, to=TipStatus.RECEIVED, actor=actor)
    assert found(new_only, "danh nhau") == []
    assert found(Tip.objects.filter(status=TipStatus.RECEIVED), "danh nhau") == [tip]

    Tip.objects.filter(pk=tip.pk).delete()
    assert found(Tip.objects.all(), "danh nhau") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers only")
def test_it_puts_back_triggers_a_table_rebuild_dropped(cast: Cast) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER tips_tip_fts_insert")
    unseen = make_tip(text="Cháy kho hàng", ward=cast.ward_a)
    assert found(Tip.objects.all(), "chay kho") == []

    assert search.search_index_ensure() is True
    assert found(Tip.objects.all(), "chay kho") == [unseen]
    later = make_tip(text="Cháy kho hàng lần nữa", ward=cast.ward_a)
    assert set(found(Tip.objects.all(), "chay kho")) == {unseen, later}
    assert search.search_index_ensure() is False


def test_reindexing_rewrites_stale_search_texts(cast: Cast) -> None:
    tips = [make_tip(text=f"Vi phạm PCCC lần {n}", ward=cast.ward_a) for n in range(3)]
    Tip.objects.filter(pk=tips[0].pk).update(search_text="")
    assert set(found(Tip.objects.all(), "phong chay")) == set(tips[1:])

    assert reindex_all(batch_size=2) == 1
    assert set(found(Tip.objects.all(), "phong chay")) == set(tips)
    assert reindex_all() == 0


def test_the_reindex_command_reports_what_it_changed(cast: Cast) -> None:
    tip = make_tip(text="Vi phạm PCCC", ward=cast.ward_a)
    Tip.objects.filter(pk=tip.pk).update(search_text="")
    out = StringIO()
    call_command("tips-reindex", stdout=out)
    assert out.getvalue() == "Đã cập nhật nội dung tìm kiếm của 1 tin báo.\n"
    assert found(Tip.objects.all(), "pccc") == [tip]


# --- Highlight -------------------------------------------------------------------------


def test_highlight_marks_the_words_as_written() -> None:
    assert highlight("Có người LỪA ĐẢO qua mạng", "lua dao") == (
        "Có người <mark>LỪA</mark> <mark>ĐẢO</mark> qua mạng"
    )
    assert highlight("Lừa đảo qua mạng", "lua da") == "<mark>Lừa</mark> <mark>đảo</mark> qua mạng"


def test_highlight_escapes_the_text() -> None:
    assert highlight('<b>lừa</b> & "đảo"', "lua") == (
        "&lt;b&gt;<mark>lừa</mark>&lt;/b&gt; &amp; &quot;đảo&quot;"
    )


def test_highlight_keeps_decomposed_letters_whole() -> None:
    text = unicodedata.normalize("NFD", "Bị lừa đảo")
    marked = highlight(text, "lua dao")
    assert unicodedata.normalize("NFC", marked) == "Bị <mark>lừa</mark> <mark>đảo</mark>"


def test_highlight_marks_an_abbreviation_for_its_meaning_and_a_phone_number() -> None:
    assert highlight("Ảnh hưởng ANTT", "an ninh trat tu") == "Ảnh hưởng <mark>ANTT</mark>"
    assert highlight("Gọi 0912 345 678 ngay", "0912345678") == (
        "Gọi <mark>0912 345 678</mark> ngay"
    )


def test_highlight_shows_an_extract_around_the_first_match() -> None:
    text = "Mở đầu " * 40 + "có kẻ lừa đảo ở đây " + "kết thúc " * 40
    extract = highlight(text, "lua dao", length=80)
    assert extract.startswith("…")
    assert extract.endswith("…")
    assert "<mark>lừa</mark> <mark>đảo</mark>" in extract
    assert len(extract.replace("<mark>", "").replace("</mark>", "")) <= 82


def test_highlight_without_a_match_shows_the_beginning() -> None:
    assert highlight("Một hai ba bốn năm", "xyz", length=10) == "Một hai ba…"
    assert highlight("Một hai ba bốn năm", "xyz", length=9) == "Một hai…"
    assert highlight("Dòng một\nDòng   hai", "") == "Dòng một Dòng hai"
