"""Backups, restores and canonical fingerprints of the store.

A backup is a data directory: ``<DIR>/oxigraph`` is a consistent copy of the store (a RocksDB
checkpoint taken while writes go on: every transaction is in it whole or not at all), the
small state files of the data directory (the ingestion run log, the harvesters' validators)
sit beside it, and ``<DIR>/manifest.json`` records the quads per graph and, when asked, a
canonical hash of every graph. The search index is not copied: it is rebuilt from the store.

``fingerprint`` is independent of blank-node labels (graphs with blank nodes, such as the
ontology and the shapes, are canonicalised), so a dump loaded elsewhere compares equal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import to_canonical_graph

from service import __version__
from service.config import Settings
from service.errors import InvalidParameter, StoreUnavailable
from service.store import OxigraphStore, Store

FORMAT = "kunskapsgraf-backup/1"
STORE_DIR = "oxigraph"
MANIFEST = "manifest.json"
# A blank node label outside a literal starts a term: at the start of a line or after a space.
_BLANK = re.compile(rb"(?:^|\s)_:")


@dataclass
class Fingerprint:
    """Quads per graph (graph IRI → count), and per-graph canonical SHA-256 when hashed."""

    quads: dict[str, int] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.quads.values())

    def digest(self) -> str | None:
        """One hash over every graph's hash (None when not hashed)."""
        if not self.hashes:
            return None
        joined = "\n".join(f"{g} {h}" for g, h in sorted(self.hashes.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    def as_json(self) -> dict[str, Any]:
        return {
            "quads": self.total,
            "sha256": self.digest(),
            "graphs": {
                g: {"quads": n, "sha256": self.hashes.get(g)} for g, n in sorted(self.quads.items())
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fingerprint:
        graphs: dict[str, dict[str, Any]] = data.get("graphs", {})
        return cls(
            quads={g: int(v["quads"]) for g, v in graphs.items()},
            hashes={g: str(v["sha256"]) for g, v in graphs.items() if v.get("sha256")},
        )

    def differences(self, other: Fingerprint) -> list[str]:
        """Graphs whose count (or hash, where both have one) differ, as readable lines."""
        found = []
        for graph in sorted(set(self.quads) | set(other.quads)):
            mine, theirs = self.quads.get(graph, 0), other.quads.get(graph, 0)
            if mine != theirs:
                found.append(f"{graph}: {mine} != {theirs} quads")
            elif self.hashes.get(graph, "") != other.hashes.get(graph, "") and (
                graph in self.hashes and graph in other.hashes
            ):
                found.append(f"{graph}: content differs")
        return found


def graph_hash(ntriples: bytes) -> str:
    """SHA-256 of a graph's N-Triples, independent of line order and blank-node labels."""
    if _BLANK.search(ntriples):
        graph = rdflib.Graph()
        graph.parse(data=ntriples.decode("utf-8"), format="nt")
        ntriples = to_canonical_graph(graph).serialize(format="nt", encoding="utf-8")
    lines = sorted(line for line in ntriples.splitlines() if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def fingerprint(store: Store, *, hashed: bool = True) -> Fingerprint:
    """Quads per named graph (and their canonical hashes) of the whole store."""
    result = Fingerprint()
    for graph in store.named_graphs():
        if hashed:
            out = io.BytesIO()
            store.dump(out, RdfFormat.N_TRIPLES, graph)
            data = out.getvalue()
            result.quads[graph.value] = data.count(b"\n")
            result.hashes[graph.value] = graph_hash(data)
        else:
            result.quads[graph.value] = store.quad_count(graph)
    default = store.quad_count() - result.total
    if default:  # content outside named graphs is counted too, never silently dropped
        result.quads[""] = default
    return result


def _state_files(data_dir: Path) -> list[Path]:
    """The small files beside the store (run log, harvest state); directories other than the
    store (the search index) are derived and rebuilt."""
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir() if p.is_file() and p.name != MANIFEST)


def create_backup(
    store: Store, settings: Settings, target: Path, *, hashed: bool = False
) -> dict[str, Any]:
    """Back up the open on-disk ``store`` into ``target`` (a new directory) while the service
    keeps writing; returns the manifest. ``hashed`` adds per-graph canonical hashes (reads the
    whole copy once more)."""
    if not isinstance(store, OxigraphStore) or store.path is None:
        raise InvalidParameter(
            "Bara det inbyggda lagret på disk kan säkerhetskopieras så; använd dump, eller "
            "SPARQL-serverns egen säkerhetskopiering.",
            "Only the embedded on-disk store can be backed up this way; use dump, or the "
            "SPARQL server's own backup.",
        )
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise InvalidParameter(
            f"Målkatalogen {target} finns redan och är inte tom.",
            f"The target directory {target} already exists and is not empty.",
            target=str(target),
        )
    target.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    for path in _state_files(settings.data_dir):
        shutil.copy2(path, target / path.name)
    store.backup(target / STORE_DIR)
    copy = OxigraphStore(target / STORE_DIR)
    try:
        copied = fingerprint(copy, hashed=hashed)
    finally:
        copy.close()
    manifest = {
        "format": FORMAT,
        "version": __version__,
        "created": started.isoformat(timespec="seconds"),
        "source": str(settings.data_dir),
        "files": [p.name for p in _state_files(target)],
    } | copied.as_json()
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def read_manifest(backup: Path) -> dict[str, Any]:
    path = backup / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidParameter(
            f"{backup} är ingen säkerhetskopia (manifest.json saknas eller är trasig).",
            f"{backup} is not a backup (manifest.json is missing or broken).",
            backup=str(backup),
        ) from exc
    if manifest.get("format") != FORMAT or not (backup / STORE_DIR).is_dir():
        raise InvalidParameter(
            f"{backup} är ingen säkerhetskopia i formatet {FORMAT}.",
            f"{backup} is not a backup in the format {FORMAT}.",
            backup=str(backup),
        )
    return manifest


def restore_backup(backup: Path, settings: Settings) -> dict[str, Any]:
    """Restore ``backup`` into ``settings.data_dir``, which must hold no store yet, and check
    the restored store against the manifest (counts, and hashes when the backup has them).
    On a mismatch the restored copy is removed again and ``StoreUnavailable`` says why."""
    manifest = read_manifest(backup)
    if settings.store != "oxigraph":
        raise InvalidParameter(
            "Återställning sker till det inbyggda lagret på disk (KUNSKAPSGRAF_STORE=oxigraph).",
            "Restore writes the embedded on-disk store (KUNSKAPSGRAF_STORE=oxigraph).",
        )
    target = settings.store_path
    if target.exists() and any(target.iterdir()):
        raise InvalidParameter(
            f"{settings.data_dir} innehåller redan ett lager; återställ till en ny datakatalog.",
            f"{settings.data_dir} already holds a store; restore into a fresh data directory.",
            data_dir=str(settings.data_dir),
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for name in manifest.get("files", []):
        shutil.copy2(backup / name, settings.data_dir / name)
    shutil.copytree(backup / STORE_DIR, target, dirs_exist_ok=True)
    expected = Fingerprint.from_json(manifest)
    restored = OxigraphStore(target)
    try:
        found = fingerprint(restored, hashed=bool(expected.hashes))
    finally:
        restored.close()
    problems = expected.differences(found)
    if problems:
        shutil.rmtree(target)
        raise StoreUnavailable(
            "Den återställda kopian stämmer inte med säkerhetskopians manifest: "
            + "; ".join(problems[:5]),
            "The restored copy does not match the backup's manifest: " + "; ".join(problems[:5]),
            differences=problems,
        )
    return manifest
