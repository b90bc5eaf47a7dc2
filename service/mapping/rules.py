"""Mapping files (``mappings/<source>/mapping.toml``) and the field rules they contain.

A mapping says which reader turns the input into records, how an item's local id is made,
and, per property of the concept model, where its value comes from. The reference for
information architects is ``mappings/README.md``; this module is its implementation:

* :func:`load_mapping` parses and checks a mapping file (unknown keys and properties are
  errors, so a typo never silently drops a field);
* :meth:`Mapping.map_record` turns one flat record into the triples of one item, or raises
  :class:`RecordProblem` with a Swedish and English message.

Templates are strings with ``{field}`` placeholders and optional filters
(``{countries|max:3}``, ``{summary|html|truncate:300}``). A template whose placeholders are
all empty yields nothing, so a list of templates is a list of alternatives.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from service.errors import KunskapsgrafError
from service.mapping.codes import CodeReference
from service.mapping.readers import READERS, ReaderOptions, Value, field_values
from service.mapping.text import (
    DateProblem,
    html_to_text,
    parse_when,
    short_hash,
    slugify,
    to_date,
    to_datetime,
    truncate,
)
from service.terms import KS, KSI, KSV, RDF_TYPE

__all__ = [
    "PROPERTIES",
    "Mapping",
    "MappingError",
    "Property",
    "RecordProblem",
    "load_mapping",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_DATE = NamedNode(XSD + "date")
XSD_DATETIME = NamedNode(XSD + "dateTime")
XSD_ANYURI = NamedNode(XSD + "anyURI")
RDF_TYPE_NODE = NamedNode(RDF_TYPE)

_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_NOTATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_HTTPS = re.compile(r"^https://\S+$")


class MappingError(KunskapsgrafError):
    """A mapping file that cannot be used: a fault in the configuration, not in the input."""


class RecordProblem(Exception):
    """One record cannot be mapped; it is skipped and reported."""

    def __init__(self, message_sv: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv
        self.message_en = message_en


# --- the properties a mapping may fill --------------------------------------------------------


@dataclass(frozen=True)
class Property:
    """How values of one ``ks:`` property are written (kinds: text, string, url, date,
    datetime, language, concept, agent, licence, code)."""

    kind: str
    scheme: str | None = None  # concept scheme for kind "concept"
    single: bool = True  # at most one value (at most one per language for text)
    label_sv: str = ""


PROPERTIES: dict[str, Property] = {
    "title": Property("text", label_sv="titel"),
    "alternativeTitle": Property("text", single=False, label_sv="alternativ titel"),
    "summary": Property("text", label_sv="sammanfattning"),
    "body": Property("text", label_sv="brödtext"),
    "attribution": Property("text", label_sv="källangivelse"),
    "versionNote": Property("text", label_sv="versionsanteckning"),
    "versionLabel": Property("string", label_sv="versionsbeteckning"),
    "url": Property("url", label_sv="kanonisk adress"),
    "issued": Property("date", label_sv="först publicerad"),
    "modified": Property("datetime", label_sv="senast ändrad"),
    "lastReviewed": Property("date", label_sv="senast granskad"),
    "nextReview": Property("date", label_sv="nästa granskning"),
    "validUntil": Property("date", label_sv="giltig till"),
    "language": Property("language", label_sv="språk"),
    "contentType": Property("concept", "content-type", label_sv="innehållstyp"),
    "lifecycleState": Property("concept", "lifecycle", label_sv="livscykelstatus"),
    "audience": Property("concept", "audience", single=False, label_sv="målgrupp"),
    "knowledgeArea": Property("concept", "knowledge-area", single=False, label_sv="kunskapsområde"),
    "careSetting": Property("concept", "care-setting", single=False, label_sv="vårdnivå"),
    "patientGroup": Property("concept", "patient-group", single=False, label_sv="patientgrupp"),
    "evidenceGrade": Property("concept", "evidence-grade", label_sv="evidensgrad"),
    "subject": Property("code", single=False, label_sv="ämne (kod)"),
    "publisher": Property("agent", label_sv="utgivare"),
    "creator": Property("agent", single=False, label_sv="upphov"),
    "contributor": Property("agent", single=False, label_sv="bidragsgivare"),
    "approvedBy": Property("agent", label_sv="fastställd av"),
    "licence": Property("licence", label_sv="licens"),
}
# ks:wasDerivedFrom is not mapped: the ingestion pipeline sets it (the record's URL, R15).

# What the information specification requires of each item class (shapes/product.ttl).
REQUIRED: dict[str, tuple[str, ...]] = {
    "KnowledgeProduct": (
        "title",
        "url",
        "issued",
        "modified",
        "lastReviewed",
        "language",
        "contentType",
        "lifecycleState",
        "audience",
        "knowledgeArea",
        "publisher",
    ),
}

MAX_SUMMARY = 300


# --- templates -----------------------------------------------------------------------------

_FILTERS_WITH_ARG = {"join", "max", "truncate", "hash", "split", "remove"}
_FILTERS = _FILTERS_WITH_ARG | {
    "first",
    "lower",
    "upper",
    "slug",
    "html",
    "squash",
    "last",
    "icd",
}


@dataclass(frozen=True)
class Placeholder:
    name: str
    filters: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Template:
    source: str
    parts: tuple[str | Placeholder, ...]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parts if isinstance(p, Placeholder)]

    def render(self, fields: AbstractMapping[str, Value], index: int | None = None) -> str | None:
        """The text, or None when a placeholder has no value."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            values = field_values(fields.get(part.name))
            if index is not None and isinstance(fields.get(part.name), list):
                values = values[index : index + 1]
            values = [v for v in values if v.strip()]
            joined = False
            for name, arg in part.filters:
                values, joined = _apply_filter(name, arg, values, joined)
            values = [v for v in values if v.strip()]
            if not values:
                return None
            out.append(values[0] if joined else ", ".join(values))
        text = "".join(out).strip()
        return text or None


