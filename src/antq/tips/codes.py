"""Tip codes and passphrases: what a tipster keeps to come back without an account.

The code names the tip (and is its id in Open311 and the API); it is random, so it reveals
nothing and cannot be enumerated. The passphrase proves the holder filed the tip: random
words, at least 80 bits, stored only as an HMAC with a server key (fast to check, and a
stolen database alone cannot test guesses).
"""

from __future__ import annotations

import hmac
import math
import secrets
from functools import cache
from importlib import resources

from antq.core.crypto import keyed_hash
from antq.textvn import fold

# No 0/O, 1/I/L, U: easy to read aloud over the phone and to type on any keyboard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 30**10 ≈ 2**49
MIN_PASSPHRASE_BITS = 80


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(text: str) -> str:
    """What a person typed → the stored form (upper case, one dash); "" if it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return f"{raw[:5]}-{raw[5:]}"


@cache
def words() -> tuple[str, ...]:
    text = resources.files("antq.tips").joinpath("data/passphrase_words.txt").read_text()
    items = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return tuple(sorted(items))


def passphrase_word_count() -> int:
    return math.ceil(MIN_PASSPHRASE_BITS / math.log2(len(words())))


def new_passphrase() -> str:
    pool = words()
    return " ".join(secrets.choice(pool) for _ in range(passphrase_word_count()))


def normalize_passphrase(text: str) -> str:
    """Case, diacritics a phone may add, and extra spaces or dashes do not matter."""
    return " ".join(fold(text.replace("-", " ")).split())


def passphrase_digest(passphrase: str) -> str:
    return keyed_hash(normalize_passphrase(passphrase), purpose="tip-passphrase")


def passphrase_matches(passphrase: str, digest: str) -> bool:
    return hmac.compare_digest(passphrase_digest(passphrase), digest)
