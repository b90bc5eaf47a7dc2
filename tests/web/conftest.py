"""Browser fixtures: the real service (``kunskapsgraf load-demo`` + ``kunskapsgraf serve`` on a
free 127.0.0.1 port, on-disk store in a temporary directory) and Debian's chromium driven
headless by Playwright (``/usr/bin/chromium``; Playwright never downloads a browser here).

Every page a test opens records its requests; a request to anything but the test server fails
the test. Screenshots go to ``$KUNSKAPSGRAF_SCREENSHOT_DIR`` (default
``/tmp/kunskapsgraf-screenshots``). axe-core comes from the npm registry into a cache directory
the first time; without npm or network the axe checks skip and the own checks still run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_VERSION = "4.10.3"
# Chromium must not phone home from a closed network: no background services, no QUIC.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
]
SCREENSHOT_DIR = Path(
    os.environ.get(
        "KUNSKAPSGRAF_SCREENSHOT_DIR",
        str(Path(tempfile.gettempdir()) / "kunskapsgraf-screenshots"),
    )
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service as `make run` starts it, with the demo corpus, on a free port."""
    data = tmp_path_factory.mktemp("web-store")
    env = {**os.environ, "KUNSKAPSGRAF_DATA_DIR": str(data), "KUNSKAPSGRAF_STORE": "oxigraph"}
    cli = [sys.executable, "-m", "service.cli"]
    subprocess.run([*cli, "load-demo"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (data / "server.log").open("w")
    server = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _ready(url):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail("the service did not start:\n" + (data / "server.log").read_text())
        time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """Opens pages in fresh browser contexts and records every request they make."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.requests: list[str] = []
        self.contexts: list[Any] = []

    def page(
        self,
        path: str = "/",
        *,
        width: int = 1280,
        height: int = 900,
        javascript: bool = True,
        bypass_csp: bool = False,
    ) -> Any:
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale="sv-SE",
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: self.requests.append(request.url))
        page.goto(self.base_url + path)
        return page

    def external(self) -> list[str]:
        own = (self.base_url + "/", "data:", "about:")
        return [u for u in self.requests if not u.startswith(own) and u != self.base_url]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Visit]:
    visits = Visit(browser, base_url)
    yield visits
    external = visits.external()
    visits.close()
    assert external == [], f"requests outside the test server: {external}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from npm into a cache directory on first use."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kunskapsgraf"
    target = cache / f"axe-core-{AXE_VERSION}"
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: axe-core cannot be fetched")
        target.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(target),
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    f"axe-core@{AXE_VERSION}",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"axe-core could not be installed from npm: {exc}")
    return script.read_text(encoding="utf-8")
