"""Quality gate 5: the machine interfaces survive fuzzing.

- ``/api/v1``: schemathesis generates valid and invalid requests from the OpenAPI document and
  sends them in-process to the production WSGI handler, as a department officer (API token),
  as an anonymous client (no or garbage credentials) and as a partner application
  (``X-Partner-Key``, which may only file tips). Every answer must not be a 5xx, must have a
  documented status code and content type, and must match its documented schema. Some cases
  are steered to existing objects (so handlers run to the end and 200 bodies are checked) and
  to values schemathesis rarely draws: times at the ends of the calendar, forged cursors.
- Open311 GeoReport v2 and the SMS webhook have no OpenAPI document: hypothesis draws their
  parameters (huge, NUL, any Unicode, impossible or extreme dates, negative and huge ids) and
  every answer must be no 5xx, and a bad request a well-formed JSON or XML error.

Failures are collected, not raised at the first one, so one run reports every broken case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from antq.accounts.models import User
from antq.accounts.services import token_create
from antq.api.pagination import encode_cursor
from antq.registry.models import AdministrativeArea, Unit
from antq.tips.models import Tip, TipCategory
from antq.tips.open311 import views as open311_views
from antq.tips.services import partner_create
from tests.factories import make_tip

pytestmark = pytest.mark.gate

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
PARTNER_KEY = "p311_gate-five-partner-key"
SMS_SECRET = "gate-five-sms-secret"
# Security schemes appear as header/cookie parameters; they alone give nothing to negate.
CREDENTIALS = {"Authorization", "X-API-Key", "X-Partner-Key", "sessionid"}
# Examples per operation and generation mode, for each identity.
OFFICER_EXAMPLES = 30
ANONYMOUS_EXAMPLES = 10
PARTNER_EXAMPLES = 40
MIN_API_REQUESTS = 1000
MAX_REPORTED = 40

EXTREME_TIMES = [
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01",
    "1900-01-01T00:00:00+07:00",
    "1970-01-01T00:00:00Z",
    "2026-02-29T00:00:00+07:00",
    "2026-13-45T00:00:00",
    "2026-02-30T25:61:00+07:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999+14:00",
    "9999-12-31",
]
ODD_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "Phường Hoàn Kiếm",
    "p. Hàng Bạc, Quận Hoàn Kiếm",
    "co nguoi ban ma tuy o ngo 12 phuong hoan kiem",
    "Tiếng Việt có dấu ̀́̃",  # combining marks
    "\u202eRTL\u202c",
    "😀" * 50,
    "'; DROP TABLE tips_tip; --",
    "%s %(x)s {0}",
    "<script>alert(1)</script>",
    "\r\n\t",
    ",,,",
]
ODD_IDS = ["0", "-1", "-9223372036854775808", "9223372036854775808", "1e9", "1.5", "١٢", "NaN"]


def text_values() -> st.SearchStrategy[str]:
    unicode = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
    return st.one_of(unicode, st.sampled_from(ODD_TEXTS))


def time_values() -> st.SearchStrategy[str]:
    drawn = st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat())
    return st.one_of(st.sampled_from(EXTREME_TIMES), drawn, text_values())


def id_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str), st.sampled_from(ODD_IDS)
    )


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The production WSGI handler. Like Django's test client, it must not close the test's
    database connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def sent_in_savepoint(send: Callable[[], Any], status: Callable[[Any], int]) -> Any:
    """Send one request in a savepoint, rolled back after a 5xx: on PostgreSQL a failed query
    would otherwise abort the test's transaction and fail every request after it."""
    savepoint = transaction.savepoint()
    response = send()
    if status(response) >= 500:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return response


