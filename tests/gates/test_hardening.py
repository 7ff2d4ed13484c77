"""Gate 6, hardening: the deploy check, the security headers on real responses, CSRF on
every form, the login lockout, the tip-code guessing throttle and the dependency audit.

Figures that docs/security.md quotes are asserted here: a change to them fails this file.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from antq.accounts.services import token_create
from antq.core.middleware import PUBLIC_PREFIXES
from antq.tips.open311 import views as open311_views
from antq.tips.services import partner_create
from tests.conftest import Cast
from tests.factories import PASSWORD, make_tip, receive_tip
from tests.test_scoping_matrix import ROUTES, World, _url
from tests.test_scoping_matrix import world as world  # the fixture: an object of each kind

pytestmark = pytest.mark.gate

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "antq" / "templates"

# -- the deploy check -------------------------------------------------------------------


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production server, as docs/deploy.md describes it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "antq.config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "antq.congan.example",
        "ANTQ_HTTPS": "1",
        "ANTQ_VAR_DIR": str(tmp_path),
        **extra,
    }
    for name in ("ANTQ_DEMO", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "antq.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _check_deploy(_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_fails_a_server_without_https(tmp_path: Path) -> None:
    """The control: the same check does fail a weaker configuration."""
    result = _check_deploy(_production_env(tmp_path, ANTQ_HTTPS="0"))
    assert result.returncode == 1
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


# -- security headers on real responses -------------------------------------------------

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
HSTS = "max-age=31536000; includeSubDomains; preload"


def parse_csp(header: str) -> list[dict[str, list[str]]]:
    """Each policy of a header (policies are comma-separated) as {directive: sources}."""
    policies = []
    for policy in header.split(","):
        directives: dict[str, list[str]] = {}
        for directive in policy.split(";"):
            name, *sources = directive.split()
            directives[name] = sources
        policies.append(directives)
    return policies


@pytest.fixture
def https(settings: Any) -> None:
    """The values settings.py gives a production server (ANTQ_HTTPS=1); the deploy check
    above proves that production has them."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    # Static files through WhiteNoise as in production, found without collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def _token(cast: Cast) -> str:
    _obj, raw = token_create(actor=cast.admin, user=cast.department, name="Kiểm thử")
    return raw


# (what, who, path): who is None for a visitor, "token" for an API token, or a role.
PAGES = [
    ("the public tip form", None, "/gui-tin-bao/"),
    ("the lookup form", None, "/tra-cuu/"),
    ("the login page", None, "/tai-khoan/dang-nhap/"),
    ("a public 404 page", None, "/canh-bao/khong-co-tin-nay/"),
    ("the dashboard", "department", "/"),
    ("the tip inbox", "department", "/tin-bao/"),
    ("the statistics page", "department", "/tin-bao/thong-ke/"),
    ("the API documentation", "department", "/api/v1/docs"),
    ("an API answer", "token", "/api/v1/me"),
    ("an API error", None, "/api/v1/me"),
    ("a static file", None, "/static/antq/app.css"),
]


def _get(client: Client, cast: Cast, who: str | None, path: str) -> Any:
    headers = {}
    if who == "token":
        headers["Authorization"] = f"Bearer {_token(cast)}"
    elif who is not None:
        client.force_login(cast.by_name(who))
    return client.get(path, secure=True, headers=headers)


