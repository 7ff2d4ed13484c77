"""P2 (search page), P3 (inbox and unit list, first and deep pages) and P7 (worker memory)
against the real server over the generated city.

    .venv/bin/python bench/pages.py [--quick] [--database-url URL] [--seconds N]

gunicorn with the production settings (2 × cores workers) serves the city; ``wrk`` logs in
as the department's officer (city-wide: every tip and unit) or a ward officer and requests
the pages in turn with ``CONNECTIONS`` connections. Each group of pages gives its p95; every
answer must be a 200 with a whole page. Afterwards the resident memory of each worker is
read from /proc (P7; bench/run.py also counts the P1 server's).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
from typing import Any

from load import login, worker_rss, wrk_paths
from queries import SEARCH_TERMS
from results import record
from server import Server, running

CONNECTIONS = 4
PASSWORD = "antq-demo-2026"  # noqa: S105 - registry.demo.DEMO_PASSWORD, the bench's users


def ids(server: Server) -> dict[str, Any]:
    """Ids the page URLs need, and the sizes of the city."""
    code = (
        "import json; from antq.tips.models import Tip, TipCategory; "
        "from antq.registry.models import AdministrativeArea as A, Unit; "
        "print(json.dumps({'category': TipCategory.objects.get(code='trom-cap').pk, "
        "'ward': A.objects.get(code='00004').pk, "
        "'tips': Tip.objects.count(), 'units': Unit.objects.count()}))"
    )
    import json

    return dict(json.loads(server.antq("shell", "--no-imports", "-c", code).stdout))


def groups(city: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(benchmark, user, paths): the pages of each figure."""
    deep_tips = max(2, min(500, city["tips"] // 50 // 4))
    deep_units = max(2, min(500, city["units"] // 50 // 2))
    inbox = [
        "/tin-bao/",
        "/tin-bao/?status=verifying",
        f"/tin-bao/?category={city['category']}",
        f"/tin-bao/?ward={city['ward']}",
        "/tin-bao/?box=overdue",
        "/tin-bao/?status=handled&category=" + str(city["category"]),
    ]
    units = ["/don-vi/", "/don-vi/?block=giao_duc", "/don-vi/?kind=dn_ngoai_nha_nuoc"]
    units.append(f"/don-vi/?ward={city['ward']}")

    def deep(paths: list[str], page: int) -> list[str]:
        return [p + ("&" if "?" in p else "?") + f"page={page}" for p in paths]

    search = ["/tin-bao/?" + urllib.parse.urlencode({"q": q}) for q in SEARCH_TERMS]
    return [
        ("P2 search page p95", "phongxdpt", search),
        ("P3 inbox first page p95", "phongxdpt", inbox),
        (f"P3 inbox deep page (page {deep_tips}) p95", "phongxdpt", deep(inbox[:4], deep_tips)),
        ("P3 ward officer inbox p95", "ca.hoankiem", ["/tin-bao/", "/tin-bao/?status=handled"]),
        ("P3 unit list first page p95", "phongxdpt", units),
        (f"P3 unit list deep page (page {deep_units}) p95", "phongxdpt", deep(units, deep_units)),
    ]


def run(city_server: Server, *, seconds: float, database: str) -> list[float]:
    """Measure P2/P3 on a running server; returns the workers' RSS afterwards (MB)."""
    city = ids(city_server)
    with running(city_server) as live:
        assert live.pid is not None
        cookies = {user: login(live.url, user, PASSWORD) for user in ("phongxdpt", "ca.hoankiem")}
        for name, user, paths in groups(city):
            # Warm-up: every worker compiles its templates and opens its connection.
            wrk_paths(live.url, paths, cookie=cookies[user], seconds=1, connections=CONNECTIONS)
            load = wrk_paths(
                live.url, paths, cookie=cookies[user], seconds=seconds, connections=CONNECTIONS
            )
            limit = 50 if name.startswith("P2") else 100
            record(
                benchmark=name,
                database=database,
                value=load.p95_ms,
                unit="ms",
                extra={
                    "target": f"≤ {limit} ms",
                    "limit": limit,
                    "requests": load.requests,
                    "bad": load.bad,
                    "errors": load.errors,
                    "p50_ms": load.p50_ms,
                    "p99_ms": load.p99_ms,
                    "rps": round(load.rps, 1),
                    "connections": CONNECTIONS,
                    "paths": paths,
                    "tips": city["tips"],
                    "units": city["units"],
                },
            )
            if load.bad or load.errors:
                print(f"  {load.bad} bad answers, {load.errors} errors", file=sys.stderr)
        return worker_rss(live.pid)


def record_rss(rss: list[float], database: str, *, servers: str) -> None:
    record(
        benchmark=f"P7 gunicorn worker RSS after {servers} (max)",
        database=database,
        value=max(rss),
        unit="MB",
        extra={
            "target": "≤ 150 MB",
            "limit": 150,
            "workers_mb": [round(r, 1) for r in rss],
            "after": servers,
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float, default=0)
    args = parser.parse_args()
    from generate import city

    server = city(database_url=args.database_url or None, quick=args.quick)
    database = "postgresql" if args.database_url else "sqlite"
    seconds = args.seconds or (3 if args.quick else 15)
    rss = run(server, seconds=seconds, database=database)
    record_rss(rss, database, servers="P2–P3")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
