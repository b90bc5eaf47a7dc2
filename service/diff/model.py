"""Compare two versions of the model term by term, and find the stored items that the new
version would reject, as Markdown for a pull request.

A term is a class, a property, a concept scheme, a concept or a shape. Terms are compared by
their description: every (predicate, object) pair with the term as subject, blank nodes
(SHACL constraints, OWL restrictions, RDF lists) written out recursively, so reordering a file
or renaming blank nodes is not a change.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph
import rdflib
from pyoxigraph import Quad, RdfFormat
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import BNode, Node, URIRef

from service.config import Settings
from service.diff.versions import files_of, model_version
from service.quality.findings import short_iri
from service.store.base import Store
from service.store.loading import rdf_format
from service.terms import BASE
from service.validation.shacl import ValidationResult, validate_graph

Kind = Literal["class", "property", "scheme", "concept", "shape"]
KINDS: tuple[Kind, ...] = ("class", "property", "scheme", "concept", "shape")
KIND_TITLES: dict[Kind, tuple[str, str]] = {
    "class": ("Klasser", "Classes"),
    "property": ("Egenskaper", "Properties"),
    "scheme": ("Begreppsscheman", "Concept schemes"),
    "concept": ("Begrepp", "Concepts"),
    "shape": ("Former (informationsspecifikationen)", "Shapes (information specification)"),
}
_CLASS_TYPES = (OWL.Class, RDFS.Class)
_PROPERTY_TYPES = (
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
)
LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)

Description = frozenset[tuple[str, str]]
CONTENT_MARK = URIRef("urn:kunskapsgraf:diff:content-added")


@dataclass(frozen=True)
class LabelChange:
    property: str  # rdfs:label, skos:prefLabel …
    language: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class TermChange:
    iri: str
    kind: Kind
    change: Literal["added", "removed", "changed"]
    label: str  # Swedish label (else any label, else the short IRI)
    removed: tuple[tuple[str, str], ...] = ()  # (predicate, object) pairs gone
    added: tuple[tuple[str, str], ...] = ()  # (predicate, object) pairs new
    labels: tuple[LabelChange, ...] = ()


@dataclass
class Rejection:
    """A stored item that conforms under the old model and not under the new one."""

    item: str  # identifier or IRI
    results: list[ValidationResult]


@dataclass
class ModelDiff:
    old: str
    new: str
    changes: list[TermChange]
    rejections: list[Rejection] | None = None  # None when not computed (no store)
    items_checked: int = 0
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: Kind) -> list[TermChange]:
        return [c for c in self.changes if c.kind == kind]


def load_graph(paths: Iterable[Path]) -> rdflib.Graph:
    """The triples of every file in one rdflib graph (parsed by pyoxigraph and handed over as
    N-Triples: several times faster than rdflib's Turtle parser)."""
    data = io.BytesIO()
    for path in paths:
        fmt = rdf_format(path)
        triples = (
            q.triple if isinstance(q, Quad) else q for q in pyoxigraph.parse(path=path, format=fmt)
        )
        pyoxigraph.serialize(triples, data, RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data.getvalue().decode("utf-8"), format="nt")
    return graph


def _node(graph: rdflib.Graph, node: Node, seen: frozenset[Node] = frozenset()) -> str:
    """A blank node written out as its sorted description (lists as lists); other terms in
    N-Triples syntax."""
    if isinstance(node, BNode):
        if node in seen:
            return "[…]"
        items = (
            list(rdflib.collection.Collection(graph, node))
            if ((node, RDF.first, None) in graph)
            else None
        )
        if items is not None:
            return "(" + " ".join(_node(graph, i, seen | {node}) for i in items) + ")"
        inner = sorted(
            f"{_short(p)} {_node(graph, o, seen | {node})}"
            for p, o in graph.predicate_objects(node)
        )
        return "[ " + " ; ".join(inner) + " ]"
    if isinstance(node, URIRef):
        return _short(node)
    return node.n3()


def _short(node: Node) -> str:
    text = str(node)
    shortened = short_iri(text)
    return shortened if shortened != text else f"<{text}>"


def describe(graph: rdflib.Graph, subject: Node) -> Description:
    return frozenset((_short(p), _node(graph, o)) for p, o in graph.predicate_objects(subject))


def terms(graph: rdflib.Graph) -> dict[str, Kind]:
    """The IRIs of the terms in ``graph`` and what they are. External terms that are only
    declared (no label, outside our namespace) are left out."""

    def ours(node: Node) -> bool:
        return isinstance(node, URIRef) and (
            str(node).startswith(BASE) or (node, RDFS.label, None) in graph
        )

    found: dict[str, Kind] = {}
    for kind, types in (("class", _CLASS_TYPES), ("property", _PROPERTY_TYPES)):
        for rdf_type in types:
            for node in graph.subjects(RDF.type, rdf_type):
                if ours(node):
                    found[str(node)] = kind  # type: ignore[assignment]
    for node in graph.subjects(RDF.type, SKOS.ConceptScheme):
        if isinstance(node, URIRef):
            found[str(node)] = "scheme"
    concepts = set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(SKOS.inScheme))
    for node in concepts:
        if isinstance(node, URIRef) and str(node) not in found:
            found[str(node)] = "concept"
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        for node in graph.subjects(RDF.type, shape_type):
            if isinstance(node, URIRef):
                found[str(node)] = "shape"
    return found