def _apply_filter(
    name: str, arg: str | None, values: list[str], joined: bool
) -> tuple[list[str], bool]:
    if name == "join":
        return ([(arg if arg is not None else ", ").join(values)] if values else []), True
    if name == "max":
        limit = int(arg or "1")
        if len(values) > limit:
            kept = values[:limit]
            kept[-1] = f"{kept[-1]} (+{len(values) - limit})"
            return kept, joined
        return values, joined
    if name == "first":
        return values[:1], joined
    if name == "last":
        return values[-1:], joined
    if name == "split":
        separator = arg or ","
        return [p.strip() for v in values for p in v.split(separator) if p.strip()], joined
    functions: dict[str, Callable[[str], str]] = {
        "lower": str.lower,
        "upper": str.upper,
        "slug": slugify,
        "html": html_to_text,
        "squash": lambda v: re.sub(r"\s+", " ", v).strip(),
        "truncate": lambda v: truncate(v, int(arg or "300")),
        "hash": lambda v: short_hash(v, int(arg or "16")),
        "remove": lambda v: v.replace(arg or "", "").strip(),
        "icd": icd_notation,
    }
    return [functions[name](v) for v in values], joined


def icd_notation(code: str) -> str:
    """An ICD-10 code as ICD-10-SE writes its notation: ``A831`` → ``A83.1``; codes that
    already have a dot, three-character codes and blocks are unchanged."""
    code = code.strip().upper()
    if len(code) <= 3 or "." in code or "-" in code:
        return code
    return f"{code[:3]}.{code[3:]}"


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def parse_template(text: str, where: str) -> Template:
    parts: list[str | Placeholder] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        pieces = [p.strip() for p in match.group(1).split("|")]
        if not pieces[0]:
            raise _config(where, f"tom platshållare i {text!r}", f"empty placeholder in {text!r}")
        filters: list[tuple[str, str | None]] = []
        for piece in pieces[1:]:
            name, separator, arg = piece.partition(":")
            if name not in _FILTERS:
                raise _config(
                    where,
                    f"okänt filter {name!r} i {text!r} (finns: {', '.join(sorted(_FILTERS))})",
                    f"unknown filter {name!r} in {text!r} (known: {', '.join(sorted(_FILTERS))})",
                )
            smallest = {"max": 1, "truncate": 2, "hash": 4}.get(name)
            if smallest is not None and arg and not (arg.isdigit() and int(arg) >= smallest):
                raise _config(
                    where,
                    f"{name} vill ha ett heltal från {smallest}: {piece!r}",
                    f"{name} needs a whole number from {smallest}: {piece!r}",
                )
            filters.append((name, arg if separator else None))
        parts.append(Placeholder(pieces[0], tuple(filters)))
    parts.append(text[position:])
    if "{" in text.replace("{{", "").replace("}}", "") and not any(
        isinstance(p, Placeholder) for p in parts
    ):
        raise _config(where, f"ofullständig platshållare i {text!r}", f"bad placeholder {text!r}")
    return Template(text, tuple(p for p in parts if p != ""))


