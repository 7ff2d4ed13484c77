"""Gate 4 — crash, against the real server under the load of gate 3: the worker is killed
with SIGKILL, SMS receipts and officers' answers queue up while it is dead, then the web
server (``antq serve``, the gunicorn master and every worker: the whole process group) is
killed with SIGKILL in the middle of the load, and both are started again.

The clients behave like the real ones: a partner application, the SMS gateway and a
browser's resubmission retry with the same idempotency key until they get an answer.
Afterwards every tip that was acknowledged is there exactly once and nothing else is; no
row is half-written (each tip has its receipt in the audit trail, its full-text index entry,
its files on disk, and an SMS tip its SMS receipt); the audit chain verifies; and every
queued SMS was sent exactly once after the restart (the cron command ``antq outbox-send``
runs once too, as it would every five minutes, and must not send anything twice).
"""

from __future__ import annotations

import asyncio
import io
import secrets
import time
from collections import Counter

import pytest
from PIL import Image

from tests.gates.load import IDS, Hotline, Officer, Submission, run, run_pool, settled
from tests.gates.server import PARTNER_KEY, SMS_SECRET, Instance

pytestmark = pytest.mark.gate

BEFORE = 600  # tips filed before the worker is killed (no SMS yet: the worker is idle)
AFTER = 1400  # tips filed after, through the web server's crash
KILL_AFTER = 500  # the web server is killed once this many of AFTER have been answered
CLIENTS = 60
OFFICERS = 4
TIME_LIMIT = 240.0
RECEIPT, ANSWER = "CA TP da nhan", "CA TP tra loi"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def plan(first: int, n: int, *, sms: bool) -> list[Submission]:
    run = secrets.token_hex(4)
    photo = _photo()
    subs = []
    for i in range(first, first + n):
        channel = "web" if i % 25 in (5, 9, 17) else "api"
        if sms and i % 25 in (3, 11):
            channel = "sms"
        text = f"Có người trộm xe máy ở phường Hoàn Kiếm, lần thứ {i}."
        sub = Submission(key=f"gate4-{channel}-{i:05d}-{run}", channel=channel, text=text)
        if channel == "web" and i % 5 == 0:
            sub.attachment = photo
        subs.append(sub)
    return subs


async def _file(hotline: Hotline, subs: list[Submission], deadline: float) -> None:
    def job(n: int, sub: Submission):
        return lambda: hotline.file(sub, n, retry_until=deadline)

    await run_pool((job(n, s) for n, s in enumerate(subs)), concurrency=CLIENTS, deadline=deadline)


async def _crash_run(server: Instance, ids: dict) -> tuple:
    started = time.monotonic()
    deadline = started + TIME_LIMIT
    hotline = Hotline(server.url, PARTNER_KEY, SMS_SECRET, ids["category"], ids["wards"])
    await hotline.open_form()
    before = plan(0, BEFORE, sms=False)
    await _file(hotline, before, deadline)
    await asyncio.to_thread(server.kill_worker)

    officers = [
        Officer(server.url, server.token, server.officer_id, lane, OFFICERS)
        for lane in range(OFFICERS)
    ]
    stop = asyncio.Event()
    working = [asyncio.create_task(o.work(stop)) for o in officers]
    after = plan(BEFORE, AFTER, sms=True)
    crashed_at = 0.0

    async def crash() -> None:
        nonlocal crashed_at
        while sum(s.acknowledged for s in after) < KILL_AFTER:
            await asyncio.sleep(0.05)
        crashed_at = time.monotonic()
        await asyncio.to_thread(server.kill_web)
        queued = sum(1 for s in after if s.channel == "sms" and s.acknowledged)
        assert queued > 0, "no SMS was queued while the worker was dead"
        await asyncio.sleep(1)
        await asyncio.to_thread(server.start_web)
        await asyncio.to_thread(server.start_worker)

    crasher = asyncio.create_task(crash())
    await _file(hotline, after, deadline)
    await crasher
    stop.set()
    await asyncio.gather(*working)
    return hotline, officers, before + after, time.monotonic() - started, crashed_at


