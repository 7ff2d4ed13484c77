"""A small HTTP/1.1 client on asyncio for the gates: many concurrent requests from one
process, each on its own connection (gunicorn's sync workers close every connection anyway),
optionally from a chosen loopback source address (Linux answers for all of 127.0.0.0/8).

Only loopback targets: the gates never send traffic anywhere else.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

TIMEOUT = 60.0
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: in the whole suite the browser tests'
    Playwright leaves an event loop running in the main thread, where ``asyncio.run``
    refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float = 0.0

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    def all_headers(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class ConnectionFailed(Exception):
    """No HTTP answer at all (refused, reset, timed out)."""


def _check_loopback(host: str) -> None:
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"the gates only talk to loopback, not {host}")


def _parse(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ConnectionFailed("incomplete answer")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), None)
    if length is not None:
        if len(body) < length:
            raise ConnectionFailed("answer cut short")
        body = body[:length]
    elif any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        body = _dechunk(body)
    return status, headers, body


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


async def request(
    url: str,
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    source: str | None = None,
    timeout: float = TIMEOUT,
) -> Response:
    """One request on a fresh connection; the whole answer is read (``Connection: close``)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    _check_loopback(host)
    port = parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target or '/'} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host, port, local_addr=(source, 0) if source else None
            )
            try:
                writer.write(payload)
                await writer.drain()
                raw = await reader.read()
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
        raise ConnectionFailed(f"{type(exc).__name__}: {exc}") from exc
    status, response_headers, content = _parse(raw)
    return Response(status, response_headers, content, time.monotonic() - started)


def form(data: dict[str, Any] | Iterable[tuple[str, Any]]) -> bytes:
    return urlencode(list(data.items()) if isinstance(data, dict) else list(data)).encode()


def multipart(
    fields: dict[str, Any], files: Iterable[tuple[str, str, str, bytes]]
) -> tuple[str, bytes]:
    """A multipart/form-data body: (content type, body); files are (field, name, type, data)."""
    boundary = "----antq-gate-boundary-7c1e"
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += str(value).encode() + b"\r\n"
    for name, filename, content_type, data in files:
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_NONCE_INPUT = re.compile(r'name="nonce" value="([^"]+)"')
_CODE = re.compile(r'data-testid="tip-code">\s*([0-9A-Z]{5}-[0-9A-Z]{5})\s*<')
_PASSPHRASE = re.compile(r'data-testid="tip-passphrase">\s*([^<]+?)\s*<')


