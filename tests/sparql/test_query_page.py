"""The query page in a real browser (Debian's chromium, headless, through Playwright): YASGUI
loads from this server only, an example query runs against /sparql and its results show."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path("/tmp/kunskapsgraf-screenshots")


@pytest.fixture(scope="module")
def page_url(sparql: TestClient) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(sparql.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_query_page_runs_an_example_in_the_browser(page_url: str) -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{page_url}/sparql")
            page.wait_for_selector(".yasqe .CodeMirror")
            page.click("button[data-example='01-innehall-per-kalla']")
            results = page.locator(".tabPanel.active .yasr table tbody")
            results.locator("tr").first.wait_for()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "sparql.png"))
            assert "https://kunskapsgraf.se/id/source/nkk" in results.inner_text()
        finally:
            browser.close()
    outside = [u for u in requests if not u.startswith((page_url, "data:", "blob:", "about:"))]
    assert outside == []
