"""The English interface: the language switch works and the catalogue is complete and compiled.

The catalogue is refreshed with ``bash scripts/i18n.sh``; these tests fail while an entry is
untranslated or fuzzy, or while the .mo is older than the .po.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import Cast

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdifr]|\{\{\s*\w+\s*\}\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def po_entries(path: Path) -> list[Entry]:
    """A tiny .po reader: enough for the files makemessages writes (no polib needed)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value: str = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or index:
                target = ("msgstr", int(index.group(1)) if index else 0)
                entry.msgstr.append("")
            else:
                target = (keyword, 0)
                setattr(entry, keyword, "")
        assert target is not None, f"continuation line without a keyword: {raw!r}"
        name, position = target
        if name == "msgstr":
            entry.msgstr[position] += value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    return [e for e in entries if not e.obsolete]


def messages() -> list[Entry]:
    return [e for e in po_entries(PO) if e.msgid]  # the header has an empty msgid


def label(entry: Entry) -> str:
    return entry.msgid[:70]


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """LocaleMiddleware leaves the request's language active in the thread; later tests
    expect Vietnamese, so put back whatever was active before."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def en(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_overview_is_in_english_with_the_language_cookie(en: Client, cast: Cast) -> None:
    en.force_login(cast.department)
    html = en.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Overview" in html
    assert "Movement Department officer" in html  # a model choice label, translated lazily
    assert "Tổng quan" not in html


def test_the_overview_is_in_english_with_accept_language(client: Client, cast: Cast) -> None:
    client.force_login(cast.department)
    html = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    assert '<html lang="en">' in html
    assert "Overview" in html


def test_the_overview_is_in_vietnamese_by_default(client: Client, cast: Cast) -> None:
    client.force_login(cast.department)
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert "Tổng quan" in html
    assert "Overview" not in html


@pytest.mark.django_db
def test_the_login_page_is_in_english_too(en: Client) -> None:
    html = en.get(reverse(settings.LOGIN_URL)).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_the_catalogue_has_no_untranslated_entries() -> None:
    empty = [label(e) for e in messages() if not e.msgstr or not all(e.msgstr)]
    assert empty == []


def test_the_catalogue_has_no_fuzzy_entries() -> None:
    fuzzy = [label(e) for e in po_entries(PO) if "fuzzy" in e.flags]
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders_of_its_source() -> None:
    broken = [
        label(e)
        for e in messages()
        for msgstr in e.msgstr
        if sorted(PLACEHOLDER.findall(msgstr))
        != sorted(PLACEHOLDER.findall(e.msgid_plural if e.msgid_plural else e.msgid))
    ]
    assert broken == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for e in messages():
        if e.msgid_plural is not None:
            got = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            expected = e.msgstr[:2]
        elif e.msgctxt is not None:
            got, expected = [compiled.pgettext(e.msgctxt, e.msgid)], e.msgstr
        else:
            got, expected = [compiled.gettext(e.msgid)], e.msgstr
        if got != expected:
            stale.append(label(e))
    assert stale == [], "run scripts/i18n.sh to recompile django.mo"