# --- rules ---------------------------------------------------------------------------------

_RULE_KEYS = {
    "template",
    "from",
    "each",
    "parts",
    "map",
    "match",
    "default",
    "lang",
    "formats",
    "timezone",
    "join",
    "scheme",
    "by",
    "when_past",
    "truncate",
}


@dataclass(frozen=True)
class Rule:
    """Where the values of one property (or derived field) come from, and how they are
    cleaned. See mappings/README.md, "Field rules"."""

    where: str
    templates: tuple[Template, ...] = ()
    each: bool = False
    from_fields: tuple[str, ...] = ()
    parts: tuple[Rule, ...] = ()
    value_map: dict[str, str] | None = None
    match: tuple[tuple[re.Pattern[str], str], ...] = ()
    default: tuple[str, ...] = ()
    lang: Template | None = None
    formats: tuple[str, ...] = ("iso8601",)
    timezone: str | None = None
    join: str | None = None
    scheme: str | None = None
    by: str = "notation"  # for subject: values are notations (codes) or labels of the scheme
    when_past: tuple[str, ...] = ()
    truncate: int | None = None

    def raw(self, fields: AbstractMapping[str, Value]) -> list[str]:
        """The rule's text values for one record (before typing)."""
        values: list[str] = []
        if self.parts:
            for part in self.parts:
                values.extend(part.raw(fields))
            if values:
                values = ["\n\n".join(values) if self.join is None else self.join.join(values)]
        elif self.templates:
            if self.each:
                count = max(
                    [len(field_values(fields.get(n))) for t in self.templates for n in t.names]
                    + [1]
                )
                for index in range(count):
                    for template in self.templates:
                        text = template.render(fields, index)
                        if text is not None:
                            values.append(text)
                            break
            else:
                for template in self.templates:
                    text = template.render(fields)
                    if text is not None:
                        values.append(text)
                        break
        elif self.from_fields:
            for name in self.from_fields:
                found = [v.strip() for v in field_values(fields.get(name)) if v.strip()]
                if found:
                    values = found
                    break
        if self.when_past:
            values = self._when_past(values)
        if self.value_map is not None:
            values = [self.value_map[v] for v in values if v in self.value_map]
        elif self.match:
            matched: list[str] = []
            for value in values:
                for pattern, result in self.match:
                    if pattern.search(value) and result not in matched:
                        matched.append(result)
            values = matched
        if not values:
            values = list(self.default)
        if self.join is not None and len(values) > 1 and not self.parts:
            values = [self.join.join(values)]
        if self.truncate is not None:
            values = [truncate(v, self.truncate) for v in values]
        seen: list[str] = []
        for value in values:
            if value not in seen:
                seen.append(value)
        return seen

    def _when_past(self, values: list[str]) -> list[str]:
        """``when_past = ["value if passed", "value if not"]``: compare a date with today."""
        if not values:
            return []
        try:
            when, _ = parse_when(values[0], self.formats)
        except DateProblem as exc:
            raise RecordProblem(exc.message_sv, exc.message_en) from None
        today = date.today()
        passed = when.date() <= today
        return [self.when_past[0] if passed else self.when_past[1]]


def _config(where: str, problem_sv: str, problem_en: str) -> MappingError:
    return MappingError(
        f"Mappningen är felaktig ({where}): {problem_sv}.",
        f"The mapping is invalid ({where}): {problem_en}.",
        where=where,
    )


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _config(
        where, f"{key} ska vara text eller en lista av text", f"{key} must be a string or strings"
    )


