from __future__ import annotations

import datetime as dt
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone

from antq.core import ratelimit

ADDRESS = "203.0.113.77"


def _request(address: str = ADDRESS, **extra: str) -> HttpRequest:
    return RequestFactory().post("/gui-tin-bao/", REMOTE_ADDR=address, **extra)


def test_it_allows_requests_up_to_the_limit_then_refuses() -> None:
    request = _request()
    answers = [ratelimit.hit(request, "submit", 3) for _ in range(5)]
    assert answers == [True, True, True, False, False]


def test_it_counts_each_client_and_each_bucket_apart() -> None:
    assert ratelimit.hit(_request(), "submit", 1) is True
    assert ratelimit.hit(_request(), "submit", 1) is False
    assert ratelimit.hit(_request("198.51.100.9"), "submit", 1) is True
    assert ratelimit.hit(_request(), "lookup", 1) is True


def test_exceeded_looks_without_counting() -> None:
    request = _request()
    assert ratelimit.exceeded(request, "lookup", 2) is False
    assert ratelimit.exceeded(request, "lookup", 2) is False
    ratelimit.hit(request, "lookup", 2)
    ratelimit.hit(request, "lookup", 2)
    assert ratelimit.count(request, "lookup") == 2
    assert ratelimit.exceeded(request, "lookup", 2) is True


def test_the_counters_never_hold_the_address(settings) -> None:
    ratelimit.hit(_request(), "submit", 5)
    [counter] = Path(settings.ANTQ_RATELIMIT_DIR).iterdir()
    assert counter.read_bytes() == b"."
    assert ADDRESS not in counter.name and ADDRESS.replace(".", "") not in counter.name


def test_counters_of_past_windows_are_swept(settings) -> None:
    ratelimit.hit(_request(), "submit", 5)
    [counter] = Path(settings.ANTQ_RATELIMIT_DIR).iterdir()
    old = time.time() - 3 * 24 * 3600
    os.utime(counter, (old, old))
    ratelimit._sweep(counter.parent)
    assert list(counter.parent.iterdir()) == []


def test_hits_from_several_processes_are_all_counted(settings) -> None:
    request = _request()
    with ProcessPoolExecutor(max_workers=4) as pool:
        list(pool.map(_hit_twenty, [settings.ANTQ_RATELIMIT_DIR] * 4))
    assert ratelimit.count(request, "submit") == 80


def test_the_key_changes_every_day() -> None:
    request = _request()
    today = timezone.now()
    with mock.patch("antq.core.ratelimit.timezone.now", return_value=today):
        first = ratelimit._key(request, "submit", 3600)
    with mock.patch("antq.core.ratelimit.timezone.now", return_value=today + dt.timedelta(days=1)):
        second = ratelimit._key(request, "submit", 3600)
    assert first.rsplit(":", 1)[1] != second.rsplit(":", 1)[1]


def test_it_ignores_forwarded_for_unless_the_proxy_is_trusted() -> None:
    request = _request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert ratelimit.client_address(request) == "127.0.0.1"


@override_settings(ANTQ_TRUSTED_PROXY=True)
def test_behind_a_trusted_proxy_it_counts_the_address_the_proxy_appended() -> None:
    # The first entries come from the client and could be forged to dodge the limit.
    request = _request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    assert ratelimit.client_address(request) == "203.0.113.5"
    assert ratelimit.client_address(_request("127.0.0.1")) == "127.0.0.1"


def test_too_many_requests_is_a_vietnamese_page_with_retry_after() -> None:
    request = RequestFactory().get("/tra-cuu/", REMOTE_ADDR=ADDRESS)
    response = ratelimit.too_many_requests(request)
    assert response.status_code == 429
    assert "quá nhiều yêu cầu" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("path", "accept"),
    [("/gui-tin-bao/", "application/json"), ("/api/v1/tips", "*/*"), ("/open311/v2/x", "")],
)
def test_too_many_requests_answers_json_clients_in_json(path: str, accept: str) -> None:
    request = RequestFactory().get(path, HTTP_ACCEPT=accept)
    response = ratelimit.too_many_requests(request)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["code"] == "rate_limited"
    assert "quá nhiều yêu cầu" in body["message"]


@override_settings(TIP_SUBMIT_PER_HOUR=2)
def test_the_decorator_counts_the_given_methods_with_a_limit_from_settings() -> None:
    calls: list[str] = []

    @ratelimit.ratelimit("demo", "TIP_SUBMIT_PER_HOUR")
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(request.method or "")
        return HttpResponse("ok")

    factory = RequestFactory()
    statuses = [view(factory.get("/", REMOTE_ADDR=ADDRESS)).status_code for _ in range(4)]
    statuses += [view(factory.post("/", REMOTE_ADDR=ADDRESS)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200, 200, 200, 200, 429]
    assert calls == ["GET"] * 4 + ["POST"] * 2


def _hit_twenty(directory: str) -> None:
    with override_settings(ANTQ_RATELIMIT_DIR=directory):
        for _ in range(20):
            ratelimit.hit(_request(), "submit", 1000)
