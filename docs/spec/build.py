"""Generate docs/spec/fields.md, the field tables of the publisher specification.

The tables are read from the information specification (``shapes/*.ttl``), the concept model
(``ontology/kunskapsgraf.ttl``) and the concept schemes (``ontology/vocabularies/*.ttl``), so
they cannot drift from what the push API actually checks::

    python docs/spec/build.py          # rewrite docs/spec/fields.md
    python docs/spec/build.py --check  # exit 1 when docs/spec/fields.md is stale

Only two things here are written by hand: which fields DOMAIN 5.2 asks publishers to give
although no shape requires them (``RECOMMENDED``), and the properties the service writes itself
(``SET_BY_SERVICE``, the same set as ``service.ingest.pipeline.PROVENANCE``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import BNode, Literal, Node, URIRef

REPO = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "fields.md"

KS = "https://kunskapsgraf.se/ont/"
KSV = "https://kunskapsgraf.se/vocab/"
KSS = "https://kunskapsgraf.se/shapes/"
PREFIXES = {
    KS: "ks:",
    KSV: "ksv:",
    KSS: "kss:",
    str(XSD): "xsd:",
    str(RDF): "rdf:",
    str(SKOS): "skos:",
}

# Fields that DOMAIN 5.2 (and R6, R12, R13) asks for without any shape requiring them.
RECOMMENDED: dict[tuple[str, str], str] = {
    ("KnowledgeProduct", "nextReview"): "Bör anges (DOMAIN 5.2). Utan den räknas nästa "
    "granskning fram ur innehållstypen, och posten får en varning när tiden passerats (R6).",
    ("KnowledgeProduct", "subject"): "Bör anges för kliniska innehållstyper (DOMAIN 5.2): "
    "minst en kod ur ICD-10-SE eller ATC (eller KVÅ, MeSH), så att posten hittas på koden.",
    ("KnowledgeProduct", "summary"): "Bör anges: sammanfattningen visas i träfflistan.",
    ("KnowledgeProduct", "attribution"): "Ska anges när källans licens kräver källangivelse "
    "(R13); den visas intill innehållet.",
    ("Section", "audience"): "Bör anges när delen vänder sig till andra än produkten; "
    "annars gäller produktens målgrupp. Källor som märker varje del (NKK) anger den alltid "
    "(DOMAIN 5.2, R12).",
    ("Section", "careSetting"): "Bör anges när delen gäller en annan vårdnivå än produkten; "
    "NKK anger minst en på varje del (DOMAIN 5.2).",
    ("Section", "position"): "Bör anges: delarna visas i denna ordning.",
    ("Recommendation", "position"): "Bör anges: delarna visas i denna ordning.",
    ("RegionalSupplement", "supplementsVersion"): "Bör anges (R10): utan den kan tillägget "
    "inte flaggas för ny bekräftelse när den nationella texten ändras.",
    ("RegionalSupplement", "nextReview"): "Bör anges. Utan den gäller 24 månader från senaste "
    "granskning, och tillägget får en varning när tiden passerats (R6).",
}

# Written by the ingestion pipeline on every stored item; publishers do not send them.
SET_BY_SERVICE = ("contentHash", "ingestedAt", "ingestionRun", "wasDerivedFrom")

# What an IRI of a class in the register or in a batch looks like (docs/model.md).
CLASS_VALUES: dict[str, str] = {
    "Agent": "aktör i registret, `ksi:agent/<nyckel>`",
    "CriterionAssessment": "kriteriebedömning, `ksi:approval/<källa>/<datum>/<kriterium>`",
    "IngestionChannel": "inläsningskanal, `ksi:channel/<källa>/<n>`",
    "KnowledgeResource": "kunskapsresurs, `ksi:item/<källnyckel>/<lokalt-id>`",
    "KnowledgeSource": "kunskapskälla i registret, `ksi:source/<källnyckel>`",
    "Licence": "licens i registret, `ksi:licence/<nyckel>`",
    "Review": "granskning, `ksi:review/<källnyckel>/<lokalt-id>/<n>`",
    "SourceApproval": "källgodkännande, `ksi:approval/<källa>/<ÅÅÅÅ-MM-DD>`",
    "Version": "version, `ksi:version/<källnyckel>/<lokalt-id>/<ÅÅÅÅ-MM-DD>`",
}

DATATYPES: dict[URIRef, str] = {
    XSD.string: "text utan språktagg (`xsd:string`)",
    RDF.langString: "text med språktagg (`rdf:langString`)",
    XSD.date: "datum ÅÅÅÅ-MM-DD (`xsd:date`)",
    XSD.dateTime: "datum, tid och tidszon (`xsd:dateTime`)",
    XSD.integer: "heltal (`xsd:integer`)",
    XSD.boolean: "`true` eller `false` (`xsd:boolean`)",
    XSD.anyURI: "adress (`xsd:anyURI`)",
}
T = TypeVar("T")
# Code systems are imported terminologies, not files in ontology/vocabularies: name, example.
CODE_SYSTEMS: dict[str, tuple[str, str]] = {
    "icd-10-se": ("ICD-10-SE", "J45"),
    "atc": ("ATC", "R03AC02"),
    "kva": ("KVÅ", "DT016"),
    "mesh": ("MeSH", "D001249"),
}
SHORT_SCHEME = 8  # schemes with at most this many concepts are listed in the table cell too


@dataclass(frozen=True)
class ClassSpec:
    local: str
    anchor: str
    kind: str  # "item" (full tables and rules), "part" (full tables), "register" (brief)


CLASSES = (
    ClassSpec("KnowledgeProduct", "kunskapsprodukt", "item"),
    ClassSpec("Section", "avsnitt", "item"),
    ClassSpec("Recommendation", "rekommendation", "item"),
    ClassSpec("RegionalSupplement", "regionalt-tillagg", "item"),
    ClassSpec("Version", "version", "part"),
    ClassSpec("Review", "granskning", "part"),
    ClassSpec("KnowledgeSource", "kunskapskalla", "register"),
    ClassSpec("SourceApproval", "kallgodkannande", "register"),
    ClassSpec("CriterionAssessment", "kriteriebedomning", "register"),
    ClassSpec("IngestionChannel", "inlasningskanal", "register"),
    ClassSpec("Licence", "licens", "register"),
    ClassSpec("Agent", "aktor", "register"),
)


@dataclass
class Field:
    """Everything the shapes (and the ontology) say about one property on one class."""

    path: URIRef
    min_violation: int = 0
    min_warning: int = 0
    max: int | None = None
    datatypes: list[URIRef] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    rules: list[tuple[str, str]] = field(default_factory=list)  # (shape local name, message)
    conditions: list[str] = field(default_factory=list)  # from shapes on paths through it
    in_shapes: bool = False


@dataclass(frozen=True)
class NodeRule:
    shape: str
    label: str
    severity: str
    basis: str
    message: str


class Model:
    """The shapes, the ontology and the vocabularies, with the look-ups the tables need."""

    def __init__(self, repo: Path) -> None:
        self.shapes = rdflib.Graph()
        for path in sorted((repo / "shapes").glob("*.ttl")):
            self.shapes.parse(path, format="turtle")
        self.onto = rdflib.Graph().parse(repo / "ontology" / "kunskapsgraf.ttl", format="turtle")
        self.vocab = rdflib.Graph()
        for path in sorted((repo / "ontology" / "vocabularies").glob("*.ttl")):
            self.vocab.parse(path, format="turtle")
        self.schemes_used: set[URIRef] = set()
        self.classes_used: set[URIRef] = set()

    # -- small look-ups ------------------------------------------------------------------

    def text(self, graph: rdflib.Graph, node: Node, prop: URIRef, lang: str = "sv") -> str:
        found = sorted(
            str(o)
            for o in graph.objects(node, prop)
            if isinstance(o, Literal) and o.language == lang
        )
        return found[0] if found else ""

    def integer(self, node: Node, prop: URIRef) -> int | None:
        value = self.shapes.value(node, prop)
        return int(value) if isinstance(value, Literal) else None

    def superclasses(self, cls: URIRef) -> list[URIRef]:
        """``cls`` and its ``ks:`` superclasses, nearest first."""
        out = [cls]
        for parent in sorted(self.onto.objects(cls, RDFS.subClassOf), key=str):
            if isinstance(parent, URIRef) and str(parent).startswith(KS):
                out.extend(c for c in self.superclasses(parent) if c not in out)
        return out

    def node_shapes(self, cls: URIRef) -> list[URIRef]:
        """Node shapes targeting ``cls`` or a superclass: the class's own first."""
        shapes: list[URIRef] = []
        for target in self.superclasses(cls):
            found = sorted(
                s for s in self.shapes.subjects(SH.targetClass, target) if isinstance(s, URIRef)
            )
            shapes.extend(found)
        return shapes

    def messages(self, shape: Node) -> list[str]:
        """The Swedish sh:message of ``shape`` and of its SPARQL constraints, de-duplicated."""
        out: list[str] = []
        own = self.text(self.shapes, shape, SH.message)
        if own:
            out.append(own)
        for constraint in self.shapes.objects(shape, SH.sparql):
            text = self.text(self.shapes, constraint, SH.message)
            if text and text not in out:
                out.append(text)
        return out

    def severity(self, shape: Node) -> str:
        value = self.shapes.value(shape, SH.severity)
        return "Varning" if value == SH.Warning else "Info" if value == SH.Info else "Fel"

    def scheme_of(self, node_shape: Node) -> list[URIRef]:
        """The concept scheme(s) a scheme shape (``kss:In…Scheme``) admits."""
        schemes: list[URIRef] = []
        for prop in self.shapes.objects(node_shape, SH.property):
            if self.shapes.value(prop, SH.path) != SKOS.inScheme:
                continue
            value = self.shapes.value(prop, SH.hasValue)
            if isinstance(value, URIRef):
                schemes.append(value)
            for constraint in self.shapes.objects(prop, SH.sparql):
                query = str(self.shapes.value(constraint, SH.select) or "")
                for match in re.findall(r"\bksv:([a-z0-9-]+)\b", query):
                    schemes.append(URIRef(KSV + match))
        return sorted(set(schemes))

    def concepts(self, scheme: URIRef) -> list[URIRef]:
        found = [c for c in self.vocab.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)]
        return sorted(set(found), key=lambda c: _natural(self.notation(c)))

    def instances(self, cls: URIRef) -> list[URIRef]:
        found = [c for c in self.vocab.subjects(RDF.type, cls) if isinstance(c, URIRef)]
        return sorted(set(found), key=lambda c: _natural(self.notation(c)))

    def scheme_name(self, scheme: URIRef) -> str:
        label = self.text(self.vocab, scheme, SKOS.prefLabel)
        return label or CODE_SYSTEMS.get(_local(scheme), (_local(scheme), ""))[0]

    def notation(self, concept: URIRef) -> str:
        value = self.vocab.value(concept, SKOS.notation)
        return str(value) if value is not None else str(concept).rsplit("/", 1)[-1]

    def is_concept_class(self, cls: URIRef) -> bool:
        return SKOS.Concept in set(self.onto.transitive_objects(cls, RDFS.subClassOf))

    def label(self, prop: URIRef) -> str:
        return self.text(self.onto, prop, RDFS.label) or _local(prop)

    def domains(self, prop: URIRef) -> set[URIRef]:
        out: set[URIRef] = set()
        for domain in self.onto.objects(prop, RDFS.domain):
            if isinstance(domain, URIRef):
                out.add(domain)
            union = self.onto.value(domain, OWL.unionOf)
            if union is not None:
                out.update(m for m in Collection(self.onto, union) if isinstance(m, URIRef))
        return out

    def inverse(self, prop: URIRef) -> URIRef | None:
        for other in (
            *self.onto.objects(prop, OWL.inverseOf),
            *self.onto.subjects(OWL.inverseOf, prop),
        ):
            if isinstance(other, URIRef) and str(other).startswith(KS):
                return other
        return None

    def ontology_properties(self) -> list[URIRef]:
        props: set[Node] = set()
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
            props.update(p for p in self.onto.subjects(RDF.type, kind) if str(p).startswith(KS))
        return sorted(p for p in props if isinstance(p, URIRef))

    # -- values ----------------------------------------------------------------------------

    def scheme_link(self, scheme: URIRef) -> str:
        self.schemes_used.add(scheme)
        name = self.scheme_name(scheme)
        link = f"[{name}](#{_scheme_anchor(scheme)}) (`{_curie(scheme)}`)"
        concepts = self.concepts(scheme)
        if concepts and len(concepts) <= SHORT_SCHEME:
            link += ": " + ", ".join(f"`{self.notation(c)}`" for c in concepts)
        return link

    def class_value(self, cls: URIRef) -> str:
        if self.is_concept_class(cls):
            self.classes_used.add(cls)
            name = self.text(self.onto, cls, RDFS.label) or _local(cls)
            return f"[{name}](#{_class_anchor(cls)}) (`{_curie(cls)}`)"
        described = CLASS_VALUES.get(_local(cls), f"`{_curie(cls)}`")
        anchor = next((c.anchor for c in CLASSES if c.local == _local(cls)), None)
        return f"[{described}](#{anchor})" if anchor else described