def parse_rule(spec: Any, where: str) -> Rule:
    """A rule from TOML: a string (one template), or a table (see _RULE_KEYS)."""
    if isinstance(spec, str):
        return Rule(where, templates=(parse_template(spec, where),))
    if not isinstance(spec, dict):
        raise _config(where, "regeln ska vara text eller en tabell", "a rule is text or a table")
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise _config(
            where,
            f"okända nycklar {sorted(unknown)} (finns: {sorted(_RULE_KEYS)})",
            f"unknown keys {sorted(unknown)} (known: {sorted(_RULE_KEYS)})",
        )
    sources = [k for k in ("template", "from", "parts") if k in spec]
    if len(sources) > 1:
        raise _config(
            where,
            "ange bara en av template, from och parts",
            "give only one of template, from and parts",
        )
    if not sources and "default" not in spec:
        raise _config(
            where,
            "regeln saknar template, from, parts eller default",
            "the rule has no template, from, parts or default",
        )
    if "map" in spec and "match" in spec:
        raise _config(where, "ange map eller match, inte båda", "give map or match, not both")
    templates = tuple(
        parse_template(t, where) for t in _strings(spec.get("template", []), where, "template")
    )
    parts: tuple[Rule, ...] = ()
    if "parts" in spec:
        if not isinstance(spec["parts"], list):
            raise _config(where, "parts ska vara en lista", "parts must be a list")
        parts = tuple(parse_rule(p, f"{where}.parts[{i}]") for i, p in enumerate(spec["parts"], 1))
    value_map = None
    if "map" in spec:
        raw_map = spec["map"]
        if not isinstance(raw_map, dict) or not all(isinstance(v, str) for v in raw_map.values()):
            raise _config(where, "map ska vara en tabell text = text", "map must map text to text")
        value_map = {str(k): v for k, v in raw_map.items()}
    match: list[tuple[re.Pattern[str], str]] = []
    for number, entry in enumerate(spec.get("match", []), 1):
        if not (isinstance(entry, dict) and set(entry) == {"pattern", "value"}):
            raise _config(
                where,
                f"match[{number}] ska ha pattern och value",
                f"match[{number}] needs pattern and value",
            )
        try:
            match.append((re.compile(entry["pattern"]), str(entry["value"])))
        except re.error as exc:
            raise _config(
                where, f"match[{number}]: ogiltigt mönster ({exc})", f"bad pattern ({exc})"
            ) from None
    when_past = _strings(spec.get("when_past", []), where, "when_past")
    if when_past and len(when_past) != 2:
        raise _config(
            where,
            "when_past ska vara [värde om passerat, värde annars]",
            "when_past must be [value if passed, value otherwise]",
        )
    each = spec.get("each", False)
    join = spec.get("join")
    timezone = spec.get("timezone")
    scheme = spec.get("scheme")
    if not isinstance(each, bool) or not (join is None or isinstance(join, str)):
        raise _config(where, "each är true/false, join är text", "each is a boolean, join text")
    if not (timezone is None or isinstance(timezone, str)):
        raise _config(where, "timezone ska vara text", "timezone must be text")
    if not (scheme is None or isinstance(scheme, str)):
        raise _config(where, "scheme ska vara text", "scheme must be text")
    by = spec.get("by", "notation")
    if by not in ("notation", "label") or ("by" in spec and scheme is None):
        raise _config(
            where,
            'by ska vara "notation" eller "label" och kräver scheme',
            'by must be "notation" or "label" and needs scheme',
        )
    lang = spec.get("lang")
    limit = spec.get("truncate")
    if not (limit is None or (isinstance(limit, int) and limit > 1)):
        raise _config(where, "truncate ska vara ett heltal", "truncate must be a whole number")
    return Rule(
        where,
        templates=templates,
        each=each,
        from_fields=_strings(spec.get("from", []), where, "from"),
        parts=parts,
        value_map=value_map,
        match=tuple(match),
        default=_strings(spec.get("default", []), where, "default"),
        lang=parse_template(lang, where) if isinstance(lang, str) else None,
        formats=_strings(spec.get("formats", ["iso8601"]), where, "formats"),
        timezone=timezone,
        join=join,
        scheme=scheme,
        by=by,
        when_past=when_past,
        truncate=limit,
    )


def parse_rules(spec: Any, where: str) -> list[Rule]:
    """A property's rules: a string, a list of strings (several values), a table, or an
    array of tables (several rules, e.g. one title per language)."""
    if isinstance(spec, list):
        if all(isinstance(s, str) for s in spec):
            return [parse_rule(s, f"{where}[{i}]") for i, s in enumerate(spec, 1)]
        if all(isinstance(s, dict) for s in spec):
            return [parse_rule(s, f"{where}[{i}]") for i, s in enumerate(spec, 1)]
        raise _config(where, "blandad lista", "a list must hold only strings or only tables")
    return [parse_rule(spec, where)]