def cookies_of(response: Response) -> dict[str, str]:
    jar: dict[str, str] = {}
    for value in response.all_headers("Set-Cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value)
        jar.update({k: m.value for k, m in cookie.items()})
    return jar


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class FormPage:
    """The public form as a browser got it: its CSRF cookie and hidden fields."""

    csrf_cookie: str
    csrf_token: str
    nonce: str


def read_form(page: Response) -> FormPage:
    csrf = _CSRF_INPUT.search(page.text)
    nonce = _NONCE_INPUT.search(page.text)
    cookie = cookies_of(page).get("csrftoken", "")
    if not (csrf and nonce and cookie):
        raise AssertionError(f"the tip form lacks its hidden fields: {page.status}")
    return FormPage(cookie, csrf.group(1), nonce.group(1))


def receipt_of(page: Response) -> tuple[str, str | None] | None:
    """(code, passphrase) shown on the receipt page, or None if the page is no receipt."""
    code = _CODE.search(page.text)
    if code is None:
        return None
    passphrase = _PASSPHRASE.search(page.text)
    return code.group(1), passphrase.group(1) if passphrase else None


@dataclass
class Tally:
    """What a load run saw; every answer is counted under its status."""

    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def count(self, response: Response) -> None:
        self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        self.latencies.append(response.seconds)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def run_pool(
    jobs: Iterable[Callable[[], Awaitable[None]]], *, concurrency: int, deadline: float
) -> None:
    """Run the jobs with at most ``concurrency`` at a time; stop starting new ones at
    ``deadline`` (``time.monotonic()``)."""
    iterator = iter(jobs)

    async def lane() -> None:
        for job in iterator:
            if time.monotonic() > deadline:
                return
            await job()

    await asyncio.gather(*(lane() for _ in range(concurrency)))


# --- the hotline's workload ---------------------------------------------------------------


@dataclass
class Submission:
    """One tip a client means to file once, whatever the retries: ``key`` is its idempotency
    key (API), form nonce (web) or gateway message id (SMS)."""

    key: str
    channel: str  # "api", "web" or "sms"
    text: str
    codes: list[str] = field(default_factory=list)  # the code of every success answer
    created: list[bool] = field(default_factory=list)
    connection_failures: int = 0
    other_answers: list[str] = field(default_factory=list)
    attachment: bytes = b""  # a photo sent with a web submission

    @property
    def acknowledged(self) -> bool:
        return bool(self.codes)


@dataclass
class Hotline:
    """Files tips through the public channels of one server and keeps every answer."""

    url: str
    partner_key: str
    sms_secret: str
    category_id: int
    ward_ids: list[int]
    source: str | None = None
    tally: Tally = field(default_factory=Tally)
    _form: FormPage | None = None

    async def open_form(self) -> None:
        page = await request(self.url + "/gui-tin-bao/", source=self.source)
        self.tally.count(page)
        self._form = read_form(page)

    async def attempt(self, sub: Submission, n: int) -> Response:
        """One try at filing ``sub``; raises ConnectionFailed if no answer came."""
        ward = self.ward_ids[n % len(self.ward_ids)]
        if sub.channel == "api":
            body = json.dumps(
                {"category": "lua-dao", "text": sub.text, "ward": ward}, ensure_ascii=False
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Partner-Key": self.partner_key,
                "Idempotency-Key": sub.key,
            }
            return await request(
                self.url + "/api/v1/tips", "POST", headers=headers, body=body, source=self.source
            )
        if sub.channel == "sms":
            body = json.dumps(
                {"id": sub.key, "from": f"09{n % 100_000_000:08d}", "text": sub.text}
            ).encode()
            signature = hmac.new(self.sms_secret.encode(), body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-Signature": "sha256=" + signature}
            return await request(
                self.url + "/webhooks/sms/", "POST", headers=headers, body=body, source=self.source
            )
        assert self._form is not None, "open_form() first"
        fields = {
            "csrfmiddlewaretoken": self._form.csrf_token,
            "nonce": sub.key,
            "category": self.category_id,
            "ward": ward,
            "anonymous": "yes",
            "place": "Ngõ 12 phố Hàng Bạc",
            "text": sub.text,
        }
        if sub.attachment:
            content_type, body = multipart(
                fields, [("attachments", "anh.jpg", "image/jpeg", sub.attachment)]
            )
        else:
            content_type, body = "application/x-www-form-urlencoded", form(fields)
        headers = {"Content-Type": content_type, "Cookie": f"csrftoken={self._form.csrf_cookie}"}
        return await request(
            self.url + "/gui-tin-bao/", "POST", headers=headers, body=body, source=self.source
        )

    def record(self, sub: Submission, response: Response) -> None:
        self.tally.count(response)
        code: str | None = None
        created = False
        if sub.channel == "web":
            receipt = receipt_of(response) if response.status == 200 else None
            if receipt is not None:
                code, created = receipt[0], receipt[1] is not None
        elif response.status in (200, 201):
            data = response.json()
            code, created = data.get("code"), bool(data.get("created"))
        if code:
            sub.codes.append(code)
            sub.created.append(created)
        else:
            sub.other_answers.append(f"{response.status} {response.text[:300]}")

    async def file(self, sub: Submission, n: int, *, retry_until: float | None = None) -> None:
        """File ``sub``; with ``retry_until`` (monotonic time), retry with the same key after
        a connection failure, as a partner application or the SMS gateway does."""
        while True:
            try:
                response = await self.attempt(sub, n)
            except ConnectionFailed:
                sub.connection_failures += 1
                if retry_until is None or time.monotonic() > retry_until:
                    return
                await asyncio.sleep(0.25)
                continue
            self.record(sub, response)
            return


@dataclass
class Officer:
    """A department officer working the inbox through the API while tips pour in: takes new
    tips of his share (tip id modulo ``lanes``), assigns them to himself, starts verifying,
    and answers the SMS tipsters (which queues an SMS for the worker)."""

    url: str
    token: str
    officer_id: int
    lane: int
    lanes: int
    tally: Tally = field(default_factory=Tally)
    handled: dict[int, str] = field(default_factory=dict)  # tip id → channel
    messaged: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    connection_failures: int = 0

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    async def _call(self, path: str, method: str = "GET", data: Any = None) -> Response | None:
        body = json.dumps(data).encode() if data is not None else b""
        try:
            response = await request(self.url + path, method, headers=self._headers(), body=body)
        except ConnectionFailed:
            self.connection_failures += 1
            await asyncio.sleep(0.25)
            return None
        self.tally.count(response)
        if response.status >= 300:
            self.refused.append(f"{method} {path}: {response.status} {response.text[:200]}")
            return None
        return response

    async def work(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            page = await self._call("/api/v1/tips?status=new&limit=50")
            mine = [
                t
                for t in (page.json()["items"] if page else [])
                if t["id"] % self.lanes == self.lane and t["id"] not in self.handled
            ]
            if not mine:
                await asyncio.sleep(0.3)
                continue
            tip = mine[-1]  # the oldest of the page
            path = f"/api/v1/tips/{tip['id']}"
            if await self._call(path + "/assign", "POST", {"assignee": self.officer_id}) is None:
                continue
            if await self._call(path + "/transition", "POST", {"to": "verifying"}) is None:
                continue
            self.handled[tip["id"]] = tip["channel"]
            if tip["channel"] == "sms":
                body = {"body": "Cảm ơn anh/chị, công an phường đang xác minh."}
                if await self._call(path + "/messages", "POST", body) is not None:
                    self.messaged.append(tip["id"])


# The ids a load needs: the category of the form's tips, the first 40 wards.
IDS = """
import json
from antq.registry.models import AdministrativeArea
from antq.tips.models import TipCategory
wards = AdministrativeArea.objects.filter(level="ward").order_by("code")
print(json.dumps({"category": TipCategory.objects.get(code="lua-dao").pk,
                  "wards": list(wards.values_list("pk", flat=True)[:40])}))
"""

# What the gates read back from the instance after a run: run with ``Instance.python``.
STATE = """
import json, os, hashlib
from collections import Counter
from django.db import connection
from antq.core.models import AuditEntry, OutboxMessage
from antq.tips.models import Tip, TipAttachment
receipts = Counter(
    AuditEntry.objects.filter(action="receive", object_type="tips.tip")
    .values_list("object_id", flat=True)
)
tips = list(Tip.objects.values_list("id", "code", "idempotency_key", "channel", "status",
                                    "assignee_id", "reply_to_enc"))
files = []
for a in TipAttachment.objects.all():
    path = a.file.path
    ok = os.path.exists(path) and hashlib.sha256(open(path, "rb").read()).hexdigest() == a.sha256
    files.append([a.tip_id, a.file.name, ok])
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        try:
            c.execute("INSERT INTO tips_tip_fts (tips_tip_fts) VALUES ('integrity-check')")
            index = "ok"
        except Exception as exc:
            index = str(exc)
else:
    index = "ok" if not Tip.objects.extra(where=["search_vector IS NULL"]).exists() else "null"
print(json.dumps({
    "tips": [[i, c, k, ch, s, a, bool(r)] for i, c, k, ch, s, a, r in tips],
    "receipts": {k: v for k, v in receipts.items()},
    "outbox": [[i, s, a, o, b[:13]] for i, s, a, o, b in OutboxMessage.objects.values_list(
        "id", "status", "attempts", "object_id", "body")],
    "files": files,
    "index": index,
}))
"""


@dataclass
class State:
    """The instance's tips, audit receipts, outbox and files after a run."""

    tips: list[list[Any]]
    receipts: dict[str, int]
    outbox: list[list[Any]]
    files: list[list[Any]]
    index: str

    @property
    def codes(self) -> list[str]:
        return [t[1] for t in self.tips]

    def tip_by_code(self) -> dict[str, list[Any]]:
        return {t[1]: t for t in self.tips}


def settled(server: Any, timeout: float = 90) -> State:
    """The state of ``server`` (a ``server.Instance``) once the worker has sent everything
    queued, or when ``timeout`` has passed."""
    deadline = time.monotonic() + timeout
    while True:
        state = State(**server.python(STATE))
        if all(m[1] == "sent" for m in state.outbox) or time.monotonic() > deadline:
            return state
        time.sleep(2)
