"""A source's harvest options: the optional ``mappings/<source>/harvest.toml``.

``mapping.toml`` says how a document becomes items and knows nothing about fetching (the
mapping layer never touches the network); how the harvester walks a channel lives beside it::

    # mappings/<source>/harvest.toml (every key optional)
    full_crawl = true          # the channel lists all of the source's items (default: by type)
    [paging]
    next = "/links/next"       # JSON APIs: RFC 6901 pointer to the next page's URL
    max_pages = 1000           # most documents one channel may fetch in one harvest

Unknown keys are errors, as in ``mapping.toml``: a typo must not silently change a crawl.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.mapping import MappingError, available_mappings

__all__ = ["HARVEST_FILE", "HarvestOptions", "load_options"]

HARVEST_FILE = "harvest.toml"
DEFAULT_MAX_PAGES = 1000


@dataclass(frozen=True)
class HarvestOptions:
    next: str | None = None  # JSON pointer to the next page's URL (json-api channels)
    max_pages: int = DEFAULT_MAX_PAGES
    full_crawl: bool | None = None  # None: decided by the channel type


def _invalid(where: str, sv: str, en: str) -> MappingError:
    return MappingError(
        f"Skördeinställningarna är felaktiga ({where}): {sv}.",
        f"The harvest options are invalid ({where}): {en}.",
        where=where,
    )


def load_options(source: str, mappings_dir: Path) -> HarvestOptions:
    """The options of ``source`` (defaults when it has no ``harvest.toml``)."""
    if source not in available_mappings(mappings_dir):  # only known folder names are joined
        return HarvestOptions()
    path = mappings_dir / source / HARVEST_FILE
    if not path.is_file():
        return HarvestOptions()
    where = f"mappings/{source}/{HARVEST_FILE}"
    try:
        spec: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _invalid(where, f"ogiltig TOML ({exc})", f"invalid TOML ({exc})") from None
    unknown = set(spec) - {"full_crawl", "paging"}
    paging = spec.get("paging", {})
    if not isinstance(paging, dict):
        raise _invalid(where, "[paging] ska vara en tabell", "[paging] must be a table")
    unknown |= {f"paging.{k}" for k in set(paging) - {"next", "max_pages"}}
    if unknown:
        raise _invalid(
            where, f"okända nycklar {sorted(unknown)}", f"unknown keys {sorted(unknown)}"
        )
    full = spec.get("full_crawl")
    if full is not None and not isinstance(full, bool):
        raise _invalid(where, "full_crawl ska vara true eller false", "full_crawl: true or false")
    pointer = paging.get("next")
    if pointer is not None and not (isinstance(pointer, str) and pointer.startswith("/")):
        raise _invalid(
            where,
            "paging.next ska vara en JSON-pekare som börjar med '/'",
            "paging.next must be a JSON pointer starting with '/'",
        )
    max_pages = paging.get("max_pages", DEFAULT_MAX_PAGES)
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
        raise _invalid(where, "paging.max_pages ska vara ett heltal ≥ 1", "paging.max_pages: ≥ 1")
    return HarvestOptions(next=pointer, max_pages=max_pages, full_crawl=full)