# -- collecting the fields of one class -------------------------------------------------------


def collect(model: Model, spec: ClassSpec) -> tuple[dict[URIRef, Field], list[NodeRule], Field]:
    """The fields of a class, its node-level rules and its ``@id`` row."""
    cls = URIRef(KS + spec.local)
    fields: dict[URIRef, Field] = {}
    rules: list[NodeRule] = []
    identity = Field(path=URIRef(KS + spec.local))
    for node_shape in model.node_shapes(cls):
        for prop_shape in sorted(model.shapes.objects(node_shape, SH.property), key=str):
            _add_property_shape(model, fields, prop_shape)
        pattern = model.shapes.value(node_shape, SH.pattern)
        if pattern is not None:
            identity.patterns.append(str(pattern))
            message = model.text(model.shapes, node_shape, SH.message)
            identity.rules.append((_local(node_shape), message))
        if (node_shape, SH.sparql, None) in model.shapes:
            comment = model.text(model.shapes, node_shape, RDFS.comment, "en")
            basis = ", ".join(re.findall(r"\b(?:R\d+|5\.\d)\b", comment))
            rules.append(
                NodeRule(
                    shape=_local(node_shape),
                    label=model.text(model.shapes, node_shape, RDFS.label),
                    severity=model.severity(node_shape),
                    basis=basis,
                    message=" ".join(model.messages(node_shape)[:1]),
                )
            )
    if spec.kind != "register":
        targets = set(model.superclasses(cls))
        for prop in model.ontology_properties():
            if prop in fields or _local(prop) in SET_BY_SERVICE:
                continue
            if not model.domains(prop) & targets or _is_abstract(model, prop):
                continue
            fields[prop] = Field(path=prop)
    for prop, f in fields.items():
        if not f.datatypes and not f.values:
            _from_ontology(model, prop, f)
    return fields, rules, identity


