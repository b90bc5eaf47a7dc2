"""Fixed SPARQL, one ``.rq`` file per query. Each file starts with a comment saying what it
returns and which variables the caller binds (through the store's substitutions, never by
pasting strings into the text).

>>> "SELECT" in load_query("concept-labels")
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))


@cache
def load_query(name: str) -> str:
    """The text of ``queries/<name>.rq``."""
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        raise KeyError(f"no query named {name!r}; known: {', '.join(query_names())}")
    return path.read_text(encoding="utf-8")
