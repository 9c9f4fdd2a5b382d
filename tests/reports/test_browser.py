"""The report in a real browser: headless Chromium with the network off, driven over the
DevTools protocol on 127.0.0.1. Every chart renders, nothing is fetched, and the page
prints on A4.

Chromium is Debian's ``chromium`` package; .ci/run installs it. Without it this test is
skipped, saying so, except in CI (``CI`` set), where a missing browser is a failure: the
check must really run there.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="chromium is not installed "
                                "(apt-get install chromium; .ci/run does it)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-dev-shm-usage",
         # Network off: no name resolves and any connection goes to a closed port.
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         "--window-size=900,1300")
CHARTS = """JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(s => ({
  slug: s.dataset.chart, height: s.getBoundingClientRect().height,
  shapes: s.querySelectorAll('rect, polyline, circle, line').length})))"""


class DevTools:
    """Just enough of the DevTools protocol: send a command, wait for its answer, and
    keep every event that arrives meanwhile."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads((await self.ws.receive(timeout=30)).data)
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return dict(message.get("result", {}))
            self.events.append(message)

    async def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(json.loads((await self.ws.receive(timeout=30)).data))


async def devtools_port(profile: Path) -> int:
    marker = profile / "DevToolsActivePort"
    # A cold start of chromium on a busy two-core machine can take well over 15 s.
    for _ in range(1200):
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().splitlines()[0])
        await asyncio.sleep(0.05)
    raise AssertionError("chromium did not open its DevTools port")


@pytest.fixture
def page(canary_db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(canary_db), "--out", str(out), "--from", "2026-04-01",
                 "--to", "2026-06-01"], environ={}) == 0
    return out


async def test_every_chart_renders_nothing_is_fetched_and_it_prints_on_a4(
        page: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    browser = await asyncio.create_subprocess_exec(
        CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        port = await devtools_port(profile)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                targets = await answer.json()
            target = next(t for t in targets if t["type"] == "page")
            async with session.ws_connect(target["webSocketDebuggerUrl"],
                                          max_msg_size=64 * 2**20) as ws:
                tools = DevTools(ws)
                await tools.call("Network.enable")
                await tools.call("Page.enable")
                tools.events.clear()
                await tools.call("Page.navigate", url=page.as_uri())
                await tools.wait_for("Page.loadEventFired")
                found = await tools.call("Runtime.evaluate", expression=CHARTS,
                                         returnByValue=True)
                charts = json.loads(found["result"]["value"])
                shot = await tools.call("Page.captureScreenshot", format="png",
                                        captureBeyondViewport=True)
                pdf = await tools.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69,
                                       printBackground=True, preferCSSPageSize=True)
    finally:
        with contextlib.suppress(ProcessLookupError):
            browser.terminate()
        await browser.wait()

    fetched = [e["params"]["request"]["url"] for e in tools.events
               if e.get("method") == "Network.requestWillBeSent"]
    assert fetched == [page.as_uri()]  # the page itself, and nothing else
    html = page.read_text(encoding="utf-8")
    assert len(charts) == html.count("<svg") >= 5
    for chart in charts:
        assert chart["height"] > 100 and chart["shapes"] > 5, chart
    png = base64.b64decode(shot["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    (tmp_path / "report.png").write_bytes(png)  # to look at when it fails
    document = base64.b64decode(pdf["data"])
    assert document.startswith(b"%PDF") and 2 <= document.count(b"/Type /Page\n") + \
        document.count(b"/Type /Page/") + document.count(b"/Type /Page>") <= 12