def _add_property_shape(model: Model, fields: dict[URIRef, Field], shape: Node) -> None:
    g = model.shapes
    path = g.value(shape, SH.path)
    steps: list[URIRef] = []
    if isinstance(path, URIRef):
        steps = [path]
    elif isinstance(path, BNode):
        steps = [s for s in Collection(g, path) if isinstance(s, URIRef)]
    if not steps:
        return
    f = fields.setdefault(steps[0], Field(path=steps[0]))
    f.in_shapes = True
    name = _local(shape)
    for message in model.messages(shape):
        if all(message != m for _, m in f.rules):
            f.rules.append((name, message))
    if len(steps) > 1:
        equals = g.value(shape, SH.equals)
        if isinstance(equals, URIRef):
            rest = "/".join(f"`{_local(s)}`" for s in steps[1:])
            _append(f.conditions, f"{rest} på värdet = postens `{_local(equals)}`")
        return
    minimum = model.integer(shape, SH.minCount) or 0
    if model.severity(shape) == "Fel":
        f.min_violation = max(f.min_violation, minimum)
    else:
        f.min_warning = max(f.min_warning, minimum)
    maximum = model.integer(shape, SH.maxCount)
    if maximum is not None:
        f.max = maximum if f.max is None else min(f.max, maximum)
    datatype = g.value(shape, SH.datatype)
    if isinstance(datatype, URIRef):
        _append(f.datatypes, datatype)
    pattern = g.value(shape, SH.pattern)
    if pattern is not None:
        _append(f.patterns, str(pattern))
    for prop, text in (
        (SH.minInclusive, "≥ {}"),
        (SH.maxInclusive, "≤ {}"),
        (SH.minLength, "minst {} tecken"),
        (SH.maxLength, "högst {} tecken"),
    ):
        value = g.value(shape, prop)
        if value is not None:
            _append(f.facets, text.format(value))
    if g.value(shape, SH.uniqueLang) == Literal(True):
        _append(f.facets, "högst en per språk")
    if (shape, SH.sparql, None) in g and "sv" in _languages_required(g, shape):
        _append(f.facets, "en på svenska (`@sv`) krävs")
    for node in g.objects(shape, SH.node):
        for scheme in model.scheme_of(node):
            _append(f.values, model.scheme_link(scheme))
    for cls in g.objects(shape, SH["class"]):
        if isinstance(cls, URIRef):
            _append(f.values, model.class_value(cls))
    members = g.value(shape, SH["in"])
    if members is not None:
        listed = ", ".join(f"`{_local(m)}`" for m in Collection(g, members))
        _append(f.values, f"endast {listed}")


