"""A tipster leaves no trace: tips filed through every channel from a distinctive client
address, user agent and cookie, then the whole database (tasks included) and every log line
are searched for them. The real-server version of this gate (gunicorn, production logging)
belongs to the quality gates."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from antq.core.models import OutboxMessage
from antq.tips.models import Tip
from antq.tips.services import partner_create

ADDRESS = "127.0.0.77"
AGENT = "TipsterProbe/7.7 (Nokia 105; anonymity-test)"
COOKIE = "probe-cookie-8f3a1c"
PHONE = "0987654321"
SMS_SECRET = "sms-secret-for-the-anonymity-test"
PARTNER_KEY = "partner-key-for-the-anonymity-test"
TRACES = (ADDRESS, AGENT, "TipsterProbe", COOKIE, PHONE, "987654321")


@pytest.fixture
def tasks_in_the_database(settings: Any) -> None:
    """Queue tasks as in production, so their payloads land in the task table."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def every_log_line() -> Iterator[io.StringIO]:
    """Everything any logger writes, at every level, while the tips come in."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _client() -> Client:
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    client.cookies["tracker"] = COOKIE
    return client


def _file_through_every_channel(cast: Any, settings: Any) -> None:
    client = _client()
    # The public web form (named tipster: identity is allowed, but encrypted).
    page = client.get("/gui-tin-bao/")
    nonce = page.context["form"].initial["nonce"]
    category = page.context["form"].fields["category"].queryset.get(code="ma-tuy")
    response = client.post(
        "/gui-tin-bao/",
        {
            "nonce": nonce,
            "category": category.pk,
            "text": "Có người bán ma túy ở ngõ 12 phố Hàng Bạc.",
            "ward": cast.ward_a.pk,
            "place": "Ngõ 12 Hàng Bạc",
            "anonymous": "no",
            "reporter_name": "Người báo tin thử nghiệm",
            "reporter_phone": PHONE,
        },
    )
    assert response.status_code == 200 and response.context["created"], response.content[:500]
    # The SMS gateway.
    settings.ANTQ_SMS_WEBHOOK_SECRET = SMS_SECRET
    body = json.dumps({"id": "gw-anon-1", "from": PHONE, "text": "co trom o pho hue"}).encode()
    signature = "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = client.generic(
        "POST",
        "/webhooks/sms/",
        body,
        content_type="application/json",
        headers={"X-Signature": signature},
    )
    assert response.status_code == 201, response.content
    # A partner application through the API and through Open311.
    partner_create(actor=None, name="Ứng dụng thử nghiệm", key=PARTNER_KEY)
    response = client.post(
        "/api/v1/tips",
        json.dumps(
            {"category": "lua-dao", "text": "Lừa đảo qua điện thoại", "ward": cast.ward_a.pk}
        ),
        content_type="application/json",
        headers={"X-Partner-Key": PARTNER_KEY},
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": PARTNER_KEY,
            "service_code": "gay-roi",
            "description": "Thanh niên đua xe trên phố Tràng Tiền",
            "address_string": "Phường Hoàn Kiếm",
            "phone": PHONE,
        },
    )
    assert response.status_code == 201, response.content
    # The tipster comes back: a wrong passphrase, then a message.
    client.post("/tra-cuu/", {"code": "ABCDE-FGHJK", "passphrase": "sai mat khau"})


def test_no_database_row_task_or_log_line_holds_the_tipsters_traces(
    cast: Any,
    settings: Any,
    tasks_in_the_database: None,
    every_log_line: io.StringIO,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _file_through_every_channel(cast, settings)
    assert Tip.objects.count() == 4
    assert OutboxMessage.objects.count() == 1  # the SMS receipt, queued for the worker
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    found = {
        "database": [t for t in TRACES if t in dump.getvalue()],
        "logs": [t for t in TRACES if t in every_log_line.getvalue()],
    }
    assert found == {"database": [], "logs": []}
    # The dump did include the queued task, with nothing but a row id in it.
    assert "outbox_send_task" in dump.getvalue()
