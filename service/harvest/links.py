"""What a fetched document says about other documents: paging links and sitemap entries.

* Atom and RSS: ``<link rel="next" href="…"/>`` (in RSS as ``atom:link``) of the feed or
  channel (RFC 5005 paged feeds), and ``<fh:complete/>`` (RFC 5005 complete feeds: the feed
  lists everything, so what is missing from it has gone).
* JSON APIs: the URL at an RFC 6901 pointer named in ``mappings/<source>/harvest.toml``.
* Any response: an HTTP ``Link: <…>; rel="next"`` header (RFC 8288).
* Sitemaps (sitemaps.org 0.9): ``<urlset>`` lists pages, ``<sitemapindex>`` lists sitemaps.

Nothing is fetched here. XML goes through the mapping readers' defused parser (no entities, no
external references).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from service.errors import InvalidParameter
from service.mapping.readers import XML_NS, local, parse_xml

__all__ = ["FeedLinks", "Sitemap", "feed_links", "json_next", "link_header_next", "sitemap"]

FEED_HISTORY = "http://purl.org/syndication/history/1.0"
_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.I)


@dataclass(frozen=True)
class FeedLinks:
    next: str | None  # absolute URL of the next page, if any
    complete: bool  # the feed declares itself complete (RFC 5005 section 2)


@dataclass(frozen=True)
class Sitemap:
    kind: str  # "urlset" (pages) or "sitemapindex" (further sitemaps)
    locations: list[str]  # absolute URLs, in document order


def feed_links(data: bytes, base_url: str, *, allow_doctype: bool = False) -> FeedLinks:
    """The next-page link and completeness of an Atom or RSS document (raises
    InvalidParameter when it is not XML)."""
    root = parse_xml(data, "feed", allow_doctype=allow_doctype)
    base = urljoin(base_url, root.get(XML_NS + "base") or "")
    container = root
    if local(root.tag) in ("rss", "RDF"):
        channel = next(
            (c for c in root if isinstance(c.tag, str) and local(c.tag) == "channel"), None
        )
        container = channel if channel is not None else root
    next_url: str | None = None
    complete = False
    for child in container:
        if not isinstance(child.tag, str):
            continue
        if child.tag == f"{{{FEED_HISTORY}}}complete":
            complete = True
        elif local(child.tag) == "link" and "next" in (child.get("rel") or "").split():
            href = (child.get("href") or "").strip()
            if href and next_url is None:
                next_url = urljoin(base, href)
    return FeedLinks(next_url, complete)


def _pointer(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.lstrip("/").split("/") if pointer not in ("", "/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def json_next(data: bytes, pointer: str, base_url: str) -> str | None:
    """The next page's URL at ``pointer`` in a JSON document (absent, null or "" ends the
    paging; anything but a string is an error)."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidParameter(
            f"Svaret är inte giltig JSON i UTF-8 ({exc}).",
            f"The response is not valid JSON in UTF-8 ({exc}).",
        ) from None
    value = _pointer(doc, pointer)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidParameter(
            f"Värdet vid {pointer!r} (nästa sida) är inte en adress.",
            f"The value at {pointer!r} (next page) is not a URL.",
            pointer=pointer,
        )
    return urljoin(base_url, value.strip())


def link_header_next(header: str | None, base_url: str) -> str | None:
    """The ``rel="next"`` target of an HTTP Link header (RFC 8288), absolute.

    >>> link_header_next('<?page=2>; rel="next", </a>; rel="prev"', "https://e.se/api?page=1")
    'https://e.se/api?page=2'
    """
    if not header:
        return None
    for match in _LINK_VALUE.finditer(header):
        for rel in _REL.finditer(match.group(2)):
            if "next" in (rel.group(1) or rel.group(2) or "").lower().split():
                target: str = match.group(1)
                return urljoin(base_url, target.strip())
    return None


def sitemap(data: bytes, base_url: str) -> Sitemap:
    """The locations a sitemap or sitemap index lists (raises InvalidParameter when the
    document is not one)."""
    root = parse_xml(data, "sitemap", allow_doctype=False)
    kind = local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise InvalidParameter(
            f"Rotelementet <{kind}> är varken <urlset> eller <sitemapindex> (sitemaps.org).",
            f"The root element <{kind}> is neither <urlset> nor <sitemapindex> (sitemaps.org).",
        )
    entry = "url" if kind == "urlset" else "sitemap"
    locations: list[str] = []
    for child in root:
        if not isinstance(child.tag, str) or local(child.tag) != entry:
            continue
        for loc in child:
            if isinstance(loc.tag, str) and local(loc.tag) == "loc" and (loc.text or "").strip():
                locations.append(urljoin(base_url, (loc.text or "").strip()))
    return Sitemap(kind, locations)