def _label(graph: rdflib.Graph, subject: URIRef) -> str:
    labels = [
        o
        for p in (SKOS.prefLabel, RDFS.label)
        for o in graph.objects(subject, p)
        if isinstance(o, rdflib.Literal)
    ]
    swedish = [str(o) for o in labels if (o.language or "").startswith("sv")]
    if swedish:
        return sorted(swedish)[0]
    return sorted(str(o) for o in labels)[0] if labels else short_iri(str(subject))


def _label_changes(old: rdflib.Graph, new: rdflib.Graph, subject: URIRef) -> list[LabelChange]:
    changes: list[LabelChange] = []
    for prop in LABELS:
        before: dict[str, set[str]] = defaultdict(set)
        after: dict[str, set[str]] = defaultdict(set)
        for o in old.objects(subject, prop):
            if isinstance(o, rdflib.Literal):
                before[o.language or ""].add(str(o))
        for o in new.objects(subject, prop):
            if isinstance(o, rdflib.Literal):
                after[o.language or ""].add(str(o))
        for language in sorted(set(before) | set(after)):
            if before[language] != after[language]:
                changes.append(
                    LabelChange(
                        _short(prop),
                        language,
                        tuple(sorted(before[language])),
                        tuple(sorted(after[language])),
                    )
                )
    return changes


def diff_graphs(old: rdflib.Graph, new: rdflib.Graph, old_label: str, new_label: str) -> ModelDiff:
    """Added, removed and changed terms between two model graphs."""
    old_terms, new_terms = terms(old), terms(new)
    changes: list[TermChange] = []
    for iri in sorted(set(old_terms) | set(new_terms)):
        node = URIRef(iri)
        if iri not in old_terms:
            changes.append(TermChange(iri, new_terms[iri], "added", _label(new, node)))
        elif iri not in new_terms:
            changes.append(TermChange(iri, old_terms[iri], "removed", _label(old, node)))
        else:
            before, after = describe(old, node), describe(new, node)
            if before == after:
                continue
            changes.append(
                TermChange(
                    iri,
                    new_terms[iri],
                    "changed",
                    _label(new, node),
                    removed=tuple(sorted(before - after)),
                    added=tuple(sorted(after - before)),
                    labels=tuple(_label_changes(old, new, node)),
                )
            )
    return ModelDiff(old_label, new_label, changes)


# --- Stored items the new model would reject -------------------------------------------------


