"""The texts the restorer is trained and measured on: the held-out files stay apart from the
training text, and every text is spelt the way the model expects (NFC, the new convention)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from antq.textvn.training import sources

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = sorted((ROOT / "bench" / "data" / "textvn").glob("heldout-*.txt"))
HAND_CHECKED = ROOT / "tests" / "textvn" / "data" / "hand_checked.txt"
WORD = re.compile(r"[^\W\d_]+")
OLD_STYLE = re.compile(r"(?<!q)(oà|oá|oả|oã|oạ|oè|oé|oẻ|oẽ|oẹ|uỳ|uý|uỷ|uỹ|uỵ)\b", re.IGNORECASE)
# A held-out line may share common phrases with the training text, but not be a variant of a
# training line: no training line has more than this share of its word trigrams.
MAX_SHARED = 0.5


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").splitlines()
    return [line for line in text if line.strip() and not line.startswith("#")]


def _trigrams(line: str) -> set[tuple[str, ...]]:
    words = [w.lower() for w in WORD.findall(line)]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


Index = dict[tuple[str, ...], set[int]]


@pytest.fixture(scope="module")
def training() -> tuple[set[str], Index]:
    """The written training lines, and each word trigram → the lines that have it."""
    lines = [line for text in sources.written().values() for line in text]
    index: Index = {}
    for number, line in enumerate(lines):
        for gram in _trigrams(line):
            index.setdefault(gram, set()).add(number)
    return set(lines), index


def test_there_is_held_out_text_of_both_kinds() -> None:
    assert [p.name for p in HELD_OUT] == ["heldout-news.txt", "heldout-sms.txt"]
    for path in HELD_OUT:
        assert len(_lines(path)) >= 200


@pytest.mark.parametrize("path", [*HELD_OUT, HAND_CHECKED], ids=lambda p: p.name)
def test_held_out_lines_are_not_in_the_training_text(
    path: Path, training: tuple[set[str], Index]
) -> None:
    lines, index = training
    assert not set(_lines(path)) & lines
    too_close = []
    for line in _lines(path):
        own = _trigrams(line)
        shared: dict[int, int] = {}
        for gram in own:
            for number in index.get(gram, ()):
                shared[number] = shared.get(number, 0) + 1
        if own and max(shared.values(), default=0) / len(own) > MAX_SHARED:
            too_close.append(line)
    assert not too_close, f"{len(too_close)} held-out lines too close to training: {too_close[:3]}"


@pytest.mark.parametrize(
    "path",
    [*HELD_OUT, HAND_CHECKED, *sorted((sources.HERE / "written").glob("*.txt"))],
    ids=lambda p: p.name,
)
def test_texts_are_nfc_in_the_new_convention(path: Path) -> None:
    for number, line in enumerate(_lines(path), start=1):
        assert unicodedata.is_normalized("NFC", line), f"{path.name}:{number} is not NFC"
        assert not OLD_STYLE.search(line), f"{path.name}:{number}: old-style tone in {line!r}"
