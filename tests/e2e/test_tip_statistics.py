"""The statistics page draws a chart over each of its tables (Chart.js, served locally)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from antq.tips.services import tip_transition
from antq.tips.status import Outcome, TipStatus
from tests.conftest import Cast
from tests.e2e.conftest import login
from tests.factories import make_tip

pytestmark = pytest.mark.e2e

# Every chart: its kind and what it draws. A ring leaves out the parts without tips.
CHARTS_JS = """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
  const chart = Chart.getChart(canvas);
  return {
    key: canvas.dataset.chart,
    type: chart.config.type,
    labels: chart.data.labels,
    sum: chart.data.datasets[0].data.reduce((a, b) => a + b, 0),
    drawn: canvas.width > 0 && canvas.height > 0,
  };
})"""


def test_the_statistics_page_draws_a_chart_for_each_breakdown(
    page: Page, live_server: LiveServer, cast: Cast
) -> None:
    make_tip(ward=cast.ward_a, channel="web")
    make_tip(ward=cast.ward_b, channel="web", category="trom-cap")
    make_tip(ward=cast.ward_a, channel="phone", category="chay-no")
    make_tip(ward=cast.ward_a, channel="phone", category="bao-luc-hoc-duong", unit=cast.unit_x)
    closed = make_tip(ward=cast.ward_b, channel="web", category="lua-dao")
    tip_transition(
        tip=closed,
        to=TipStatus.UNFOUNDED,
        actor=cast.department,
        reason="Đã xác minh, không có dấu hiệu vi phạm",
        outcome=Outcome.NOT_CONFIRMED,
    )

    login(page, live_server, cast.department.username)
    page.goto(f"{live_server.url}/tin-bao/thong-ke/")
    expect(page.get_by_test_id("stat-total")).to_have_text("5")
    expect(page.get_by_test_id("stat-closed")).to_have_text("1")
    canvases = page.locator("canvas[data-chart]")
    expect(canvases).to_have_count(7)
    page.wait_for_function(
        """() => window.Chart && [...document.querySelectorAll("canvas[data-chart]")]
            .every((canvas) => Chart.getChart(canvas) !== undefined)"""
    )

    charts = {c.pop("key"): c for c in page.evaluate(CHARTS_JS)}
    assert list(charts) == ["month", "channel", "category", "ward", "block", "outcome", "status"]
    assert {key: (c["type"], c["sum"], c["drawn"]) for key, c in charts.items()} == {
        "month": ("bar", 5, True),
        "channel": ("doughnut", 5, True),
        "category": ("bar", 5, True),
        "ward": ("bar", 5, True),
        "block": ("doughnut", 5, True),
        "outcome": ("bar", 5, True),
        "status": ("bar", 5, True),
    }
    assert charts["channel"]["labels"] == ["Trang web", "Điện thoại"]
    assert charts["ward"]["labels"] == ["Phường Hoàn Kiếm", "Phường Cửa Nam"]
    assert page.evaluate("Chart.version").startswith("4.")