def newly_rejected(
    store: Store,
    old_model: rdflib.Graph,
    old_shapes: rdflib.Graph,
    new_model: rdflib.Graph,
    new_shapes: rdflib.Graph,
) -> tuple[list[Rejection], int]:
    """Validate the stored content with each version (its ontology and vocabularies as
    context, its shapes) and return the items with violations only under the new one, and how
    many items were checked. The content is added to the model graphs given."""
    from service.validation.check import _quads_to_rdflib, _stored_content

    content = rdflib.Graph()
    _quads_to_rdflib(_stored_content(store), content)
    items = len(set(content.subjects(URIRef(BASE + "ont/identifier"))))

    def violations(model: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
        if (CONTENT_MARK, CONTENT_MARK, CONTENT_MARK) not in model:
            # The caller's graph, not needed without the content again; when both versions
            # share one model graph, the content goes in once.
            model += content
            model.add((CONTENT_MARK, CONTENT_MARK, CONTENT_MARK))
        return validate_graph(model, shapes).violations()

    def key(r: ValidationResult) -> tuple[str, str | None, str | None]:
        return (r.shape, r.path, r.value)

    before: dict[str, set[tuple[str, str | None, str | None]]] = defaultdict(set)
    for result in violations(old_model, old_shapes):
        before[result.identifier or result.focus_node].add(key(result))
    after: dict[str, list[ValidationResult]] = defaultdict(list)
    for result in violations(new_model, new_shapes):
        item = result.identifier or result.focus_node
        if key(result) not in before[item]:
            after[item].append(result)
    return [Rejection(item, results) for item, results in sorted(after.items())], items


def diff_versions(old: str, new: str | None, settings: Settings, store: Store | None) -> ModelDiff:
    """``kunskapsgraf diff OLD NEW``: each a folder, a file or a git revision (NEW None: the
    working copy). A version given as files without shapes (or without ontology) borrows them
    from the working copy for the rejection check, so that only its own change shows."""
    with model_version(old, settings) as before, model_version(new, settings) as after:
        parts = {
            "old model": before.model,
            "old shapes": before.shapes,
            "new model": after.model,
            "new shapes": after.shapes,
        }
        graphs = {name: load_graph(paths) for name, paths in parts.items()}
        diff = diff_graphs(
            ReadOnlyGraphAggregate([graphs["old model"], graphs["old shapes"]]),
            ReadOnlyGraphAggregate([graphs["new model"], graphs["new shapes"]]),
            old,
            new or "arbetskopian",
        )
        if store is None or not diff.changes or store.quad_count() == 0:
            return diff
        # A version without ontology or shapes (a single file) borrows them from the working
        # copy: they are context for the validation, not part of the comparison.
        current = files_of(settings)
        for name, paths in parts.items():
            if not paths:
                graphs[name] = load_graph(current.shapes if "shapes" in name else current.model)
                diff.notes.append(f"{name}: från arbetskopian / taken from the working copy.")
    diff.rejections, diff.items_checked = newly_rejected(
        store, graphs["old model"], graphs["old shapes"], graphs["new model"], graphs["new shapes"]
    )
    return diff


# --- Markdown ------------------------------------------------------------------------------

_CHANGE_SV = {"added": "tillagd", "removed": "borttagen", "changed": "ändrad"}


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_markdown(diff: ModelDiff, *, limit: int = 200) -> str:
    """The diff as Markdown for a pull request description or comment."""
    lines = [
        f"## Modelländringar / Model changes: `{diff.old}` → `{diff.new}`",
        "",
        "| | tillagda / added | borttagna / removed | ändrade / changed |",
        "|---|---:|---:|---:|",
    ]
    for kind in KINDS:
        of_kind = diff.of_kind(kind)
        counts = [sum(1 for c in of_kind if c.change == change) for change in _CHANGE_SV]
        lines.append(
            f"| {KIND_TITLES[kind][0]} / {KIND_TITLES[kind][1]} | "
            + " | ".join(str(n) for n in counts)
            + " |"
        )
    label_changes = [(c, lc) for c in diff.changes for lc in c.labels]
    lines.append(f"| Termer (etiketter) / Labels | | | {len(label_changes)} |")
    for kind in KINDS:
        of_kind = diff.of_kind(kind)
        if not of_kind:
            continue
        lines += ["", f"### {KIND_TITLES[kind][0]} / {KIND_TITLES[kind][1]}", ""]
        for change in of_kind[:limit]:
            lines.append(
                f"- **{_CHANGE_SV[change.change]}** `{short_iri(change.iri)}` – {_md(change.label)}"
            )
            if change.change == "changed":
                for predicate, value in change.removed[:10]:
                    lines.append(f"  - − `{predicate}` {_md(value[:200])}")
                for predicate, value in change.added[:10]:
                    lines.append(f"  - + `{predicate}` {_md(value[:200])}")
        if len(of_kind) > limit:
            lines.append(f"- … och {len(of_kind) - limit} till / and {len(of_kind) - limit} more")
    if label_changes:
        lines += [
            "",
            "### Termer (etiketter) / Labels",
            "",
            "| term | egenskap / property | språk / language | före / before | efter / after |",
            "|---|---|---|---|---|",
        ]
        for change, lc in label_changes[:limit]:
            lines.append(
                f"| `{short_iri(change.iri)}` | `{lc.property}` | {lc.language or '–'} | "
                f"{_md(', '.join(lc.old)) or '–'} | {_md(', '.join(lc.new)) or '–'} |"
            )
    lines += [
        "",
        "### Lagrat innehåll som den nya versionen skulle avvisa / "
        "Stored items the new version would reject",
        "",
    ]
    if diff.rejections is None:
        lines.append(
            "Inte kontrollerat (inga former ändrade eller inget lagrat innehåll). / "
            "Not checked (no shapes changed or nothing stored)."
        )
    elif not diff.rejections:
        lines.append(
            f"Inga: alla {diff.items_checked} lagrade poster uppfyller den nya versionen lika "
            f"väl som den gamla. / None of the {diff.items_checked} stored items."
        )
    else:
        lines += [
            f"{len(diff.rejections)} av {diff.items_checked} lagrade poster skulle avvisas / "
            f"{len(diff.rejections)} of {diff.items_checked} stored items would be rejected:",
            "",
            "| post / item | regel / rule | fält / field | meddelande / message |",
            "|---|---|---|---|",
        ]
        for rejection in diff.rejections[:limit]:
            for result in rejection.results:
                lines.append(
                    f"| `{rejection.item}` | `{short_iri(result.shape)}` | "
                    f"`{short_iri(result.path) if result.path else '–'}` | "
                    f"{_md(result.message_sv)} |"
                )
    for note in diff.notes:
        lines += ["", f"> {note}"]
    return "\n".join(lines) + "\n"