def assert_security_headers(response: Any, *, html: bool) -> None:
    (policy,) = parse_csp(response["Content-Security-Policy"])
    assert policy == EXPECTED_CSP
    assert response["Strict-Transport-Security"] == HSTS
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    if html:
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(("what", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_every_kind_of_response_carries_the_security_headers(
    client: Client, cast: Cast, https: None, what: str, who: str | None, path: str
) -> None:
    response = _get(client, cast, who, path)
    expected_status = 404 if "404" in what else 401 if "error" in what else 200
    assert response.status_code == expected_status
    assert_security_headers(response, html=response["Content-Type"].startswith("text/html"))


def test_a_plain_http_request_is_sent_to_https(client: Client, cast: Cast, https: None) -> None:
    response = client.get("/gui-tin-bao/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/gui-tin-bao/"


def test_an_attachment_keeps_its_own_stricter_policy(
    client: Client, cast: Cast, https: None, settings: Any, tmp_path: Path
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from antq.tips.models import TipAttachment

    settings.MEDIA_ROOT = tmp_path
    tip = make_tip(ward=cast.ward_a)
    attachment = TipAttachment.objects.create(
        tip=tip,
        token="hardening",
        extension=".html",
        file=default_storage.save("tips/x.html", ContentFile(b"<script>alert(1)</script>")),
        name="trang.html",
        content_type="text/html",
        size=25,
        sha256="0" * 64,
    )
    client.force_login(cast.department)
    response = client.get(reverse("tips:attachment_download", args=[attachment.pk]), secure=True)
    assert response.status_code == 200
    # A sandbox without allow-scripts runs nothing, whatever the file holds.
    assert parse_csp(response["Content-Security-Policy"]) == [{"sandbox": []}]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == HSTS


# Downloads of a case: what a user attached, the documents issued, the statistics workbook.
CASE_DOWNLOADS = {
    "a case attachment": ("cases:attachment_download", "case_attachment"),
    "an issued document (DOCX)": ("cases:document_download", "case_document"),
}


@pytest.mark.parametrize("what", list(CASE_DOWNLOADS))
def test_a_case_download_keeps_the_attachment_policy(
    client: Client, world: World, https: None, what: str
) -> None:
    """A case's files are served like a tip's attachments: as a download, in a sandbox that
    runs nothing, never sniffed, never kept by a shared cache."""
    name, kind = CASE_DOWNLOADS[what]
    client.force_login(world.cast.department)
    obj = world.in_scope[("department", kind)]
    response = client.get(_url(name, obj, kind), secure=True)
    assert response.status_code == 200
    assert parse_csp(response["Content-Security-Policy"]) == [{"sandbox": []}]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"] == HSTS
    assert response["Cache-Control"] == "private, no-store"


def test_the_denunciators_signed_petition_keeps_the_attachment_policy(
    client: Client, cast: Cast, https: None, settings: Any, tmp_path: Path
) -> None:
    """The scan of a signed denunciation is the most private file ANTQ keeps: after the
    audited unsealing it is served with the same policy, and no cache keeps it."""
    from antq.cases import services as case_services
    from antq.tips.attachments import CleanFile

    settings.MEDIA_ROOT = tmp_path
    petition = CleanFile(
        name="don-to-cao.pdf", content_type="application/pdf", extension=".pdf", data=b"%PDF-1.4"
    )
    case = case_services.case_register(
        actor=cast.department,
        kind="denunciation",
        subject="Tố cáo bảo vệ thu tiền gửi xe",
        content="Nội dung đơn.",
        channel="post",
        received_on=case_services.today(),
        unit=cast.unit_x,
        sealed=case_services.SealedInput(name="Trần Thị Tố Giác", petition=petition),
    )
    client.force_login(cast.leader)
    response = client.post(
        reverse("cases:case_unseal", args=[case.pk]),
        {"reason": "Cần đối chiếu chữ ký trên đơn tố cáo", "petition": "1"},
        secure=True,
    )
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4"
    assert parse_csp(response["Content-Security-Policy"]) == [{"sandbox": []}]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_case_statistics_workbook_carries_the_security_headers(
    client: Client, cast: Cast, https: None
) -> None:
    client.force_login(cast.ward_a_officer)
    response = client.get(reverse("cases:statistics_xlsx"), secure=True)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert_security_headers(response, html=False)


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
            if name in {"hx-vals", "hx-vars"} and "js:" in (value or ""):
                self.found.append(f"<{tag} {name}=js:…>")


def test_the_pages_carry_no_inline_code(client: Client, cast: Cast, world: World) -> None:
    """Every HTML page a role can GET (the scoping matrix's routes), as the department and as
    a visitor: no inline script, style or event handler, nothing for htmx to eval."""
    pages = 0
    for who in ("department", None):
        if who:
            client.force_login(cast.by_name(who))
        else:
            client.logout()
        for name, route in ROUTES.items():
            obj = world.in_scope[("department", route.kind)] if route.kind else None
            response = client.get(_url(name, obj, route.kind), route.query)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            parser = InlineCode()
            parser.feed(response.content.decode())
            assert parser.found == [], f"{name}: {parser.found}"
    assert pages >= 30  # 35 today: the department sees most pages, a visitor the public ones


# -- CSRF -------------------------------------------------------------------------------

# Routes that take a POST without the CSRF token: machines that authenticate each request by
# a signature or a key and never by a session. Nothing else may be exempt.
MACHINE_ROUTES = {
    "channels:sms_inbound",  # the SMS gateway's HMAC signature
    "open311:discovery_json",  # Open311: the partner's api_key (POST requests.json)
    "open311:discovery_xml",
    "open311:services_json",
    "open311:services_xml",
    "open311:service_json",
    "open311:service_xml",
    "open311:requests_json",
    "open311:requests_xml",
    "open311:request_json",
    "open311:request_xml",
}


def _routes() -> dict[str, tuple[str, Callable[..., Any]]]:
    """Every route: name → (pattern, view); an unnamed route is named by its pattern."""
    found: dict[str, tuple[str, Callable[..., Any]]] = {}

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])) or None)
            elif isinstance(p, URLPattern):
                name = str(p.name or p.pattern)
                found[f"{namespace}:{name}" if namespace else name] = (str(p.pattern), p.callback)

    walk(get_resolver().url_patterns, None)
    return found