def _languages_required(g: rdflib.Graph, shape: Node) -> set[str]:
    """Languages a SPARQL constraint on ``shape`` demands (``LANGMATCHES(…, "sv")``)."""
    out: set[str] = set()
    for constraint in g.objects(shape, SH.sparql):
        query = str(g.value(constraint, SH.select) or "")
        out.update(re.findall(r'LANGMATCHES\(LANG\(\?\w+\), "([a-z-]+)"\)', query))
    return out


def _from_ontology(model: Model, prop: URIRef, f: Field) -> None:
    """Format and values from the property's range when no shape says more."""
    o = model.onto
    if (prop, OWL.FunctionalProperty, None) in o or (prop, RDF.type, OWL.FunctionalProperty) in o:
        f.max = 1 if f.max is None else min(f.max, 1)
    for rng in sorted(o.objects(prop, RDFS.range), key=str):
        if isinstance(rng, URIRef) and rng in DATATYPES:
            _append(f.datatypes, rng)
        elif isinstance(rng, URIRef) and str(rng).startswith(KS):
            _append(f.values, model.class_value(rng))
        elif isinstance(rng, BNode):
            base = o.value(rng, OWL.onDatatype)
            if isinstance(base, URIRef):
                _append(f.datatypes, base)
            restrictions = o.value(rng, OWL.withRestrictions)
            if restrictions is not None:
                for facet in Collection(o, restrictions):
                    low = o.value(facet, XSD.minInclusive)
                    if low is not None:
                        _append(f.facets, f"≥ {low}")
    if (prop, RDF.type, OWL.ObjectProperty) in o and not f.values:
        _append(f.values, "vilken IRI som helst")


