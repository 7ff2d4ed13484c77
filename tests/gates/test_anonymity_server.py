"""Gate 2 — anonymity, against the real server: gunicorn with the production settings and
logging, behind a (simulated) reverse proxy, as deployed.

A tipster with a distinctive address (the client binds 127.0.0.77, and the proxy's
``X-Forwarded-For`` names it), browser and cookie files tips through the web form (named,
with a phone photo carrying GPS EXIF), the partner API, the SMS webhook and Open311, comes
back with his code and passphrase, answers, mistypes his passphrase; an officer answers the
SMS tipster, and the worker sends that SMS. Then the whole database dump (the task table
included), every file under the instance's var dir (logs, uploaded files, rate-limit
counters, cache) are searched for those values: zero hits. The stored photo has no EXIF;
every page of the tipster says ``Cache-Control: no-store``, sets no cookie but the CSRF one
and refers to no other site.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import ExifTags, Image

from tests.gates.load import (
    Response,
    cookie_header,
    cookies_of,
    form,
    multipart,
    read_form,
    receipt_of,
    request,
    run,
)
from tests.gates.server import PARTNER_KEY, SMS_SECRET, Instance

pytestmark = pytest.mark.gate

ADDRESS = "127.0.0.77"
AGENT = "TipsterProbe/7.7 (Nokia 105; gate-anonymity)"
COOKIE = "probe-cookie-5be1d2"
PHONE = "0987654321"
CAMERA = "ProbeCam-4471"
TRACES = (ADDRESS, AGENT, "TipsterProbe", COOKIE, PHONE, "987654321", CAMERA)
# Behind nginx, as in docs/deploy.md: the proxy appends the client's address.
PROXY_ENV = {"ANTQ_TRUSTED_PROXY": "1"}
IDS = """
import json
from antq.registry.models import AdministrativeArea
from antq.tips.models import TipCategory
print(json.dumps({"category": TipCategory.objects.get(code="ma-tuy").pk,
                  "ward": AdministrativeArea.objects.get(code="00070").pk}))
"""
STORED = """
import json
from antq.core.models import OutboxMessage
from antq.tips.models import Tip, TipAttachment
print(json.dumps({
    "tips": Tip.objects.count(),
    "files": [a.file.path for a in TipAttachment.objects.all()],
    "outbox": list(OutboxMessage.objects.values_list("status", flat=True)),
}))
"""


def photo_with_gps() -> bytes:
    """A phone photo: the camera's make and where it was taken, in EXIF."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = CAMERA
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 7.0)}
    )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class _Links(HTMLParser):
    """Every URL a page makes the browser load or go to."""

    ATTRIBUTES = ("src", "href", "action", "formaction", "poster", "data", "srcset")

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name == "srcset":
                self.urls += [part.strip().split(" ")[0] for part in value.split(",")]
            elif name in self.ATTRIBUTES:
                self.urls.append(value)
            elif name == "style":
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
        if tag == "link" and "stylesheet" in (values.get("rel") or "") and values.get("href"):
            self.stylesheets.append(values["href"] or "")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.urls.append((values.get("content") or "").partition("url=")[2])

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style":
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)


def _foreign(url: str, origin: str) -> bool:
    """Whether ``url`` (as written in a page of ``origin``) points at another site."""
    url = url.strip()
    if not url or url.startswith(("#", "data:", "mailto:", "tel:")):
        return False
    absolute = urljoin(origin + "/", url)
    parts = urlsplit(absolute)
    return f"{parts.scheme}://{parts.netloc}" != origin


@pytest.fixture(scope="module")
def proxied_server(real_server: Any) -> Any:
    with real_server(extra_env=PROXY_ENV) as server:
        yield server


