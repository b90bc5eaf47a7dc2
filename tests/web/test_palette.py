"""The palette in site.css meets WCAG 2.1 AA: contrast is computed from the CSS colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC_DIR = Path(__file__).resolve().parents[2] / "service" / "web" / "static"
CSS = (STATIC_DIR / "site.css").read_text(encoding="utf-8")
ROOT = re.search(r":root\s*\{(.*?)\}", CSS, re.S)
assert ROOT is not None
PALETTE = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", ROOT.group(1)))

# (text, background) pairs the stylesheet puts together: 4.5:1 for text (1.4.3).
TEXT_PAIRS = [
    ("text", "bg"),
    ("text", "surface"),
    ("muted", "bg"),
    ("muted", "surface"),
    ("link", "bg"),
    ("link", "surface"),
    ("link", "chip-bg"),
    ("link-hover", "bg"),
    ("on-primary", "primary"),
    ("on-primary", "link-hover"),
    ("warn-text", "warn-bg"),
    ("warn-text", "bg"),
    ("soon-text", "soon-bg"),
    ("region-text", "region-bg"),
    ("text", "region-bg"),
    ("link", "region-bg"),
    ("text", "mark-bg"),
    ("text", "option-active"),
    ("muted", "option-active"),
    ("focus", "bg"),
]
# Borders of inputs and the focus ring against what surrounds them: 3:1 (1.4.11).
NON_TEXT_PAIRS = [
    ("border", "bg"),
    ("border", "surface"),
    ("focus", "bg"),
    ("focus", "surface"),
    ("focus", "region-bg"),
    ("primary", "bg"),
]


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_have_aa_contrast(fg: str, bg: str) -> None:
    assert contrast(PALETTE[fg], PALETTE[bg]) >= 4.5


@pytest.mark.parametrize(("fg", "bg"), NON_TEXT_PAIRS)
def test_borders_and_focus_ring_have_3_to_1(fg: str, bg: str) -> None:
    assert contrast(PALETTE[fg], PALETTE[bg]) >= 3.0


def test_every_colour_comes_from_the_palette() -> None:
    rules = CSS[ROOT.end() :]
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b", rules) == []
    assert re.findall(r"\b(?:rgb|hsl)a?\(", rules.replace("rgba(0, 0, 0, 0.12)", "")) == []


def test_visible_focus_and_no_external_fonts() -> None:
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid var\(--focus\)", CSS)
    assert "@import" not in CSS and "url(http" not in CSS and "@font-face" not in CSS