def test_only_the_machine_endpoints_are_exempt_from_csrf() -> None:
    routes = _routes()
    exempt = {name for name, (_p, view) in routes.items() if getattr(view, "csrf_exempt", False)}
    api = {name for name in exempt if name.startswith("api:")}
    assert exempt - api == MACHINE_ROUTES
    # Ninja's operations are exempt from Django's check because the API does its own:
    # a session must send X-CSRFToken (antq/api/base.py SessionAuth), proven per operation
    # in test_no_api_write_accepts_a_session_without_the_csrf_token.
    assert {routes[name][1].__module__ for name in api} == {"ninja.operation"}
    assert len(api) >= 14


def _is_csrf_failure(response: Any) -> bool:
    return response.status_code == 403 and "errors/csrf.html" in [
        t.name for t in response.templates
    ]


def _browser_routes() -> list[str]:
    exempt = MACHINE_ROUTES
    return [n for n in _routes() if n not in exempt and not n.startswith("api:")]


def test_every_form_route_refuses_a_post_without_the_token(cast: Cast, world: World) -> None:
    names = _browser_routes()
    assert set(names) <= set(ROUTES)  # the scoping matrix knows how to build every URL
    failures = []
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(cast.admin)
    visitor = Client(enforce_csrf_checks=True)
    for name in names:
        route = ROUTES[name]
        obj = world.in_scope[("admin", route.kind)] if route.kind else None
        url = _url(name, obj, route.kind)
        response = staff.post(url, {"x": "1"})
        if not _is_csrf_failure(response):
            failures.append(f"{name} as admin: {response.status_code}")
        response = visitor.post(url, {"x": "1"})
        if url.startswith(PUBLIC_PREFIXES):
            if not _is_csrf_failure(response):
                failures.append(f"{name} as visitor: {response.status_code}")
        elif response.status_code != 302 or "/tai-khoan/dang-nhap/" not in response["Location"]:
            failures.append(f"{name} as visitor: {response.status_code} (expected the login)")
    assert failures == [], "\n".join(failures)
    assert len(names) >= 60


def test_every_form_route_accepts_a_post_with_the_token(cast: Cast, world: World) -> None:
    """The token is the whole difference: with it, no route answers the CSRF failure."""
    failures = []
    for name in _browser_routes():
        route = ROUTES[name]
        obj = world.in_scope[("admin", route.kind)] if route.kind else None
        client = Client(enforce_csrf_checks=True)
        client.force_login(cast.admin)
        client.get("/")  # renders a form, so the CSRF cookie is set
        token = client.cookies["csrftoken"].value
        response = client.post(_url(name, obj, route.kind), {"csrfmiddlewaretoken": token})
        if _is_csrf_failure(response):
            failures.append(name)
    assert failures == []


