"""Build a city-scale ANTQ database fast: Hà Nội's wards, 50,000 units, 1,000,000 tips,
100,000 open complaint and denunciation cases (and 20,000 closed ones).

    .venv/bin/python bench/generate.py                          # SQLite, var/bench/city-sqlite/
    .venv/bin/python bench/generate.py --quick                  # 5,000 units, 50,000 tips
    .venv/bin/python bench/generate.py --database-url postgres://antq_ci@127.0.0.1:5432/antq_bench

The instance lives under ``var/bench/city-<database>[-quick]/`` and is reused when it was
built with the same sizes, seed and ``DATA_VERSION`` (``signature.json``), after applying
any new migration to it as production would; ``--force`` rebuilds it. On PostgreSQL the
database is created if missing and dropped before a rebuild.

The data is what the product would hold after five years, written in bulk (``executemany`` on
SQLite, ``COPY`` on PostgreSQL) instead of through the services: no audit row per tip or
unit, but every row valid — real wards (``load-areas --province 1``), units drawn by
``registry.demo.units_generate``, tips of the reference categories with the texts, streets,
channels and outcomes of ``tips.demo``, statuses consistent with their age (a closed tip has
its ``closed_at`` and outcome, a duplicate points at an earlier tip of its ward), the
deadline of the rule in force, and the search document ``tips.search.search_document``
would write (checked against it on a sample). The full-text index is rebuilt once at the end
(FTS5 ``rebuild``; PostgreSQL computes its generated tsvector on insert).

Cases (``_cases_insert``) take the subjects and texts of ``cases.demo``, states of a case in
progress, and the deadline rows the services would hold: each stage's due date from the
rule in force and the working-day calendar (``cases.deadlines``), met stages with their
day, open ones counted from the day the case was received or accepted — most due later,
about 5 % past their day, some within a few working days, a suspended case's with no day.
No history or audit rows, as for the tips. The day they are generated for is the latest
``received_on`` (the P8 scan runs on that day, so the overdue share stays what it was
generated as when the city is reused later).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from server import BENCH_DIR, ROOT, Server, bench_env, ensure_postgres_database

DEFAULT_POSTGRES = "postgres://antq_ci@127.0.0.1:5432/antq_bench"
FULL = {"units": 50_000, "tips": 1_000_000, "cases": 100_000}
QUICK = {"units": 5_000, "tips": 50_000, "cases": 5_000}
# Closed cases beside the open ones (``cases`` counts the open ones).
CLOSED_CASES_SHARE = 0.2
SEED = 2026
# Bump when the generated data changes: an instance built by another version is rebuilt.
DATA_VERSION = 2
YEARS = 5
BATCH = 20_000
# Users the benchmarks log in as (created from registry.demo.DEMO_USERS).
DEPARTMENT_USER = "phongxdpt"
WARD_USER = "ca.hoankiem"


def database_name(database_url: str | None) -> str:
    return "postgresql" if database_url else "sqlite"


def instance_name(database_url: str | None, quick: bool) -> str:
    return f"city-{database_name(database_url)}" + ("-quick" if quick else "")


def quick_url(database_url: str, quick: bool) -> str:
    """The quick city has a database of its own (``<name>_quick``), so both stay built."""
    return database_url + "_quick" if quick else database_url


def signature(units: int, tips: int, cases: int, seed: int) -> dict[str, Any]:
    return {
        "units": units,
        "tips": tips,
        "cases": cases,
        "seed": seed,
        "data_version": DATA_VERSION,
    }


def city(
    *,
    database_url: str | None,
    quick: bool = False,
    units: int | None = None,
    tips: int | None = None,
    cases: int | None = None,
    seed: int = SEED,
    force: bool = False,
) -> Server:
    """The generated city instance, built now unless an identical one is there."""
    sizes = QUICK if quick else FULL
    units = sizes["units"] if units is None else units
    tips = sizes["tips"] if tips is None else tips
    cases = sizes["cases"] if cases is None else cases
    name = instance_name(database_url, quick)
    url = quick_url(database_url, quick) if database_url else None
    var_dir = BENCH_DIR / name
    wanted = signature(units, tips, cases, seed)
    stamp = var_dir / "signature.json"
    env = bench_env(name, database_url=url, extra={})
    server = Server("", env, var_dir)
    if not force and stamp.exists() and json.loads(stamp.read_text()) == wanted:
        if url:
            ensure_postgres_database(url, drop=False)
        # New migrations are applied to the data, as in production (an index, a column).
        if server.antq("migrate", "--no-input", "-v", "0", check=False).returncode == 0:
            print(
                f"generate: reusing {var_dir.relative_to(ROOT)} ({units:,} units, {tips:,} tips,"
                f" {cases:,} open cases)"
            )
            return server
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if url:
        ensure_postgres_database(url, drop=True)
    started = time.perf_counter()
    server.antq("migrate", "--no-input", "-v", "0")
    server.antq("load-areas", "--province", "1")
    server.antq("collectstatic", "--no-input", "-v", "0")
    prepared = time.perf_counter()
    fill_args = [
        "--fill",
        f"--units={units}",
        f"--tips={tips}",
        f"--cases={cases}",
        f"--seed={seed}",
    ]
    subprocess.run(
        [sys.executable, __file__, *fill_args],
        env=env,
        check=True,
    )
    done = time.perf_counter()
    stamp.write_text(json.dumps(wanted, indent=1))
    print(
        f"generate: {name}: {units:,} units, {tips:,} tips, {cases:,} open cases in "
        f"{done - started:.0f} s "
        f"(schema and wards {prepared - started:.0f} s, data {done - prepared:.0f} s)",
        flush=True,
    )
    from results import record

    record(
        benchmark="P0 generate city",
        database=database_name(database_url),
        value=done - started,
        unit="s",
        extra={
            "units": units,
            "tips": tips,
            "cases": cases,
            "target": "≤ 600 s (SQLite, full size)",
        },
    )
    return server


# --- Inside the instance (``--fill``): Django is set up -----------------------------------

OPENINGS = (
    "",
    "",
    "",
    "",
    "Tôi xin báo tin:",
    "Kính gửi Công an phường,",
    "Xin phản ánh:",
    "Báo tin khẩn:",
    "Người dân khu phố phản ánh:",
    "Tôi là người dân sống gần đó,",
)
DETAILS = (
    "Sự việc xảy ra khoảng {hour} giờ {part}.",
    "Đối tượng là nam giới khoảng {age} tuổi, mặc áo {colour}.",
    "Có {k} người đi trên xe máy {bike} màu {colour}.",
    "Sự việc lặp lại nhiều lần trong {k} tuần qua.",
    "Người dân xung quanh rất bức xúc nhưng không dám lên tiếng.",
    "Tôi đã chụp được ảnh biển số xe nhưng không rõ.",
    "Khu vực này gần trường học và chợ {market}, rất đông người qua lại.",
)
CLOSINGS = (
    "Đề nghị công an sớm kiểm tra, xử lý.",
    "Tôi xin được giấu tên.",
    "Mong các anh sớm có biện pháp ngăn chặn.",
    "Cảm ơn cơ quan công an.",
    "Đề nghị không tiết lộ thông tin người báo tin.",
)
POOLS = {
    "part": ("sáng", "trưa", "chiều", "tối", "đêm", "rạng sáng"),
    "colour": ("đen", "trắng", "đỏ", "xanh", "xám", "vàng", "nâu"),
    "bike": ("Honda Wave", "Honda Vision", "Yamaha Exciter", "Honda SH", "Air Blade", "Sirius"),
    "market": ("Đồng Xuân", "Hôm", "Mơ", "Long Biên", "Thành Công", "Nghĩa Tân", "Hàng Da"),
}
# Units the tips of a category are about, by unit kind (tips.demo ties the same categories
# to a hospital and a high school).
CATEGORY_UNIT_KINDS = {
    "bao-luc-hoc-duong": ("thpt", "thcs", "tieu_hoc", "dai_hoc", "giao_duc_nghe_nghiep"),
    "vi-pham-don-vi": ("benh_vien", "co_so_y_te", "dn_ngoai_nha_nuoc", "dnnn", "dn_fdi", "dai_hoc"),
}
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 7, 7, 7, 8, 8, 8, 7, 6, 5, 3, 2]


class Indexer:
    """``index_text`` of a tip's search document, from cached pieces: the document of a
    tip is the index text of its parts joined by spaces, and its parts come from a few
    thousand distinct fragments. ``check`` compares it with the real ``search_document``."""

    def __init__(self) -> None:
        from antq.textvn import index_text

        self.index_text = index_text
        self.cache: dict[str, str] = {}

    def __call__(self, piece: str) -> str:
        found = self.cache.get(piece)
        if found is None:
            found = self.cache[piece] = self.index_text(piece)
        return found


def _fragments(template: str) -> list[tuple[bool, str]]:
    """``"ngõ {n} phố {pho}"`` → literal and placeholder pieces."""
    out: list[tuple[bool, str]] = []
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        out.append((False, before))
        out.append((True, name))
    out.append((False, rest))
    return out


def fill(units: int, tips: int, cases: int, seed: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic():
        unit_rows = _units_insert(units, seed)
        _users_insert()
    print(f"fill: {units:,} units in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    _tips_insert(tips, seed, unit_rows)
    print(f"fill: {tips:,} tips in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    closed = round(cases * CLOSED_CASES_SHARE)
    _cases_insert(cases, closed, seed, unit_rows)
    print(
        f"fill: {cases:,} open and {closed:,} closed cases in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    if connection.vendor == "sqlite":
        from antq.tips.search import search_index_ensure

        # The insert trigger was dropped during the load: put it back and rebuild once.
        search_index_ensure()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO tips_tip_fts (tips_tip_fts) VALUES ('optimize')")
        connection.close()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval('tips_tip_id_seq', (SELECT max(id) FROM tips_tip))")
            cursor.execute(
                "SELECT setval('cases_case_id_seq', (SELECT coalesce(max(id), 1) FROM cases_case))"
            )
            cursor.execute("VACUUM ANALYZE")
    print(f"fill: search index and statistics in {time.perf_counter() - started:.1f} s")


def _units_insert(count: int, seed: int) -> list[tuple[int, int, str]]:
    """Insert the units; returns (id, ward id, kind) of each."""
    from django.db import connection
    from django.utils import timezone

    from antq.registry.demo import WardRef, units_generate
    from antq.registry.models import AdministrativeArea, Unit
    from antq.registry.status import AreaLevel
    from antq.textvn import fold

    wards = list(
        AdministrativeArea.objects.filter(parent__code="01", level=AreaLevel.WARD).order_by("code")
    )
    ward_ids = {w.code: w.pk for w in wards}
    specs = units_generate(seed=seed, count=count, wards=[WardRef(w.code, w.name) for w in wards])
    now = timezone.now()
    fields = [
        "name",
        "name_folded",
        "kind",
        "sector",
        "code",
        "address",
        "ward_id",
        "headcount",
        "phone",
        "email",
        "security_contact_name",
        "security_contact_phone",
        "head_name",
        "head_title",
        "status",
        "notes",
        "created_at",
        "updated_at",
    ]
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = [
        (
            s.name,
            fold(s.name),
            s.kind,
            s.sector,
            s.code,
            s.address,
            ward_ids[s.ward_code],
            s.headcount,
            s.phone,
            s.email,
            s.security_contact_name,
            s.security_contact_phone,
            s.head_name,
            s.head_title,
            s.status,
            s.notes,
            stamp,
            stamp,
        )
        for s in specs
    ]
    _bulk(Unit._meta.db_table, fields, rows)
    return [
        (pk, ward, kind) for pk, ward, kind in Unit.objects.values_list("id", "ward_id", "kind")
    ]


def _users_insert() -> None:
    """The demo users (``registry.demo.DEMO_USERS``), through the demo's own code."""
    from antq.registry.demo import demo_users_create
    from antq.registry.models import AdministrativeArea
    from antq.registry.status import AreaLevel

    wards = AdministrativeArea.objects.filter(level=AreaLevel.WARD)
    demo_users_create({w.code: w for w in wards})


