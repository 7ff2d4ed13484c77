"""Browser tests: Playwright (pytest-playwright) driving Debian's Chromium against live_server.

Chromium comes from apt, not from ``playwright install`` (no downloads): run
``bash scripts/ensure-browser.sh`` once (``make test`` does it first). The live server uses
the transactional test database, so the cast made in a test is visible to the browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the main thread; the test's ORM calls are
# still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
LOGIN_PATH = "/tai-khoan/dang-nhap/"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with: bash scripts/ensure-browser.sh (make test runs it first).",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Chromium asks for en-US by default and LocaleMiddleware honours Accept-Language; the
    # officers' browsers ask for Vietnamese.
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """The page, failing the test if a script throws or a static file does not load."""
    problems: list[str] = []

    def on_response(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        # A 404 page is a normal answer in some tests; Chromium logs it as a console error.
        if message.type == "error" and "status of 404" not in message.text:
            problems.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    assert problems == [], "the browser reported problems:\n" + "\n".join(problems)


def login(page: Page, live_server: LiveServer, username: str) -> None:
    """Log in through the real form and wait for the dashboard."""
    page.goto(live_server.url + LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#id_username")).to_be_visible()