# --- the mapping -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    source: str
    description: str
    reader: ReaderOptions
    item_class: str
    id_templates: tuple[Template, ...]
    derive: dict[str, Rule]
    fields: dict[str, list[Rule]]
    version: str = ""
    required: tuple[str, ...] = field(default=())

    def item_iri(self, local_id: str) -> str:
        return f"{KSI}item/{self.source}/{local_id}"

    def local_id(self, fields: AbstractMapping[str, Value]) -> str:
        for template in self.id_templates:
            text = template.render(fields)
            if text is not None:
                slug = slugify(text)
                if slug:
                    return slug
        shown = " | ".join(t.source for t in self.id_templates)
        raise RecordProblem(
            f"posten saknar värden för id-mallen {shown}",
            f"the record has no values for the id template {shown}",
        )

    def derived(self, fields: AbstractMapping[str, Value]) -> dict[str, Value]:
        """The record's fields plus the ``[derive]`` fields, computed in order."""
        out: dict[str, Value] = dict(fields)
        for name, rule in self.derive.items():
            values = rule.raw(out)
            if len(values) == 1:
                out[name] = values[0]
            elif values:
                out[name] = values
            else:
                out.pop(name, None)
        return out

    def map_record(self, fields: AbstractMapping[str, Value], local_id: str) -> list[Triple]:
        """The triples of one item (``fields`` already include the derived fields)."""
        subject = NamedNode(self.item_iri(local_id))
        triples = [
            Triple(subject, RDF_TYPE_NODE, NamedNode(KS + self.item_class)),
            Triple(subject, NamedNode(KS + "identifier"), Literal(f"{self.source}:{local_id}")),
            Triple(subject, NamedNode(KS + "source"), NamedNode(f"{KSI}source/{self.source}")),
        ]
        language = None
        if "language" in self.fields:
            languages = self._values("language", fields, None)
            language = languages[0].value if languages else None
        for name in self.fields:
            for value in self._values(name, fields, language):
                triples.append(Triple(subject, NamedNode(KS + name), value))
        self._check_required(triples)
        return triples

    def code_references(
        self, fields: AbstractMapping[str, Value], local_id: str
    ) -> list[CodeReference]:
        """Keywords that name concepts by label (``by = "label"``); the pipeline links them
        to concepts in the store (:func:`service.mapping.codes.link_codes`)."""
        references: list[CodeReference] = []
        for rule in self.fields.get("subject", []):
            if rule.by != "label" or rule.scheme is None:
                continue
            language = (rule.lang.render(fields) if rule.lang else None) or "sv"
            for raw in rule.raw(fields):
                references.append(
                    CodeReference(self.item_iri(local_id), rule.scheme, raw.strip(), language)
                )
        return references

    def _values(
        self, name: str, fields: AbstractMapping[str, Value], language: str | None
    ) -> list[Literal | NamedNode]:
        prop = PROPERTIES[name]
        values: list[Literal | NamedNode] = []
        languages_seen: set[str] = set()
        for rule in self.fields[name]:
            if rule.by == "label":
                continue  # resolved against the store by code_references
            for raw in rule.raw(fields):
                if prop.kind == "text":
                    tag = _language_tag(rule, fields, language, name)
                    primary = tag.split("-")[0]
                    if prop.single and primary in languages_seen:
                        continue  # the first rule that gives this language (sv, sv-SE …) wins
                    languages_seen.add(primary)
                    if name == "summary" and len(raw) > MAX_SUMMARY:
                        raise RecordProblem(
                            f"sammanfattningen är {len(raw)} tecken, högst {MAX_SUMMARY} "
                            "tillåts (lägg till |truncate:300 i mallen)",
                            f"the summary has {len(raw)} characters, at most {MAX_SUMMARY} are "
                            "allowed (add |truncate:300 to the template)",
                        )
                    try:
                        literal = Literal(raw, language=tag)
                    except ValueError:
                        raise RecordProblem(
                            f"{tag!r} är ingen giltig språkkod", f"{tag!r} is no valid language tag"
                        ) from None
                    if literal not in values:
                        values.append(literal)
                else:
                    typed = _typed(prop, rule, raw, name)
                    if typed not in values:
                        values.append(typed)
        if prop.single and prop.kind != "text" and len(values) > 1:
            shown = ", ".join(str(v.value) for v in values[:3])
            raise RecordProblem(
                f"{prop.label_sv} (ks:{name}) får ha ett värde, posten ger {len(values)}: {shown}",
                f"ks:{name} takes one value, the record gives {len(values)}: {shown}",
            )
        return values

    def _check_required(self, triples: Sequence[Triple]) -> None:
        present = {t.predicate.value[len(KS) :] for t in triples}
        for name in self.required:
            if name not in present:
                raise RecordProblem(
                    f"värde saknas för {PROPERTIES[name].label_sv} (ks:{name}), som "
                    f"informationsspecifikationen kräver ({_rule_hint(self.fields.get(name))})",
                    f"no value for ks:{name}, which the information specification requires "
                    f"({_rule_hint(self.fields.get(name))})",
                )
        titles = [
            t.object
            for t in triples
            if t.predicate.value == KS + "title" and isinstance(t.object, Literal)
        ]
        if titles and not any((t.language or "").lower().startswith("sv") for t in titles):
            raise RecordProblem(
                'titel på svenska (@sv) saknas; lägg till en titelregel med lang = "sv"',
                'no Swedish title (@sv); add a title rule with lang = "sv"',
            )


