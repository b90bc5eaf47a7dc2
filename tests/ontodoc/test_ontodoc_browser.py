"""The static ontology documentation in a real browser (Debian's chromium, headless, through
Playwright): opened from disk it requests nothing but its own files, the skip link is the first
thing the keyboard reaches, and axe-core finds no serious or critical accessibility problems.

axe-core is the copy the browser tests of the search interface install from npm
(``~/.cache/kunskapsgraf/axe-core-<version>``); without it only the axe check skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.config import Settings
from service.ontodoc import write_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_VERSION = "4.10.3"
# One page per template (the overview's tables are built like the scheme page's; it is the
# largest page and axe takes seconds over it).
PAGES = [
    "class/KnowledgeProduct.html",
    "scheme/care-setting.html",
    "shape/KnowledgeResource-title.html",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    write_site(Settings(store="memory"), out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def axe_script() -> str | None:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kunskapsgraf"
    target = cache / f"axe-core-{AXE_VERSION}"
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists() and shutil.which("npm"):
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(target),
                "--no-audit",
                "--no-fund",
                "--no-save",
                f"axe-core@{AXE_VERSION}",
            ],
            check=False,
            capture_output=True,
            timeout=120,
        )
    return script.read_text(encoding="utf-8") if script.exists() else None


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_only_its_own_files_and_passes_axe(site: Path, browser: Any, path: str) -> None:
    context = browser.new_context(locale="sv-SE")
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto((site / path).as_uri())
        assert page.locator("h1").count() == 1
        assert page.get_attribute("html", "lang") == "sv"
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        # A relative link leads to a page that exists.
        first = page.locator("main a[href$='.html']").first
        if first.count():
            first.click()
            assert page.locator("h1").count() == 1
        script = axe_script()
        if script is None:
            pytest.skip("axe-core is not available (npm)")
        page.goto((site / path).as_uri())
        page.add_script_tag(content=script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
    finally:
        context.close()
    outside = [u for u in requests if not u.startswith(site.as_uri())]
    assert outside == []
