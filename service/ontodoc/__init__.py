"""Ontology documentation: one HTML page per class, property, concept scheme and shape, in
Swedish and English, generated from the model files (``ontology/``, ``ontology/vocabularies/``,
``shapes/`` with the examples in ``shapes/cases/``).

The same pages are served at ``/ontology`` and written as static files by
``kunskapsgraf docs OUT_DIR`` (``make docs``). Every page is self-contained: inline CSS, no
scripts, fonts or images, so it makes no request to anywhere; links between pages are relative.

>>> from service.config import Settings
>>> pages = build_site(Settings(store="memory"))
>>> "index.html" in pages and "class/KnowledgeProduct.html" in pages
True
"""

from __future__ import annotations

import threading
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.config import Settings
from service.diff.versions import files_of
from service.ontodoc.model import Ontology, read_ontology
from service.quality.findings import short_iri

TEMPLATES = Path(__file__).resolve().parent / "templates"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["short"] = short_iri


def render_site(ontology: Ontology) -> dict[str, str]:
    """Every page as (path relative to the site root → HTML)."""
    pages: dict[str, str] = {}

    def render(path: str, template: str, **values: object) -> None:
        root = "../" * path.count("/")
        pages[path] = _ENV.get_template(template).render(ontology=ontology, root=root, **values)

    render("index.html", "index.html")
    for term in ontology.classes + ontology.properties:
        render(term.page, "term.html", term=term)
    for scheme in ontology.schemes:
        render(scheme.page, "scheme.html", scheme=scheme)
    for shape in ontology.shapes:
        render(shape.page, "shape.html", shape=shape)
    return pages


def build_site(settings: Settings) -> dict[str, str]:
    """The documentation of the model files named by ``settings`` (built once per state of the
    files: the service and the command line ask again with the same files)."""
    files = files_of(settings)
    cases = sorted(files.cases_dir.rglob("*.ttl")) if files.cases_dir else []
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files.all + cases)
    with _LOCK:
        pages = _SITES.get(stamp)
    if pages is None:
        pages = render_site(read_ontology(files))
        with _LOCK:
            if len(_SITES) >= 2:
                _SITES.pop(next(iter(_SITES)))
            _SITES[stamp] = pages
    return dict(pages)


_SITES: dict[tuple[tuple[str, int, int], ...], dict[str, str]] = {}
_LOCK = threading.Lock()


def write_site(settings: Settings, out_dir: Path) -> int:
    """Write the pages under ``out_dir`` (created when missing); returns how many."""
    pages = build_site(settings)
    for path, html in pages.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return len(pages)