def _is_abstract(model: Model, prop: URIRef) -> bool:
    """A super-property of other ``ks:`` properties (``ks:relatedResource``): use those."""
    return any(str(s).startswith(KS) for s in model.onto.subjects(RDFS.subPropertyOf, prop))


# -- rendering --------------------------------------------------------------------------------


def status(spec: ClassSpec, f: Field) -> str:
    if f.min_violation >= 1:
        return "obligatorisk"
    if f.min_warning >= 1 or (spec.local, _local(f.path)) in RECOMMENDED:
        return "rekommenderad"
    return "valfri"


def cardinality(f: Field) -> str:
    low = max(f.min_violation, f.min_warning)
    return f"{low}..{'*' if f.max is None else f.max}"


def format_cell(f: Field) -> str:
    parts = [DATATYPES.get(d, f"`{_curie(d)}`") for d in f.datatypes]
    if not parts and f.values:
        parts.append("IRI")
    parts.extend(f.facets)
    parts.extend(f"mönster `{_cell(p)}`" for p in f.patterns)
    return "; ".join(parts) or "–"


def rule_cell(model: Model, spec: ClassSpec, f: Field) -> str:
    notes: list[str] = []
    reason = RECOMMENDED.get((spec.local, _local(f.path)))
    if reason:
        notes.append(_cell(f"*Rekommendation:* {reason}"))
    inverse = model.inverse(f.path)
    if inverse is not None:
        notes.append(f"Invers till `{_local(inverse)}`.")
    notes.extend(f"**{name}**: {_prose(message)}" for name, message in f.rules)
    if not f.rules:
        notes.append("Ingen regel i informationsspecifikationen.")
    return "<br>".join(notes)


