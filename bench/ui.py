"""First result visible: how long a search page takes in a real browser, against the JSON API
for the same query as the baseline (measured in the same run; printed, never asserted).

    .venv/bin/python bench/ui.py [--rounds N]

Starts the service as `make run` does (demo corpus, on-disk store in a temporary directory) on
a free 127.0.0.1 port and drives Debian's chromium headless with Playwright. For each query it
times, from the start of navigation, the moment the first result is in the rendered page
(``.result`` attached and visible), and the plain HTTP round trip of ``/api/search``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

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
QUERIES = ["astma", "hjärtsvikt", "behandling", "barn feber", "J45", "sepsis", "förmaksflimmer"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "KUNSKAPSGRAF_DATA_DIR": str(data), "KUNSKAPSGRAF_STORE": "oxigraph"}
    cli = [sys.executable, "-m", "service.cli"]
    subprocess.run([*cli, "load-demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health/ready", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the service did not start")


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(values):7.1f} / {p95:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        server, base = start_server(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(base + "/")  # warm up: stylesheet and script cached as for a user
                print(f"{'query':<16} {'first result ms':>17} {'API ms':>17} {'ratio':>6}")
                print(f"{'':<16} {'median / p95':>17} {'median / p95':>17}")
                all_page: list[float] = []
                for query in QUERIES:
                    path = "/sok?" + urllib.parse.urlencode({"q": query, "region": "12"})
                    api = "/api/search?" + urllib.parse.urlencode({"q": query, "region": "12"})
                    shown: list[float] = []
                    fetched: list[float] = []
                    for _ in range(args.rounds):
                        start = time.perf_counter()
                        page.goto(base + path, wait_until="commit")
                        page.locator(".result").first.wait_for(state="visible")
                        shown.append((time.perf_counter() - start) * 1000)
                        start = time.perf_counter()
                        with urllib.request.urlopen(base + api) as response:
                            response.read()
                        fetched.append((time.perf_counter() - start) * 1000)
                    all_page += shown
                    ratio = statistics.median(shown) / statistics.median(fetched)
                    print(f"{query:<16} {ms(shown):>17} {ms(fetched):>17} {ratio:5.1f}x")
                print(f"{'all':<16} {ms(all_page):>17}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
