"""P1 — public tip submission against a trivial no-database view of the same server.

    .venv/bin/python bench/tips_submit.py                      # SQLite (var/bench/p1/)
    .venv/bin/python bench/tips_submit.py --database-url postgres://antq_ci@127.0.0.1:5432/antq_bench

Starts gunicorn with the production settings (2 × cores sync workers) on loopback, then runs
the same load client (``wrk``, from Debian) with 32 connections against ``/healthz/live``
(no database) and against ``POST /gui-tin-bao/`` (the citizen's form: CSRF, validation, the
rate limiter, one transaction with the tip and its audit row). Every POST carries a new form
nonce, so each is a new tip. Afterwards the tips in the database are counted against the
answers that showed a passphrase: an acknowledged tip that is not there is "lost".

Prints one row per figure and appends them to ``var/bench/results.json``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from load import worker_rss
from results import record
from server import prepare, running

CONNECTIONS = 32
CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 characters: a valid unmasked CSRF secret

BASELINE_LUA = """
function done(summary, latency, requests)
  io.write(string.format("ANTQ requests=%d errors=%d p50_us=%d p99_us=%d\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

SUBMIT_LUA = """
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  created = 0
  other = 0
  counter = 0
end
function request()
  counter = counter + 1
  local body = "csrfmiddlewaretoken=%(csrf)s&nonce=bench-" .. tid .. "-" .. counter
    .. "-" .. math.random(1, 1000000000)
    .. "&category=%(category)s&ward=%(ward)s&anonymous=yes&place=Ngo+12+pho+Hang+Bac"
    .. "&text=Co+nguoi+ban+ma+tuy+o+ngo+12+pho+Hang+Bac%%2C+thuong+sau+22+gio."
  return wrk.format("POST", "/gui-tin-bao/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=%(csrf)s",
  }, body)
end
function response(status, headers, body)
  if status == 200 and body:find("tip-passphrase", 1, true) then
    created = created + 1
  else
    other = other + 1
  end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format(
    "ANTQ requests=%%d created=%%d other=%%d errors=%%d p50_us=%%d p99_us=%%d\\n",
    summary.requests, c, o, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(url: str, script: str, seconds: int) -> dict[str, int]:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk (Debian)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", f.name, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    Path(f.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("ANTQ "))
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    database = "postgresql" if args.database_url else "sqlite"
    server = prepare(
        f"p1-{database}",
        database_url=args.database_url or None,
        # The form's own limit would stop a load test from one address after 20 tips.
        extra={"ANTQ_TIP_SUBMIT_PER_HOUR": "1000000000"},
    )
    ids = server.antq(
        "shell",
        "--no-imports",
        "-c",
        "from antq.tips.models import TipCategory; from antq.registry.models import "
        "AdministrativeArea as A; print(TipCategory.objects.get(code='ma-tuy').pk, "
        "A.objects.get(code='00070').pk)",
    ).stdout.split()
    with running(server) as live:
        wrk(live.url + "/healthz/live", BASELINE_LUA, 3)  # warm-up
        baseline = wrk(live.url + "/healthz/live", BASELINE_LUA, args.seconds)
        script = SUBMIT_LUA % {"csrf": CSRF, "category": ids[0], "ward": ids[1]}
        wrk(live.url + "/healthz/live", BASELINE_LUA, 1)
        submit = wrk(live.url + "/", script, args.seconds)
        assert live.pid is not None
        rss = worker_rss(live.pid)
    stored = int(
        server.antq(
            "shell",
            "--no-imports",
            "-c",
            "from antq.tips.models import Tip; print(Tip.objects.count())",
        ).stdout.strip()
    )
    print(f"wrk baseline: {baseline}\nwrk submission: {submit}", flush=True)
    base_rps = baseline["requests"] / args.seconds
    submit_rps = submit["created"] / args.seconds
    lost = max(0, submit["created"] - stored)
    rows = [
        ("P1 no-DB view (baseline)", base_rps, "req/s", None),
        ("P1 tip submission", submit_rps, "tips/s", submit_rps / base_rps),
        ("P1 tip submission p99", submit["p99_us"] / 1000, "ms", None),
        ("P1 baseline p99", baseline["p99_us"] / 1000, "ms", None),
        ("P1 acknowledged tips lost", lost, "tips", None),
        ("P1 answers that were not a receipt", submit["other"], "answers", None),
    ]
    for name, value, unit, ratio in rows:
        record(
            benchmark=name,
            database=database,
            value=value,
            unit=unit,
            baseline=base_rps if ratio is not None else None,
            ratio=ratio,
            extra={"connections": CONNECTIONS, "seconds": args.seconds, "stored": stored},
        )
    record(
        benchmark="P7 gunicorn worker RSS after P1 (max)",
        database=database,
        value=max(rss),
        unit="MB",
        extra={"workers_mb": [round(r, 1) for r in rss]},
    )
    return 0 if lost == 0 and submit["other"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
