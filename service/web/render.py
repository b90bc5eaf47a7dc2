"""HTML rendering: one Jinja environment with autoescaping and the filters the templates use.

Everything a template prints is escaped unless a filter here returns ``Markup`` built from
escaped parts: the Markdown subset of item bodies (raw HTML switched off) and highlighted
snippets (only ``<mark>`` survives).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from service.search.analysis import normalise, tokens

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

_WORD = re.compile(r"\w+(?:\.\w+)*")
_MARK = re.compile(r"&lt;(/?)mark&gt;")
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def markdown(text: str | None, level: int = 2) -> Markup:
    """The Markdown subset of item texts as HTML, raw HTML escaped. Headings are shifted so
    the first level used becomes ``level`` (keeps the page's heading order intact)."""
    if not text:
        return Markup("")
    md = _markdown()
    tokens_ = md.parse(text)
    heads = [int(t.tag[1]) for t in tokens_ if t.type == "heading_open"]
    shift = level - min(heads) if heads else 0
    for token in tokens_:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return Markup(md.renderer.render(tokens_, md.options, {}))


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def highlight(text: str | None, query: str) -> Markup:
    """``text`` escaped, with words that start with a query word wrapped in ``<mark>``
    (the index matches by prefix, so the marks show why a result matched)."""
    if not text:
        return Markup("")
    words = [w for w in tokens(query) if w]
    if not words:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        found = normalise(match.group())
        if any(found.startswith(w) for w in words):
            out.append(str(escape(text[last : match.start()])))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def marked(html: str | None) -> Markup:
    """A snippet from the search service with ``<mark>`` highlights: everything is escaped,
    then only the marks are let through again."""
    if not html:
        return Markup("")
    return Markup(_MARK.sub(r"<\1mark>", str(escape(html))))


def date_sv(value: str | dt.date | None) -> str:
    """``2024-11-20`` → ``20 november 2024``."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown
    env.filters["highlight"] = highlight
    env.filters["marked"] = marked
    env.filters["date_sv"] = date_sv
    return env


def render(template: str, **context: Any) -> str:
    """Render one template of ``service/web/templates``."""
    return environment().get_template(template).render(**context)