def field_order(spec: ClassSpec, fields: dict[URIRef, Field]) -> list[Field]:
    rank = {"obligatorisk": 0, "rekommenderad": 1, "valfri": 2}
    return sorted(fields.values(), key=lambda f: (rank[status(spec, f)], _local(f.path)))


def render_class(model: Model, spec: ClassSpec) -> Iterator[str]:
    cls = URIRef(KS + spec.local)
    fields, rules, identity = collect(model, spec)
    name = model.text(model.onto, cls, RDFS.label)
    english = model.text(model.onto, cls, RDFS.label, "en")
    yield f'<a id="{spec.anchor}"></a>'
    yield ""
    yield f"### {name} (`{spec.local}`)"
    yield ""
    definition = model.text(model.onto, cls, SKOS.definition)
    shapes = ", ".join(f"`{_curie(s)}`" for s in model.node_shapes(cls) if _is_main(model, s))
    yield f"{definition} *{english}.*" if definition else f"*{english}.*"
    yield ""
    yield f"Klass: `{_curie(cls)}`. Former: {shapes}."
    yield ""
    if spec.kind == "register":
        yield "| JSON-LD-term | Egenskap | Benämning | Krav | Antal | Format | Tillåtna värden |"
        yield "|---|---|---|---|---|---|---|"
        for f in field_order(spec, fields):
            yield "| " + " | ".join(_row(model, spec, f)[:7]) + " |"
        yield ""
        return
    yield (
        "| JSON-LD-term | Egenskap | Benämning | Krav | Antal | Format | Tillåtna värden | Regel |"
    )
    yield "|---|---|---|---|---|---|---|---|"
    id_rule = "<br>".join(f"**{n}**: {_prose(m)}" for n, m in identity.rules) or (
        "Ge posten en egen IRI (ingen tom nod)."
    )
    id_format = "; ".join(f"mönster `{_cell(p)}`" for p in identity.patterns) or "IRI"
    yield f"| `@id` | – | IRI | obligatorisk | 1..1 | {id_format} | – | {id_rule} |"
    yield (
        f"| `@type` | `rdf:type` | typ | obligatorisk | 1..* | IRI | `{spec.local}` "
        f"(`{_curie(cls)}`) | Posten känns igen på sin typ. |"
    )
    for f in field_order(spec, fields):
        yield "| " + " | ".join(_row(model, spec, f)) + " |"
    yield ""
    if rules:
        yield f"Regler för hela posten ({name.lower()}):"
        yield ""
        yield "| Regel (`rule`) | Benämning | Allvarlighet | Grund | Meddelande |"
        yield "|---|---|---|---|---|"
        for r in rules:
            yield (
                f"| `{r.shape}` | {_prose(r.label)} | {r.severity} | {r.basis or '–'} "
                f"| {_prose(r.message)} |"
            )
        yield ""


