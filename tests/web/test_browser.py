"""The search interface in a real browser: Debian's chromium, headless, against the running
service with the demo corpus. See conftest.py for the fixtures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ITEM = "/innehall/nkk:astma-vuxna"


def result_titles(page: Any) -> list[str]:
    titles: list[str] = page.locator(".result-title").all_inner_texts()
    return titles


def total(page: Any) -> int:
    text = page.locator("#results-heading").inner_text()
    found = re.match(r"(\d+)", text)
    return int(found.group(1)) if found else 0


def test_search_facets_combine_and_are_removable(visit: Any) -> None:
    page = visit.page("/sok?q=astma")
    everything = total(page)
    assert everything > 3
    assert any("Astma" in t for t in result_titles(page))
    first = page.locator(".result").first
    for label in ("Källa", "Typ", "Målgrupp", "Senast granskad"):
        assert first.locator("dt", has_text=label).count() == 1
    assert page.locator(".result mark").first.inner_text().lower().startswith("astma")

    doctors = page.locator("#facet-audience + ul a", has_text="Läkare")
    counted = int(doctors.locator(".count").inner_text().split()[0])
    doctors.click()
    assert "audience=lakare" in page.url
    with_doctors = total(page)
    assert with_doctors == counted  # the facet's count is what the filter gives
    assert 0 < with_doctors <= everything
    assert page.locator(".chip", has_text="Målgrupp: Läkare").count() == 1

    page.locator("#facet-source + ul a").first.click()
    assert "source=" in page.url and "audience=lakare" in page.url
    assert total(page) <= with_doctors
    assert page.locator(".chips .chip").count() == 3  # two filters and "Rensa alla filter"

    page.locator(".chip", has_text="Målgrupp: Läkare").click()
    assert "audience=" not in page.url and "source=" in page.url
    page.locator(".chip-clear").click()
    assert total(page) == everything


def test_paging_keeps_the_query(visit: Any) -> None:
    page = visit.page("/sok?q=behandling")
    assert total(page) > 10
    page.locator(".pager a[rel=next]").click()
    assert "page=2" in page.url and "q=behandling" in page.url
    assert page.locator(".pager a[aria-current=page]").inner_text().endswith("2")
    assert page.locator("ol.results").get_attribute("start") == "11"
    page.locator(".sort a", has_text="Senast ändrad").click()
    assert "sort=date" in page.url and "page=" not in page.url


def test_basic_search_works_without_javascript(visit: Any) -> None:
    page = visit.page("/", javascript=False)
    assert page.locator("#q").get_attribute("role") is None  # no script ran
    page.fill("#q", "hjärtsvikt")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sok\?"))
    assert "q=hj%C3%A4rtsvikt" in page.url
    assert any("järtsvikt" in t for t in result_titles(page))
    page.locator(".facet-value").first.click()
    assert page.locator(".chips .chip").count() >= 1


def test_region_is_remembered_and_supplement_shown_in_place(visit: Any) -> None:
    page = visit.page("/sok?q=astma")
    page.select_option("#region", "12")
    page.locator(".search-form button[type=submit]").click()
    assert "region=12" in page.url
    assert page.locator(".badge-region", has_text="Region Skåne").count() >= 1

    # A new visit without region in the URL is sent to the remembered region.
    page.goto(visit.base_url + ITEM)
    assert page.url.endswith(ITEM + "?region=12")
    section = page.locator("section.part", has=page.locator("h2", has_text="Behandling av astma"))
    supplement = section.locator("aside.supplement")
    assert supplement.count() == 1
    assert "Region Skåne" in supplement.inner_text()
    assert "Skånelistan" in supplement.inner_text()

    # Another region's supplement is not shown; "no region" forgets the choice.
    page.select_option("#region-select", "01")
    page.locator(".region-form button").click()
    assert "region=01" in page.url
    assert page.locator("aside.supplement", has_text="Region Skåne").count() == 0
    page.goto(visit.base_url + "/sok?q=astma&region=")
    page.goto(visit.base_url + "/sok?q=astma")
    assert "region=" not in page.url


def test_item_page_metadata_attribution_and_related(visit: Any) -> None:
    page = visit.page(ITEM + "?region=12")
    assert page.locator("h1").inner_text() == "Astma hos vuxna"
    about = page.locator("section.about").inner_text()
    for label in ("Källa", "Utgivare", "Senast granskad", "Målgrupp", "Licens"):
        assert label in about
    assert page.locator(".attribution").inner_text().startswith("Källa:")
    assert page.locator(".codes a", has_text="J45").count() >= 1
    relations = page.locator("section.relations")
    assert relations.locator("a", has_text="Astma").count() >= 1
    related = page.locator("section.related li")
    assert related.count() >= 3
    assert all("Varför:" in text for text in related.all_inner_texts())
    # The region's own supplement is related content too, marked as regional.
    assert related.filter(has_text="Region Skåne").locator(".badge-region").count() >= 1


def test_overdue_review_is_flagged_in_text(visit: Any) -> None:
    page = visit.page("/sok?q=angest")
    flags = page.locator(".badge-warn")
    assert flags.count() >= 1
    assert "Granskning försenad" in flags.first.inner_text()


def test_empty_result_offers_ways_out(visit: Any) -> None:
    page = visit.page("/sok?q=kolx")
    assert page.locator("#results-heading").inner_text().startswith("Inga träffar")
    empty = page.locator(".empty")
    assert "Tips" in empty.inner_text()
    suggestion = empty.locator("a", has_text="kol").first  # "Menade du: kols?"
    word = suggestion.inner_text().strip()
    suggestion.click()
    assert f"q={word}&" in page.url or page.url.endswith(f"q={word}")
    assert total(page) > 0

    page = visit.page("/sok?q=astma&source=fass&contentType=vardprogram")
    link = page.locator(".empty a", has_text="Sök utan filter")
    assert link.count() == 1
    link.click()
    assert total(page) > 0


def test_suggestions_by_keyboard(visit: Any) -> None:
    page = visit.page("/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox"
    box.press_sequentially("ast", delay=30)
    listbox = page.locator("#q-suggestions")
    listbox.locator("[role=option]").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    first = listbox.locator("[role=option]").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("ArrowDown")
    box.press("ArrowUp")
    assert first.get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")
    listbox.locator("[role=option]").first.wait_for()
    box.press("ArrowDown")
    chosen = listbox.locator("[role=option]").first.inner_text()
    with page.expect_navigation():
        box.press("Enter")
    assert "/sok?" in page.url or "/innehall/" in page.url
    assert chosen


def test_skip_link_is_the_first_stop_and_focus_is_visible(visit: Any) -> None:
    page = visit.page("/sok?q=astma")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_viewport_has_no_horizontal_scrolling(visit: Any, screenshots: Path) -> None:
    for path, name in (("/sok?q=astma&region=12", "search"), (ITEM + "?region=12", "item")):
        page = visit.page(path, width=390, height=844)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a phone"
        box = page.locator("h1").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=str(screenshots / f"{name}-390.png"))
        desktop = visit.page(path, width=1280)
        desktop.screenshot(path=str(screenshots / f"{name}-1280.png"), full_page=False)


def test_concept_browsing(visit: Any, base_url: str) -> None:
    page = visit.page("/begrepp")
    # count() does not wait: let the clicked page load first (CI once counted the old page).
    with page.expect_navigation():
        page.locator("a", has_text="ICD-10").first.click()
    tree = page.locator(".tree")
    assert tree.count() == 1
    page.goto(base_url + "/begrepp/icd-10-se/J45")
    assert "Astma" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "Asthma" in body  # the English label next to the Swedish one
    assert "J45.0" in body  # narrower
    assert page.locator(".concept-items a", has_text="Astma hos vuxna").count() >= 1
    with page.expect_navigation():
        page.locator(".concept-broader a").first.click()
    assert page.locator(".tree .current").count() == 1


def test_pages_load_nothing_from_elsewhere(visit: Any, base_url: str) -> None:
    for path in ("/sok?q=astma&region=12", ITEM + "?region=12", "/begrepp/icd-10-se/J45"):
        page = visit.page(path)
        loaded: list[str] = page.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert loaded, "the stylesheet at least is a resource"
        assert all(url.startswith(base_url + "/") for url in loaded), loaded
    assert visit.external() == []


PAGES = [
    "/",
    "/sok?q=astma&region=12",
    "/sok?q=kolx",
    ITEM + "?region=12",
    "/innehall/nkk:astma-vuxna.behandling?region=12",
    "/begrepp",
    "/begrepp/icd-10-se/J45",
]


def own_accessibility_problems(page: Any) -> list[str]:
    """Checks that need no library: labels, headings, alt texts, language, skip link."""
    problems: list[str] = page.evaluate(
        """() => {
        const out = [];
        if (document.documentElement.lang !== 'sv') out.push('html lang is not sv');
        for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
          const named = (el.id && document.querySelector(`label[for="${el.id}"]`))
            || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
          if (!named) out.push('no label: ' + (el.name || el.id));
        }
        for (const img of document.querySelectorAll('img')) {
          if (!img.hasAttribute('alt')) out.push('img without alt: ' + img.src);
        }
        const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
        if (levels.filter(l => l === 1).length !== 1) out.push('not exactly one h1');
        levels.forEach((l, i) => {
          if (i && l > levels[i - 1] + 1) out.push(`heading h${levels[i - 1]} -> h${l}`);
        });
        const first = document.querySelector('a, button, input, select');
        if (!first || first.getAttribute('href') !== '#main') out.push('skip link is not first');
        if (!document.querySelector('main#main')) out.push('no main landmark');
        return out;
    }"""
    )
    return problems


@pytest.mark.parametrize("path", PAGES)
def test_accessibility(visit: Any, axe_source: str, path: str) -> None:
    page = visit.page(path, bypass_csp=True)
    assert own_accessibility_problems(page) == []
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
