"""The Kneser-Ney estimation and the model file: probabilities that add up, a file that reads
back as written and is the same bytes every time."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from antq.textvn.diacritics import Restorer
from antq.textvn.ngrams import BOS, EOS, SPECIALS, UNK, Tables
from antq.textvn.training.build import sentences
from antq.textvn.training.kneser_ney import estimate

CORPUS = [
    "có người bán ma túy ở ngõ 12",
    "người bán hàng rong ở ngõ chợ",
    "bạn tôi bán xe máy cũ",
    "có người lạ mặt ở đầu ngõ",
    "tôi thấy có người đánh nhau",
]


@pytest.fixture(scope="module")
def tables() -> Tables:
    collected = [tokens for line in CORPUS for tokens in sentences(line)]
    prior = {"bán": 5.0, "bạn": 3.0, "tôi": 9.0, "nhà": 2.0}
    return estimate(
        collected, prior, {"version": 0}, lexicon=["bắn", "bẩn"], fragments=[["hoàn", "kiếm"]]
    )


def _total(model: Restorer, a: int, b: int) -> float:
    return sum(math.exp(model.score(a, b, c)) for c in range(len(model.vocabulary)) if c != BOS)


def test_every_context_is_a_probability_distribution(tables: Tables) -> None:
    model = Restorer(tables)
    ids = model.ids
    contexts = [
        (BOS, BOS),  # the start of a sentence
        (ids["có"], ids["người"]),  # seen
        (ids["người"], ids["bán"]),
        (ids["tôi"], ids["bán"]),  # seen words, an unseen pair
        (ids["nhà"], ids["bạn"]),  # a word only the prior knows
    ]
    for a, b in contexts:
        assert _total(model, a, b) == pytest.approx(1.0, abs=1e-4)


def test_seen_continuations_score_above_unseen(tables: Tables) -> None:
    model = Restorer(tables)
    ids = model.ids
    assert model.score(ids["có"], ids["người"], ids["bán"]) > model.score(
        ids["có"], ids["người"], ids["xe"]
    )
    assert model.score(ids["ma"], ids["túy"], EOS) < model.score(ids["ma"], ids["túy"], ids["ở"])


def test_fragments_teach_pairs_but_not_sentence_ends(tables: Tables) -> None:
    model = Restorer(tables)
    ids = model.ids
    assert model.score(UNK, ids["hoàn"], ids["kiếm"]) > model.score(UNK, ids["hoàn"], ids["bán"])
    # "kiếm" never ended a sentence: the end is no likelier after it than the unigram says.
    after = model.score(ids["hoàn"], ids["kiếm"], EOS)
    assert after < model.score(ids["ngõ"], ids["chợ"], EOS)


def test_the_vocabulary_starts_with_the_specials_and_is_sorted(tables: Tables) -> None:
    assert tables.vocabulary[: len(SPECIALS)] == list(SPECIALS)
    rest = tables.vocabulary[len(SPECIALS) :]
    assert rest == sorted(rest)
    assert "nhà" in rest  # from the prior alone
    assert "bẩn" in rest  # from the lexicon alone


def test_the_file_reads_back_and_is_the_same_bytes_each_time(
    tables: Tables, tmp_path: Path
) -> None:
    first = tables.write(tmp_path / "a.bin")
    second = tables.write(tmp_path / "b.bin")
    assert first == second
    again = Tables.read(tmp_path / "a.bin")
    assert again.vocabulary == tables.vocabulary
    assert (again.trigram_keys == tables.trigram_keys).all()
    assert again.trigram == pytest.approx(tables.trigram, abs=0.01)  # stored as float16
    assert again.meta["version"] == 0


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not an ANTQ n-gram model"):
        Tables.read(path)


def test_training_sentences_are_cut_at_stops_and_spelt_one_way() -> None:
    found = list(sentences("Hoà giải xong. Gọi 0912 345 678, thuỷ sản; facebook.com OK"))
    assert found == [
        ["hòa", "giải", "xong"],
        ["gọi", "<n>", "<n>", "<n>"],
        ["thủy", "sản"],
        ["<unk>", "<unk>"],
    ]