def _row(model: Model, spec: ClassSpec, f: Field) -> list[str]:
    return [
        f"`{_local(f.path)}`",
        f"`{_curie(f.path)}`",
        _prose(model.label(f.path)),
        status(spec, f),
        cardinality(f),
        format_cell(f),
        "<br>".join(_cell(v) for v in [*f.values, *f.conditions]) or "–",
        rule_cell(model, spec, f),
    ]


def _is_main(model: Model, shape: URIRef) -> bool:
    """A shape that carries fields or the IRI pattern (not a single node rule)."""
    g = model.shapes
    return (shape, SH.property, None) in g or (shape, SH.pattern, None) in g


def render_values(model: Model) -> Iterator[str]:
    yield '<a id="tillatna-varden"></a>'
    yield ""
    yield "## Tillåtna värden"
    yield ""
    yield (
        "Begrepp anges alltid med sin IRI, `https://kunskapsgraf.se/vocab/<schema>/<notation>` "
        "(i JSON-LD med vår kontext räcker `ksv:<schema>/<notation>`), aldrig som text."
    )
    yield ""
    for cls in sorted(model.classes_used, key=str):
        name = model.text(model.onto, cls, RDFS.label)
        yield f'<a id="{_class_anchor(cls)}"></a>'
        yield ""
        yield f"### {name} (`{_curie(cls)}`)"
        yield ""
        yield "| Notation | IRI | Benämning |"
        yield "|---|---|---|"
        for concept in model.instances(cls):
            label = model.text(model.vocab, concept, SKOS.prefLabel)
            yield f"| `{model.notation(concept)}` | `{_curie(concept)}` | {_prose(label)} |"
        yield ""
    for scheme in sorted(model.schemes_used, key=str):
        name = model.scheme_name(scheme)
        yield f'<a id="{_scheme_anchor(scheme)}"></a>'
        yield ""
        yield f"### {name} (`{_curie(scheme)}`)"
        yield ""
        concepts = model.concepts(scheme)
        if not concepts:
            example = CODE_SYSTEMS.get(_local(scheme), ("", "…"))[1]
            yield (
                f"Ett kodverk som läses in separat (`kunskapsgraf import-terminology`), inte en "
                f"del av ontologin. Ange koden med sin IRI: `{scheme}/<kod>`, t.ex. "
                f"`{scheme}/{example}`."
            )
            yield ""
            continue
        yield "| Notation | IRI | Benämning | Överordnat begrepp |"
        yield "|---|---|---|---|"
        for concept in concepts:
            label = model.text(model.vocab, concept, SKOS.prefLabel)
            broader = model.vocab.value(concept, SKOS.broader)
            parent = f"`{model.notation(broader)}`" if isinstance(broader, URIRef) else "–"
            notation = model.notation(concept)
            yield f"| `{notation}` | `{_curie(concept)}` | {_prose(label)} | {parent} |"
        yield ""


