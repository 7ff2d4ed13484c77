"""The n-gram model file of the diacritic restorer: its format, and lookups by the array.

The file holds a trigram language model over marked syllables in back-off form (the ARPA
representation of an interpolated Kneser-Ney model): for every trigram and bigram seen in
training its interpolated log-probability, for every context its back-off weight, for every
syllable its unigram log-probability. A trigram that was never seen is scored as

    log P(w | u v) = bo2(u v) + log P(w | v)          log P(w | v) = bo1(v) + log P(w)

where an unseen context has a back-off weight of 0 (see ``training/kneser_ney.py``).

Layout (``write``/``read``): the 8-byte magic ``ANTQNG01``, then an xz stream of a 4-byte
little-endian header length, the header (JSON: version, vocabulary, sources, array table) and
the arrays' raw little-endian bytes. Keys are ids packed into one integer (``pack``) and sorted;
they are stored as differences (they compress to a fraction) and log-probabilities as float16
(a resolution of ~0.01 nats, below what decides a choice). The same tables always give the same
bytes: the build is reproducible.
"""

from __future__ import annotations

import json
import lzma
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MAGIC = b"ANTQNG01"
BITS = 20  # ids below 2**20: three fit a signed 64-bit key
SPECIALS = ("<s>", "</s>", "<unk>", "<n>")
BOS, EOS, UNK, NUM = range(len(SPECIALS))

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def pack(*ids: Any) -> Any:
    """One integer key for an n-gram of ids (works on numpy arrays too)."""
    key = ids[0]
    for part in ids[1:]:
        key = (key << BITS) | part
    return key


@dataclass
class Tables:
    """What a model file holds: the vocabulary (ids are positions; the specials first) and,
    per order, sorted keys with their log-probabilities, plus back-off weights."""

    vocabulary: list[str]
    unigram: FloatArray  # log P(w), by id
    backoff1: FloatArray  # bo1(v), by id
    bigram_keys: IntArray
    bigram: FloatArray
    backoff2_keys: IntArray
    backoff2: FloatArray
    trigram_keys: IntArray
    trigram: FloatArray
    meta: dict[str, Any] = field(default_factory=dict)

    _ARRAYS = (
        ("unigram", "f2"),
        ("backoff1", "f2"),
        ("bigram_keys", "delta"),
        ("bigram", "f2"),
        ("backoff2_keys", "delta"),
        ("backoff2", "f2"),
        ("trigram_keys", "delta"),
        ("trigram", "f2"),
    )

    def write(self, path: Path) -> bytes:
        """Write the model file and return its bytes."""
        blobs = []
        table = []
        for name, kind in self._ARRAYS:
            values = getattr(self, name)
            if kind == "delta":
                data = np.diff(values, prepend=np.int64(0)).astype("<i8").tobytes()
            else:
                data = values.astype("<f2").tobytes()
            table.append({"name": name, "kind": kind, "count": len(values)})
            blobs.append(data)
        header = json.dumps(
            {"meta": self.meta, "vocabulary": self.vocabulary, "arrays": table},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        payload = struct.pack("<I", len(header)) + header + b"".join(blobs)
        content = MAGIC + lzma.compress(payload, format=lzma.FORMAT_XZ, preset=6)
        path.write_bytes(content)
        return content

    @classmethod
    def read(cls, path: Path) -> Tables:
        content = path.read_bytes()
        if not content.startswith(MAGIC):
            raise ValueError(f"{path}: not an ANTQ n-gram model")
        payload = lzma.decompress(content[len(MAGIC) :])
        (size,) = struct.unpack_from("<I", payload)
        header = json.loads(payload[4 : 4 + size])
        offset = 4 + size
        arrays: dict[str, Any] = {}
        for entry in header["arrays"]:
            count = entry["count"]
            if entry["kind"] == "delta":
                deltas = np.frombuffer(payload, dtype="<i8", count=count, offset=offset)
                arrays[entry["name"]] = np.cumsum(deltas, dtype=np.int64)
                offset += 8 * count
            else:
                values = np.frombuffer(payload, dtype="<f2", count=count, offset=offset)
                arrays[entry["name"]] = values.astype(np.float32)
                offset += 2 * count
        return cls(vocabulary=header["vocabulary"], meta=header["meta"], **arrays)