def _rule_hint(rules: list[Rule] | None) -> str:
    if not rules:
        return "ingen regel / no rule"
    shown: list[str] = []
    for rule in rules:
        if rule.templates:
            shown.extend(t.source for t in rule.templates)
        elif rule.from_fields:
            shown.append("from " + " | ".join(rule.from_fields))
        elif rule.parts:
            shown.append("parts")
    return "; ".join(shown) or "default"


def _language_tag(
    rule: Rule, fields: AbstractMapping[str, Value], language: str | None, name: str
) -> str:
    tag = rule.lang.render(fields) if rule.lang is not None else language
    if not tag:
        raise RecordProblem(
            f"språk saknas för {PROPERTIES[name].label_sv} (ks:{name}): ange lang i regeln "
            "eller språk (language) för posten",
            f"no language for ks:{name}: give lang in the rule or the item's language",
        )
    return _normalise_language(tag)


def _normalise_language(tag: str) -> str:
    tag = tag.strip().replace("_", "-")
    if not _LANG.match(tag):
        raise RecordProblem(
            f"{tag!r} är ingen språkkod enligt BCP 47 (t.ex. sv, en, en-US)",
            f"{tag!r} is not a BCP 47 language tag (e.g. sv, en, en-US)",
        )
    primary, _, rest = tag.partition("-")
    return primary.lower() + ("-" + rest if rest else "")


def _typed(prop: Property, rule: Rule, raw: str, name: str) -> Literal | NamedNode:
    value = raw.strip()
    label = f"{prop.label_sv} (ks:{name})"
    try:
        if prop.kind == "string":
            return Literal(value)
        if prop.kind == "language":
            return Literal(_normalise_language(value))
        if prop.kind == "url":
            if not _HTTPS.match(value):
                raise RecordProblem(
                    f"{label}: adressen {value!r} börjar inte med https://",
                    f"ks:{name}: the address {value!r} does not start with https://",
                )
            return Literal(value, datatype=XSD_ANYURI)
        if prop.kind in ("date", "datetime"):
            when, has_time = parse_when(value, rule.formats)
            if prop.kind == "date":
                return Literal(to_date(when), datatype=XSD_DATE)
            return Literal(to_datetime(when, has_time, rule.timezone), datatype=XSD_DATETIME)
        if prop.kind == "concept":
            if not _NOTATION.match(value):
                raise RecordProblem(
                    f"{label}: {value!r} är ingen notation i ksv:{prop.scheme}",
                    f"ks:{name}: {value!r} is not a notation of ksv:{prop.scheme}",
                )
            return NamedNode(f"{KSV}{prop.scheme}/{value}")
        if prop.kind == "code":
            if rule.scheme is None or not _NOTATION.match(value):
                raise RecordProblem(
                    f"{label}: koden {value!r} eller kodsystemet (scheme) saknas",
                    f"ks:{name}: the code {value!r} or its scheme is missing",
                )
            return NamedNode(f"{KSV}{rule.scheme}/{value}")
        if prop.kind in ("agent", "licence"):
            if not _KEY.match(value):
                raise RecordProblem(
                    f"{label}: {value!r} är ingen nyckel i registret",
                    f"ks:{name}: {value!r} is not a register key",
                )
            return NamedNode(f"{KSI}{prop.kind}/{value}")
    except DateProblem as exc:
        raise RecordProblem(f"{label}: {exc.message_sv}", f"ks:{name}: {exc.message_en}") from None
    raise AssertionError(prop.kind)  # pragma: no cover - PROPERTIES is closed