def render(model: Model) -> str:
    lines: list[str] = [
        "<!-- Genererad av docs/spec/build.py ur shapes/*.ttl, ontology/kunskapsgraf.ttl och "
        "ontology/vocabularies/*.ttl. Ändra inte för hand: kör `python docs/spec/build.py`. -->",
        "",
        "# Fält per klass",
        "",
        "*Field tables per class, generated from the SHACL shapes; see the English summary in "
        "[README.md](README.md#english-summary).*",
        "",
        "Tabellerna hör till [specifikationen för inläsning](README.md) och genereras ur "
        "informationsspecifikationen (SHACL-formerna i `shapes/`), så de säger exakt vad "
        "tjänsten kontrollerar när en sats tas emot.",
        "",
        "* **JSON-LD-term** är namnet i vår JSON-LD-kontext "
        "(`https://kunskapsgraf.se/ns/context.jsonld`); i Turtle skriver ni `ks:<term>`.",
        "* **Krav**: *obligatorisk* = saknas den avvisas satsen (422); *rekommenderad* = "
        "satsen tas emot, men fältet bör finnas (motiveringen står under Regel); *valfri*.",
        "* **Antal** är minsta..högsta antal värden (`*` = obegränsat).",
        "* **Regel** är namnet på formen (det som står i `rule` i ett 422-svar) och dess "
        "meddelande. `{?item}`, `{?value}` och liknande fylls i med posten och värdet.",
        "",
        "## Innehåll",
        "",
    ]
    for spec in CLASSES:
        cls = URIRef(KS + spec.local)
        lines.append(f"* [{model.text(model.onto, cls, RDFS.label)}](#{spec.anchor})")
    lines += [
        "* [Sätts av tjänsten](#satts-av-tjansten)",
        "* [Tillåtna värden](#tillatna-varden)",
        "",
        "## Kunskapsresurser",
        "",
        "Det som en källa skickar in: kunskapsprodukter med sina avsnitt och rekommendationer, "
        "och regionala tillägg.",
        "",
    ]
    sections = {
        "part": [
            "## Versioner och granskningar",
            "",
            "Kan skickas i samma sats som resursen de hör till (IRI:n under källans egen nyckel).",
            "",
        ],
        "register": [
            "## Registret (i korthet)",
            "",
            "Kunskapskällor, godkännanden, kanaler, licenser och aktörer förs in i registret "
            "av förvaltningen, inte genom inläsnings-API:t. De visas här för att era poster "
            "pekar på dem.",
            "",
        ],
    }
    for spec in CLASSES:
        lines.extend(sections.pop(spec.kind, []))
        lines.extend(render_class(model, spec))
    lines += [
        '<a id="satts-av-tjansten"></a>',
        "",
        "## Sätts av tjänsten",
        "",
        "Skicka inte dessa: tjänsten skriver dem på varje post som sparas (DOMAIN R15).",
        "",
        "| JSON-LD-term | Egenskap | Benämning |",
        "|---|---|---|",
    ]
    for local in SET_BY_SERVICE:
        prop = URIRef(KS + local)
        lines.append(f"| `{local}` | `{_curie(prop)}` | {_prose(model.label(prop))} |")
    lines.append("")
    lines.extend(render_values(model))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


# -- helpers ----------------------------------------------------------------------------------


def _local(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def _curie(node: Node) -> str:
    text = str(node)
    for namespace, prefix in sorted(PREFIXES.items(), key=lambda kv: -len(kv[0])):
        if text.startswith(namespace):
            return prefix + text[len(namespace) :]
    return text


def _scheme_anchor(scheme: URIRef) -> str:
    return "varden-" + _local(scheme)


def _class_anchor(cls: URIRef) -> str:
    return "varden-klass-" + _local(cls).lower()


def _cell(text: str) -> str:
    """Markdown (code spans included) safe inside a table cell: pipes escaped."""
    return text.replace("|", "\\|").replace("\n", " ")


def _prose(text: str) -> str:
    """Plain text from the shapes, safe inside a table cell: ``<lokalt-id>`` is not a tag."""
    return _cell(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)


def _append(items: list[T], item: T) -> None:
    if item not in items:
        items.append(item)


def build(repo: Path = REPO) -> str:
    return render(Model(repo))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 when fields.md is stale")
    args = parser.parse_args(list(argv) if argv is not None else None)
    text = build()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(
                f"{OUTPUT.relative_to(REPO)} is stale: run `python docs/spec/build.py`.",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
