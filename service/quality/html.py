"""The quality report as one self-contained HTML page (inline CSS, no scripts, no external
requests), rendered with Jinja2 from :func:`service.validation.check.report_data`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.quality.findings import SEVERITIES, Finding, short_iri

TEMPLATES = Path(__file__).resolve().parent / "templates"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["short"] = short_iri


def render_report(data: dict[str, Any], content: Sequence[Finding]) -> str:
    """``data`` from ``report_data``; ``content`` the SHACL findings on the content."""
    return _ENV.get_template("report.html").render(
        data=data,
        content=sorted(content, key=lambda f: (SEVERITIES.index(f.severity), f.subject)),
    )