def test_the_csrf_failure_page_is_in_vietnamese(cast: Cast) -> None:
    response = Client(enforce_csrf_checks=True).post("/tai-khoan/dang-nhap/", {})
    assert _is_csrf_failure(response)
    assert "Phiên làm việc đã hết hạn" in response.content.decode()


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_post_form_in_the_templates_carries_the_token() -> None:
    forms = 0
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for form in FORM.findall(path.read_text()):
            opening = form[: form.index(">") + 1]
            if not re.search(r"""method=["']?post""", opening, re.I):
                continue
            forms += 1
            if "{% csrf_token %}" not in form:
                missing.append(f"{path.relative_to(TEMPLATES)}: {opening}")
    assert missing == []
    assert forms >= 30


def _api_writes(client: Client) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    ]


def test_no_api_write_accepts_a_session_without_the_csrf_token(cast: Cast) -> None:
    tip = make_tip(ward=cast.ward_a)
    ids = {"unit_id": cast.unit_x.pk, "tip_id": tip.pk, "area_id": cast.ward_a.pk}
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.admin)
    client.get("/")
    csrf = client.cookies["csrftoken"].value
    token = _token(cast)
    writes = _api_writes(client)
    assert len(writes) >= 6
    failures = []
    for method, template in writes:
        path = template.format(**ids)

        def send(c: Client, path: str = path, method: str = method, **headers: str) -> Any:
            return c.generic(method, path, "{}", content_type="application/json", headers=headers)

        refused = send(client)
        if refused.status_code != 403 or refused.json().get("code") != "csrf_failed":
            failures.append(f"{method} {path} session without token: {refused.status_code}")
        with_csrf = send(client, **{"X-CSRFToken": csrf})
        if with_csrf.json().get("code") == "csrf_failed":
            failures.append(f"{method} {path} session with token: csrf_failed")
        machine = send(Client(enforce_csrf_checks=True), Authorization=f"Bearer {token}")
        if machine.status_code in (401, 403) and machine.json().get("code") in (
            "csrf_failed",
            "unauthenticated",
        ):
            failures.append(f"{method} {path} API token: {machine.status_code}")
    assert failures == [], "\n".join(failures)


# -- login lockout ----------------------------------------------------------------------

LOGIN = "/tai-khoan/dang-nhap/"
LOCKED = "Tài khoản tạm thời bị khoá"


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def _fail(client: Client, username: str, times: int) -> None:
    for _n in range(times):
        response = _login(client, username, "sai-mat-khau")
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def _lock(client: Client, username: str) -> None:
    """Four wrong passwords are answered as such; the fifth locks the account at once."""
    _fail(client, username, 4)
    response = _login(client, username, "sai-mat-khau")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_lockout_figures(settings: Any) -> None:
    """The figures docs/security.md gives: 5 failures, 15 minutes, by username."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(hours=settings.AXES_COOLOFF_TIME) == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_after_five_failures_even_the_right_password_is_refused(client: Client, cast: Cast) -> None:
    _lock(client, "phongxdpt")
    response = _login(client, "phongxdpt", PASSWORD)
    assert response.status_code == 429
    assert "accounts/locked.html" in [t.name for t in response.templates]
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Spaces around the name are the same account, not five fresh tries.
    assert _login(client, " phongxdpt ", PASSWORD).status_code == 429


def test_four_failures_do_not_lock(client: Client, cast: Cast) -> None:
    _fail(client, "phongxdpt", 4)
    assert _login(client, "phongxdpt", PASSWORD).status_code == 302


def test_the_lockout_is_per_username(client: Client, cast: Cast) -> None:
    """An officer's typos lock his account only; colleagues behind the same address log in."""
    _lock(client, "phongxdpt")
    assert _login(client, "phongxdpt", PASSWORD).status_code == 429
    response = _login(client, "ca_a", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.ward_a_officer.pk)