class Tally:
    """Requests sent and answers by status; the failures found."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []

    def count(self, who: str, status: int) -> None:
        self.sent[who] += 1
        self.statuses[status] += 1

    def fail(self, message: str) -> None:
        if len(self.failures) < MAX_REPORTED:
            self.failures.append(message)

    def report(self) -> str:
        return "\n\n".join(self.failures)


FUZZ = fuzz_settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # Failures are collected, not raised: there is nothing to shrink.
    phases=[Phase.explicit, Phase.generate],
)


# --- /api/v1 ---------------------------------------------------------------------------------


class Known:
    """Existing objects and forged values the steered cases pick from."""

    def __init__(self) -> None:
        self.ids = {
            "tip_id": list(Tip.objects.values_list("pk", flat=True)),
            "unit_id": list(Unit.objects.values_list("pk", flat=True)),
            "area_id": list(
                AdministrativeArea.objects.order_by("pk").values_list("pk", flat=True)[:20]
            ),
        }
        wards = list(
            AdministrativeArea.objects.filter(level="ward").values_list("pk", flat=True)[:20]
        )
        latest = Tip.objects.order_by("-received_at").first()
        assert latest is not None
        forged = [encode_cursor(moment, 1) for moment in EXTREME_TIMES]
        self.query = {
            "ward": wards,
            "parent": self.ids["area_id"],
            "category": list(TipCategory.objects.values_list("code", flat=True)),
            "cursor": [
                *forged,
                encode_cursor(latest.received_at.isoformat(), latest.pk),
                encode_cursor("", 1),
                encode_cursor("phuong", 2**63 - 1),
                base64.urlsafe_b64encode(b'["\\ud800", 1]').decode(),
                base64.urlsafe_b64encode(b'["x", 1.5]').decode(),
                base64.urlsafe_b64encode(b"\xff\xfe").decode(),
                "!!not-base64!!",
            ],
        }
        self.body = {
            "ward": wards,
            "unit": self.ids["unit_id"],
            "assignee": list(User.objects.values_list("pk", flat=True)),
            "category": self.query["category"],
            "occurred_at": EXTREME_TIMES,
        }


def steer(case: Any, data: st.DataObject, known: Known) -> None:
    """Point some parameters at existing objects or at values schemathesis rarely draws."""

    def pick(choices: list[Any]) -> Any:
        return data.draw(st.sampled_from(choices)) if choices else None

    for name, choices in known.ids.items():
        if name in (case.path_parameters or {}) and data.draw(st.booleans()):
            case.path_parameters[name] = pick(choices)
    if isinstance(case.query, dict):
        for name, choices in known.query.items():
            if name in {p.name for p in case.operation.query} and data.draw(st.booleans()):
                case.query[name] = pick(choices)
    if isinstance(case.body, dict):
        properties, required = _body_properties(case)
        for name, choices in known.body.items():
            if name not in properties:
                continue
            action = data.draw(st.sampled_from(["keep", "known", "drop"]))
            if action == "known":
                case.body[name] = pick(choices)
            elif action == "drop" and name not in required:
                case.body.pop(name, None)


def _body_properties(case: Any) -> tuple[set[str], set[str]]:
    """The names of the body's properties and of its required ones."""
    raw = case.operation.definition.raw.get("requestBody", {})
    ref = raw.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    components = case.operation.schema.raw_schema["components"]["schemas"]
    schema = components.get(ref.rsplit("/", 1)[-1], {})
    return set(schema.get("properties", {})), set(schema.get("required", []))


def send_case(case: Any, who: str, tally: Tally, label: str) -> None:
    """Send one case, count it and run the gate's checks on its answer."""
    response = sent_in_savepoint(case.call, lambda r: r.status_code)
    tally.count(who, response.status_code)
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as failures:
        tally.fail(f"[{who}, {label}] {failures}")