def _bulk(table: str, fields: list[str], rows: Any) -> int:
    """Insert rows: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    from django.db import connection

    columns = ", ".join(connection.ops.quote_name(f) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(fields))
            batch = list(rows)
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)  # noqa: S608
            count = len(batch)
    return count


def _tips_insert(count: int, seed: int, unit_rows: list[tuple[int, int, str]]) -> None:
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from antq.accounts.models import User
    from antq.core.crypto import encrypt, keyed_hash
    from antq.registry.demo import HA_NOI_PHO, WARD_BA_DINH, WARD_CUA_NAM, WARD_HOAN_KIEM
    from antq.registry.models import AdministrativeArea
    from antq.tips.demo import CHANNELS, DEMO_PARTNER_KEY, OUTCOMES, REPORTER_NAMES, TEMPLATES
    from antq.tips.models import Partner, Tip, TipCategory, TipDeadlineRule
    from antq.tips.services import partner_create
    from antq.tips.status import Channel, Outcome, TipStatus, Urgency

    rng = random.Random(seed)
    index = Indexer()
    sqlite = connection.vendor == "sqlite"
    ops = connection.ops
    tz = timezone.get_default_timezone()
    now = timezone.now()

    categories = {c.code: c for c in TipCategory.objects.all()}
    rules = list(TipDeadlineRule.objects.all())
    wards = list(AdministrativeArea.objects.filter(parent__code="01", level="ward"))
    # Busy central wards first: a ward's share falls with its rank (Zipf-like).
    rng.shuffle(wards)
    focus = [w for w in wards if w.code in (WARD_HOAN_KIEM, WARD_CUA_NAM, WARD_BA_DINH)]
    wards = focus + [w for w in wards if w not in focus]
    ward_weights = [1 / (rank + 2) ** 0.8 for rank in range(len(wards))]
    ward_cum = _cumulative(ward_weights)
    ward_name = {w.pk: w.name for w in wards}
    users = {u.username: u.pk for u in User.objects.all()}
    officers = {
        w.pk: users.get(WARD_USER if w.code != WARD_BA_DINH else "ca.badinh") for w in focus
    }
    department = users[DEPARTMENT_USER]
    partner = Partner.objects.filter(name__startswith="Hà Nội Smart City").first()
    if partner is None:
        partner, _key = partner_create(
            actor=None, name="Hà Nội Smart City (ứng dụng mẫu)", key=DEMO_PARTNER_KEY
        )
    units_by_kind: dict[str, list[tuple[int, int]]] = {}
    unit_name: dict[int, str] = {}
    from antq.registry.models import Unit

    for pk, name in Unit.objects.values_list("id", "name"):
        unit_name[pk] = name
    for pk, ward, kind in unit_rows:
        units_by_kind.setdefault(kind, []).append((pk, ward))

    templates = [
        (categories[code], [_fragments(t) for t in texts]) for code, _w, texts in TEMPLATES
    ]
    template_cum = _cumulative([w for _c, w, _t in TEMPLATES])
    details = [_fragments(d) for d in DETAILS]
    channel_values = [c for c, _w in CHANNELS]
    channel_cum = _cumulative([w for _c, w in CHANNELS])
    outcome_values = [o for o, _w in OUTCOMES]
    outcome_cum = _cumulative([w for _o, w in OUTCOMES])
    closed_values = [
        TipStatus.HANDLED,
        TipStatus.UNFOUNDED,
        TipStatus.TRANSFERRED,
        TipStatus.SPAM,
        TipStatus.DUPLICATE,
    ]
    closed_cum = _cumulative([62, 18, 9, 5, 6])
    hour_cum = _cumulative(HOURS)
    names_enc = [encrypt(n) for n in REPORTER_NAMES]
    phones_enc = [encrypt(f"+8498{rng.randint(1000000, 9999999)}") for _ in range(200)]
    reply_enc = [encrypt(f"+8491{rng.randint(1000000, 9999999)}") for _ in range(200)]
    rule_cache: dict[tuple[int, dt.date], Any] = {}
    category_names = {c.pk: index(c.name) for c in categories.values()}
    digest_key = settings.SECRET_KEY[:8]  # makes the bench passphrases differ per instance

    # Arrival times over five years, more recent years busier; sorted so that ids grow with
    # time as they do in production (search relies on it: the FTS rowid order is newest).
    span = YEARS * 365.25 * 86400
    ages = sorted((rng.random() ** 1.3 * span for _ in range(count)), reverse=True)

    fields = [
        "id",
        "code",
        "passphrase_digest",
        "channel",
        "category_id",
        "urgency",
        "status",
        "outcome",
        "is_complex",
        "text",
        "place",
        "occurred_at",
        "ward_id",
        "unit_id",
        "unit_notified",
        "assignee_id",
        "anonymous",
        "reporter_name_enc",
        "reporter_phone_enc",
        "reply_to_enc",
        "partner_id",
        "idempotency_key",
        "merged_into_id",
        "deadline",
        "deadline_rule_id",
        "received_at",
        "updated_at",
        "closed_at",
        "search_text",
    ]
    codes_taken: set[str] = set()
    alphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
    last_in_ward: dict[int, int] = {}
    checks = 0

    def stamp(value: dt.datetime | None) -> Any:
        if value is None or not sqlite:
            return value
        return ops.adapt_datetimefield_value(value)

    def day(value: dt.date | None) -> Any:
        return value.isoformat() if sqlite and value is not None else value

    def render(fragments: list[tuple[bool, str]], values: dict[str, str]) -> tuple[str, str]:
        text = []
        indexed = []
        for is_var, piece in fragments:
            value = values[piece] if is_var else piece
            text.append(value)
            folded = index(value)
            if folded:
                indexed.append(folded)
        return "".join(text), " ".join(indexed)

    def rows(start: int, stop: int) -> Iterator[tuple[Any, ...]]:
        nonlocal checks
        for i in range(start, stop):
            pk = i + 1
            received = now - dt.timedelta(seconds=ages[i])
            # Move within the day to a realistic hour (same local day).
            local = received.astimezone(tz)
            hour = bisect.bisect(hour_cum, rng.random() * hour_cum[-1])
            local = local.replace(hour=hour)
            received = min(local, now - dt.timedelta(minutes=5))
            age_days = (now - received).days
            category, texts = templates[
                bisect.bisect(template_cum, rng.random() * template_cum[-1])
            ]
            values = {
                "pho": rng.choice(HA_NOI_PHO),
                "n": str(rng.randint(2, 180)),
                "hour": str(rng.randint(1, 12)),
                "age": str(rng.randint(16, 45)),
                "k": str(rng.randint(2, 5)),
                **{name: rng.choice(pool) for name, pool in POOLS.items()},
            }
            pieces = [render([(False, rng.choice(OPENINGS))], values)]
            pieces.append(render(rng.choice(texts), values))
            if rng.random() < 0.55:
                pieces.append(render(rng.choice(details), values))
            if rng.random() < 0.35:
                pieces.append(render([(False, rng.choice(CLOSINGS))], values))
            opening, body = pieces[0][0], pieces[1][0]
            if opening.endswith(","):
                pieces[1] = (body[:1].lower() + body[1:], pieces[1][1])
            text = " ".join(t for t, _ in pieces if t)
            text_index = " ".join(ix for _, ix in pieces if ix)

            ward = wards[bisect.bisect(ward_cum, rng.random() * ward_cum[-1])]
            ward_id = ward.pk
            unit_id = None
            kinds = CATEGORY_UNIT_KINDS.get(category.code)
            if kinds is None and category.code == "lua-dao" and "bệnh viện" in text:
                kinds = ("benh_vien",)
            if kinds:
                pool = units_by_kind.get(rng.choice(kinds))
                if pool:
                    unit_id, ward_id = rng.choice(pool)
            place = f"phố {rng.choice(HA_NOI_PHO)}" if rng.random() < 0.5 else ""

            channel = channel_values[bisect.bisect(channel_cum, rng.random() * channel_cum[-1])]
            status = _status(rng, age_days, closed_values, closed_cum)
            outcome = Outcome.NONE
            closed_at = None
            merged_into = None
            if status in (
                TipStatus.HANDLED,
                TipStatus.UNFOUNDED,
                TipStatus.TRANSFERRED,
                TipStatus.SPAM,
                TipStatus.DUPLICATE,
            ):
                closed_at = min(
                    received + dt.timedelta(days=rng.randint(1, 24), hours=rng.randint(0, 23)),
                    now,
                )
                if status == TipStatus.DUPLICATE:
                    merged_into = last_in_ward.get(ward_id)
                    if merged_into is None:
                        status = TipStatus.HANDLED
                if status == TipStatus.HANDLED:
                    outcome = outcome_values[
                        bisect.bisect(outcome_cum, rng.random() * outcome_cum[-1])
                    ]
                elif status == TipStatus.TRANSFERRED:
                    outcome = Outcome.TRANSFERRED
                elif status == TipStatus.UNFOUNDED:
                    outcome = Outcome.NOT_CONFIRMED
            last_in_ward[ward_id] = pk
            local_day = received.astimezone(tz).date()
            key = (category.pk, local_day)
            if key not in rule_cache:
                from antq.tips.deadlines import rule_for

                rule_cache[key] = rule_for(rules, category_id=category.pk, on=local_day)
            rule = rule_cache[key]
            is_complex = rng.random() < 0.1
            deadline = None
            if rule is not None:
                deadline = local_day + dt.timedelta(
                    days=rule.complex_days if is_complex else rule.days
                )
            anonymous = rng.random() < 0.75
            while True:
                raw = "".join(rng.choice(alphabet) for _ in range(10))
                if raw not in codes_taken:
                    codes_taken.add(raw)
                    break
            code = f"{raw[:5]}-{raw[5:]}"
            urgent = category.code == "chay-no" or rng.random() < 0.08
            assignee = None
            if status != TipStatus.NEW:
                assignee = officers.get(ward_id) or department
            unit_text = index(unit_name[unit_id]) if unit_id else ""
            search_text = " ".join(
                p
                for p in (
                    raw[:5].lower() + " " + raw[5:].lower(),
                    category_names[category.pk],
                    text_index,
                    index(place) if place else "",
                    index(ward_name[ward_id]),
                    unit_text,
                )
                if p
            )
            if checks < 300 and (i < 200 or rng.random() < 0.001):
                _check(
                    index,
                    code,
                    category.name,
                    text,
                    place,
                    ward_name[ward_id],
                    unit_name.get(unit_id or 0, ""),
                    search_text,
                )
                checks += 1
            yield (
                pk,
                code,
                keyed_hash(f"{digest_key} {pk} {raw}", purpose="tip-passphrase"),
                channel,
                category.pk,
                Urgency.URGENT if urgent else Urgency.NORMAL,
                status,
                outcome,
                is_complex,
                text,
                place,
                stamp(received - dt.timedelta(hours=rng.randint(1, 48))),
                ward_id,
                unit_id,
                bool(unit_id and category.notify_unit),
                assignee,
                anonymous,
                "" if anonymous else rng.choice(names_enc),
                "" if anonymous else rng.choice(phones_enc),
                rng.choice(reply_enc) if channel == Channel.SMS and closed_at is None else "",
                partner.pk if channel == Channel.OPEN311 else None,
                "",
                merged_into,
                day(deadline),
                rule.pk if rule is not None else None,
                stamp(received),
                stamp(closed_at or received),
                stamp(closed_at),
                search_text,
            )

    table = Tip._meta.db_table
    if sqlite:
        with connection.cursor() as cursor:
            # Bulk load: the index is rebuilt once at the end (search_index_ensure).
            cursor.execute("DROP TRIGGER IF EXISTS tips_tip_fts_insert")
            cursor.execute("PRAGMA cache_size = -400000")
            cursor.execute("PRAGMA synchronous = OFF")
    done = 0
    report = time.perf_counter()
    for start in range(0, count, BATCH):
        with transaction.atomic():
            done += _bulk(table, fields, rows(start, min(count, start + BATCH)))
        if time.perf_counter() - report > 15:
            print(f"fill: {done:,} tips", flush=True)
            report = time.perf_counter()


# --- Complaint and denunciation cases ------------------------------------------------------

# States of the open cases (weights); a denunciation's own moves only for denunciations.
OPEN_CASE_STATUSES = {
    "received": 8,
    "initial": 12,
    "accepted": 8,
    "verifying": 47,
    "concluded": 5,
    "handled": 5,
    "rejected": 3,
    "transferred": 5,
}
DENUNCIATION_OPEN_STATUSES = {"extended": 4, "suspended": 2, "published": 1}
CLOSED_CASE_STATUSES = {"closed": 84, "withdrawn": 12}
DENUNCIATION_CLOSED_STATUSES = {"terminated": 6}
# Of the cases whose open deadline is placed, the share past it (about 5 % of the open cases:
# rejected, transferred and suspended ones have no dated open deadline).
OVERDUE_SHARE = 0.065
CASE_BATCH = 10_000


class _DueDays:
    """Due dates of the rules as the services compute them, cached: a stage started ``k``
    days before the generation day, or on any day (closed cases)."""

    def __init__(self, day: dt.date, rules: list[Any]) -> None:
        from antq.cases.services import work_calendar

        self.day = day
        self.rules = rules
        self.calendar = work_calendar()
        self._rule: dict[tuple[str, str, bool], Any] = {}
        self._due: dict[tuple[dt.date, int, str], dt.date] = {}
        self._on_time: dict[tuple[int, str], int] = {}

    def length(
        self, kind: str, private: bool, complexity: str, remote: bool, extensions: int, stage: str
    ) -> tuple[Any, int]:
        """The rule of a stage and its days for this case (extensions count in the
        resolution only); (None, 0) where no rule applies."""
        from antq.cases.deadlines import days_for
        from antq.cases.status import Stage

        rule = self.rule(kind, stage, private)
        if rule is None:
            return None, 0
        return rule, days_for(
            rule,
            complexity=complexity,
            remote=remote,
            extensions=extensions if stage == Stage.RESOLUTION else 0,
        )

    def rule(self, kind: str, stage: str, private: bool) -> Any:
        key = (kind, stage, private)
        if key not in self._rule:
            from antq.cases.deadlines import rule_for

            self._rule[key] = rule_for(
                self.rules, kind=kind, stage=stage, on=self.day, private_enterprise=private
            )
        return self._rule[key]

    def due(self, start: dt.date, days: int, day_count: str) -> dt.date:
        key = (start, days, day_count)
        found = self._due.get(key)
        if found is None:
            from antq.cases.deadlines import due_date

            found = due_date(start, days, day_count, self.calendar)
            assert found is not None  # no suspension passed
            self._due[key] = found
        return found

    def start(self, rng: random.Random, days: int, day_count: str, *, late: bool) -> dt.date:
        """A start day whose stage is still running today, or (``late``) past its day."""
        key = (days, day_count)
        if key not in self._on_time:
            k = 0
            while self.due(self.day - dt.timedelta(days=k + 1), days, day_count) >= self.day:
                k += 1
            self._on_time[key] = k  # started up to k days ago: not due before today
        on_time = self._on_time[key]
        k = rng.randint(on_time + 1, on_time + 60) if late else rng.randint(0, on_time)
        return self.day - dt.timedelta(days=k)


def _cases_insert(
    open_count: int, closed_count: int, seed: int, unit_rows: list[tuple[int, int, str]]
) -> None:
    """``open_count`` cases in progress and ``closed_count`` finished ones, with their
    deadlines, the sealed identity of each denunciator and the suspension of each
    suspended case."""
    from django.db import connection, transaction
    from django.utils import timezone

    from antq.accounts.models import User
    from antq.cases.demo import (
        CHANNEL_WEIGHTS,
        FIXED_UNIT,
        HOSPITAL_WARDS,
        SETTING_KINDS,
        TOPICS,
        UNIT_OFFICER,
        UNIT_STANDIN,
        WARD,
        WARD_OFFICER,
        person_name,
    )
    from antq.cases.models import Case, CaseDeadline, DeadlineRule, SealedIdentity, Suspension
    from antq.cases.services import CODE_PREFIX, PRIVATE_KINDS
    from antq.cases.status import COMPLAINT_KINDS, CaseKind, Complexity, Stage
    from antq.core.crypto import encrypt
    from antq.registry.demo import HA_NOI_PHO, WARD_BA_DINH, WARD_CUA_NAM, WARD_HOAN_KIEM
    from antq.registry.models import AdministrativeArea, Unit

    rng = random.Random(seed + 8)
    sqlite = connection.vendor == "sqlite"
    ops = connection.ops
    tz = timezone.get_default_timezone()
    today = timezone.localdate()
    dues = _DueDays(today, list(DeadlineRule.objects.all()))

    wards = list(AdministrativeArea.objects.filter(parent__code="01", level="ward"))
    rng.shuffle(wards)
    focus_codes = (WARD_HOAN_KIEM, WARD_CUA_NAM, WARD_BA_DINH)
    wards = [w for w in wards if w.code in focus_codes] + [
        w for w in wards if w.code not in focus_codes
    ]
    ward_cum = _cumulative([1 / (rank + 2) ** 0.8 for rank in range(len(wards))])
    ward_by_id = {w.pk: w for w in wards}
    users = dict(User.objects.values_list("username", "id"))
    department = users[DEPARTMENT_USER]
    ward_officer = {
        w.pk: users[WARD_OFFICER[w.code]]
        for w in wards
        if w.code in WARD_OFFICER and WARD_OFFICER[w.code] in users
    }
    unit_info = {
        pk: (name, f"{title} {name}".strip())
        for pk, name, title in Unit.objects.values_list("id", "name", "head_title")
    }
    unit_officer = {
        pk: users[UNIT_OFFICER[name]]
        for pk, (name, _head) in unit_info.items()
        if name in FIXED_UNIT.values() and UNIT_OFFICER.get(name) in users
    }
    kind_of_unit = {pk: kind for pk, _ward, kind in unit_rows}
    pools: dict[str, list[tuple[int, int]]] = {}
    for setting, kinds in SETTING_KINDS.items():
        pools[setting] = [(pk, ward) for pk, ward, kind in unit_rows if kind in kinds]
    by_kind: dict[str, list[Any]] = {}
    for topic in TOPICS:
        by_kind.setdefault(topic.kind, []).append(topic)
    kinds = list(by_kind)
    kind_cum = _cumulative([30, 8, 22, 25, 15])  # complaint 1, 2, denunciation, petition, internal
    channels = list(CHANNEL_WEIGHTS)
    channel_cum = _cumulative(list(CHANNEL_WEIGHTS.values()))
    names = [person_name(rng) for _ in range(2000)]
    sealed_pool = [
        (
            encrypt(person_name(rng)),
            encrypt(f"Số {rng.randint(1, 200)} phố {rng.choice(HA_NOI_PHO)}, Hà Nội"),
            encrypt(f"+849{rng.randint(10_000_000, 99_999_999)}"),
        )
        for _ in range(200)
    ]

    def day(value: dt.date | None) -> Any:
        return value.isoformat() if sqlite and value is not None else value

    def stamp(value: dt.date) -> Any:
        moment = dt.datetime.combine(value, dt.time(8, rng.randint(0, 59)), tzinfo=tz)
        return ops.adapt_datetimefield_value(moment) if sqlite else moment

    def table(*parts: dict[str, int]) -> tuple[list[str], list[float]]:
        merged = {k: v for part in parts for k, v in part.items()}
        return list(merged), _cumulative(list(merged.values()))

    status_tables = {
        (True, False): table(OPEN_CASE_STATUSES),
        (True, True): table(OPEN_CASE_STATUSES, DENUNCIATION_OPEN_STATUSES),
        (False, False): table(CLOSED_CASE_STATUSES),
        (False, True): table(CLOSED_CASE_STATUSES, DENUNCIATION_CLOSED_STATUSES),
    }

    case_fields = [f.column for f in Case._meta.concrete_fields]
    deadline_fields = [
        "case_id",
        "stage",
        "rule_id",
        "starts_on",
        "due_on",
        "met_on",
        "ward_id_copy",
        "unit_id_copy",
    ]
    sealed_fields = [
        "case_id",
        "name_enc",
        "address_enc",
        "contact_enc",
        "petition_enc",
        "petition_name_enc",
        "petition_type",
    ]
    suspension_fields = ["case_id", "starts_on", "ends_on", "reason"]
    first_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    total = open_count + closed_count

    def case_rows(
        start: int, stop: int
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[Any], list[Any]]:
        cases: list[tuple[Any, ...]] = []
        deadlines: list[tuple[Any, ...]] = []
        sealed: list[tuple[Any, ...]] = []
        suspensions: list[tuple[Any, ...]] = []
        for i in range(start, stop):
            pk = first_id + i
            is_open = i < open_count
            kind = kinds[bisect.bisect(kind_cum, rng.random() * kind_cum[-1])]
            topic = rng.choice(by_kind[kind])
            denunciation = kind == CaseKind.DENUNCIATION
            ward = wards[bisect.bisect(ward_cum, rng.random() * ward_cum[-1])]
            unit_id = None
            if topic.setting != WARD and pools[topic.setting]:
                unit_id, ward_id = rng.choice(pools[topic.setting])
                ward = ward_by_id.get(ward_id, ward)
            ward_text = ward.name[:1].lower() + ward.name[1:]
            unit_name, head = unit_info[unit_id] if unit_id else ("", "")
            if not unit_name:
                unit_name = UNIT_STANDIN[topic.setting].format(ward=ward_text)
                head = f"Lãnh đạo {unit_name}" if unit_name else f"Ủy ban nhân dân {ward_text}"
            values = {
                "unit": unit_name,
                "head": head,
                "khoa": rng.choice(HOSPITAL_WARDS),
                "pho": rng.choice(HA_NOI_PHO),
                "ward": ward_text,
                "n": str(rng.randint(2, 9)),
                "person": rng.choice(names),
            }
            roll = rng.random()
            complexity = Complexity.NORMAL
            if roll < 0.15:
                complexity = Complexity.COMPLEX
            elif roll < 0.19 and denunciation:
                complexity = Complexity.VERY_COMPLEX
            remote = ward.name.startswith("Xã") and rng.random() < 0.1
            private = bool(
                unit_id and kind_of_unit[unit_id] in PRIVATE_KINDS and kind in COMPLAINT_KINDS
            )
            statuses, status_cum = status_tables[(is_open, denunciation)]
            status = statuses[bisect.bisect(status_cum, rng.random() * status_cum[-1])]
            if i == 0:
                status = "received"  # received on the generation day: the scan's day
            extensions = 0
            if status == "extended":
                complexity = rng.choice([Complexity.COMPLEX, Complexity.VERY_COMPLEX])
                extensions = (
                    2 if complexity == Complexity.VERY_COMPLEX and rng.random() < 0.4 else 1
                )
            facts = (kind, private, complexity, remote, extensions)
            # (stage, rule, starts on, met on) of each deadline of the case.
            rows: list[tuple[str, Any, dt.date, dt.date | None]] = []
            late = rng.random() < OVERDUE_SHARE
            acc_rule, acc_days = dues.length(*facts, Stage.ACCEPTANCE)
            res_rule, res_days = dues.length(*facts, Stage.RESOLUTION)
            accepted = concluded = closed = None
            if status in ("received", "initial"):
                received = dues.start(rng, acc_days, acc_rule.day_count, late=late) if i else today
                rows.append((Stage.ACCEPTANCE, acc_rule, received, None))
            elif is_open and status in ("accepted", "verifying", "extended", "suspended"):
                if status == "extended":
                    # Extended a few days before each period ran out: at least 30 days ago.
                    accepted = today - dt.timedelta(
                        days=rng.randint(30 * extensions + 2, 30 * extensions + 22)
                    )
                else:
                    accepted = dues.start(rng, res_days, res_rule.day_count, late=late)
                received = accepted - dt.timedelta(days=rng.randint(1, 8))
                rows.append((Stage.ACCEPTANCE, acc_rule, received, accepted))
                rows.append((Stage.RESOLUTION, res_rule, accepted, None))
                if status == "suspended":
                    suspended_on = min(accepted + dt.timedelta(days=rng.randint(5, 25)), today)
                    suspensions.append((pk, day(suspended_on), None, "Chờ kết quả giám định."))
            elif status in ("concluded", "handled", "published") or not is_open:
                pub_rule, pub_days = dues.length(*facts, Stage.PUBLICATION)
                if is_open and status in ("concluded", "handled") and pub_rule is not None:
                    concluded = dues.start(rng, pub_days, pub_rule.day_count, late=late)
                elif is_open:
                    concluded = today - dt.timedelta(days=rng.randint(3, 60))
                else:
                    concluded = today - dt.timedelta(days=rng.randint(3, 1700))
                accepted = concluded - dt.timedelta(days=rng.randint(15, 40))
                received = accepted - dt.timedelta(days=rng.randint(1, 8))
                if not is_open:
                    closed = min(concluded + dt.timedelta(days=rng.randint(3, 20)), today)
                if status in ("withdrawn", "terminated"):
                    concluded = None
                rows.append((Stage.ACCEPTANCE, acc_rule, received, accepted))
                rows.append((Stage.RESOLUTION, res_rule, accepted, concluded or closed))
                if pub_rule is not None and concluded is not None:
                    published = min(concluded + dt.timedelta(days=rng.randint(2, 7)), today)
                    met = None if status in ("concluded", "handled") else closed or published
                    rows.append((Stage.PUBLICATION, pub_rule, concluded, met))
            else:  # rejected, transferred: the acceptance stage ended with the decision
                decided = today - dt.timedelta(days=rng.randint(1, 120))
                received = decided - dt.timedelta(days=rng.randint(1, 8))
                rows.append((Stage.ACCEPTANCE, acc_rule, received, decided))
            if denunciation and accepted is not None:
                notice_rule, _n = dues.length(*facts, Stage.NOTICE)
                sent = accepted + dt.timedelta(days=rng.randint(0, 4))
                rows.append((Stage.NOTICE, notice_rule, accepted, min(sent, today)))
            next_due = None
            for stage, rule, starts, met in rows:
                due = None
                if not (status == "suspended" and met is None):
                    n = res_days if stage == Stage.RESOLUTION else dues.length(*facts, stage)[1]
                    due = dues.due(starts, n, rule.day_count)
                if met is None and due is not None and (next_due is None or due < next_due):
                    next_due = due
                deadlines.append(
                    (pk, stage, rule.pk, day(starts), day(due), day(met), ward.pk, unit_id)
                )
            code = f"{CODE_PREFIX[CaseKind(kind)]}{received.year}-{pk:06d}"
            handler = unit_officer.get(unit_id or 0) if not denunciation else None
            handler = handler or ward_officer.get(ward.pk) or department
            if denunciation:
                name_enc, address_enc, contact_enc = rng.choice(sealed_pool)
                sealed.append((pk, name_enc, address_enc, contact_enc, b"", "", ""))
            row = {
                "id": pk,
                "code": code,
                "kind": kind,
                "status": status,
                "subject": topic.subject,
                "content": topic.content.format(**values),
                "filer_name": "" if denunciation else rng.choice(names),
                "filer_label": f"Người tố cáo {code}" if denunciation else "",
                "respondent": topic.respondent.format(**values)[:300],
                "channel": channels[bisect.bisect(channel_cum, rng.random() * channel_cum[-1])],
                "received_on": day(received),
                "complexity": complexity,
                "remote_area": remote,
                "private_enterprise": private,
                "unit_id": unit_id,
                "ward_id": ward.pk,
                "tip_id": None,
                "handler_id": handler,
                "created_by_id": handler,
                "extensions": extensions,
                "accepted_on": day(accepted),
                "concluded_on": day(concluded),
                "closed_on": day(closed),
                "conclusion": topic.conclusion.format(**values) if concluded else "",
                "next_due_on": day(next_due),
                "created_at": stamp(received),
                "updated_at": stamp(closed or today),
            }
            cases.append(tuple(row[f] for f in case_fields))
        return cases, deadlines, sealed, suspensions

    for start in range(0, total, CASE_BATCH):
        cases, deadlines, sealed, suspensions = case_rows(start, min(total, start + CASE_BATCH))
        with transaction.atomic():
            _bulk(Case._meta.db_table, case_fields, cases)
            _bulk(CaseDeadline._meta.db_table, deadline_fields, deadlines)
            _bulk(SealedIdentity._meta.db_table, sealed_fields, sealed)
            _bulk(Suspension._meta.db_table, suspension_fields, suspensions)
    _check_cases(rng, dues)


def _check_cases(rng: random.Random, dues: _DueDays, sample: int = 300) -> None:
    """The due dates written are those the services compute from the case as stored: the
    rule in force on the day the stage started, the case's complexity, area and
    extensions, the calendar and the suspensions (``services.deadlines_refresh``)."""
    from antq.cases.deadlines import days_for, due_date, rule_for
    from antq.cases.models import Case, DeadlineRule
    from antq.cases.status import Stage

    rules = list(DeadlineRule.objects.all())
    ids = list(Case.objects.values_list("id", flat=True))
    chosen = Case.objects.filter(pk__in=rng.sample(ids, min(sample, len(ids))))
    for case in chosen.prefetch_related("deadlines", "suspensions"):
        periods = [(s.starts_on, s.ends_on) for s in case.suspensions.all()]
        nearest = None
        for deadline in case.deadlines.all():
            rule = rule_for(
                rules,
                kind=case.kind,
                stage=deadline.stage,
                on=deadline.starts_on,
                private_enterprise=case.private_enterprise,
            )
            assert rule is not None
            days = days_for(
                rule,
                complexity=case.complexity,
                remote=case.remote_area,
                extensions=case.extensions if deadline.stage == Stage.RESOLUTION else 0,
            )
            # A suspension stops the resolution's time only; a met stage is not recomputed.
            resolution = deadline.stage == Stage.RESOLUTION
            open_periods = periods if resolution and deadline.met_on is None else []
            due = due_date(deadline.starts_on, days, rule.day_count, dues.calendar, open_periods)
            if (rule.pk, due) != (deadline.rule_id, deadline.due_on):
                raise SystemExit(
                    f"generate: case {case.code} {deadline.stage}: rule {deadline.rule_id}, due "
                    f"{deadline.due_on}; the services would write rule {rule.pk}, due {due}"
                )
            if deadline.met_on is None and due is not None and (nearest is None or due < nearest):
                nearest = due
        if nearest != case.next_due_on:
            raise SystemExit(
                f"generate: case {case.code}: next due {case.next_due_on}, not {nearest}"
            )


def _status(rng: random.Random, age_days: int, closed: list[str], closed_cum: list[float]) -> str:
    """A status consistent with the tip's age: new ones open, old ones mostly closed (a
    few stay open long past their deadline: the overdue)."""
    from antq.tips.status import TipStatus

    if age_days < 2:
        return TipStatus.NEW if rng.random() < 0.7 else TipStatus.RECEIVED
    if age_days < 12:
        return rng.choice([TipStatus.RECEIVED, TipStatus.VERIFYING, TipStatus.VERIFYING])
    if age_days < 40 and rng.random() < 0.3:
        return TipStatus.VERIFYING
    if rng.random() < 0.004:
        return TipStatus.VERIFYING
    return closed[bisect.bisect(closed_cum, rng.random() * closed_cum[-1])]


def _cumulative(weights: list[float] | list[int]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def _check(
    index: Indexer,
    code: str,
    category: str,
    text: str,
    place: str,
    ward: str,
    unit: str,
    fast: str,
) -> None:
    """The fast search text is the one ``tips.search.search_document`` writes."""
    parts = [code, category, text, place, ward, unit]
    real = index.index_text("\n".join(p for p in parts if p))
    if real != fast:
        raise SystemExit(f"generate: search text differs from search_document:\n{real}\n{fast}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--quick", action="store_true", help="5,000 units and 50,000 tips")
    parser.add_argument("--units", type=int)
    parser.add_argument("--tips", type=int)
    parser.add_argument("--cases", type=int, help="open cases (closed ones: a fifth more)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument("--fill", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        fill(args.units, args.tips, args.cases, args.seed)
        return 0
    city(
        database_url=args.database_url or None,
        quick=args.quick,
        units=args.units,
        tips=args.tips,
        cases=args.cases,
        seed=args.seed,
        force=args.force,
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