def test_the_lockout_ends_after_the_cool_off(client: Client, cast: Cast, settings: Any) -> None:
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    _lock(client, "phongxdpt")
    attempts = AccessAttempt.objects.filter(username="phongxdpt")
    attempts.update(attempt_time=F("attempt_time") - (cool_off - timedelta(minutes=1)))
    assert _login(client, "phongxdpt", PASSWORD).status_code == 429  # 14 minutes later
    attempts.update(attempt_time=F("attempt_time") - cool_off)
    assert _login(client, "phongxdpt", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(cast.department.pk)


# -- tip-code guessing ------------------------------------------------------------------

LOOKUP = "/tra-cuu/"
GUESSER, CITIZEN = "198.51.100.7", "203.0.113.20"


def test_the_lookup_refuses_every_guess_past_the_limit_from_that_address_only(
    client: Client, cast: Cast, settings: Any
) -> None:
    assert settings.TIP_LOOKUP_PER_HOUR == 30
    receipt = receive_tip(category="ma-tuy", text="Bán ma túy ở ngõ 12", ward=cast.ward_a)
    right = {"code": receipt.tip.code, "passphrase": receipt.passphrase}
    for n in range(settings.TIP_LOOKUP_PER_HOUR):
        # Wrong passphrases for the real code and made-up codes count alike.
        guess = {"code": receipt.tip.code if n % 2 else f"ABCDE-{n:05d}".replace("0", "Z")}
        guess["passphrase"] = f"doan mo {n}"
        response = client.post(LOOKUP, guess, REMOTE_ADDR=GUESSER)
        assert response.status_code == 200
        assert "không đúng" in response.content.decode()

    response = client.post(LOOKUP, right, REMOTE_ADDR=GUESSER)
    assert response.status_code == 429
    assert "tips/public/rate_limited.html" in [t.name for t in response.templates]
    assert "Bạn đã gửi quá nhiều yêu cầu" in response.content.decode()
    assert receipt.tip.text not in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    reply = client.post("/tra-cuu/tra-loi/", {**right, "body": "Xin chào"}, REMOTE_ADDR=GUESSER)
    assert reply.status_code == 429

    response = client.post(LOOKUP, right, REMOTE_ADDR=CITIZEN)
    assert response.status_code == 200
    assert response.context["tip"] == receipt.tip


def test_open311_reads_by_code_are_throttled_per_address(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The only other read by code (status only, partner-filed requests): 1,200 per hour and
    address in production, three here."""
    assert open311_views.GETS_PER_HOUR == 1200
    monkeypatch.setattr(open311_views, "GETS_PER_HOUR", 3)
    partner, _key = partner_create(actor=None, name="Ứng dụng phản ánh")
    tip = make_tip(ward=cast.ward_a, partner=partner)
    url = f"/open311/v2/requests/{tip.code}.json"
    statuses = [client.get(url, REMOTE_ADDR=GUESSER).status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR=CITIZEN).status_code == 200


# -- dependency audit -------------------------------------------------------------------

AUDIT = ROOT / "scripts" / "audit-deps.sh"
UNREACHABLE = 3  # the script's exit status when no vulnerability service answers


def _audit(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(AUDIT), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )


def test_the_audit_never_passes_when_no_vulnerability_service_answers() -> None:
    """pip-audit alone prints "No known vulnerabilities found" and exits 0 when it could not
    look a single package up; the script must not."""
    nowhere = "http://127.0.0.1:9"  # a closed port: every request of the script fails
    result = _audit(HTTPS_PROXY=nowhere, https_proxy=nowhere, NO_PROXY="", no_proxy="")
    assert result.returncode == UNREACHABLE
    assert "could not be audited" in result.stderr


def test_the_locked_dependencies_have_no_known_vulnerability() -> None:
    probe = _audit("--probe")
    if probe.returncode == UNREACHABLE:
        pytest.skip(
            "no vulnerability service reachable from this machine (PyPI's JSON API and "
            "OSV): run scripts/audit-deps.sh where one is; see docs/security.md"
        )
    result = _audit()
    assert result.returncode == 0, result.stdout + result.stderr