def sweep_api(
    schema: Any, identities: dict[str, dict[str, str]], known: Known, tally: Tally
) -> None:
    """The values that broke the API once, always sent (generation may miss them)."""
    operation = schema.find_operation_by_id
    for who in ("officer", "partner"):
        for moment in EXTREME_TIMES:
            body = {"category": "khac", "text": "Thử thời điểm", "occurred_at": moment}
            case = operation("tips_create").Case(body=body, headers=identities[who])
            send_case(case, who, tally, f"occurred_at={moment}")
        for text in ODD_TEXTS:
            for field in ("text", "place", "category", "reporter_name"):
                body = {"category": "khac", "text": "Thử nội dung", "anonymous": False}
                body[field] = text
                case = operation("tips_create").Case(body=body, headers=identities[who])
                send_case(case, who, tally, f"{field}={text[:30]!r}")
    for operation_id in ("tips_list", "units_list", "areas_list", "cases_list", "cases_overdue"):
        for cursor in known.query["cursor"]:
            case = operation(operation_id).Case(
                query={"cursor": cursor}, headers=identities["officer"]
            )
            send_case(case, "officer", tally, f"cursor={cursor}")
    for operation_id in (
        "tips_get",
        "units_get",
        "areas_get",
        "tips_messages_list",
        "cases_get",
    ):
        for value in ODD_IDS:
            name = operation(operation_id).path_parameters.items[0].name
            case = operation(operation_id).Case(
                path_parameters={name: value}, headers=identities["officer"]
            )
            send_case(case, "officer", tally, f"{name}={value}")


