"""Encryption at rest for the few values that identify a person (a tipster's name and phone,
an SMS sender's number), and keyed hashes for secrets we only need to compare.

The key comes from ``ANTQ_ENCRYPTION_KEY`` (see docs/deploy.md); without it, a key is derived
from ``SECRET_KEY`` so a demo works, and ``antq check --deploy`` warns. Rotating keys: list
the old key after the new one in ``ANTQ_ENCRYPTION_KEY`` (comma-separated); values encrypted
with any listed key are read, new ones use the first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"antq:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.ANTQ_ENCRYPTION_KEY.split(",") if k.strip()]
    if not keys:
        keys = [base64.urlsafe_b64encode(_derived("encryption")).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    """Encrypt a short text; the empty string stays empty (nothing to hide)."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the value cannot be decrypted with the configured keys") from exc


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` with a key derived for ``purpose`` (hex)."""
    return hmac.new(_derived(purpose), value.encode(), hashlib.sha256).hexdigest()


def reset_keys() -> None:
    """Forget cached keys (tests that change the settings)."""
    _fernet.cache_clear()


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a file's content (a signed petition) with the same keys."""
    return _fernet().encrypt(data) if data else b""


def decrypt_bytes(token: bytes) -> bytes:
    if not token:
        return b""
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ValueError("the file cannot be decrypted with the configured keys") from exc
