from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antq.tips.duplicates import duplicates_for, likely_duplicates, shingles, similarity
from antq.tips.models import Tip
from antq.tips.services import tip_merge
from tests.factories import make_tip

FIRE = "Cháy lớn ở kho hàng cuối ngõ 48 phố Hàng Bạc, khói bốc cao"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Lừa đảo qua điện thoại", "lua dao qua dien thoai", 1.0),
        ("LỪA ĐẢO", "lừa   đảo", 1.0),
        ("", "", 1.0),
        ("ma túy", "trộm cắp", 0.0),
        ("một", "", 0.0),
        # 4 shingles each, 3 in common, 5 in all.
        ("a b c d e", "a b c d f", 0.6),
        # A single word is its own shingle.
        ("cháy", "Cháy!", 1.0),
    ],
)
def test_similarity_is_the_jaccard_index_of_word_pairs(a: str, b: str, expected: float) -> None:
    assert similarity(a, b) == pytest.approx(expected)


def test_shingles_are_pairs_of_folded_words() -> None:
    assert shingles("Bán ma túy, ở ngõ 12") == frozenset(
        {"ban ma", "ma tuy", "tuy o", "o ngo", "ngo 12"}
    )


def test_the_same_incident_in_other_words_is_above_the_threshold() -> None:
    a = "Có người bán ma túy ở ngõ 12 phường Hoàn Kiếm"
    b = "co nguoi ban ma tuy o ngo 12 hoan kiem, toi nay"
    assert similarity(a, b) >= 0.35
    assert similarity(a, "Có người trộm xe máy trước cổng trường") < 0.35


@given(st.text(), st.text())
def test_similarity_is_symmetric_and_between_zero_and_one(a: str, b: str) -> None:
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0


@given(st.text())
def test_a_text_is_fully_similar_to_itself(text: str) -> None:
    assert similarity(text, text) == 1.0


def _backdate(tip: Tip, days: int) -> Tip:
    Tip.objects.filter(pk=tip.pk).update(received_at=tip.received_at - dt.timedelta(days=days))
    tip.refresh_from_db()
    return tip


def test_it_finds_similar_tips_of_the_same_ward_most_similar_first(cast) -> None:
    tip = make_tip(ward=cast.ward_a, text=FIRE)
    close = make_tip(ward=cast.ward_a, text="Chay lon o kho hang cuoi ngo 48 pho Hang Bac")
    closer = make_tip(ward=cast.ward_a, text=FIRE + ", nguy hiểm")
    make_tip(ward=cast.ward_a, text="Nhóm thanh niên tụ tập đua xe trên phố Tràng Tiền")
    make_tip(ward=cast.ward_b, text=FIRE)
    found = likely_duplicates(tip, Tip.objects.all())
    assert [d.tip for d in found] == [closer, close]
    assert found[0].score == pytest.approx(13 / 15)


def test_it_looks_only_fourteen_days_around_the_tip(cast) -> None:
    tip = make_tip(ward=cast.ward_a, text=FIRE)
    _backdate(make_tip(ward=cast.ward_a, text=FIRE), 15)
    inside = _backdate(make_tip(ward=cast.ward_a, text=FIRE), 13)
    assert [d.tip for d in likely_duplicates(tip, Tip.objects.all())] == [inside]


def test_it_leaves_out_tips_already_merged_and_the_tip_itself(cast) -> None:
    tip = make_tip(ward=cast.ward_a, text=FIRE)
    main = make_tip(ward=cast.ward_a, text=FIRE)
    merged = make_tip(ward=cast.ward_a, text=FIRE)
    tip_merge(duplicate=merged, into=main, actor=cast.department)
    assert [d.tip for d in likely_duplicates(tip, Tip.objects.all())] == [main]


def test_it_stops_at_the_limit(cast) -> None:
    tip = make_tip(ward=cast.ward_a, text=FIRE)
    for _ in range(4):
        make_tip(ward=cast.ward_a, text=FIRE)
    assert len(likely_duplicates(tip, Tip.objects.all(), limit=3)) == 3


def test_a_tip_without_a_ward_has_no_likely_duplicates(cast) -> None:
    tip = make_tip(text=FIRE)
    make_tip(text=FIRE)
    assert likely_duplicates(tip, Tip.objects.all()) == []


def test_duplicates_for_a_user_are_among_the_tips_he_may_see(cast) -> None:
    tip = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x, text=FIRE)
    routed = make_tip(category="bao-luc-hoc-duong", unit=cast.unit_x, text=FIRE)
    make_tip(ward=cast.ward_a, text=FIRE)  # same ward, but not about the unit
    assert [d.tip for d in duplicates_for(cast.unit_x_officer, tip)] == [routed]
    assert len(duplicates_for(cast.ward_a_officer, tip)) == 2
    assert duplicates_for(cast.ward_b_officer, tip) == []