# --- loading -------------------------------------------------------------------------------

_TOP_KEYS = {"source", "description", "reader", "item", "derive", "fields"}
_READER_KEYS = {
    "format",
    "media_types",
    "records",
    "key_field",
    "record_path",
    "document_fields",
    "allow_doctype",
}
_ITEM_KEYS = {"class", "id"}


def load_mapping(text: str, source: str, version: str = "") -> Mapping:
    """Parse and check a mapping file. Raises :class:`MappingError` on any mistake."""
    where = f"mappings/{source}/mapping.toml"
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _config(where, f"ogiltig TOML ({exc})", f"invalid TOML ({exc})") from None
    unknown = set(spec) - _TOP_KEYS
    if unknown:
        raise _config(where, f"okända nycklar {sorted(unknown)}", f"unknown keys {sorted(unknown)}")
    if spec.get("source") != source:
        raise _config(
            where,
            f"source = {spec.get('source')!r} stämmer inte med mappens namn {source!r}",
            f"source = {spec.get('source')!r} does not match the folder {source!r}",
        )
    reader = spec.get("reader")
    if not isinstance(reader, dict) or reader.get("format") not in READERS:
        raise _config(
            where,
            f"[reader] format ska vara en av {sorted(READERS)}",
            f"[reader] format must be one of {sorted(READERS)}",
        )
    if set(reader) - _READER_KEYS:
        raise _config(
            where,
            f"okända nycklar i [reader]: {sorted(set(reader) - _READER_KEYS)}",
            f"unknown keys in [reader]: {sorted(set(reader) - _READER_KEYS)}",
        )
    if reader["format"] == "xml" and not reader.get("record_path"):
        raise _config(where, "xml-läsaren behöver record_path", "the xml reader needs record_path")
    document_fields = reader.get("document_fields", {})
    if not isinstance(document_fields, dict):
        raise _config(where, "document_fields ska vara en tabell", "document_fields: a table")
    options = ReaderOptions(
        format=reader["format"],
        media_types=tuple(m.lower() for m in _strings(reader.get("media_types", []), where, "x")),
        records=str(reader.get("records", "")),
        key_field=str(reader.get("key_field", "_key")),
        record_path=str(reader.get("record_path", "")),
        document_fields={str(k): str(v) for k, v in document_fields.items()},
        allow_doctype=bool(reader.get("allow_doctype", False)),
    )
    item = spec.get("item")
    if not isinstance(item, dict) or set(item) - _ITEM_KEYS or "id" not in item:
        raise _config(where, "[item] ska ha id (och class)", "[item] needs id (and class)")
    item_class = item.get("class", "KnowledgeProduct")
    if item_class not in REQUIRED:
        raise _config(
            where,
            f"class {item_class!r} stöds inte (stöds: {sorted(REQUIRED)})",
            f"class {item_class!r} is not supported ({sorted(REQUIRED)})",
        )
    id_templates = tuple(
        parse_template(t, where + " [item] id") for t in _strings(item["id"], where, "id")
    )
    derive_spec = spec.get("derive", {})
    if not isinstance(derive_spec, dict):
        raise _config(where, "[derive] ska vara en tabell", "[derive] must be a table")
    derive = {
        str(name): parse_rule(rule, f"{where} [derive] {name}")
        for name, rule in derive_spec.items()
    }
    fields_spec = spec.get("fields")
    if not isinstance(fields_spec, dict):
        raise _config(where, "[fields] saknas", "[fields] is missing")
    fields: dict[str, list[Rule]] = {}
    for name, rule_spec in fields_spec.items():
        if name not in PROPERTIES:
            raise _config(
                where,
                f"okänd egenskap {name!r}; mappningen fyller bara ks:-egenskaper i "
                f"begreppsmodellen: {', '.join(sorted(PROPERTIES))}",
                f"unknown property {name!r}; known: {', '.join(sorted(PROPERTIES))}",
            )
        fields[name] = parse_rules(rule_spec, f"{where} [fields] {name}")
    description = spec.get("description", "")
    return Mapping(
        source=source,
        description=str(description),
        reader=options,
        item_class=item_class,
        id_templates=id_templates,
        derive=derive,
        fields=fields,
        version=version,
        required=REQUIRED[item_class],
    )