class Tipster:
    """The tipster's browser: his address, agent and cookie on every request."""

    def __init__(self, server: Instance) -> None:
        self.server = server
        self.jar = {"tracker": COOKIE}
        self.pages: dict[str, Response] = {}

    async def go(self, name: str, path: str, method: str = "GET", **kwargs: Any) -> Response:
        headers = {
            "User-Agent": AGENT,
            "X-Forwarded-For": ADDRESS,
            "Cookie": cookie_header(self.jar),
            **kwargs.pop("headers", {}),
        }
        response = await request(
            self.server.url + path, method, headers=headers, source=ADDRESS, **kwargs
        )
        self.jar.update(cookies_of(response))
        self.pages[name] = response
        return response


async def _file_through_every_channel(server: Instance, ids: dict[str, int]) -> Tipster:
    tipster = Tipster(server)
    page = await tipster.go("form", "/gui-tin-bao/")
    assert page.status == 200
    hidden = read_form(page)
    content_type, body = multipart(
        {
            "csrfmiddlewaretoken": hidden.csrf_token,
            "nonce": hidden.nonce,
            "category": ids["category"],
            "text": "Có người bán ma túy ở ngõ 12 phố Hàng Bạc, thường sau 22 giờ.",
            "ward": ids["ward"],
            "place": "Ngõ 12 Hàng Bạc",
            "anonymous": "no",
            "reporter_name": "Người báo tin thử nghiệm",
            "reporter_phone": PHONE,
        },
        [("attachments", "IMG_0001.jpg", "image/jpeg", photo_with_gps())],
    )
    answer = await tipster.go(
        "receipt", "/gui-tin-bao/", "POST", headers={"Content-Type": content_type}, body=body
    )
    receipt = receipt_of(answer)
    assert answer.status == 200 and receipt is not None and receipt[1], answer.text[:2000]
    code, passphrase = receipt
    lookup = await tipster.go("lookup", "/tra-cuu/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', lookup.text)
    assert lookup.status == 200 and csrf is not None
    urlencoded = {"Content-Type": "application/x-www-form-urlencoded"}
    token = csrf.group(1)
    follow_up = await tipster.go(
        "tip",
        "/tra-cuu/",
        "POST",
        headers=urlencoded,
        body=form({"csrfmiddlewaretoken": token, "code": code, "passphrase": passphrase}),
    )
    assert follow_up.status == 200 and code in follow_up.text, follow_up.text[:1000]
    reply = await tipster.go(
        "reply",
        "/tra-cuu/tra-loi/",
        "POST",
        headers=urlencoded,
        body=form(
            {
                "csrfmiddlewaretoken": token,
                "code": code,
                "passphrase": passphrase,
                "body": "Tối nay họ lại tụ tập ở đầu ngõ.",
            }
        ),
    )
    assert reply.status == 200 and "Tối nay họ lại tụ tập" in reply.text
    wrong = await tipster.go(
        "wrong",
        "/tra-cuu/",
        "POST",
        headers=urlencoded,
        body=form({"csrfmiddlewaretoken": token, "code": code, "passphrase": "sai mat khau"}),
    )
    assert wrong.status == 200 and "Tối nay họ lại tụ tập" not in wrong.text

    sms = json.dumps({"id": "gw-gate2-1", "from": PHONE, "text": "co trom o pho hue"}).encode()
    signature = "sha256=" + hmac.new(SMS_SECRET.encode(), sms, hashlib.sha256).hexdigest()
    answer = await tipster.go(
        "sms",
        "/webhooks/sms/",
        "POST",
        headers={"Content-Type": "application/json", "X-Signature": signature},
        body=sms,
    )
    assert answer.status == 201, answer.text
    api = json.dumps({"category": "lua-dao", "text": "Lừa đảo qua điện thoại", "ward": ids["ward"]})
    answer = await tipster.go(
        "api",
        "/api/v1/tips",
        "POST",
        headers={"Content-Type": "application/json", "X-Partner-Key": PARTNER_KEY},
        body=api.encode(),
    )
    assert answer.status == 201, answer.text
    answer = await tipster.go(
        "open311",
        "/open311/v2/requests.json",
        "POST",
        headers=urlencoded,
        body=form(
            {
                "api_key": PARTNER_KEY,
                "service_code": "gay-roi",
                "description": "Thanh niên đua xe trên phố Tràng Tiền",
                "address_string": "Phường Hoàn Kiếm",
                "phone": PHONE,
            }
        ),
    )
    assert answer.status == 201, answer.text
    return tipster


async def _officer_answers_the_sms_tipster(server: Instance) -> None:
    """From the police station (another address): queues an SMS to the tipster's number."""
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    listed = await request(server.url + "/api/v1/tips?channel=sms", headers=headers)
    (tip,) = listed.json()["items"]
    answer = await request(
        server.url + f"/api/v1/tips/{tip['id']}/messages",
        "POST",
        headers=headers,
        body=json.dumps({"body": "Cảm ơn anh/chị, chúng tôi đang xác minh."}).encode(),
    )
    assert answer.status == 201, answer.text


def _stored(server: Instance, timeout: float = 60) -> dict[str, Any]:
    """What is stored, once the worker has sent the queued SMS (receipt and answer)."""
    deadline = time.monotonic() + timeout
    while True:
        stored: dict[str, Any] = server.python(STORED)
        if stored["outbox"] == ["sent", "sent"] or time.monotonic() > deadline:
            return stored
        time.sleep(1)


def test_the_real_server_keeps_no_trace_of_the_tipster(proxied_server: Instance) -> None:
    server = proxied_server
    ids = server.python(IDS)
    tipster = run(_file_through_every_channel(server, ids))
    run(_officer_answers_the_sms_tipster(server))
    stored = _stored(server)
    assert stored["tips"] == 4
    assert stored["outbox"] == ["sent", "sent"]  # the SMS receipt and the officer's answer
    # The tipster's pages: never cached, no cookie but CSRF's, nothing from another site.
    origin = server.url
    cached = [n for n, r in tipster.pages.items() if "no-store" not in r.header("Cache-Control")]
    for name, response in tipster.pages.items():
        assert set(cookies_of(response)) <= {"csrftoken"}, (name, cookies_of(response))
    for name in ("form", "receipt", "lookup", "tip", "reply", "wrong"):
        links = _Links()
        links.feed(tipster.pages[name].text)
        assert links.urls, name
        assert [u for u in links.urls if _foreign(u, origin)] == [], name
        for sheet in links.stylesheets:
            css = run(request(urljoin(origin + "/", sheet)))
            assert css.status == 200, sheet
            targets = re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")]+)", css.text)
            assert [t for t in targets if _foreign(t, origin)] == [], sheet

    server.stop()  # every log line written and closed, as after a shutdown

    # The photo was stored without its EXIF (GPS position, camera).
    (path,) = stored["files"]
    with Image.open(path) as photo:
        exif = photo.getexif()
        assert "exif" not in photo.info
        assert ExifTags.IFD.GPSInfo not in exif and ExifTags.Base.Make not in exif
    assert photo_with_gps().count(CAMERA.encode()) == 1  # the probe did carry it

    # Nothing anywhere: the whole database (tasks included), logs, media, counters, cache.
    dump = server.dump()
    assert "outbox_send_task" in dump, "the dump lacks the task table"
    found = {trace: "database dump" for trace in TRACES if trace in dump}
    searched = list(server.files())
    for file in searched:
        data = file.read_bytes()
        found.update({t: str(file) for t in TRACES if t.encode() in data})
    assert found == {}
    names = {f.parent.name for f in searched}
    assert {"log", "ratelimit"} <= names, names  # the logs and the counters were searched
    assert len(server.logs()) > 0 and "POST /gui-tin-bao/" in server.logs()

    # The API's answer holds the passphrase, like the receipt page: no copy in any cache.
    assert cached == []
