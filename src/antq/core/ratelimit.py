"""Rate limits for public endpoints that never store who the client is.

A counter is named by a keyed hash of the day and the client's address: the address itself
is never stored or logged, the hash changes every day (so yesterday's counters cannot be
linked to today's) and without the server's key it cannot be reversed by trying every
address. Counters are per fixed window (``window`` seconds).

The counters are files under ``ANTQ_RATELIMIT_DIR`` (``var/ratelimit``) shared by every
gunicorn worker of the server: a hit appends one byte with ``O_APPEND`` (atomic between
processes) and the file's size is the count — no lock, no read-modify-write, a few
microseconds. Files of past windows are swept now and then.

Use it in a view::

    if not ratelimit.hit(request, "tip_submit", settings.TIP_SUBMIT_PER_HOUR):
        return ratelimit.too_many_requests(request)

or as a decorator: ``@ratelimit.ratelimit("tip_submit", "TIP_SUBMIT_PER_HOUR")``.

Behind a reverse proxy every client is the proxy; set ``ANTQ_TRUSTED_PROXY = True`` (only
when the proxy always sets ``X-Forwarded-For``) to count by the address the proxy saw.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from antq.core.crypto import keyed_hash

HOUR = 3600
# One hit in this many also sweeps old counters.
SWEEP_EVERY = 2000
V = TypeVar("V", bound=Callable[..., HttpResponse])


def client_address(request: HttpRequest) -> str:
    """The address to count by. With a trusted proxy, the last ``X-Forwarded-For`` entry:
    the one our proxy appended. Entries before it come from the client and can be forged."""
    if settings.ANTQ_TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(request: HttpRequest, bucket: str, window: int) -> str:
    day = timezone.now().date().isoformat()
    who = keyed_hash(f"{day}:{client_address(request)}", purpose="ratelimit")
    slot = int(time.time()) // window
    return f"antq:rl:{bucket}:{window}:{slot}:{who}"


def _retry_after(window: int) -> int:
    return window - int(time.time()) % window


def _path(key: str) -> Path:
    return Path(settings.ANTQ_RATELIMIT_DIR) / hashlib.sha256(key.encode()).hexdigest()


def _sweep(directory: Path, *, older_than: int = 2 * 24 * HOUR) -> None:
    """Delete counters of windows long past (the longest window is a day)."""
    limit = time.time() - older_than
    for entry in os.scandir(directory):
        try:
            if entry.stat().st_mtime < limit:
                os.unlink(entry.path)
        except FileNotFoundError:  # another worker swept it first
            continue


def count(request: HttpRequest, bucket: str, window: int = HOUR) -> int:
    """How many requests the client made in ``bucket`` during the current window."""
    try:
        return _path(_key(request, bucket, window)).stat().st_size
    except FileNotFoundError:
        return 0


def exceeded(request: HttpRequest, bucket: str, limit: int, window: int = HOUR) -> bool:
    """Whether the client has used up ``limit`` already, without counting this request
    (for limits that count only failures, such as wrong passphrases)."""
    return count(request, bucket, window) >= limit


def hit(request: HttpRequest, bucket: str, limit: int, window: int = HOUR) -> bool:
    """Count one request; ``True`` while the client stays within ``limit`` per ``window``."""
    path = _path(_key(request, bucket, window))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, b".")
        used = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if secrets.randbelow(SWEEP_EVERY) == 0:
        _sweep(path.parent)
    return used <= limit


def wants_json(request: HttpRequest) -> bool:
    if request.path.startswith(("/api/", "/open311/")):
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def too_many_requests(
    request: HttpRequest, *, as_json: bool | None = None, window: int = HOUR
) -> HttpResponse:
    """The 429 answer: a Vietnamese page, or ``{"code": "rate_limited", "message"}`` for
    JSON clients (``as_json=None`` decides from the path and the ``Accept`` header)."""
    message = _("Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút.")
    response: HttpResponse
    if as_json if as_json is not None else wants_json(request):
        response = JsonResponse(
            {"code": "rate_limited", "message": message},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "tips/public/rate_limited.html", {"message": message}, status=429
        )
    response["Retry-After"] = str(_retry_after(window))
    response["Cache-Control"] = "no-store"
    return response


def ratelimit(
    bucket: str,
    limit: int | str,
    per_seconds: int = HOUR,
    methods: Iterable[str] = ("POST",),
) -> Callable[[V], V]:
    """Decorate a view: each request with one of ``methods`` counts, and past ``limit`` the
    view is not called and the client gets :func:`too_many_requests`. ``limit`` is a number
    or the name of a setting, read at request time."""
    counted = frozenset(m.upper() for m in methods)

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in counted:
                n = int(getattr(settings, limit)) if isinstance(limit, str) else limit
                if not hit(request, bucket, n, per_seconds):
                    return too_many_requests(request, window=per_seconds)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