def fuzz_operation(
    operation: Any,
    *,
    who: str,
    headers: dict[str, str],
    mode: GenerationMode,
    examples: int,
    known: Known,
    tally: Tally,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, headers=headers or None)

    @fuzz_settings(FUZZ, max_examples=examples)
    @given(case=strategy, data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        if data.draw(st.integers(0, 2)) == 0:
            steer(case, data, known)
        send_case(case, who, tally, mode.value)

    run()


def test_the_openapi_document_is_valid(db: None, wsgi_app: WSGIHandler) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    schema.validate()  # against the OpenAPI 3.1 meta-schema; raises on any error
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 18
    for operation in operations:
        assert operation.definition.raw["responses"], operation.label


@pytest.fixture
def quiet_request_log() -> Iterator[None]:
    """Thousands of expected 4xx warnings would bury the report; 5xx errors still log."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_the_api_answers_a_thousand_generated_requests_within_its_schema(
    cast: Any, wsgi_app: WSGIHandler, quiet_request_log: None
) -> None:
    started = time.monotonic()
    _, token = token_create(actor=None, user=cast.department, name="fuzz")
    partner_create(actor=None, name="Ứng dụng kiểm thử", key=PARTNER_KEY)
    make_tip(ward=cast.ward_a)
    make_tip(ward=cast.ward_b, category="ma-tuy")
    make_tip(ward=cast.ward_a, channel="sms")
    known = Known()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    headers = {
        "officer": {"Authorization": f"Bearer {token}"},
        "anonymous": {},
        "partner": {"X-Partner-Key": PARTNER_KEY},
    }
    identities = [
        ("officer", OFFICER_EXAMPLES, None),
        ("anonymous", ANONYMOUS_EXAMPLES, None),
        ("partner", PARTNER_EXAMPLES, "tips_create"),
    ]
    tally = Tally()
    sweep_api(schema, headers, known, tally)
    for result in schema.get_all_operations():
        operation = result.ok()
        negatable = bool(
            [p for p in operation.iter_parameters() if p.name not in CREDENTIALS]
            or list(operation.body)
        )
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negatable else [])
        for who, examples, only in identities:
            if only is not None and operation.definition.raw["operationId"] != only:
                continue
            for mode in modes:
                fuzz_operation(
                    operation,
                    who=who,
                    headers=headers[who],
                    mode=mode,
                    examples=examples,
                    known=known,
                    tally=tally,
                )
    elapsed = time.monotonic() - started
    total = sum(tally.sent.values())
    print(f"\nAPI: {total} requests {dict(tally.sent)} {dict(tally.statuses)} in {elapsed:.1f} s")
    assert not tally.failures, tally.report()
    assert total >= MIN_API_REQUESTS
    assert tally.sent["officer"] >= 500 and tally.sent["anonymous"] >= 200
    # The fuzzing reached the handlers, not only the validation: success answers were checked.
    assert tally.statuses[200] >= 100 and tally.statuses[201] >= 20
    assert Tip.objects.filter(partner__isnull=False).exists()


# --- Open311 and the SMS webhook -------------------------------------------------------------

OPEN311 = "/open311/v2"


def check_open311(response: Any, fmt: str) -> str | None:
    """What is wrong with an Open311 answer, or None."""
    if response.status_code >= 500:
        return f"status {response.status_code}"
    expected = open311_views.CONTENT_TYPES[fmt]
    if response["Content-Type"] != expected:
        return f"content type {response['Content-Type']}"
    if fmt == "json":
        try:
            body = json.loads(response.content)
        except ValueError:
            return "the body is not JSON"
        if response.status_code >= 400:
            ok = (
                isinstance(body, list)
                and len(body) == 1
                and body[0].get("code") == response.status_code
                and isinstance(body[0].get("description"), str)
                and body[0]["description"].strip()
            )
            return None if ok else f"malformed error {body!r:.300}"
        return None
    try:
        root = ET.fromstring(response.content)  # noqa: S314 -- our own answer, in a test
    except ET.ParseError as exc:
        return f"the body is not XML: {exc}"
    if response.status_code >= 400:
        errors = root.findall("error")
        ok = (
            root.tag == "errors"
            and len(errors) == 1
            and errors[0].findtext("code") == str(response.status_code)
            and (errors[0].findtext("description") or "").strip()
        )
        return None if ok else f"malformed XML error {response.content!r:.300}"
    return None


def test_open311_answers_generated_requests_without_errors(
    cast: Any, quiet_request_log: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    # The flood limits are tested elsewhere; here every request must reach the handler.
    monkeypatch.setattr(open311_views, "GETS_PER_HOUR", 10**6)
    monkeypatch.setattr(open311_views, "POSTS_PER_HOUR", 10**6)
    partner_create(actor=None, name="Ứng dụng kiểm thử", key=PARTNER_KEY)
    # A crash is answered as the 500 a client gets, recorded, and the fuzzing goes on.
    client = Client(raise_request_exception=False)
    filed = client.post(
        f"{OPEN311}/requests.json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "ma-tuy",
            "address_string": "Phường Hoàn Kiếm",
            "description": "Có người bán ma túy",
        },
    )
    assert filed.status_code == 201, filed.content
    code = filed.json()[0]["service_request_id"]
    tally = Tally()
    keys = st.one_of(st.just(PARTNER_KEY), st.just(""), text_values())
    codes = st.one_of(st.just(code), st.sampled_from(["ma-tuy", "khac"]), text_values())
    fmt = st.sampled_from(["json", "xml"])
    maybe = st.one_of(st.none(), text_values())

    def send(method: str, path: str, params: dict[str, Any], **extra: Any) -> Any:
        params = {name: value for name, value in params.items() if value is not None}
        if method not in ("GET", "POST"):
            call = lambda: client.generic(method, path)  # noqa: E731
        else:
            request = client.post if method == "POST" else client.get
            call = lambda: request(path, params, **extra)  # noqa: E731
        return sent_in_savepoint(call, lambda r: r.status_code)

    def record(what: str, fmt: str, response: Any) -> None:
        tally.count("open311", response.status_code)
        problem = check_open311(response, fmt)
        if problem is not None:
            tally.fail(f"{what}: {problem}")

    @fuzz_settings(FUZZ, max_examples=150)
    @given(
        fmt=fmt,
        api_key=keys,
        ids=st.one_of(st.none(), codes, st.lists(codes, max_size=5).map(",".join), id_values()),
        service_code=st.one_of(st.none(), codes),
        status=st.one_of(st.none(), st.sampled_from(["open", "closed", "open,closed"]), maybe),
        start=st.one_of(st.none(), time_values()),
        end=st.one_of(st.none(), time_values()),
    )
    def list_requests(
        fmt: str, api_key: str, ids: Any, service_code: Any, status: Any, start: Any, end: Any
    ) -> None:
        params = {
            "api_key": api_key,
            "service_request_id": ids,
            "service_code": service_code,
            "status": status,
            "start_date": start,
            "end_date": end,
        }
        path = f"{OPEN311}/requests.{fmt}"
        response = send("GET", path, params)
        record(f"GET {path} {params!r:.300}", fmt, response)

    well_formed = st.fixed_dictionaries(
        {
            "api_key": st.just(PARTNER_KEY),
            "service_code": st.sampled_from(["ma-tuy", "khac", "trom-cap"]),
            "description": st.sampled_from(["Có người bán ma túy", "Mất trộm xe máy"]),
            "address_string": st.sampled_from(["Phường Hoàn Kiếm", "12 Hàng Bạc", ""]),
        },
        optional={
            "lat": st.floats(-90, 90).map(str),
            "long": st.floats(-180, 180).map(str),
            "first_name": text_values(),
            "last_name": text_values(),
            "email": st.emails().map(str),
            "phone": st.sampled_from(["0912345678", "+84912345678", "12"]),
        },
    )
    fuzzed = st.fixed_dictionaries(
        {"api_key": keys},
        optional={
            "service_code": codes,
            "lat": st.one_of(st.floats().map(str), id_values(), text_values()),
            "long": st.one_of(st.floats().map(str), id_values(), text_values()),
            "address_string": text_values(),
            "description": text_values(),
            "first_name": text_values(),
            "last_name": text_values(),
            "email": st.one_of(st.emails().map(str), text_values()),
            "phone": text_values(),
            "media_url": st.just("http://169.254.169.254/latest/meta-data/"),
        },
    )

    @fuzz_settings(FUZZ, max_examples=150)
    @given(
        fmt=fmt,
        params=st.one_of(well_formed, fuzzed),
        idempotency=st.one_of(st.none(), text_values().filter(lambda s: "\n" not in s)),
    )
    def file_request(fmt: str, params: dict[str, Any], idempotency: Any) -> None:
        headers = {"Idempotency-Key": idempotency} if idempotency is not None else {}
        path = f"{OPEN311}/requests.{fmt}"
        response = send("POST", path, params, headers=headers)
        record(f"POST {path} {params!r:.300}", fmt, response)

    @fuzz_settings(FUZZ, max_examples=150)
    @given(
        fmt=fmt,
        api_key=st.one_of(st.none(), keys),
        resource=st.sampled_from(["discovery", "services", "service", "request"]),
        name=st.one_of(codes, id_values()),
        method=st.sampled_from(["GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"]),
    )
    def read_resource(fmt: str, api_key: Any, resource: str, name: str, method: str) -> None:
        segment = quote(name, safe="") or "x"
        path = {
            "discovery": f"{OPEN311}/discovery.{fmt}",
            "services": f"{OPEN311}/services.{fmt}",
            "service": f"{OPEN311}/services/{segment}.{fmt}",
            "request": f"{OPEN311}/requests/{segment}.{fmt}",
        }[resource]
        response = send(method, path, {"api_key": api_key})
        record(f"{method} {path}", fmt, response)

    # The values that broke Open311 once, always sent (generation may miss them).
    for form in ("json", "xml"):
        path = f"{OPEN311}/requests.{form}"
        for moment in EXTREME_TIMES:
            for name in ("start_date", "end_date"):
                params = {"api_key": PARTNER_KEY, name: moment}
                record(f"GET {path} {params!r}", form, send("GET", path, params))
        for text in ODD_TEXTS:
            for name in ("service_request_id", "service_code", "status"):
                params = {"api_key": PARTNER_KEY, name: text}
                record(f"GET {path} {params!r:.200}", form, send("GET", path, params))
    path = f"{OPEN311}/requests.json"
    for text in ODD_TEXTS:
        for name in ("address_string", "description", "first_name", "email", "phone", "lat"):
            params = {"api_key": PARTNER_KEY, "service_code": "khac", "description": "Thử"}
            params |= {"address_string": "Phường Hoàn Kiếm", name: text}
            record(f"POST {path} {params!r:.200}", "json", send("POST", path, params))
    list_requests()
    file_request()
    read_resource()
    elapsed = time.monotonic() - started
    total = tally.sent["open311"]
    print(f"\nOpen311: {total} requests {dict(tally.statuses)} in {elapsed:.1f} s")
    assert not tally.failures, tally.report()
    assert total >= 450
    assert tally.statuses[200] >= 50 and tally.statuses[201] >= 20 and tally.statuses[400] >= 50


def sms_bodies() -> st.SearchStrategy[Any]:
    anything = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text_values()
    )
    well_formed = st.fixed_dictionaries(
        {
            "id": st.text(st.characters(codec="ascii", min_codepoint=33), min_size=1, max_size=20),
            "from": st.sampled_from(["0912345678", "+84987654321", "84 91 234 5678"]),
            "text": st.sampled_from(["co trom o pho hue", "chay nha o phuong cua nam", "alo"]),
        },
        optional={"received_at": time_values()},
    )
    fuzzed = st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(st.text(max_size=120), st.integers(), anything),
            "from": st.one_of(st.sampled_from(["0912345678", "+84987654321"]), anything),
            "text": st.one_of(
                st.sampled_from(["co trom o pho hue", "chay nha o phuong cua nam"]), anything
            ),
            "received_at": st.one_of(time_values(), anything),
        },
    )
    return st.one_of(well_formed, fuzzed, st.lists(anything, max_size=3), anything)


def check_sms(response: Any) -> str | None:
    """What is wrong with an answer of the SMS webhook, or None."""
    if response.status_code >= 500:
        return f"status {response.status_code}"
    try:
        answer = json.loads(response.content)
    except ValueError:
        return "the body is not JSON"
    if response.status_code >= 400:
        ok = isinstance(answer.get("code"), str) and str(answer.get("message", "")).strip()
        return None if ok else f"malformed error {answer!r}"
    return None if answer.get("code") else f"no tip code {answer!r}"


def test_the_sms_webhook_answers_generated_bodies_without_errors(
    cast: Any, settings: Any, quiet_request_log: None
) -> None:
    started = time.monotonic()
    settings.ANTQ_SMS_WEBHOOK_SECRET = SMS_SECRET
    client = Client(raise_request_exception=False)
    tally = Tally()

    def deliver(body: Any, *, form: bool = False, signed: bool = True) -> None:
        if form and isinstance(body, dict):
            raw = urlencode({k: "" if v is None else str(v) for k, v in body.items()}).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            raw = json.dumps(body, ensure_ascii=False).encode()
            content_type = "application/json"
        key = SMS_SECRET if signed else "wrong"
        signature = "sha256=" + hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
        response = sent_in_savepoint(
            lambda: client.generic(
                "POST",
                "/webhooks/sms/",
                raw,
                content_type=content_type,
                headers={"X-Signature": signature},
            ),
            lambda r: r.status_code,
        )
        tally.count("sms", response.status_code)
        problem = check_sms(response)
        if problem is not None:
            tally.fail(f"POST /webhooks/sms/ {raw!r:.300}: {problem}")

    # The values that broke the webhook once, always sent (generation may miss them).
    message = {"id": "gw-1", "from": "0912345678", "text": "co trom o pho hue"}
    for n, moment in enumerate(EXTREME_TIMES):
        deliver({**message, "id": f"gw-time-{n}", "received_at": moment})
    for n, text in enumerate(ODD_TEXTS):
        for name in ("id", "from", "text", "received_at"):
            deliver({**message, "id": f"gw-odd-{n}-{name}", name: text}, form=n % 2 == 1)

    @fuzz_settings(FUZZ, max_examples=200)
    @given(
        body=sms_bodies(),
        form=st.booleans(),
        signed=st.sampled_from([True, True, True, False]),
    )
    def fuzz(body: Any, form: bool, signed: bool) -> None:
        deliver(body, form=form, signed=signed)

    fuzz()
    elapsed = time.monotonic() - started
    total = tally.sent["sms"]
    print(f"\nSMS: {total} requests {dict(tally.statuses)} in {elapsed:.1f} s")
    assert not tally.failures, tally.report()
    assert total >= 250
    assert tally.statuses[400] >= 50 and tally.statuses[401] >= 10 and tally.statuses[201] >= 20
