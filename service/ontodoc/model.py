"""What the ontology documentation shows, read from the model files: classes, properties,
concept schemes with their concepts, and shapes, with cross references (which shapes constrain
a class or property) and examples from ``shapes/cases/``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import BNode, Literal, Node, URIRef

from service.diff.versions import ModelFiles
from service.quality.findings import short_iri
from service.terms import KS

DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
MAX_EXAMPLE_CHARS = 4000


@dataclass(frozen=True)
class Ref:
    """A link to a documented term (``page`` relative to the site root) or an external IRI."""

    iri: str
    label: str
    page: str | None = None

    @property
    def short(self) -> str:
        return short_iri(self.iri)


@dataclass
class Texts:
    sv: str = ""
    en: str = ""


@dataclass
class Example:
    title: str
    turtle: str


@dataclass
class Term:
    """A class or a property."""

    iri: str
    local: str
    kind: str  # "class", "object", "datatype", "annotation"
    label: Texts
    definition: Texts
    note: Texts
    supers: list[Ref] = field(default_factory=list)
    subs: list[Ref] = field(default_factory=list)
    see_also: list[Ref] = field(default_factory=list)
    domain: list[list[Ref]] = field(default_factory=list)  # each entry: a union of classes
    range: list[list[Ref]] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    disjoint: list[Ref] = field(default_factory=list)
    shapes: list[Ref] = field(default_factory=list)  # shapes that target or constrain it
    properties: list[Ref] = field(default_factory=list)  # for classes: properties with it as domain
    used_as_range: list[Ref] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def page(self) -> str:
        return ("class/" if self.kind == "class" else "property/") + self.local + ".html"


@dataclass
class Concept:
    iri: str
    notation: str
    label: Texts
    definition: Texts
    alt: list[str]
    depth: int
    broader: list[str]
    mappings: list[Ref]


@dataclass
class Scheme:
    iri: str
    name: str
    label: Texts
    definition: Texts
    concepts: list[Concept] = field(default_factory=list)
    used_by: list[Ref] = field(default_factory=list)  # shapes that constrain values to it

    @property
    def page(self) -> str:
        return f"scheme/{self.name}.html"


@dataclass
class Constraint:
    parameter: str
    value: str
    ref: Ref | None = None


@dataclass
class Shape:
    iri: str
    local: str
    kind: str  # "node" or "property"
    label: Texts
    comment: Texts
    message: Texts
    severity: str
    targets: list[Ref] = field(default_factory=list)
    path: Ref | None = None
    path_text: str = ""
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Ref] = field(default_factory=list)
    used_by: list[Ref] = field(default_factory=list)
    cases: list[Example] = field(default_factory=list)

    @property
    def page(self) -> str:
        return f"shape/{self.local}.html"


@dataclass
class Ontology:
    title: Texts
    description: Texts
    version: str
    classes: list[Term]
    properties: list[Term]
    schemes: list[Scheme]
    shapes: list[Shape]


def _texts(graph: rdflib.Graph, subject: Node, *predicates: URIRef) -> Texts:
    found = Texts()
    for predicate in predicates:
        for value in graph.objects(subject, predicate):
            if not isinstance(value, Literal):
                continue
            language = (value.language or "").lower()
            if language.startswith("sv") and not found.sv:
                found.sv = str(value)
            elif language.startswith("en") and not found.en:
                found.en = str(value)
            elif not language and not found.sv:
                found.sv = str(value)
    return found


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class _Builder:
    def __init__(self, files: ModelFiles) -> None:
        self.model = rdflib.Graph()
        for path in files.model:
            self.model.parse(path, format="turtle")
        self.shapes = rdflib.Graph()
        for path in files.shapes:
            self.shapes.parse(path, format="turtle")
        self.cases_dir = files.cases_dir
        self.pages: dict[str, str] = {}  # IRI → page
        self.labels: dict[str, str] = {}

    # -- references ------------------------------------------------------------------------

    def ref(self, node: Node) -> Ref:
        iri = str(node)
        label = self.labels.get(iri)
        if label is None:
            texts = _texts(self.model, node, RDFS.label, SKOS.prefLabel)
            label = texts.sv or texts.en or short_iri(iri)
        return Ref(iri, label, self.pages.get(iri))

    def refs(self, nodes: Iterable[Node]) -> list[Ref]:
        return sorted(
            (self.ref(n) for n in set(nodes) if isinstance(n, URIRef)), key=lambda r: r.label
        )

    def class_expression(self, node: Node) -> list[Ref]:
        """A class, or the members of an owl:unionOf, as references."""
        if isinstance(node, BNode):
            union = self.model.value(node, OWL.unionOf)
            if union is not None:
                return [self.ref(m) for m in Collection(self.model, union)]
            return [Ref("", "(anonym klass)")]
        return [self.ref(node)]

    # -- terms -----------------------------------------------------------------------------

    def build(self) -> Ontology:
        classes = sorted(
            {
                c
                for c in self.model.subjects(RDF.type, OWL.Class)
                if isinstance(c, URIRef) and str(c).startswith(KS)
            },
            key=str,
        )
        kinds = {
            OWL.ObjectProperty: "object",
            OWL.DatatypeProperty: "datatype",
            OWL.AnnotationProperty: "annotation",
        }
        properties: dict[URIRef, str] = {}
        for rdf_type, kind in kinds.items():
            for p in self.model.subjects(RDF.type, rdf_type):
                if isinstance(p, URIRef) and str(p).startswith(KS):
                    properties[p] = kind
        schemes = sorted(
            (s for s in self.model.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)),
            key=str,
        )
        shapes = sorted(
            {
                s
                for t in (SH.NodeShape, SH.PropertyShape)
                for s in self.shapes.subjects(RDF.type, t)
                if isinstance(s, URIRef)
            },
            key=str,
        )
        for c in classes:
            self.pages[str(c)] = f"class/{_local(str(c))}.html"
        for p in properties:
            self.pages[str(p)] = f"property/{_local(str(p))}.html"
        for s in schemes:
            self.pages[str(s)] = f"scheme/{_local(str(s))}.html"
        for s in shapes:
            self.pages[str(s)] = f"shape/{_local(str(s))}.html"
            label = _texts(self.shapes, s, RDFS.label)
            self.labels[str(s)] = label.sv or label.en or _local(str(s))

        shape_objects = [self.shape(s) for s in shapes]
        by_target: dict[str, list[Ref]] = defaultdict(list)
        by_path: dict[str, list[Ref]] = defaultdict(list)
        for shape in shape_objects:
            for target in shape.targets:
                by_target[target.iri].append(self.ref(URIRef(shape.iri)))
            if shape.path is not None:
                by_path[shape.path.iri].append(self.ref(URIRef(shape.iri)))
        class_terms = [self.term(c, "class") for c in classes]
        property_terms = [self.term(p, kind) for p, kind in sorted(properties.items())]
        for term in class_terms:
            term.shapes = by_target.get(term.iri, [])
            term.properties = [
                self.ref(p) for p in properties if URIRef(term.iri) in self._domain_members(p)
            ]
            term.used_as_range = [
                self.ref(p) for p in properties if URIRef(term.iri) in self._range_members(p)
            ]
            term.examples = self.examples(term.shapes)
        for term in property_terms:
            term.shapes = by_path.get(term.iri, [])
            term.examples = self.examples(term.shapes)
        scheme_objects = [self.scheme(s) for s in schemes]
        for scheme in scheme_objects:
            scheme.used_by = [
                self.ref(URIRef(shape.iri))
                for shape in shape_objects
                if any(
                    c.value == short_iri(scheme.iri) or c.value == scheme.iri
                    for c in shape.constraints
                )
            ]
        ontology = URIRef(KS)
        return Ontology(
            _texts(self.model, ontology, DCTERMS.title),
            _texts(self.model, ontology, DCTERMS.description),
            str(self.model.value(ontology, OWL.versionInfo) or ""),
            class_terms,
            sorted(property_terms, key=lambda t: t.local),
            scheme_objects,
            shape_objects,
        )

    def _domain_members(self, p: Node) -> set[Node]:
        return {
            URIRef(r.iri)
            for d in self.model.objects(p, RDFS.domain)
            for r in self.class_expression(d)
            if r.iri
        }

    def _range_members(self, p: Node) -> set[Node]:
        return {
            URIRef(r.iri)
            for d in self.model.objects(p, RDFS.range)
            for r in self.class_expression(d)
            if r.iri
        }

    def term(self, node: URIRef, kind: str) -> Term:
        g = self.model
        sub_predicate = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
        characteristics = [
            name
            for rdf_type, name in (
                (OWL.FunctionalProperty, "funktionell / functional"),
                (OWL.InverseFunctionalProperty, "invers funktionell / inverse functional"),
                (OWL.SymmetricProperty, "symmetrisk / symmetric"),
                (OWL.TransitiveProperty, "transitiv / transitive"),
            )
            if (node, RDF.type, rdf_type) in g
        ]
        disjoint = list(g.objects(node, OWL.disjointWith)) + list(
            g.subjects(OWL.disjointWith, node)
        )
        for members in g.objects(None, OWL.members):
            group = list(Collection(g, members))
            if node in group:
                disjoint += [m for m in group if m != node]
        return Term(
            iri=str(node),
            local=_local(str(node)),
            kind=kind,
            label=_texts(g, node, RDFS.label),
            definition=_texts(g, node, SKOS.definition, RDFS.comment),
            note=_texts(g, node, SKOS.scopeNote),
            supers=self.refs(o for o in g.objects(node, sub_predicate) if isinstance(o, URIRef)),
            subs=self.refs(g.subjects(sub_predicate, node)),
            see_also=self.refs(g.objects(node, RDFS.seeAlso)),
            domain=[self.class_expression(d) for d in g.objects(node, RDFS.domain)],
            range=[self.class_expression(r) for r in g.objects(node, RDFS.range)],
            inverse=self.refs(
                list(g.objects(node, OWL.inverseOf)) + list(g.subjects(OWL.inverseOf, node))
            ),
            characteristics=characteristics,
            disjoint=self.refs(disjoint),
        )

    def scheme(self, node: URIRef) -> Scheme:
        g = self.model
        members = {c for c in g.subjects(SKOS.inScheme, node) if isinstance(c, URIRef)}
        broader: dict[URIRef, list[URIRef]] = {
            c: [b for b in g.objects(c, SKOS.broader) if isinstance(b, URIRef) and b in members]
            for c in members
        }
        children: dict[URIRef | None, list[URIRef]] = defaultdict(list)
        for c in members:
            parents = broader[c]
            children[parents[0] if parents else None].append(c)

        def notation(c: URIRef) -> str:
            return str(g.value(c, SKOS.notation) or _local(str(c)))

        ordered: list[Concept] = []
        seen: set[URIRef] = set()

        def visit(c: URIRef, depth: int) -> None:
            if c in seen:
                return
            seen.add(c)
            ordered.append(
                Concept(
                    iri=str(c),
                    notation=notation(c),
                    label=_texts(g, c, SKOS.prefLabel),
                    definition=_texts(g, c, SKOS.definition),
                    alt=sorted(str(a) for a in g.objects(c, SKOS.altLabel)),
                    depth=depth,
                    broader=[notation(b) for b in broader[c]],
                    mappings=self.refs(
                        o
                        for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
                        for o in g.objects(c, p)
                    ),
                )
            )
            for child in sorted(children.get(c, []), key=notation):
                visit(child, depth + 1)

        for top in sorted(children.get(None, []), key=notation):
            visit(top, 0)
        for c in sorted(members - seen, key=notation):  # cycles: still list them
            visit(c, 0)
        return Scheme(
            iri=str(node),
            name=_local(str(node)),
            label=_texts(g, node, SKOS.prefLabel, RDFS.label, DCTERMS.title),
            definition=_texts(g, node, SKOS.definition, DCTERMS.description, RDFS.comment),
            concepts=ordered,
        )

    def shape(self, node: URIRef) -> Shape:
        g = self.shapes
        is_property = (node, RDF.type, SH.PropertyShape) in g
        path = g.value(node, SH.path)
        severity = g.value(node, SH.severity)
        constraints: list[Constraint] = []
        skip = {
            RDF.type,
            RDFS.label,
            RDFS.comment,
            SH.message,
            SH.path,
            SH.severity,
            SH.property,
            SH.targetClass,
            SH.sparql,
            SH.prefixes,
        }
        for predicate, value in sorted(g.predicate_objects(node)):
            if predicate in skip or not str(predicate).startswith(str(SH)):
                continue
            constraints.append(self.constraint(predicate, value))
        for sparql in g.objects(node, SH.sparql):
            select = g.value(sparql, SH.select)
            if select is not None:
                constraints.append(Constraint("sh:sparql", str(select)))
        cases: list[Example] = []
        if self.cases_dir is not None:
            folder = self.cases_dir / _local(str(node))
            for case in sorted(folder.glob("*.ttl")) if folder.is_dir() else []:
                cases.append(Example(case.name, _read(case)))
        return Shape(
            iri=str(node),
            local=_local(str(node)),
            kind="property" if is_property else "node",
            label=_texts(g, node, RDFS.label),
            comment=_texts(g, node, RDFS.comment),
            message=_texts(g, node, SH.message),
            severity=_local(str(severity)) if severity is not None else "Violation",
            targets=self.refs(g.objects(node, SH.targetClass)),
            path=self.ref(path) if isinstance(path, URIRef) else None,
            path_text="" if path is None or isinstance(path, URIRef) else _path_text(g, path),
            constraints=constraints,
            properties=self.refs(g.objects(node, SH.property)),
            used_by=self.refs(g.subjects(SH.property, node)),
            cases=cases,
        )

    def constraint(self, predicate: Node, value: Node) -> Constraint:
        name = short_iri(str(predicate))
        if isinstance(value, BNode) and (value, RDF.first, None) in self.shapes:
            items = [
                short_iri(str(i)) if isinstance(i, URIRef) else str(i)
                for i in Collection(self.shapes, value)
            ]
            return Constraint(name, "( " + " ".join(items) + " )")
        if isinstance(value, URIRef):
            return Constraint(name, short_iri(str(value)), self.ref(value))
        return Constraint(name, str(value))

    def examples(self, shapes: list[Ref]) -> list[Example]:
        found: list[Example] = []
        if self.cases_dir is None:
            return found
        for shape in shapes:
            valid = self.cases_dir / _local(shape.iri) / "valid.ttl"
            if valid.is_file():
                found.append(Example(f"{_local(shape.iri)}/valid.ttl", _read(valid)))
            if len(found) == 2:
                break
        return found


def _path_text(graph: rdflib.Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return short_iri(str(path))
    if (path, RDF.first, None) in graph:
        return " / ".join(_path_text(graph, p) for p in Collection(graph, path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    for predicate, mark in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return _path_text(graph, inner) + mark
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(_path_text(graph, p) for p in Collection(graph, alternatives))
    return "(sökväg)"


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[:MAX_EXAMPLE_CHARS] + "\n# …\n"


def read_ontology(files: ModelFiles) -> Ontology:
    return _Builder(files).build()
