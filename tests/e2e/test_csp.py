"""Every page works under the Content-Security-Policy, and the policy is really enforced.

Chromium reports each blocked script, style or image twice: a ``securitypolicyviolation``
event in the page and a "Refused to …" console message. Both are collected over the main
pages, with the htmx swaps, the charts and Swagger UI actually running.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import Cast
from tests.e2e.conftest import login
from tests.factories import make_tip, receive_tip

pytestmark = pytest.mark.e2e

# Runs before any script of each document (through the DevTools protocol, which the page's
# policy does not restrict) and records the violations the page reports.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} ` +
                    `at ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""


class Violations:
    """Violations seen by the page, from its console and from its own events."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Refused to" in message.text or "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def check(self) -> None:
        """Fail with every violation of the current document and of the console so far."""
        events = self.page.evaluate("window.__csp || []")
        found = self.console + [f"{self.page.url}: {e}" for e in events]
        assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


@pytest.fixture
def violations(page: Page) -> Iterator[Violations]:
    seen = Violations(page)
    yield seen
    seen.check()


def test_the_staff_pages_run_without_a_policy_violation(
    page: Page, live_server: LiveServer, cast: Cast, violations: Violations
) -> None:
    tip = make_tip(ward=cast.ward_a, category="ma-tuy", text="Mua bán ma túy ở ngõ 5")
    make_tip(ward=cast.ward_b, category="lua-dao", text="Lừa đảo qua điện thoại")
    base = live_server.url

    login(page, live_server, cast.department.username)
    violations.check()  # login page and dashboard

    page.goto(base + "/don-vi/")
    page.locator("#id_q").press_sequentially("truong")  # htmx swaps the results in
    expect(page.locator("#unit-results")).not_to_contain_text(cast.unit_x.name)
    expect(page.locator("#unit-results")).to_contain_text(cast.unit_y.name)
    violations.check()

    page.goto(base + "/tin-bao/")
    page.locator("#id_q").press_sequentially("lua dao")
    expect(page.locator("#tip-results")).not_to_contain_text(tip.code)
    violations.check()

    page.goto(f"{base}/tin-bao/{tip.pk}/")
    expect(page.get_by_role("heading", name=tip.code)).to_be_visible()
    violations.check()

    page.goto(base + "/tin-bao/thong-ke/")
    page.wait_for_function(
        """() => window.Chart && [...document.querySelectorAll("canvas[data-chart]")]
            .every((canvas) => Chart.getChart(canvas) !== undefined)"""
    )
    violations.check()

    page.goto(base + "/tin-bao/goi-den/")  # the operator's form and its script
    expect(page.locator("form")).not_to_have_count(0)
    violations.check()

    page.goto(base + "/api/v1/docs")  # Swagger UI, served from our static files
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ANTQ API")
    page.locator(".opblock-summary").first.click()
    violations.check()


def test_the_citizens_pages_run_without_a_policy_violation(
    page: Page, live_server: LiveServer, cast: Cast, violations: Violations
) -> None:
    receipt = receive_tip(category="ma-tuy", text="Có người bán ma túy ở ngõ 12", ward=cast.ward_a)
    base = live_server.url

    page.goto(base + "/gui-tin-bao/")
    page.get_by_label("Xã, phường nơi xảy ra").select_option(label="Phường Hoàn Kiếm")
    # The unit list follows the ward through htmx.
    expect(page.locator("#id_unit option")).to_contain_text([cast.unit_x.name])
    violations.check()

    page.goto(base + "/tra-cuu/")
    page.locator("#id_code").fill(receipt.tip.code)
    page.locator("#id_passphrase").fill(receipt.passphrase or "")
    page.locator("#id_passphrase").press("Enter")
    expect(page.get_by_role("heading", name=f"Tin báo {receipt.tip.code}")).to_be_visible()
    violations.check()

    page.goto(base + "/canh-bao/")
    violations.check()


def test_the_policy_is_enforced_in_the_browser(
    context: BrowserContext, live_server: LiveServer, cast: Cast
) -> None:
    """The control: code injected into a page is refused, so "no violation" above means
    the pages comply, not that the browser got no policy."""
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(live_server.url + "/gui-tin-bao/")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.head.appendChild(script);
          document.body.setAttribute("style", "display: none");
          return {inline: window.__inlineRan === true,
                  hidden: getComputedStyle(document.body).display === "none"};
        }"""
    )
    assert ran == {"inline": False, "hidden": False}
    page.wait_for_function("window.__csp.length >= 2")
    directives = {v.split(" ")[0] for v in page.evaluate("window.__csp")}
    assert directives == {"script-src-elem", "style-src-attr"}
    page.close()