def test_acknowledged_tips_and_queued_sms_survive_sigkill_of_web_server_and_worker(
    loaded_server: Instance,
) -> None:
    server = loaded_server
    ids = server.python(IDS)
    hotline, officers, subs, elapsed, crashed_at = run(_crash_run(server, ids))
    interrupted = [s for s in subs if s.connection_failures]
    print(
        f"\ngate 4 ({'postgresql' if server.is_postgres else 'sqlite'}): {len(subs)} tips, "
        f"{sum(hotline.tally.statuses.values())} answers {hotline.tally.statuses} in "
        f"{elapsed:.1f} s; {len(interrupted)} submissions hit the crash and were retried; "
        f"officers handled {sum(len(o.handled) for o in officers)} tips"
    )
    assert crashed_at, "the web server was never killed"
    assert interrupted, "the crash interrupted no submission: it did not happen under load"
    assert hotline.tally.server_errors == 0, hotline.tally.statuses
    unanswered = [s.key for s in subs if not s.acknowledged]
    assert not unanswered, unanswered[:10]
    refused = [(s.key, s.other_answers) for s in subs if s.other_answers]
    assert not refused, refused[:5]
    # Retries across the crash answered with the one tip; a submission the crash cut off
    # after its commit got its code from the retry.
    assert [s.key for s in subs if len(set(s.codes)) != 1] == []
    assert [s.key for s in subs if s.created.count(True) > 1] == []
    assert [s.key for s in subs if not any(s.created) and not s.connection_failures] == []

    # The cron job, as after any crash; it may send a message itself, racing the restarted
    # worker for it (one of them claims it): its log lines count with the servers'.
    cron = server.antq("outbox-send", check=False)
    assert "Đã gửi" in cron, cron
    state = settled(server)

    # Every acknowledged tip exactly once, and no other tip.
    assert sorted(state.codes) == sorted(s.codes[0] for s in subs)
    # No half-written tip: its receipt in the audit trail, its index entry, its files.
    assert Counter(state.receipts.values()) == Counter({1: len(subs)})
    assert set(state.receipts) == {str(t[0]) for t in state.tips}
    assert state.index == "ok"
    photos = sum(1 for s in subs if s.attachment)
    assert len(state.files) == photos and all(ok for _, _, ok in state.files), state.files[:5]

    # Officers' acknowledged changes stuck.
    by_id = {t[0]: t for t in state.tips}
    handled = {tip_id for o in officers for tip_id in o.handled}
    assert (
        handled and [i for i in handled if by_id[i][4:6] != ["verifying", server.officer_id]] == []
    )
    assert sum(o.tally.server_errors for o in officers) == 0

    # One SMS receipt per SMS tip, an answer per acknowledged officer's message; every queued
    # SMS sent exactly once, after the restart.
    sms_ids = {str(t[0]) for t in state.tips if t[3] == "sms"}
    receipts = Counter(m[3] for m in state.outbox if m[4] == RECEIPT)
    assert receipts == Counter(dict.fromkeys(sms_ids, 1))
    answers = Counter(m[3] for m in state.outbox if m[4] == ANSWER)
    messaged = Counter(str(i) for o in officers for i in o.messaged)
    assert all(answers[tip] >= n for tip, n in messaged.items())
    assert sum(answers.values()) <= sum(messaged.values()) + sum(
        o.connection_failures for o in officers
    )
    assert Counter((m[1], m[2]) for m in state.outbox) == Counter({("sent", 1): len(state.outbox)})
    logs = server.logs()
    assert (logs + cron).count("ready for the gateway") == len(state.outbox)
    assert "database is locked" not in logs
    assert "Internal Server Error" not in logs
    assert "Nhật ký nguyên vẹn" in server.antq("audit-verify")
