"""SHACL-SPARQL constraints (``sh:sparql``) evaluated in batch with pyoxigraph.

pyshacl runs every SHACL-SPARQL constraint once per focus node through rdflib's SPARQL engine,
which made validation crawl. Here the data graph is loaded once into an in-memory
:class:`pyoxigraph.Store`, the focus nodes of each shape are marked in a separate named graph
(``<focus> <urn:kunskapsgraf:validation:focusOf> <shape>``; shapes with the same targets share
one mark, literal focus nodes come from a VALUES block), and each constraint runs *once*, with
``$this`` bound by a pattern on those marks at the start of its WHERE group. Every solution
becomes the ``sh:ValidationResult`` pyshacl would have made (same focus node, path, value,
severity, source shape and constraint, messages, now with their language tags) and is merged into
pyshacl's report graph.

Joining on the marks is not the same as SHACL's pre-binding (SHACL 5.3.1) in every query: a
``$this`` inside an expression of a nested group that does not itself bind ``$this`` first, a
sub-query, ``GRAPH``, aggregates and ``LIMIT`` would all behave differently. :func:`plan_sparql`
recognises those cases and leaves such constraints to pyshacl (see :attr:`SparqlPlan.fallbacks`),
as it does for constraints pyshacl itself rejects (so the error stays the same). Shapes reached
through ``sh:not``/``sh:and``/``sh:or``/``sh:xone``/``sh:qualifiedValueShape`` only matter for
conformance, not for results, and also stay with pyshacl; shapes reached through ``sh:node``
(one level) are batched and their results nested under the ``sh:node`` result with ``sh:detail``.

Where oxigraph and rdflib differ, the results follow rdflib (what pyshacl reports): STR of a
blank node gives its id, and literals in results are the data graph's own (oxigraph keeps typed
literals in canonical form). Two rewrites keep oxigraph fast without changing answers (see
:func:`_for_oxigraph`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from pyshacl.rdfutil.clone import clone_blank_node
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import BNode, Literal, Node, URIRef

__all__ = [
    "FOCUS_GRAPH",
    "FOCUS_OF",
    "STR_FUNCTION",
    "Batch",
    "BatchedConstraint",
    "Context",
    "Fallback",
    "SparqlPlan",
    "Step",
    "Unbatchable",
    "implicit_class_target",
    "plan_sparql",
    "set_conforms",
    "sparql_path",
]

FOCUS_OF = "urn:kunskapsgraf:validation:focusOf"
# The marks live in their own graph so that queries with variable predicates never see them.
FOCUS_GRAPH = "urn:kunskapsgraf:validation:focus"
STR_FUNCTION = "urn:kunskapsgraf:validation:str"
_VALUES_MARK = "urn:kunskapsgraf:validation:values/"
_SHAPE_MARK = "urn:kunskapsgraf:validation:shape/"

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Shape-expecting parameters whose inner results pyshacl does not report (only conformance).
_LOGICAL = (SH["not"], SH["and"], SH["or"], SH.xone, SH.qualifiedValueShape)
_ALLOWED_SEVERITIES = (SH.Warning, SH.Info)  # validate_graph runs with allow_warnings=True
_XSD_STRING = str(XSD.string)


class Unbatchable(Exception):
    """The data cannot be marked or queried in pyoxigraph (for example a literal focus node);
    the caller validates with pyshacl alone instead."""


@dataclass(frozen=True)
class Step:
    """One edge pyshacl follows from a shape to another: ``sh:property`` or ``sh:node``."""

    kind: str  # "property" | "node"
    source: Node
    target: Node


@dataclass(frozen=True)
class Context:
    """One way pyshacl reaches a shape: from a shape with targets, along ``steps``."""

    root: Node
    steps: tuple[Step, ...]

    def node_step(self) -> int | None:
        for index, step in enumerate(self.steps):
            if step.kind == "node":
                return index
        return None


@dataclass(frozen=True)
class BatchedConstraint:
    shape: Node
    constraint: Node
    head: str  # prefixes and the query up to and including the WHERE group's "{"
    tail: str
    path: Node | None  # the shape's sh:path (property shapes)
    severity: Node
    templates: tuple[Literal, ...]  # sh:message of the shape, then the constraint's others
    contexts: tuple[Context, ...]

    def query(self, mark: str, literals: Iterable[Literal] = ()) -> str:
        return self.head + _focus_pattern(mark, literals) + self.tail


def _focus_pattern(mark: str, literals: Iterable[Literal] = ()) -> str:
    """Binds $this to the focus nodes marked ``mark``; first in the WHERE group, so that every
    later pattern, BIND and FILTER of that group sees it bound. Literal focus nodes cannot be
    subjects of marks: they come from a VALUES block instead."""
    marked = f"GRAPH <{FOCUS_GRAPH}> {{ ?this <{FOCUS_OF}> <{mark}> }}"
    values = " ".join(_nt(literal) for literal in literals)
    if not values:
        return f" {marked} "
    return f" {{ {marked} }} UNION {{ VALUES ?this {{ {values} }} }} "


@dataclass(frozen=True)
class Fallback:
    shape: Node
    constraint: Node
    reason: str


@dataclass(frozen=True)
class SparqlPlan:
    constraints: tuple[BatchedConstraint, ...]
    fallbacks: tuple[Fallback, ...]

    def batched(self) -> frozenset[tuple[Node, Node]]:
        """The (shape, constraint) pairs to drop from the graph pyshacl sees."""
        return frozenset((c.shape, c.constraint) for c in self.constraints)


# --- Planning ---------------------------------------------------------------------------------


def plan_sparql(shapes: rdflib.Graph) -> SparqlPlan:
    """Decide for each ``sh:sparql`` constraint whether it can run in batch, and prepare it."""
    batched: list[BatchedConstraint] = []
    fallbacks: list[Fallback] = []
    prefixes_cache: dict[Node, dict[str, str] | str] = {}
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=_sort_key):
        outcome = _plan_one(shapes, shape, constraint, prefixes_cache)
        if isinstance(outcome, str):
            fallbacks.append(Fallback(shape, constraint, outcome))
        else:
            batched.append(outcome)
    return SparqlPlan(tuple(batched), tuple(fallbacks))


def _sort_key(pair: tuple[Node, Node]) -> tuple[str, str]:
    return (str(pair[0]), str(pair[1]))


def _plan_one(
    shapes: rdflib.Graph,
    shape: Node,
    constraint: Node,
    prefixes_cache: dict[Node, dict[str, str] | str],
) -> BatchedConstraint | str:
    selects = list(shapes.objects(constraint, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal):
        return "sh:select is not exactly one string"  # pyshacl reports the error
    deactivated = _flag(shapes, constraint)
    if isinstance(deactivated, str):
        return deactivated
    messages = list(shapes.objects(constraint, SH.message))
    if not all(isinstance(m, Literal) and isinstance(m.value, str) for m in messages):
        return "sh:message is not a string"
    shape_flag = _flag(shapes, shape)
    if isinstance(shape_flag, str):
        return shape_flag
    severities = list(shapes.objects(shape, SH.severity))
    if len(severities) > 1:
        return "more than one sh:severity"
    paths = list(shapes.objects(shape, SH.path))
    if len(paths) > 1:
        return "more than one sh:path"
    path = paths[0] if paths else None

    chains = _chains(shapes, shape, frozenset())
    if isinstance(chains, str):
        return chains
    contexts: list[Context] = []
    for root, steps in chains:
        problem = _chain_problem(shapes, steps)
        if problem is not None:
            return problem
        involved = [root, *(step.target for step in steps)]
        flags = [_flag(shapes, node) for node in involved]
        if any(isinstance(flag, str) for flag in flags):
            return "invalid sh:deactivated on a shape that leads to it"
        if not any(flags):  # pyshacl skips deactivated shapes and everything below them
            contexts.append(Context(root, steps))
    if deactivated or shape_flag:
        contexts = []  # still taken out of pyshacl's graph: it would skip it too

    rewritten = _rewrite(shapes, shape, constraint, str(selects[0]), path, prefixes_cache)
    if isinstance(rewritten, str):
        return rewritten
    head, tail = rewritten

    shape_messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
    templates = [*shape_messages, *(m for m in messages if m not in shape_messages)]
    return BatchedConstraint(
        shape=shape,
        constraint=constraint,
        head=head,
        tail=tail,
        path=path,
        severity=severities[0] if severities else SH.Violation,
        templates=tuple(t for t in templates if isinstance(t, Literal)),
        contexts=tuple(contexts),
    )


def _flag(shapes: rdflib.Graph, node: Node) -> bool | str:
    """``sh:deactivated`` as pyshacl reads it, or a reason to leave the shape to pyshacl."""
    values = list(shapes.objects(node, SH.deactivated))
    if not values:
        return False
    if len(values) > 1 or not isinstance(values[0], Literal):
        return "invalid sh:deactivated"
    return bool(values[0].value)


def _is_root(shapes: rdflib.Graph, shape: Node) -> bool:
    """Whether pyshacl validates ``shape`` on its own targets (explicit or implicit class)."""
    if any((shape, target, None) in shapes for target in _TARGETS):
        return True
    return implicit_class_target(shapes, shape)


def implicit_class_target(shapes: rdflib.Graph, shape: Node) -> bool:
    """pyshacl's implicit class target: the shape is typed rdfs:Class or a direct subclass
    (owl:Class among them: pyshacl adds that to every shapes graph it is given)."""
    class_types = {RDFS.Class, OWL.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    return any(t in class_types for t in shapes.objects(shape, RDF.type))


def _chains(
    shapes: rdflib.Graph, shape: Node, visiting: frozenset[Node]
) -> list[tuple[Node, tuple[Step, ...]]] | str:
    """Every way from a targeted shape down to ``shape``, or why that cannot be batched."""
    if shape in visiting:
        return "recursive shape references"
    visiting = visiting | {shape}
    for predicate in _LOGICAL:
        if (None, predicate, shape) in shapes:
            return f"used through {shapes.namespace_manager.normalizeUri(predicate)}"
    if (None, RDF.first, shape) in shapes:
        return "used in an RDF list (sh:and, sh:or, sh:xone)"
    chains: list[tuple[Node, tuple[Step, ...]]] = []
    if _is_root(shapes, shape):
        chains.append((shape, ()))
    for kind, predicate in (("property", SH.property), ("node", SH.node)):
        for parent in sorted(shapes.subjects(predicate, shape), key=str):
            above = _chains(shapes, parent, visiting)
            if isinstance(above, str):
                return above
            step = Step(kind, parent, shape)
            chains.extend((root, (*steps, step)) for root, steps in above)
    return chains


def _chain_problem(shapes: rdflib.Graph, steps: tuple[Step, ...]) -> str | None:
    for step in steps:
        is_property = (step.target, SH.path, None) in shapes
        if step.kind == "property" and not is_property:
            return "sh:property points to a shape without sh:path"  # pyshacl raises
        if step.kind == "node" and is_property:
            return "sh:node points to a property shape"  # pyshacl raises
        if len(list(shapes.objects(step.source, SH.path))) > 1:
            return "more than one sh:path"
    node_steps = [i for i, step in enumerate(steps) if step.kind == "node"]
    if len(node_steps) > 1:
        return "nested more than one sh:node deep"
    if node_steps:
        index = node_steps[0]
        if len(set(shapes.objects(steps[index].source, SH.node))) != 1:
            return "reached through a shape with several sh:node"
        for step in steps[index + 1 :]:
            if (step.source, SH.path, None) in shapes:
                # The results' focus nodes would no longer be the sh:node value nodes.
                return "below sh:node through the values of a property shape"
    return None


# --- Query rewriting --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<comment>#[^\n]*)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<var>[?$][A-Za-z0-9_\u00b7-\U000effff]+)"
    r"|(?P<word>[A-Za-z_\u00c0-\U000effff][A-Za-z0-9_\-\u00b7-\U000effff]*"
    r"(?::[A-Za-z0-9_\-.:%\u00b7-\U000effff]*)?|:[A-Za-z0-9_\-.:%\u00b7-\U000effff]*)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_NOT_IN_WHERE = {
    "SELECT": "a sub-query",
    "GRAPH": "GRAPH",
    "SERVICE": "SERVICE",
    "MINUS": "MINUS",
    "VALUES": "VALUES",
}
_NOT_AFTER_WHERE = {"GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"}
# Keywords that end the plain triple patterns at the start of a group.
_CURRENT_SHAPE = re.compile(r"([\s{}()])[$?]currentShape(?![A-Za-z0-9_])")
_GROUP_KEYWORDS = {"FILTER", "BIND", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "VALUES"}


@dataclass
class _Group:
    kind: str  # "top" | "nested" | "exists"
    parens: int = 0
    leading: bool = True  # still in the plain triple patterns that start the group
    anchored: bool = False  # one of those binds $this
    this_in_expression: bool = False


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            found.append(_Token(kind, match.group(), match.start(), match.end()))
    return found


def _where_offset(text: str) -> int | str:
    """Where to insert the focus pattern (just after the WHERE group's ``{``), or why the join
    with the marks would not mean the same as pre-binding ``$this``."""
    tokens = _tokens(text)
    i = 0
    while i < len(tokens) and tokens[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if tokens[i].text.upper() == "PREFIX" else 2
    if i >= len(tokens) or tokens[i].text.upper() != "SELECT":
        return "not a SELECT query"
    i += 1
    parens = 0
    projects_this = False
    while i < len(tokens):
        token = tokens[i]
        upper = token.text.upper()
        if token.text == "{" and parens == 0:
            break
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.kind == "word" and upper in _AGGREGATES:
            return "aggregates"
        elif token.kind == "word" and upper == "FROM":
            return "FROM"
        elif parens == 0 and (
            token.text == "*" or (token.kind == "var" and token.text[1:] == "this")
        ):
            projects_this = True
        i += 1
    if i >= len(tokens):
        return "no WHERE group"
    if not projects_this:
        return "does not select $this"  # the results could not name their focus node
    offset = tokens[i].end
    stack = [_Group("top")]
    previous = ""
    i += 1
    while i < len(tokens) and stack:
        token = tokens[i]
        upper = token.text.upper() if token.kind == "word" else token.text
        group = stack[-1]
        if token.kind == "word" and upper in _NOT_IN_WHERE:
            return _NOT_IN_WHERE[upper]
        if token.text == "{":
            group.leading = False
            stack.append(_Group("exists" if previous == "EXISTS" else "nested"))
        elif token.text == "}":
            closed = stack.pop()
            if closed.kind == "nested" and closed.this_in_expression and not closed.anchored:
                return "uses $this in an expression of a nested group that does not bind it first"
        elif token.text == "(":
            group.parens += 1
            group.leading = False
        elif token.text == ")":
            group.parens -= 1
        elif token.kind == "word" and upper in _GROUP_KEYWORDS:
            group.leading = False
        elif token.kind == "var" and token.text[1:] == "this":
            _note_this(stack)
        previous = upper
        i += 1
    if stack:
        return "unbalanced braces"
    for token in tokens[i:]:
        if token.kind == "word" and token.text.upper() in _NOT_AFTER_WHERE:
            return token.text.upper()
    return offset


def _note_this(stack: list[_Group]) -> None:
    """Record a use of ``$this``: the nearest enclosing group that is not an EXISTS pattern
    decides whether the marks bind it in time (the top group always does: they come first)."""
    inside_exists = False
    for group in reversed(stack):
        if group.kind == "exists":
            inside_exists = True
            continue
        if group.kind == "top":
            return
        if not inside_exists and group.parens == 0:
            if group.leading:
                group.anchored = True  # a triple pattern at the start of the group
            return  # any other triple pattern joins on ?this like pre-binding would
        group.this_in_expression = True
        return


def _rewrite(
    shapes: rdflib.Graph,
    shape: Node,
    constraint: Node,
    select: str,
    path: Node | None,
    prefixes_cache: dict[Node, dict[str, str] | str],
) -> tuple[str, str] | str:
    helper: Any = SPARQLQueryHelper
    # The same checks pyshacl makes before it runs a query: if it would refuse, it still does.
    for name in ("has_minus_regex", "has_values_regex", "has_service_regex"):
        if getattr(helper, name).search(select):
            return f"pyshacl rejects the query ({name})"
    if helper.has_nested_select_regex.search(select):
        return "a sub-query"
    as_var = helper.has_as_var_regex.search(select)
    if as_var and as_var.group(1) in ("this", "shapesGraph", "currentShape"):
        return "pyshacl rejects the query (AS re-binds a pre-bound variable)"
    if helper.bind_sg_regex.search(select):
        return "$shapesGraph (pyshacl does not support it)"
    if not helper.bind_this_regex.search(select):
        return "does not use $this"
    text = select
    if path is not None:
        path_text = sparql_path(shapes, path)
        if path_text is None:
            return "sh:path cannot be written as a SPARQL path"
        text = helper.bind_path_regex.sub(lambda m: m.group(1) + path_text, text)
    elif helper.bind_path_regex.search(text):
        return "$PATH without sh:path"  # pyshacl raises
    offset = _where_offset(text)
    if isinstance(offset, str):
        return offset
    head, tail = text[:offset], text[offset:]
    if _CURRENT_SHAPE.search(head):
        return "selects $currentShape"
    if _CURRENT_SHAPE.search(tail):
        if not isinstance(shape, URIRef):
            return "$currentShape of a blank node shape"
        # Pre-binding is substitution (SHACL 5.3.1): the shape's IRI in place of the variable.
        tail = _CURRENT_SHAPE.sub(lambda m: f"{m.group(1)}<{shape}>", tail)
    prefixes = _prefixes(shapes, constraint, prefixes_cache)
    if isinstance(prefixes, str):
        return prefixes
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()) + _for_oxigraph(head)
    tail = _for_oxigraph(tail)
    try:
        # Parsing only (an empty store): a query oxigraph cannot read stays with pyshacl.
        ox.Store().query(
            head + _focus_pattern(_SHAPE_MARK + "probe") + tail,
            custom_functions={ox.NamedNode(STR_FUNCTION): lambda *_: None},
        )
    except SyntaxError as error:
        return f"oxigraph cannot parse the query: {error}"
    return head, tail


def _for_oxigraph(text: str) -> str:
    """Two rewrites, neither changing which solutions the query has.

    ``STR(?var)`` calls :data:`STR_FUNCTION` for a blank node, which gives rdflib's answer, its id
    (oxigraph's STR fails on it, as the SPARQL spec says).

    ``p/q*`` becomes ``(p|p/q+)`` and ``p/q?`` becomes ``(p|p/q)`` for simple predicates ``p``
    and ``q``: the same pairs, since the zero-length step starts from an object of ``p``, a term
    of the graph. Inside EXISTS oxigraph evaluates the zero-length path over every term of the
    graph for each solution (oxigraph issue #1894), tens of milliseconds each time.
    """
    tokens = _tokens(text)
    parts: list[str] = []
    last = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        window = tokens[i : i + 4]
        texts = [t.text for t in window]
        if (
            token.kind == "word"
            and token.text.upper() == "STR"
            and len(window) == 4
            and texts[1] == "("
            and window[2].kind == "var"
            and texts[3] == ")"
        ):
            # Python is called for blank nodes only: STR stays native for everything else.
            var = window[2].text
            call = f"IF(isBLANK({var}), <{STR_FUNCTION}>({var}), STR({var}))"
            parts += [text[last : token.start], call]
            last = window[3].end
            i += 4
            continue
        if (
            len(window) == 4
            and _is_predicate(window[0])
            and texts[1] == "/"
            and _is_predicate(window[2])
            and texts[3] in ("*", "?")
            and window[3].start == window[2].end
            and (i == 0 or tokens[i - 1].text not in ("^", "!"))
        ):
            first, second = window[0].text, window[2].text
            rest = f"{second}+" if texts[3] == "*" else second
            parts += [text[last : token.start], f"({first}|{first}/{rest})"]
            last = window[3].end
            i += 4
            continue
        i += 1
    parts.append(text[last:])
    return "".join(parts)


def _is_predicate(token: _Token) -> bool:
    return token.kind == "iri" or (
        token.kind == "word" and (":" in token.text or token.text == "a")
    )


def _rdflib_str(term: Any) -> ox.Literal | None:
    """SPARQL STR as rdflib evaluates it: a blank node gives its id (see :func:`_for_oxigraph`)."""
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return ox.Literal(term.value)
    if isinstance(term, ox.Literal):
        return ox.Literal(term.value)
    return None


def _prefixes(
    shapes: rdflib.Graph, constraint: Node, cache: dict[Node, dict[str, str] | str]
) -> dict[str, str] | str:
    """The prefixes pyshacl declares for the query (``sh:prefixes``, SHACL 5.2.1)."""
    prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    ontologies = set(shapes.subjects(RDF.type, OWL.Ontology))
    graph_declares = set(shapes.objects(shapes.identifier, SH.declare))
    global_declares = graph_declares.union(*(shapes.objects(o, SH.declare) for o in ontologies))
    for value in shapes.objects(constraint, SH.prefixes):
        declared = cache.get(value)
        if declared is None:
            own = set(shapes.objects(value, SH.declare))
            declares = (
                own | graph_declares if own and value in ontologies else global_declares | own
            )
            declared = cache[value] = _declared(shapes, declares)
        if isinstance(declared, str):
            return declared
        prefixes.update(declared)
    return prefixes


def _declared(shapes: rdflib.Graph, declares: Iterable[Node]) -> dict[str, str] | str:
    found: dict[str, str] = {}
    for declare in declares:
        names = list(shapes.objects(declare, SH.prefix))
        namespaces = list(shapes.objects(declare, SH.namespace))
        if len(names) != 1 or len(namespaces) != 1 or not isinstance(names[0], Literal):
            return "malformed sh:declare"  # pyshacl raises
        found[str(names[0])] = str(namespaces[0])
    return found


def sparql_path(shapes: rdflib.Graph, path: Node) -> str | None:
    """A SHACL path as a SPARQL property path with full IRIs, every compound in parentheses."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        return None
    if (path, RDF.first, None) in shapes:
        parts = [sparql_path(shapes, step) for step in Collection(shapes, path)]
        if len(parts) < 2 or any(p is None for p in parts):
            return None
        return "(" + " / ".join(p for p in parts if p is not None) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [sparql_path(shapes, step) for step in Collection(shapes, alternatives)]
        if len(parts) < 2 or any(p is None for p in parts):
            return None
        return "(" + " | ".join(p for p in parts if p is not None) + ")"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        text = sparql_path(shapes, inverse)
        return None if text is None else f"(^{text})"
    for predicate, modifier in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            text = sparql_path(shapes, inner)
            if text is None:
                return None
            # "<p>*" stays bare, so that _for_oxigraph can see it in a sequence.
            return (text if isinstance(inner, URIRef) else f"({text})") + modifier
    return None


# --- Evaluation -------------------------------------------------------------------------------


Work = tuple[BatchedConstraint, Context]


class Batch:
    """The data graph in pyoxigraph, loaded on first use, for one or more runs."""

    def __init__(
        self,
        shapes: rdflib.Graph,
        data: rdflib.Graph,
        triples: Iterable[tuple[Node, Node, Node]] | None = None,
    ) -> None:
        self._shapes = shapes
        self._data = data
        self._triples = triples
        self._marks: _Marks | None = None
        self._terms = _Terms(data)
        self._functions: dict[ox.NamedNode, Callable[..., Any]] = {
            ox.NamedNode(STR_FUNCTION): _rdflib_str
        }

    def run(
        self,
        work: Iterable[Work],
        root_targets: Mapping[Node, Iterable[Node]],
        report_graph: rdflib.Graph,
    ) -> bool:
        """Merge the results of ``work`` into ``report_graph``; whether any were added at its
        top level (then sh:conforms needs :func:`set_conforms`). Each root shape's targets are
        read once per batch: the roots of two runs must differ."""
        writer: _Writer | None = None
        for constraint, context in work:
            if self._marks is None:
                self._marks = _Marks(load_store(self._data, self._triples), self._shapes)
            marks = self._marks
            mark = marks.root(context.root, root_targets.get(context.root, ()))
            chain_marks = [mark]
            for step in context.steps:
                if marks.literals(mark) and self._shapes.value(step.source, SH.path) is not None:
                    raise Unbatchable("the values of a literal focus node")
                mark = marks.values(mark, step.source)
                chain_marks.append(mark)
            query = constraint.query(mark, marks.literals(mark))
            solutions = marks.store.query(query, custom_functions=self._functions)
            assert isinstance(solutions, ox.QuerySolutions)
            results = _results(constraint, solutions, self._terms)
            if not results:
                continue
            writer = writer or _Writer(report_graph, self._shapes, self._data)
            index = context.node_step()
            if index is None:
                for result in results:
                    writer.top_level(writer.result(result))
                continue
            # Below sh:node: the results belong to the sh:node result of every (focus, value)
            # pair of the shape with the sh:node (SHACL 4.7.1), made here if pyshacl made none.
            step = context.steps[index]
            by_value: dict[Node, list[_Result]] = defaultdict(list)
            for result in results:
                by_value[result.focus].append(result)
            pairs = marks.pairs(chain_marks[index], step.source, set(by_value), self._terms)
            for focus, value in pairs:
                wrapper = writer.node_result(focus, step.source, value)
                for result in by_value[value]:
                    writer.detail(wrapper, writer.result(result))
        return writer is not None and writer.changed


def set_conforms(report_graph: rdflib.Graph) -> None:
    """sh:conforms of the report from its top-level results: none may be worse than a warning
    (pyshacl runs with allow_warnings)."""
    report = report_graph.value(None, RDF.type, SH.ValidationReport)
    if report is None:
        return
    severities = [
        report_graph.value(node, SH.resultSeverity)
        for node in report_graph.objects(report, SH.result)
    ]
    conforms = all(s in _ALLOWED_SEVERITIES for s in severities)
    report_graph.set((report, SH.conforms, Literal(conforms)))


def load_store(
    data: rdflib.Graph, triples: Iterable[tuple[Node, Node, Node]] | None = None
) -> ox.Store:
    """The data graph (or ``triples``, the same triples read faster) in an in-memory pyoxigraph
    store's default graph, blank node ids kept."""
    store = ox.Store()
    plain: list[str] = []
    with_bnodes: list[str] = []
    for s, p, o in data if triples is None else triples:
        line = f"{_nt(s)} {_nt(p)} {_nt(o)} .\n"
        (with_bnodes if isinstance(s, BNode) or isinstance(o, BNode) else plain).append(line)
    try:
        store.load("".join(plain).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        if with_bnodes:
            # Store.load renames blank nodes; the parser keeps their ids, so results map back.
            payload = "".join(with_bnodes).encode("utf-8")
            store.extend(ox.parse(payload, format=ox.RdfFormat.N_TRIPLES, lenient=True))
    except (SyntaxError, ValueError) as error:
        raise Unbatchable(f"oxigraph cannot read the data: {error}") from error
    return store


def _nt(term: Node) -> str:
    """A term in N-Triples (UTF-8: only quote, backslash and line breaks are escaped)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = str(term)
        if "\\" in text or '"' in text or "\n" in text or "\r" in text:
            text = (
                text.replace("\\", "\\\\")
                .replace('"', '\\"')
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    raise Unbatchable(f"unsupported term {term!r}")


class _Marks:
    """Focus marks in the store: roots from their targets, value nodes through paths."""

    def __init__(self, store: ox.Store, shapes: rdflib.Graph) -> None:
        self.store = store
        self._shapes = shapes
        self._roots: dict[Node, str] = {}
        self._by_targets: dict[int, str] = {}
        self._kept: list[Iterable[Node]] = []
        self._literals: dict[str, list[Literal]] = {}
        self._values: dict[tuple[str, Node], str] = {}
        self._graph = ox.NamedNode(FOCUS_GRAPH)
        self._focus_of = ox.NamedNode(FOCUS_OF)

    def root(self, shape: Node, targets: Iterable[Node]) -> str:
        """The mark of ``shape``'s focus nodes; shapes given the very same ``targets`` object
        share one mark (many shapes target the same class)."""
        mark = self._roots.get(shape)
        if mark is None:
            mark = self._by_targets.get(id(targets))
        if mark is None:
            mark = str(shape) if isinstance(shape, URIRef) else f"{_SHAPE_MARK}{len(self._roots)}"
            self._by_targets[id(targets)] = mark
            self._kept.append(targets)  # ids stay unique while the batch runs
            literals = self._literals[mark] = []
            lines: list[str] = []
            blank: list[ox.Quad] = []
            tail = f" <{FOCUS_OF}> <{mark}> <{FOCUS_GRAPH}> .\n"
            for node in targets:
                if isinstance(node, Literal):
                    literals.append(node)
                elif isinstance(node, BNode):
                    blank.append(
                        ox.Quad(
                            ox.BlankNode(str(node)), self._focus_of, ox.NamedNode(mark), self._graph
                        )
                    )
                else:
                    lines.append(_nt(node) + tail)
            try:
                self.store.load(
                    "".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS, lenient=True
                )
            except (SyntaxError, ValueError) as error:
                raise Unbatchable(f"oxigraph cannot read a focus node: {error}") from error
            self.store.extend(blank)
        self._roots[shape] = mark
        return mark

    def literals(self, mark: str) -> list[Literal]:
        """The literal focus nodes that go with ``mark`` (see :func:`_focus_pattern`)."""
        return self._literals.get(mark, [])

    def values(self, mark: str, shape: Node) -> str:
        """The mark of the value nodes of ``shape`` for the focus nodes marked ``mark``."""
        path = self._path(shape)
        if path is None:
            return mark  # a node shape's value node is its focus node
        key = (mark, shape)
        derived = self._values.get(key)
        if derived is None:
            derived = self._values[key] = f"{_VALUES_MARK}{len(self._values)}"
            where = f"GRAPH <{FOCUS_GRAPH}> {{ ?f <{FOCUS_OF}> <{mark}> }} ?f {path} ?v ."
            if self.store.query(f"ASK {{ {where} FILTER (isLiteral(?v)) }}"):
                raise Unbatchable("a literal value node below sh:node")
            self.store.update(
                f"INSERT {{ GRAPH <{FOCUS_GRAPH}> {{ ?v <{FOCUS_OF}> <{derived}> }} }} "
                f"WHERE {{ {where} }}"
            )
        return derived

    def pairs(
        self, mark: str, shape: Node, values: set[Node], terms: _Terms
    ) -> Iterator[tuple[Node, Node]]:
        """(focus, value) for the focus nodes marked ``mark`` whose ``shape`` values are in
        ``values``, in a stable order."""
        path = self._path(shape)
        if path is None:
            yield from ((v, v) for v in sorted(values, key=str))
            return
        query = (
            f"SELECT ?f ?v WHERE {{ GRAPH <{FOCUS_GRAPH}> {{ ?f <{FOCUS_OF}> <{mark}> }} "
            f"?f {path} ?v }}"
        )
        solutions = self.store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        found = set()
        for solution in solutions:
            focus, value = solution["f"], solution["v"]
            if focus is None or value is None:
                continue
            value_node = terms.node(value, None)
            if value_node in values:
                found.add((terms.node(focus, None), value_node))
        yield from sorted(found, key=lambda pair: (str(pair[0]), str(pair[1])))

    def _path(self, shape: Node) -> str | None:
        path = self._shapes.value(shape, SH.path)
        if path is None:
            return None
        text = sparql_path(self._shapes, path)
        if text is None:
            raise Unbatchable(f"the path of {shape} cannot be written in SPARQL")
        return text


class _Terms:
    """pyoxigraph terms back to the rdflib terms of the data graph.

    oxigraph stores typed literals in canonical form ("1.50" becomes "1.5", "+00:00" becomes
    "Z"), rdflib keeps (or normalises differently) the lexical form; a result must name the
    data graph's own literal, as pyshacl's does."""

    def __init__(self, data: rdflib.Graph) -> None:
        self._data = data
        self._cache: dict[tuple[Any, Node | None], Node] = {}
        # (datatype, value) → a data literal; built on first need, since scanning every
        # object of the data graph per result made long batches quadratic.
        self._by_value: dict[tuple[Any, Any], Literal] | None = None

    def node(self, term: Any, focus: Node | None) -> Node:
        key = (term, focus if isinstance(term, ox.Literal) else None)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._convert(term, focus)
        return found

    def _convert(self, term: Any, focus: Node | None) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if not isinstance(term, ox.Literal):
            raise Unbatchable(f"unsupported result term {term!r}")
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            plain, typed = Literal(term.value), Literal(term.value, datatype=XSD.string)
            return typed if not self._contains(plain) and self._contains(typed) else plain
        literal = Literal(term.value, datatype=URIRef(datatype))
        if self._contains(literal):
            return literal
        return self._same_value(literal, focus) or literal

    def _contains(self, literal: Literal) -> bool:
        return (None, None, literal) in self._data

    def _same_value(self, literal: Literal, focus: Node | None) -> Literal | None:
        """A data literal with the same datatype and value (near the focus node first)."""
        if literal.value is None:
            return None
        if focus is not None:
            for other in self._data.objects(focus):
                if (
                    isinstance(other, Literal)
                    and other.datatype == literal.datatype
                    and other.value is not None
                    and other.value == literal.value
                ):
                    return other
        if self._by_value is None:
            self._by_value = {}
            for other in self._data.objects():
                if isinstance(other, Literal) and other.value is not None:
                    try:
                        self._by_value.setdefault((other.datatype, other.value), other)
                    except TypeError:  # an unhashable value: compared the slow way below
                        continue
        try:
            return self._by_value.get((literal.datatype, literal.value))
        except TypeError:
            for other in self._data.objects():
                if (
                    isinstance(other, Literal)
                    and other.datatype == literal.datatype
                    and other.value == literal.value
                ):
                    return other
            return None


@dataclass
class _Result:
    focus: Node
    path: Node | None
    value: Node | None
    messages: list[Literal]
    constraint: BatchedConstraint = field(repr=False)


def _results(
    constraint: BatchedConstraint, solutions: ox.QuerySolutions, terms: _Terms
) -> list[_Result]:
    """The results pyshacl makes from these solutions (per focus node, duplicates dropped)."""
    names = [variable.value for variable in solutions.variables]
    is_property = constraint.path is not None
    results: list[_Result] = []
    seen: set[tuple[Any, ...]] = set()
    failed: set[Node] = set()
    for solution in solutions:
        this = solution["this"]
        if this is None:
            continue
        focus = terms.node(this, None)
        bound: dict[str, Node] = {}
        for name in names:
            term = solution[name]
            if term is not None:
                bound[name] = terms.node(term, focus)
        if "failure" in bound:
            # A failure is reported once per focus node, with the solution's bindings.
            bound.pop("failure")
            if focus in failed:
                continue
            failed.add(focus)
            value = None if is_property else focus
            results.append(
                _Result(focus, constraint.path, value, _messages(constraint, bound), constraint)
            )
            continue
        path = bound.pop("path", None)
        value = bound.pop("value", None)
        bound.pop("this")
        key = (focus, path, value, frozenset(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        if value is None and not is_property:
            value = focus
        variables = dict(bound)
        variables["this"] = focus
        if path is not None:
            variables["path"] = path
        if value is not None:
            variables["value"] = value
        result_path = path if path is not None else constraint.path
        results.append(
            _Result(focus, result_path, value, _messages(constraint, variables), constraint)
        )
    return results


def _messages(constraint: BatchedConstraint, variables: Mapping[str, Node]) -> list[Literal]:
    """The message templates with ``{?var}``/``{$var}`` filled in, keeping their language."""
    messages = []
    for template in constraint.templates:
        text = str(template)
        for name, node in variables.items():
            text = text.replace("{?" + name + "}", str(node)).replace("{$" + name + "}", str(node))
        messages.append(Literal(text, lang=template.language, datatype=template.datatype))
    return messages


class _Writer:
    """Adds results to pyshacl's report graph the way pyshacl writes them."""

    def __init__(self, report: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph) -> None:
        node = report.value(None, RDF.type, SH.ValidationReport)
        if node is None:
            raise Unbatchable("pyshacl's report has no sh:ValidationReport")
        self._graph = report
        self._report = node
        self._shapes = shapes
        self._data = data
        self._cloned: set[tuple[int, Node]] = set()
        self._existing: dict[tuple[Node, Node, Node], list[Node]] | None = None
        self._claimed: dict[tuple[Node, Node, Node], int] = defaultdict(int)
        self._changed = False

    def _term(self, source: rdflib.Graph, node: Node) -> Node:
        """Blank nodes are copied with their description, as pyshacl clones them."""
        if isinstance(node, BNode) and (id(source), node) not in self._cloned:
            self._cloned.add((id(source), node))
            clone_blank_node(source, node, self._graph, keepid=True)
        return node

    def result(self, result: _Result) -> BNode:
        constraint = result.constraint
        node = BNode()
        add = self._graph.add
        add((node, RDF.type, SH.ValidationResult))
        add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        add((node, SH.sourceShape, self._term(self._shapes, constraint.shape)))
        add((node, SH.resultSeverity, constraint.severity))
        add((node, SH.focusNode, self._term(self._data, result.focus)))
        if result.value is not None:
            add((node, SH.value, self._term(self._data, result.value)))
        if result.path is not None:
            add((node, SH.resultPath, self._term(self._shapes, result.path)))
        add((node, SH.sourceConstraint, self._term(self._shapes, constraint.constraint)))
        for message in result.messages:
            add((node, SH.resultMessage, message))
        return node

    def top_level(self, node: Node) -> None:
        self._graph.add((self._report, SH.result, node))
        self._changed = True

    def detail(self, wrapper: Node, node: Node) -> None:
        self._graph.add((wrapper, SH.detail, node))

    def node_result(self, focus: Node, shape: Node, value: Node) -> Node:
        """pyshacl's sh:node result for (focus, shape, value): its own if it made one (each
        way of reaching the shape claims one), else a new one like it."""
        if self._existing is None:
            self._existing = defaultdict(list)
            for node in self._graph.objects(self._report, SH.result):
                component = self._graph.value(node, SH.sourceConstraintComponent)
                if component != SH.NodeConstraintComponent:
                    continue
                found = (
                    self._graph.value(node, SH.focusNode),
                    self._graph.value(node, SH.sourceShape),
                    self._graph.value(node, SH.value),
                )
                if found[0] is not None and found[1] is not None and found[2] is not None:
                    self._existing[(found[0], found[1], found[2])].append(node)
            for nodes in self._existing.values():
                nodes.sort(key=str)
        key = (focus, shape, value)
        claimed = self._claimed[key]
        self._claimed[key] += 1
        existing = self._existing.get(key, [])
        if claimed < len(existing):
            return existing[claimed]
        node = BNode()
        add = self._graph.add
        severities = list(self._shapes.objects(shape, SH.severity))
        add((node, RDF.type, SH.ValidationResult))
        add((node, SH.sourceConstraintComponent, SH.NodeConstraintComponent))
        add((node, SH.sourceShape, self._term(self._shapes, shape)))
        add((node, SH.resultSeverity, severities[0] if severities else SH.Violation))
        add((node, SH.focusNode, self._term(self._data, focus)))
        add((node, SH.value, self._term(self._data, value)))
        path = self._shapes.value(shape, SH.path)
        if path is not None:
            add((node, SH.resultPath, self._term(self._shapes, path)))
        messages = list(self._shapes.objects(shape, SH.message))
        if not messages:
            nested = self._shapes.value(shape, SH.node)
            messages = [
                Literal(
                    f"Value does not conform to Shape {nested}. See details for more information."
                )
            ]
        for message in messages:
            add((node, SH.resultMessage, message))
        self.top_level(node)
        return node

    @property
    def changed(self) -> bool:
        return self._changed
