from __future__ import annotations

import pytest

from antq.textvn import expand, index_text, query_variants, search_terms
from antq.textvn.abbreviations import (
    AbbreviationDataError,
    abbreviations,
    lookup,
    parse_abbreviations,
)
from antq.textvn.search import MAX_TERMS, SearchTerm, match_spans


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("Ảnh hưởng ANTT", "anh huong antt an ninh trat tu"),
        ("antt", "antt an ninh trat tu"),
        ("Gây mất TTATXH.", "gay mat ttatxh trat tu an toan xa hoi"),
        ("Báo UBND phường", "bao ubnd uy ban nhan dan phuong"),
        ("HĐND và HDND", "hdnd hoi dong nhan dan va hdnd hoi dong nhan dan"),
        ("Vi phạm PCCC tại DN", "vi pham pccc phong chay chua chay tai dn doanh nghiep"),
        ("Đơn KNTC", "don kntc khieu nai to cao"),
        ("CATP Hà Nội", "catp cong an thanh pho ha noi"),
    ],
)
def test_it_follows_each_abbreviation_with_its_folded_meaning(text: str, expanded: str) -> None:
    assert expand(text) == expanded


def test_it_matches_abbreviations_as_whole_words_only() -> None:
    assert expand("ANTTX và XANTT") == "anttx va xantt"


def test_it_never_takes_a_word_with_diacritics_for_an_abbreviation() -> None:
    assert expand("cấp giấy") == "cap giay"
    assert lookup("cấp") is None


def test_it_reads_words_that_are_ordinary_once_folded_only_in_capitals() -> None:
    assert expand("CA phường") == "ca cong an phuong"
    assert expand("ca trực") == "ca truc"
    assert expand("cat, CAT") == "cat cat cong an tinh"


def test_it_writes_every_meaning_of_an_ambiguous_abbreviation() -> None:
    assert expand("TT y tế") == "tt thong tu trung tam y te"


def test_it_does_not_repeat_a_meaning_already_written_out() -> None:
    assert expand("ANTT (an ninh, trật tự)") == "antt an ninh trat tu"
    assert expand(expand("Họp ANTT tại UBND")) == expand("Họp ANTT tại UBND")


def test_query_variants_give_the_word_then_its_meanings() -> None:
    assert query_variants("ANTT") == [("antt",), ("an", "ninh", "trat", "tu")]
    assert query_variants("hdnd") == [("hdnd",), ("hoi", "dong", "nhan", "dan")]
    assert query_variants("lừa") == [("lua",)]
    assert query_variants("...") == []


def test_the_shipped_list_has_the_abbreviations_of_the_domain() -> None:
    table = abbreviations()
    for key in ("antt", "ttatxh", "catp", "kntc", "dn", "ubnd", "csgt", "pccc", "hdnd"):
        assert key in table
    assert table["antt"].expansions == (("an", "ninh", "trat", "tu"),)
    assert table["cap"].upper_only


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("ANTT an ninh trật tự", "expected abbreviation<TAB>expansion"),
        ("ANTT\tan ninh\tmaybe", "expected abbreviation<TAB>expansion"),
        ("AN TT\tan ninh", "one word without diacritics"),
        ("CẤP\tcấp phường", "one word without diacritics"),
        ("ANTT\t...", "empty expansion"),
        ("CA\tcông an\tupper\nCA\tcà phê", "marked upper elsewhere"),
        ("DN\tdoanh nghiệp\nDNX\tdn xuất khẩu", "contains the abbreviation 'dn'"),
    ],
)
def test_it_rejects_malformed_data_lines(data: str, message: str) -> None:
    with pytest.raises(AbbreviationDataError, match=message):
        parse_abbreviations(data)


def test_it_skips_comments_and_blank_lines() -> None:
    table = parse_abbreviations("# comment\n\nANTT\tan ninh, trật tự\n")
    assert list(table) == ["antt"]


def test_the_index_text_writes_phone_numbers_in_one_piece() -> None:
    assert index_text("Gọi 0912.345.678 hoặc +84 24 3825 1234") == (
        "goi 0912 345 678 hoac 84 24 3825 1234 0912345678 02438251234"
    )
    assert index_text("số 0912345678") == "so 0912345678"


def test_search_terms_make_the_last_word_a_prefix_and_offer_the_meanings() -> None:
    assert search_terms("ANTT lua da") == [
        SearchTerm((("antt",), ("an", "ninh", "trat", "tu"))),
        SearchTerm((("lua",),)),
        SearchTerm((("da",),), prefix=True),
    ]


def test_search_terms_read_a_phone_number_as_one_word() -> None:
    assert search_terms("+84 912 345 678") == [SearchTerm((("0912345678",),), prefix=True)]


def test_search_terms_of_punctuation_only_are_empty() -> None:
    assert search_terms(' "*:)( -- ') == []


def test_search_terms_are_capped() -> None:
    assert len(search_terms("a " * 100)) == MAX_TERMS


def test_match_spans_find_words_as_written() -> None:
    text = "Có người tự xưng CA phường, ảnh hưởng ANTT; gọi 0912 345 678."
    found = [text[s:e] for s, e in match_spans(text, search_terms("an ninh trat tu 0912345678"))]
    assert found == ["tự", "ANTT", "0912 345 678"]
    assert [text[s:e] for s, e in match_spans(text, search_terms("nguoi p"))] == [
        "người",
        "phường",
    ]
