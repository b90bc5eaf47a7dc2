"""Reload the model without surprises: before the ontology, vocabularies and shapes in the store
are replaced by the files, compare the two and revalidate the stored content, so that whatever
would stop conforming is reported first (``kunskapsgraf reload-model`` is a dry run; only
``--apply`` writes).
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, Quad

from service.config import Settings
from service.corpus import load_reference_data, reference_sources
from service.diff.model import ModelDiff, diff_graphs, format_markdown, newly_rejected
from service.store.base import Store
from service.store.loading import LoadSummary, parse_file
from service.terms import GRAPH_SHAPES


@dataclass
class ReloadPlan:
    changed_graphs: list[str]  # named graphs whose stored content differs from the files
    diff: ModelDiff  # stored model → files
    applied: LoadSummary | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changed_graphs)


def _canonical(quads: list[Quad]) -> Dataset:
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _to_rdflib(quads: list[Quad]) -> rdflib.Graph:
    from service.validation.check import _quads_to_rdflib

    graph = rdflib.Graph()
    _quads_to_rdflib(quads, graph)
    return graph


def plan_reload(store: Store, settings: Settings) -> ReloadPlan:
    """Compare the model graphs in ``store`` with the files and, when they differ, validate the
    stored content under both (nothing is written)."""
    from_files: dict[str, list[Quad]] = {}
    for source in reference_sources(settings):
        for quad in parse_file(source):
            from_files.setdefault(quad.graph_name.value, []).append(quad)  # type: ignore[union-attr]
    stored = {graph: list(store.quads(NamedNode(graph))) for graph in from_files}
    changed = [
        graph
        for graph in sorted(from_files)
        # Blank nodes (SHACL constraints, lists) get new ids on every parse: compare canonically.
        if len(stored[graph]) != len(from_files[graph])
        or _canonical(stored[graph]) != _canonical(from_files[graph])
    ]
    diff = diff_graphs(
        _to_rdflib([q for g in changed for q in stored[g]]),
        _to_rdflib([q for g in changed for q in from_files[g]]),
        "lagrad modell",
        "filerna",
    )
    plan = ReloadPlan(changed, diff)
    if changed and store.quad_count() > 0:
        shapes = GRAPH_SHAPES.value

        def model(quads: dict[str, list[Quad]]) -> rdflib.Graph:
            return _to_rdflib([q for g, qs in quads.items() if g != shapes for q in qs])

        old_model = model(stored)
        # Only the shapes changed (the usual case): both versions validate over one graph.
        new_model = old_model if changed == [shapes] else model(from_files)
        diff.rejections, diff.items_checked = newly_rejected(
            store,
            old_model,
            _to_rdflib(stored.get(shapes, [])),
            new_model,
            _to_rdflib(from_files.get(shapes, [])),
        )
    return plan


def reload_model(store: Store, settings: Settings, *, apply: bool = False) -> ReloadPlan:
    """Plan the reload and, with ``apply``, replace the model graphs by the files."""
    plan = plan_reload(store, settings)
    if apply and plan.changed:
        plan.applied = load_reference_data(store, settings)
    return plan


def format_plan(plan: ReloadPlan) -> str:
    if not plan.changed:
        return (
            "Modellen i lagret är densamma som i filerna; inget att läsa om.\n"
            "The model in the store matches the files; nothing to reload.\n"
        )
    lines = [
        "# Omläsning av modellen / Model reload",
        "",
        "Grafer som skiljer sig från filerna / Graphs that differ from the files:",
        "",
        *[f"- `{graph}`" for graph in plan.changed_graphs],
        "",
        format_markdown(plan.diff),
    ]
    if plan.applied is not None:
        lines.append(
            f"TILLÄMPAT: {plan.applied.files} filer, {plan.applied.quads} tripler inlästa. / "
            "APPLIED."
        )
    else:
        lines.append(
            "Torrkörning: inget har ändrats. Kör med --apply för att läsa in filerna. / "
            "Dry run: nothing changed. Run with --apply to load the files."
        )
    return "\n".join(lines) + "\n"
