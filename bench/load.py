"""The load client of the page benchmarks: log in as a user of the instance, then drive
``wrk`` (Debian) over a list of paths with that session, and read the workers' memory.

Nothing here is imported by the product.
"""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PAGES_LUA = """
local paths = {%(paths)s}
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
  bad = 0
end
function request()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  return wrk.format("GET", path, {["Cookie"] = "%(cookie)s"})
end
function response(status, headers, body)
  if status ~= 200 or not body:find("%(marker)s", 1, true) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
  end
  io.write(string.format(
    "ANTQ requests=%%d bad=%%d errors=%%d p50_us=%%d p95_us=%%d p99_us=%%d max_us=%%d\\n",
    summary.requests, b, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout + summary.errors.status, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max))
end
"""


WRK = ("wrk", "--timeout", "30s")


@dataclass(frozen=True)
class Load:
    requests: int
    bad: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def login(base_url: str, username: str, password: str) -> str:
    """Log in through the real form; returns the ``Cookie`` header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = base_url + "/tai-khoan/dang-nhap/"
    with opener.open(login_url, timeout=30) as r:
        page = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the bench's own http:// server
        login_url, data=data, headers={"Referer": login_url}
    )
    with opener.open(request, timeout=30) as r:
        r.read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login as {username} failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def wrk_paths(
    base_url: str,
    paths: list[str],
    *,
    cookie: str,
    seconds: float,
    connections: int,
    marker: str = "</html>",
) -> Load:
    """Requests over ``paths`` in turn for ``seconds`` with ``connections`` open; a
    response that is not a 200 holding ``marker`` counts as bad."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: bash scripts/ensure-bench-tools.sh")
    quoted = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    script = PAGES_LUA % {"paths": quoted, "cookie": cookie, "marker": marker}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    threads = min(2, connections)
    try:
        out = subprocess.run(
            [*WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", f.name, base_url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        Path(f.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith("ANTQ "))
    values = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    return Load(
        requests=values["requests"],
        bad=values["bad"],
        errors=values["errors"],
        p50_ms=values["p50_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        seconds=seconds,
    )


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_rss(server_pid: int) -> list[float]:
    """VmRSS (MB) of each gunicorn worker: the processes under the server that have no
    child (the master has its workers under it)."""
    pids = descendants(server_pid)
    parents = set()
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        parents.add(int(stat.rsplit(")", 1)[1].split()[1]))
    return sorted(rss_mb(pid) for pid in pids if pid not in parents)
