"""Which files go into which named graph: the ontology, the vocabularies, the shapes and the
demo corpus. ``kunskapsgraf load-demo`` and ``make run`` use ``load_demo``."""

from __future__ import annotations

from pathlib import Path

from service.config import Settings
from service.store.base import Store
from service.store.loading import LoadSource, LoadSummary, load_files
from service.terms import GRAPH_ONTOLOGY, GRAPH_REGISTER, GRAPH_SHAPES, vocab_graph


def ontology_files(settings: Settings) -> list[Path]:
    return sorted(settings.ontology_dir.glob("*.ttl"))


def vocabulary_files(settings: Settings) -> list[Path]:
    """Our SKOS schemes plus the demo corpus's code lists (ICD-10-SE and ATC subsets)."""
    ours = sorted((settings.ontology_dir / "vocabularies").glob("*.ttl"))
    return ours + sorted((settings.demo_dir / "codes").glob("*.ttl"))


def shape_files(settings: Settings) -> list[Path]:
    return sorted(settings.shapes_dir.glob("*.ttl"))


def reference_sources(settings: Settings) -> list[LoadSource]:
    """The declarative model: ontology, vocabularies (one graph per file) and shapes."""
    return (
        [LoadSource(p, GRAPH_ONTOLOGY) for p in ontology_files(settings)]
        + [LoadSource(p, vocab_graph(p.stem)) for p in vocabulary_files(settings)]
        + [LoadSource(p, GRAPH_SHAPES) for p in shape_files(settings)]
    )


def mapped_source_records(settings: Settings) -> list[LoadSource]:
    """The register records of the sources that have a mapping (``mappings/*/source.ttl``)."""
    return [
        LoadSource(p, GRAPH_REGISTER) for p in sorted(settings.mappings_dir.glob("*/source.ttl"))
    ]


def demo_sources(settings: Settings) -> list[LoadSource]:
    """The demo register and one TriG file per source (each names its own graph), plus the
    register records of the mapped real-world sources."""
    corpus = [LoadSource(p) for p in sorted((settings.demo_dir / "corpus").glob("*.trig"))]
    return corpus + mapped_source_records(settings)


def load_reference_data(store: Store, settings: Settings, *, progress: bool = False) -> LoadSummary:
    """(Re)load ontology, vocabularies and shapes, replacing their graphs."""
    return load_files(store, reference_sources(settings), replace=True, progress=progress)


def load_demo(store: Store, settings: Settings, *, progress: bool = False) -> LoadSummary:
    """Load the model and the demo corpus in one transaction, replacing their graphs."""
    return load_files(
        store, reference_sources(settings) + demo_sources(settings), replace=True, progress=progress
    )
