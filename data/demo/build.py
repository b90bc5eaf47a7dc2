#!/usr/bin/env python3
"""Build the kunskapsgraf demo corpus: TOML in, RDF out.

    python data/demo/build.py [--check] [--quiet]

Reads `content/*.toml`, `register.toml` and `codes/*.toml` (next to this script) and writes

* `corpus/register.trig`      graph `ksg:register`: sources, approvals, channels, agents, licences
* `corpus/<source-key>.trig`  graph `ksg:source/<key>`: items, versions, reviews (one per source)
* `codes/icd-10-se.ttl`, `codes/atc.ttl`  the code-system concept schemes

The contract for every IRI and term is `docs/model.md`; the content format is `README.md`.
Output is deterministic (sorted subjects, predicates and objects, no blank nodes), so rebuilding
unchanged input gives byte-identical files. With `--check` nothing is written: the script exits 1
and lists the files that are missing, stale or superfluous.

Any data error (unknown notation, unknown source key, dangling relation target, duplicate
identifier, malformed date, summary over 300 characters, …) is reported with its file and item and
the script exits 1 without writing anything.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------------------------
# Namespaces and fixed vocabulary
# --------------------------------------------------------------------------------------------

KS = "https://kunskapsgraf.se/ont/"
KSV = "https://kunskapsgraf.se/vocab/"
KSI = "https://kunskapsgraf.se/id/"
KSG = "https://kunskapsgraf.se/graph/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"

PREFIXES: tuple[tuple[str, str], ...] = (
    ("dcterms", DCTERMS),
    ("ks", KS),
    ("ksv", KSV),
    ("rdf", RDF),
    ("skos", SKOS),
    ("xsd", XSD),
)

RDF_TYPE = RDF + "type"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Notations of the project's concept schemes as listed in docs/model.md. When
# ontology/vocabularies/*.ttl define a scheme, the notations found there replace these.
_REGION_CODES = _words("01 03 04 05 06 07 08 09 10 12 13 14 17 18 19 20 21 22 23 24 25")
BUILTIN_NOTATIONS: dict[str, frozenset[str]] = {
    "audience": _words(
        "lakare sjukskoterska specialistsjukskoterska barnmorska underskoterska apotekare "
        "receptarie arbetsterapeut fysioterapeut dietist logoped psykolog psykoterapeut kurator "
        "biomedicinsk-analytiker rontgensjukskoterska tandlakare tandhygienist audionom optiker "
        "ortopedingenjor sjukhusfysiker kiropraktor naprapat ambulanssjukvardare "
        "vard-omsorgspersonal student beslutsfattare patient-narstaende"
    ),
    "content-type": _words(
        "nationell-riktlinje rekommendation kliniskt-kunskapsstod vardforlopp "
        "standardiserat-vardforlopp vardprogram vagledning behandlingsrekommendation "
        "lakemedelslista produktinformation metodbeskrivning handboksartikel faktatext "
        "patientinformation kunskapsunderlag kunskapslucka checklista regionalt-tillagg "
        "foreskrift"
    ),
    "region": frozenset([*_REGION_CODES, "nationell"]),
    "healthcare-region": _words("stockholm-gotland mellansverige sydostra sodra vastra norra"),
    "care-setting": _words(
        "primarvard specialiserad-vard specialiserad-oppenvard slutenvard kommunal-hsv tandvard "
        "barnhalsovard modrahalsovard elevhalsa prehospital sjukvardsradgivning vardforlopp"
    ),
    "knowledge-area": _words(
        "akut-vard barn-och-ungdomars-halsa cancersjukdomar endokrina-sjukdomar "
        "hjart-och-karlsjukdomar hud-och-konssjukdomar infektionssjukdomar "
        "kirurgi-och-plastikkirurgi kvinnosjukdomar-och-forlossning levnadsvanor "
        "lung-och-allergisjukdomar mag-och-tarmsjukdomar medicinsk-diagnostik "
        "nervsystemets-sjukdomar njur-och-urinvagssjukdomar "
        "perioperativ-vard-intensivvard-och-transplantation psykisk-halsa "
        "rehabilitering-habilitering-och-forsakringsmedicin reumatiska-sjukdomar "
        "rorelseorganens-sjukdomar sallsynta-sjukdomar tandvard aldres-halsa-och-palliativ-vard "
        "ogonsjukdomar oron-nas-och-halssjukdomar vardhygien"
    ),
    "lifecycle": _words(
        "utkast remiss gallande under-revidering ersatt tillbakadragen arkiverad pilot"
    ),
    "approval-status": _words(
        "foreslagen under-bedomning godkand godkand-villkor pausad avvecklad avslagen pilot"
    ),
    "integration-level": _words("lank metadata fulltext-index fulltext-visning"),
    "relation-type": _words(
        "is-part-of supplements replaces is-based-on implements has-patient-information "
        "has-product-information see-also conflicts-with references"
    ),
    "patient-group": _words("barn ungdomar vuxna aldre gravida nyfodda"),
    "review-type": _words(
        "faktagranskning npo-faststallande remissrunda redaktionell-granskning expertmote"
    ),
    "assessment-criterion": _words(
        "ansvarig-utgivare producentobunden dokumenterad-metod granskning-jav datering "
        "svensk-kontext licens maskinlasbar-atkomst tillganglighet"
    ),
    "priority": frozenset([*(str(n) for n in range(1, 11)), "icke-gora", "fou"]),
    "evidence-grade": _words("grade-4 grade-3 grade-2 grade-1"),
    "channel-type": _words("push-api atom rss json-api sitemap file-drop manual"),
}

# Integration levels in rank order (ks:rank 1-4).
INTEGRATION_RANK = {"lank": 1, "metadata": 2, "fulltext-index": 3, "fulltext-visning": 4}

# DOMAIN.md 5.4: K1-K9 -> ksv:assessment-criterion notations.
CRITERIA = {
    "K1": "ansvarig-utgivare",
    "K2": "producentobunden",
    "K3": "dokumenterad-metod",
    "K4": "granskning-jav",
    "K5": "datering",
    "K6": "svensk-kontext",
    "K7": "licens",
    "K8": "maskinlasbar-atkomst",
    "K9": "tillganglighet",
}

# Review type of an item's latest review, by source key (others: redaktionell-granskning).
REVIEW_TYPE = {
    "vardhandboken": "faktagranskning",
    "rikshandboken": "faktagranskning",
    "1177": "faktagranskning",
    "nkk": "npo-faststallande",
    "lakemedelsverket": "expertmote",
}
DEFAULT_REVIEW_TYPE = "redaktionell-granskning"

# Content types that are not split into sections or recommendations.
UNSPLIT_CONTENT_TYPES = frozenset({"patientinformation", "produktinformation"})

# TOML relation key -> (ks: property, inverse ks: property or None). seeAlso and conflictsWith
# are symmetric and stated one way only; references has no inverse in docs/model.md.
RELATIONS: dict[str, tuple[str, str | None]] = {
    "has_patient_information": ("hasPatientInformation", "isPatientInformationFor"),
    "has_product_information": ("hasProductInformation", None),
    "is_based_on": ("isBasedOn", "isBasisFor"),
    "implements": ("implements", "isImplementedBy"),
    "see_also": ("seeAlso", None),
    "conflicts_with": ("conflictsWith", None),
    "references": ("references", None),
    "replaces": ("replaces", "isReplacedBy"),
}

ITEM_KEYS = _words(
    "source id kind content_type title alt_titles summary body audience care_setting subjects "
    "issued modified last_reviewed next_review lifecycle version version_note knowledge_area "
    "patient_groups url sections recommendations supplements region practical_advice"
) | frozenset(RELATIONS)
PART_KEYS = _words(
    "slug title alt_titles summary body audience care_setting subjects lifecycle practical_advice"
) | frozenset(RELATIONS)
RECOMMENDATION_KEYS = PART_KEYS | {"priority", "evidence", "rationale"}
FILE_KEYS = frozenset({"slug", "name", "knowledge_area", "patient_groups", "codes", "items"})

SOURCE_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LOCAL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
EMAIL_RE = re.compile(r"^[^@\s:]+@[^@\s]+\.[a-z]{2,}$")
ICD_RE = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,3})?$")
ICD_BLOCK_RE = re.compile(r"^([A-Z]\d{2})-([A-Z]\d{2})$")
ROMAN_RE = re.compile(r"^[IVXL]+$")
ATC_RE = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")
ATC_LEVEL_LENGTHS = (1, 3, 4, 5, 7)
SUMMARY_MAX = 300
CODE_SYSTEMS = ("icd-10-se", "atc")


# --------------------------------------------------------------------------------------------
# A minimal RDF model with a deterministic Turtle/TriG writer
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IRI:
    value: str


@dataclass(frozen=True)
class Lit:
    lex: str
    lang: str | None = None
    datatype: str | None = None  # None = xsd:string


Term = IRI | Lit


def ks(local: str) -> IRI:
    return IRI(KS + local)


def concept(scheme: str, notation: str) -> IRI:
    return IRI(f"{KSV}{scheme}/{notation}")


def sv(text: str) -> Lit:
    return Lit(text, lang="sv")


def en(text: str) -> Lit:
    return Lit(text, lang="en")


def xdate(value: str) -> Lit:
    return Lit(value, datatype=XSD + "date")


def xdatetime(value: str) -> Lit:
    return Lit(value, datatype=XSD + "dateTime")


def xuri(value: str) -> Lit:
    return Lit(value, datatype=XSD + "anyURI")


def xint(value: int) -> Lit:
    return Lit(str(value), datatype=XSD + "integer")


def xbool(value: bool) -> Lit:
    return Lit("true" if value else "false", datatype=XSD + "boolean")


class Graph:
    """A set of triples without blank nodes, indexed by subject and predicate."""

    def __init__(self) -> None:
        self.data: dict[IRI, dict[IRI, set[Term]]] = defaultdict(lambda: defaultdict(set))

    def add(self, s: IRI, p: IRI, o: Term | None) -> None:
        if o is not None:
            self.data[s][p].add(o)

    def add_all(self, s: IRI, p: IRI, objects: list[Term]) -> None:
        for o in objects:
            self.add(s, p, o)

    def __len__(self) -> int:
        return sum(len(objs) for preds in self.data.values() for objs in preds.values())


# Predicates listed here come first, in this order; the rest follow sorted by IRI.
PREDICATE_ORDER = [
    RDF_TYPE,
    KS + "identifier",
    KS + "sourceKey",
    SKOS + "notation",
    KS + "title",
    KS + "name",
    SKOS + "prefLabel",
    KS + "alternativeTitle",
    SKOS + "altLabel",
    KS + "summary",
    KS + "body",
    KS + "rationale",
    SKOS + "definition",
    SKOS + "scopeNote",
    DCTERMS + "description",
]
_PRED_RANK = {p: n for n, p in enumerate(PREDICATE_ORDER)}


def _pred_key(p: IRI) -> tuple[int, str]:
    return (_PRED_RANK.get(p.value, len(_PRED_RANK)), p.value)


def _obj_key(o: Term) -> tuple[int, str, str, str]:
    if isinstance(o, IRI):
        return (0, o.value, "", "")
    lang = "" if o.lang is None else ("0" if o.lang == "sv" else "1") + o.lang  # @sv first
    return (1, o.datatype or "", lang, o.lex)


_PN_LOCAL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def fmt_iri(term: IRI) -> str:
    if term.value == RDF_TYPE:
        return "a"
    for prefix, ns in PREFIXES:
        if term.value.startswith(ns):
            local = term.value[len(ns) :]
            if _PN_LOCAL_RE.match(local):
                return f"{prefix}:{local}"
    return f"<{term.value}>"


def _escape(text: str, long: bool) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    if not long:
        out = out.replace("\n", "\\n")
    return out


def fmt_term(term: Term) -> str:
    if isinstance(term, IRI):
        return fmt_iri(term)
    if term.datatype == XSD + "integer" and re.fullmatch(r"[+-]?\d+", term.lex):
        return term.lex
    if term.datatype == XSD + "boolean" and term.lex in ("true", "false"):
        return term.lex
    if "\n" in term.lex:
        quoted = '"""' + _escape(term.lex, long=True) + '"""'
    else:
        quoted = '"' + _escape(term.lex, long=False) + '"'
    if term.lang:
        return f"{quoted}@{term.lang}"
    if term.datatype and term.datatype != XSD + "string":
        return f"{quoted}^^{fmt_iri(IRI(term.datatype))}"
    return quoted


def serialize(graph: Graph, header: str, graph_name: IRI | None = None) -> str:
    """Turtle (graph_name None) or TriG with one named graph, fully sorted."""
    lines = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    lines.append("")
    lines.extend(f"@prefix {prefix}: <{ns}> ." for prefix, ns in PREFIXES)
    lines.append("")
    indent = ""
    if graph_name is not None:
        lines.append(f"{fmt_iri(graph_name)} {{")
        indent = "    "
    blocks: list[str] = []
    for s in sorted(graph.data, key=lambda t: t.value):
        preds = graph.data[s]
        parts: list[str] = []
        for p in sorted(preds, key=_pred_key):
            objs = [fmt_term(o) for o in sorted(preds[p], key=_obj_key)]
            sep = f" ,\n{indent}        "
            parts.append(f"{indent}    {fmt_iri(p)} {sep.join(objs)}")
        blocks.append(f"{indent}{fmt_iri(s)}\n" + " ;\n".join(parts) + " .")
    lines.append("\n\n".join(blocks))
    if graph_name is not None:
        lines.append("}")
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------------------------
# Build context and small helpers
# --------------------------------------------------------------------------------------------


@dataclass
class Ctx:
    demo: Path
    today: date
    now: datetime
    notations: dict[str, frozenset[str]]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    def notation(self, where: str, scheme: str, value: Any, what: str) -> IRI | None:
        if not isinstance(value, str):
            self.error(where, f"{what} must be a string notation of ksv:{scheme}, got {value!r}")
            return None
        if value not in self.notations[scheme]:
            self.error(where, f"unknown {what} {value!r} (not a notation in ksv:{scheme})")
            return None
        return concept(scheme, value)

    def notations_list(self, where: str, scheme: str, values: Any, what: str) -> list[IRI]:
        if values is None:
            return []
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            self.error(where, f"{what} must be a list of ksv:{scheme} notations")
            return []
        out = [self.notation(where, scheme, v, what) for v in values]
        return [o for o in out if o is not None]


def rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def as_str(ctx: Ctx, where: str, table: dict[str, Any], key: str, required: bool = True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            ctx.error(where, f"missing required field {key!r}")
        return ""
    if not isinstance(value, str):
        ctx.error(where, f"field {key!r} must be a string, got {value!r}")
        return ""
    return value.strip()


def as_str_list(ctx: Ctx, where: str, table: dict[str, Any], key: str) -> list[str]:
    value = table.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        ctx.error(where, f"field {key!r} must be a list of strings")
        return []
    return [v.strip() for v in value]


def parse_date(ctx: Ctx, where: str, value: Any, key: str) -> date | None:
    if isinstance(value, datetime):
        ctx.error(where, f"{key} must be a date (YYYY-MM-DD), got a date-time {value}")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE_RE.match(value):
        ctx.error(where, f"{key} {value!r} is not an ISO 8601 date (YYYY-MM-DD)")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        ctx.error(where, f"{key} {value!r} is not a valid calendar date")
        return None


def parse_datetime(ctx: Ctx, where: str, value: Any, key: str) -> tuple[datetime, str] | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            ctx.error(where, f"{key} {value} must carry a UTC offset")
            return None
        return value, value.isoformat()
    if not isinstance(value, str) or not DATETIME_RE.match(value):
        expected = "an ISO 8601 date-time with offset (YYYY-MM-DDThh:mm:ss+hh:mm)"
        ctx.error(where, f"{key} {value!r} is not {expected}")
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")), value
    except ValueError:
        ctx.error(where, f"{key} {value!r} is not a valid date-time")
        return None


def check_https(ctx: Ctx, where: str, value: str, key: str) -> str | None:
    if not re.match(r"^https://[^\s/]+\.[^\s]+$", value):
        ctx.error(where, f"{key} {value!r} must be an absolute https:// URL")
        return None
    return value


def load_toml(ctx: Ctx, path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        ctx.error(rel(path, ctx.demo), f"TOML syntax error: {exc}")
    except OSError as exc:
        ctx.error(rel(path, ctx.demo), f"cannot read: {exc}")
    return None


def load_vocab_notations(ctx: Ctx, root: Path) -> dict[str, frozenset[str]]:
    """Built-in notations, replaced per scheme by what ontology/vocabularies/*.ttl declare."""
    notations = dict(BUILTIN_NOTATIONS)
    vocab_dir = root / "ontology" / "vocabularies"
    files = sorted(vocab_dir.glob("*.ttl")) if vocab_dir.is_dir() else []
    if not files:
        return notations
    import rdflib  # local import: only needed when vocabulary files exist

    found: dict[str, set[str]] = defaultdict(set)
    skos_in_scheme = rdflib.URIRef(SKOS + "inScheme")
    skos_notation = rdflib.URIRef(SKOS + "notation")
    for path in files:
        g = rdflib.Graph()
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many types
            ctx.error(rel(path, root), f"cannot parse vocabulary: {exc}")
            continue
        for c, scheme in g.subject_objects(skos_in_scheme):
            scheme_iri = str(scheme)
            if not scheme_iri.startswith(KSV):
                continue
            name = scheme_iri[len(KSV) :]
            for n in g.objects(c, skos_notation):
                found[name].add(str(n))
    for name, values in found.items():
        if name not in CODE_SYSTEMS:
            notations[name] = frozenset(values)
    return notations


# --------------------------------------------------------------------------------------------
# Register (register.toml)
# --------------------------------------------------------------------------------------------


@dataclass
class Agent:
    key: str
    name_sv: str
    name_en: str | None = None
    url: str | None = None
    region: str | None = None
    description: str | None = None

    @property
    def iri(self) -> IRI:
        return IRI(f"{KSI}agent/{self.key}")


@dataclass
class Licence:
    key: str
    title_sv: str
    title_en: str | None
    url: str
    attribution_required: bool
    max_level: str


@dataclass
class Assessment:
    criterion: str
    fulfilled: bool
    note: str
    evidence: str | None


@dataclass
class Approval:
    decision_date: date
    decided_by: str
    status: str
    level: str
    allowed: list[str]
    valid_until: date
    note: str | None
    criteria: list[Assessment]


@dataclass
class Channel:
    type: str
    access_url: str
    media_type: str
    schedule: str | None


@dataclass
class Source:
    key: str
    title_sv: str
    title_en: str | None
    summary: str
    publisher: str
    url: str
    item_url: str
    licence: str
    attribution: str
    contact_email: str
    region: str | None
    channels: list[Channel]
    approvals: list[Approval]
    generated: bool = False

    @property
    def iri(self) -> IRI:
        return IRI(f"{KSI}source/{self.key}")

    @property
    def current(self) -> Approval:
        return max(self.approvals, key=lambda a: a.decision_date)


@dataclass
class Region:
    code: str
    name: str
    iso: str
    url: str

    @property
    def agent_key(self) -> str:
        return slugify(self.name)

    @property
    def domain(self) -> str:
        return re.sub(r"^https://(www\.)?", "", self.url).split("/")[0]


@dataclass
class Register:
    regions: dict[str, Region]
    agents: dict[str, Agent]
    licences: dict[str, Licence]
    knowledge_areas: dict[str, tuple[str, str]]
    sources: dict[str, Source]
    regional_defaults: dict[str, Any]
    path: str


def _fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):  # only the region placeholders; {id} stays for item_url
        return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template


def parse_approval(ctx: Ctx, where: str, table: dict[str, Any]) -> Approval | None:
    decided = parse_date(ctx, where, table.get("decision_date"), "decision_date")
    valid = parse_date(ctx, where, table.get("valid_until"), "valid_until")
    status = as_str(ctx, where, table, "status")
    level = as_str(ctx, where, table, "integration_level")
    ctx.notation(where, "approval-status", status, "approval status")
    ctx.notation(where, "integration-level", level, "integration level")
    allowed = as_str_list(ctx, where, table, "allowed_content_types")
    if not allowed:
        ctx.error(where, "allowed_content_types needs at least one content type")
    ctx.notations_list(where, "content-type", allowed, "allowed content type")
    criteria_table = table.get("criteria")
    criteria: list[Assessment] = []
    if not isinstance(criteria_table, dict):
        ctx.error(where, "missing [criteria] table with K1-K9")
        criteria_table = {}
    missing = [k for k in CRITERIA if k not in criteria_table]
    extra = [k for k in criteria_table if k not in CRITERIA]
    if missing:
        ctx.error(where, f"criteria missing: {', '.join(missing)}")
    if extra:
        ctx.error(where, f"unknown criteria {', '.join(extra)} (expected K1-K9)")
    for k, notation in CRITERIA.items():
        entry = criteria_table.get(k)
        if not isinstance(entry, dict):
            continue
        cwhere = f"{where} criterion {k}"
        fulfilled = entry.get("fulfilled")
        if not isinstance(fulfilled, bool):
            ctx.error(cwhere, "fulfilled must be true or false")
            fulfilled = False
        note = as_str(ctx, cwhere, entry, "note")
        evidence = as_str(ctx, cwhere, entry, "evidence", required=False) or None
        if evidence:
            check_https(ctx, cwhere, evidence, "evidence")
        ctx.notation(cwhere, "assessment-criterion", notation, "criterion")
        criteria.append(Assessment(notation, fulfilled, note, evidence))
    if decided and valid and valid <= decided:
        ctx.error(where, f"valid_until {valid} must be after decision_date {decided}")
    if decided and decided > ctx.today:
        ctx.error(where, f"decision_date {decided} is in the future")
    if decided is None or valid is None:
        return None
    return Approval(
        decision_date=decided,
        decided_by=as_str(ctx, where, table, "decided_by"),
        status=status,
        level=level,
        allowed=allowed,
        valid_until=valid,
        note=as_str(ctx, where, table, "note", required=False) or None,
        criteria=criteria,
    )


def parse_source(
    ctx: Ctx, where: str, key: str, table: dict[str, Any], reg: Register, generated: bool
) -> Source | None:
    if not SOURCE_KEY_RE.match(key):
        ctx.error(where, f"source key {key!r} does not match [a-z0-9][a-z0-9-]*")
    region_code = table.get("region")
    region: Region | None = None
    m = re.fullmatch(r"region-(\d{2})", key)
    if m:
        region_code = region_code or m.group(1)
        if region_code != m.group(1):
            ctx.error(where, f"region {region_code!r} does not match the source key {key!r}")
    if region_code is not None:
        region = reg.regions.get(str(region_code))
        if region is None:
            ctx.error(where, f"unknown region {region_code!r} (not in [regions])")
            return None
    if region is not None and m:
        # Regional sources: everything not stated falls back to [regional_defaults].
        values = {
            "name": region.name,
            "code": region.code,
            "url": region.url,
            "domain": region.domain,
        }
        defaults = _fill(reg.regional_defaults, values)
        merged = {k: v for k, v in defaults.items() if k not in ("approval", "channels")}
        merged["publisher"] = region.agent_key
        merged["url"] = region.url
        merged.update({k: v for k, v in table.items() if k != "approvals"})
        approvals_in = table.get("approvals") or [{}]
        merged["approvals"] = [{**defaults.get("approval", {}), **a} for a in approvals_in]
        if "channels" not in table:
            merged["channels"] = defaults.get("channels", [])
        table = merged
    channels: list[Channel] = []
    for n, ch in enumerate(table.get("channels") or [], start=1):
        cwhere = f"{where} channel {n}"
        ctype = as_str(ctx, cwhere, ch, "type")
        ctx.notation(cwhere, "channel-type", ctype, "channel type")
        access = as_str(ctx, cwhere, ch, "access_url")
        check_https(ctx, cwhere, access, "access_url")
        channels.append(
            Channel(
                ctype,
                access,
                as_str(ctx, cwhere, ch, "media_type"),
                as_str(ctx, cwhere, ch, "schedule", required=False) or None,
            )
        )
    if not channels:
        ctx.error(where, "a source needs at least one [[channels]] entry")
    approvals: list[Approval] = []
    for n, a in enumerate(table.get("approvals") or [], start=1):
        approval = parse_approval(ctx, f"{where} approval {n}", a)
        if approval:
            approvals.append(approval)
    if not approvals:
        ctx.error(where, "a source needs at least one [[approvals]] entry")
        return None
    dates = Counter(a.decision_date for a in approvals)
    for d, count in dates.items():
        if count > 1:
            ctx.error(where, f"{count} approvals share the decision date {d}")
    url = as_str(ctx, where, table, "url")
    check_https(ctx, where, url, "url")
    email = as_str(ctx, where, table, "contact_email")
    if email and not EMAIL_RE.match(email):
        ctx.error(where, f"contact_email {email!r} is not a plain e-mail address")
    item_url = as_str(ctx, where, table, "item_url", required=False) or url.rstrip("/") + "/{id}/"
    if "{id}" not in item_url:
        ctx.error(where, "item_url must contain the placeholder {id}")
    return Source(
        key=key,
        title_sv=as_str(ctx, where, table, "title"),
        title_en=as_str(ctx, where, table, "title_en", required=False) or None,
        summary=as_str(ctx, where, table, "summary"),
        publisher=as_str(ctx, where, table, "publisher"),
        url=url,
        item_url=item_url,
        licence=as_str(ctx, where, table, "licence"),
        attribution=as_str(ctx, where, table, "attribution"),
        contact_email=email,
        region=region.code if region else None,
        channels=channels,
        approvals=approvals,
        generated=generated,
    )


def load_register(ctx: Ctx) -> Register | None:
    path = ctx.demo / "register.toml"
    where = rel(path, ctx.demo)
    data = load_toml(ctx, path)
    if data is None:
        return None
    reg = Register({}, {}, {}, {}, {}, data.get("regional_defaults", {}), where)
    for code, r in sorted(data.get("regions", {}).items()):
        rwhere = f"{where} [regions] {code}"
        ctx.notation(rwhere, "region", code, "region code")
        reg.regions[code] = Region(
            code,
            as_str(ctx, rwhere, r, "name"),
            as_str(ctx, rwhere, r, "iso"),
            as_str(ctx, rwhere, r, "url"),
        )
    for notation, names in sorted(data.get("knowledge_areas", {}).items()):
        kwhere = f"{where} [knowledge_areas] {notation}"
        ctx.notation(kwhere, "knowledge-area", notation, "knowledge area")
        reg.knowledge_areas[notation] = (
            as_str(ctx, kwhere, names, "sv"),
            as_str(ctx, kwhere, names, "en"),
        )
    for key, a in sorted(data.get("agents", {}).items()):
        awhere = f"{where} [agents.{key}]"
        url = as_str(ctx, awhere, a, "url", required=False) or None
        if url:
            check_https(ctx, awhere, url, "url")
        reg.agents[key] = Agent(
            key,
            as_str(ctx, awhere, a, "name"),
            as_str(ctx, awhere, a, "name_en", required=False) or None,
            url,
            None,
            as_str(ctx, awhere, a, "description", required=False) or None,
        )
    for region in reg.regions.values():
        if region.agent_key in reg.agents:
            ctx.error(where, f"agent key {region.agent_key!r} clashes with a region organisation")
        reg.agents[region.agent_key] = Agent(
            region.agent_key, region.name, None, region.url or None, region.code
        )
    for key, lic in sorted(data.get("licences", {}).items()):
        lwhere = f"{where} [licences.{key}]"
        level = as_str(ctx, lwhere, lic, "max_integration_level")
        ctx.notation(lwhere, "integration-level", level, "max integration level")
        attribution = lic.get("attribution_required")
        if not isinstance(attribution, bool):
            ctx.error(lwhere, "attribution_required must be true or false")
            attribution = True
        url = as_str(ctx, lwhere, lic, "url")
        check_https(ctx, lwhere, url, "url")
        reg.licences[key] = Licence(
            key,
            as_str(ctx, lwhere, lic, "title"),
            as_str(ctx, lwhere, lic, "title_en", required=False) or None,
            url,
            attribution,
            level,
        )
    for key, s in data.get("sources", {}).items():
        source = parse_source(ctx, f"{where} [sources.{key}]", key, s, reg, generated=False)
        if source:
            reg.sources[key] = source
    return reg


def ensure_source(ctx: Ctx, reg: Register, key: str, where: str) -> Source | None:
    """The register's source, or a generated one for region-XX; None (with an error) if unknown."""
    if key in reg.sources:
        return reg.sources[key]
    m = re.fullmatch(r"region-(\d{2})", key)
    if m and m.group(1) in reg.regions:
        source = parse_source(
            ctx, f"{reg.path} [regional_defaults] for {key}", key, {}, reg, generated=True
        )
        if source:
            reg.sources[key] = source
            ctx.warn(where, f"source {key!r} not in register.toml: generated from the defaults")
        return source
    known = ", ".join(sorted(reg.sources))
    hint = (
        f" (region code {m.group(1)!r} is not a länskod in [regions])"
        if m
        else f"; known keys: {known}, or region-<länskod>"
    )
    ctx.error(where, f"unknown source key {key!r}{hint}")
    return None


def check_register(ctx: Ctx, reg: Register) -> None:
    for source in reg.sources.values():
        where = f"{reg.path} [sources.{source.key}]"
        if source.publisher not in reg.agents:
            ctx.error(where, f"publisher {source.publisher!r} is not an agent in the register")
        licence = reg.licences.get(source.licence)
        if licence is None:
            ctx.error(where, f"licence {source.licence!r} is not in [licences]")
        for a in source.approvals:
            if a.decided_by not in reg.agents:
                ctx.error(where, f"approval decided_by {a.decided_by!r} is not a known agent")
            if (
                licence
                and a.level in INTEGRATION_RANK
                and licence.max_level in INTEGRATION_RANK
                and INTEGRATION_RANK[a.level] > INTEGRATION_RANK[licence.max_level]
            ):
                ctx.error(
                    where,
                    f"approval {a.decision_date}: integration level {a.level!r} exceeds the "
                    f"licence {licence.key!r} maximum {licence.max_level!r}",
                )


# --------------------------------------------------------------------------------------------
# Codes (codes/*.toml and `codes = [...]` in content files)
# --------------------------------------------------------------------------------------------


@dataclass
class Code:
    system: str
    notation: str
    sv: str
    en: str
    origin: str
    kind: str = "code"  # code | block | chapter (ICD) / level 1-5 (ATC: "atc")
    range: tuple[str, str] | None = None

    @property
    def iri(self) -> IRI:
        return concept(self.system, self.notation)


@dataclass
class Codes:
    by_system: dict[str, dict[str, Code]] = field(
        default_factory=lambda: {s: {} for s in CODE_SYSTEMS}
    )
    schemes: dict[str, dict[str, str]] = field(default_factory=dict)
    # (system, notation) → {"alt_sv": [...], "hidden_sv": [...]}: the words staff use for a
    # code (KOL, UVI), which search reads as synonyms and abbreviations.
    synonyms: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    synonym_origin: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, ctx: Ctx, code: Code, where: str) -> None:
        existing = self.by_system[code.system].get(code.notation)
        if existing is None:
            self.by_system[code.system][code.notation] = code
            return
        if _norm(existing.sv) != _norm(code.sv) or _norm(existing.en) != _norm(code.en):
            ctx.error(
                where,
                f"{code.system} code {code.notation} declared with different labels: "
                f"{code.sv!r}/{code.en!r} here, {existing.sv!r}/{existing.en!r} in "
                f"{existing.origin}",
            )

    def systems_of(self, notation: str) -> list[str]:
        return [s for s in CODE_SYSTEMS if notation in self.by_system[s]]


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_code_entry(
    ctx: Ctx, where: str, entry: Any, system: str | None, origin: str
) -> Code | None:
    if not isinstance(entry, dict):
        ctx.error(where, f"code entry must be a table, got {entry!r}")
        return None
    system = system or as_str(ctx, where, entry, "system")
    notation = as_str(ctx, where, entry, "code")
    if system not in CODE_SYSTEMS:
        ctx.error(where, f"unknown code system {system!r} (expected one of {CODE_SYSTEMS})")
        return None
    pattern = ICD_RE if system == "icd-10-se" else ATC_RE
    if system == "atc" and len(notation) not in ATC_LEVEL_LENGTHS:
        ctx.error(where, f"ATC code {notation!r} has an invalid length")
        return None
    if not pattern.match(notation):
        ctx.error(where, f"{notation!r} is not a well-formed {system} code")
        return None
    return Code(
        system, notation, as_str(ctx, where, entry, "sv"), as_str(ctx, where, entry, "en"), origin
    )


def load_code_files(ctx: Ctx, codes: Codes) -> None:
    for system in CODE_SYSTEMS:
        path = ctx.demo / "codes" / f"{system}.toml"
        where = rel(path, ctx.demo)
        data = load_toml(ctx, path)
        if data is None:
            continue
        allowed = {"scheme", "codes", "synonyms"}
        allowed |= {"chapters", "blocks"} if system == "icd-10-se" else set()
        unknown = sorted(set(data) - allowed)
        if unknown:
            ctx.error(where, f"unknown top-level keys {unknown}")
        scheme = data.get("scheme", {})
        extra = sorted(set(scheme) - {"sv", "en", "definition_sv", "definition_en"})
        if extra:
            ctx.error(
                f"{where} [scheme]",
                f"unknown keys {extra} (arrays written after [scheme] belong to it: "
                "put top-level arrays before the first table header)",
            )
        codes.schemes[system] = {
            k: as_str(ctx, f"{where} [scheme]", scheme, k)
            for k in ("sv", "en", "definition_sv", "definition_en")
        }
        if system == "icd-10-se":
            for entry in data.get("chapters", []):
                cwhere = f"{where} chapter {entry.get('notation')!r}"
                notation = as_str(ctx, cwhere, entry, "notation")
                m = ICD_BLOCK_RE.match(as_str(ctx, cwhere, entry, "range"))
                if not ROMAN_RE.match(notation) or not m:
                    ctx.error(cwhere, "chapter needs a roman-numeral notation and a range A00-B99")
                    continue
                codes.add(
                    ctx,
                    Code(
                        system,
                        notation,
                        as_str(ctx, cwhere, entry, "sv"),
                        as_str(ctx, cwhere, entry, "en"),
                        where,
                        "chapter",
                        (m.group(1), m.group(2)),
                    ),
                    cwhere,
                )
            for entry in data.get("blocks", []):
                bwhere = f"{where} block {entry.get('code')!r}"
                notation = as_str(ctx, bwhere, entry, "code")
                m = ICD_BLOCK_RE.match(notation)
                if not m or m.group(1) > m.group(2):
                    ctx.error(bwhere, "block code must be a range like J40-J47")
                    continue
                codes.add(
                    ctx,
                    Code(
                        system,
                        notation,
                        as_str(ctx, bwhere, entry, "sv"),
                        as_str(ctx, bwhere, entry, "en"),
                        where,
                        "block",
                        (m.group(1), m.group(2)),
                    ),
                    bwhere,
                )
        for entry in data.get("codes", []):
            ewhere = f"{where} code {entry.get('code')!r}"
            code = parse_code_entry(ctx, ewhere, entry, system, where)
            if code:
                codes.add(ctx, code, ewhere)
        for entry in data.get("synonyms", []):
            swhere = f"{where} synonyms {entry.get('code')!r}"
            unknown = sorted(set(entry) - {"code", "alt_sv", "hidden_sv"})
            if unknown:
                ctx.error(swhere, f"unknown keys {unknown} (code, alt_sv, hidden_sv)")
                continue
            key = (system, as_str(ctx, swhere, entry, "code"))
            words = {k: entry.get(k, []) for k in ("alt_sv", "hidden_sv")}
            if not all(
                isinstance(v, list) and all(isinstance(w, str) for w in v) for v in words.values()
            ):
                ctx.error(swhere, "alt_sv and hidden_sv are lists of text")
                continue
            codes.synonyms[key] = words
            codes.synonym_origin[key] = swhere


def check_synonyms(ctx: Ctx, codes: Codes) -> None:
    """Synonyms should name a code that the demo declares (in codes/ or a content file)."""
    for (system, notation), where in codes.synonym_origin.items():
        if notation not in codes.by_system[system]:
            # A warning, not an error: a trimmed corpus may leave out the condition.
            ctx.warn(where, f"synonyms for {notation}, which no file declares: skipped")


def code_hierarchy(ctx: Ctx, codes: Codes) -> dict[tuple[str, str], str | None]:
    """(system, notation) -> broader notation (None for top concepts)."""
    parent: dict[tuple[str, str], str | None] = {}
    icd = codes.by_system["icd-10-se"]
    chapters = [c for c in icd.values() if c.kind == "chapter"]
    blocks = [c for c in icd.values() if c.kind == "block"]

    def contains(outer: tuple[str, str], inner: tuple[str, str]) -> bool:
        return outer[0] <= inner[0] and inner[1] <= outer[1]

    def width(c: Code) -> tuple[str, str]:
        assert c.range
        return c.range

    for c in icd.values():
        key = ("icd-10-se", c.notation)
        if c.kind == "chapter":
            parent[key] = None
        elif c.kind == "block":
            assert c.range
            outer = [b for b in blocks if b is not c and contains(width(b), c.range)]
            if outer:  # nested blocks (e.g. C00-C75 inside C00-C97): the narrowest encloser
                parent[key] = max(outer, key=lambda b: (width(b)[0], _neg(width(b)[1]))).notation
                continue
            holders = [ch for ch in chapters if contains(width(ch), c.range)]
            if len(holders) != 1:
                ctx.error(c.origin, f"ICD block {c.notation} lies in no single chapter")
                parent[key] = None
            else:
                parent[key] = holders[0].notation
        elif "." not in c.notation:
            span = (c.notation, c.notation)
            holders = [b for b in blocks if contains(width(b), span)]
            if not holders:
                ctx.error(
                    c.origin,
                    f"no ICD-10 block in codes/icd-10-se.toml covers {c.notation}: add one",
                )
                parent[key] = None
            else:
                narrow = max(holders, key=lambda b: (width(b)[0], _neg(width(b)[1])))
                parent[key] = narrow.notation
        else:
            candidate = c.notation[:-1]
            while len(candidate) > 3 and candidate.rstrip(".") not in icd:
                candidate = candidate[:-1]
            candidate = candidate.rstrip(".")
            if candidate not in icd:
                ctx.error(
                    c.origin,
                    f"ICD code {c.notation} needs its parent {c.notation[:3]} declared "
                    "(in the content file's codes or codes/icd-10-se.toml)",
                )
                parent[key] = None
            else:
                parent[key] = candidate
    atc = codes.by_system["atc"]
    for c in atc.values():
        key = ("atc", c.notation)
        level = ATC_LEVEL_LENGTHS.index(len(c.notation))
        if level == 0:
            parent[key] = None
            continue
        up = c.notation[: ATC_LEVEL_LENGTHS[level - 1]]
        missing = [c.notation[:n] for n in ATC_LEVEL_LENGTHS[:level] if c.notation[:n] not in atc]
        if up not in atc:
            ctx.error(
                c.origin,
                f"ATC code {c.notation} needs its parent levels {', '.join(missing)} "
                "(add them to codes/atc.toml)",
            )
            parent[key] = None
        else:
            parent[key] = up
    return parent


def _neg(text: str) -> str:
    """Sort key that reverses string order for the fixed-width ICD code alphabet."""
    return "".join(chr(255 - ord(ch)) for ch in text)


def build_code_scheme(
    codes: Codes, system: str, parent: dict[tuple[str, str], str | None]
) -> Graph:
    g = Graph()
    scheme = IRI(KSV + system)
    meta = codes.schemes.get(system, {})
    g.add(scheme, IRI(RDF_TYPE), IRI(SKOS + "ConceptScheme"))
    g.add(scheme, IRI(SKOS + "prefLabel"), sv(meta.get("sv", system)))
    g.add(scheme, IRI(SKOS + "prefLabel"), en(meta.get("en", system)))
    if meta.get("definition_sv"):
        g.add(scheme, IRI(SKOS + "definition"), sv(meta["definition_sv"]))
    if meta.get("definition_en"):
        g.add(scheme, IRI(SKOS + "definition"), en(meta["definition_en"]))
    for c in codes.by_system[system].values():
        s = c.iri
        g.add(s, IRI(RDF_TYPE), IRI(SKOS + "Concept"))
        g.add(s, IRI(SKOS + "inScheme"), scheme)
        g.add(s, IRI(SKOS + "notation"), Lit(c.notation))
        g.add(s, IRI(SKOS + "prefLabel"), sv(c.sv))
        g.add(s, IRI(SKOS + "prefLabel"), en(c.en))
        words = codes.synonyms.get((system, c.notation), {})
        for word in words.get("alt_sv", []):
            g.add(s, IRI(SKOS + "altLabel"), sv(word))
        for word in words.get("hidden_sv", []):
            g.add(s, IRI(SKOS + "hiddenLabel"), sv(word))
        if c.range:
            g.add(s, IRI(SKOS + "scopeNote"), sv(f"Omfattar koderna {c.range[0]}–{c.range[1]}."))
            g.add(s, IRI(SKOS + "scopeNote"), en(f"Covers codes {c.range[0]}–{c.range[1]}."))
        up = parent.get((system, c.notation))
        if up is None:
            g.add(s, IRI(SKOS + "topConceptOf"), scheme)
            g.add(scheme, IRI(SKOS + "hasTopConcept"), s)
        else:
            g.add(s, IRI(SKOS + "broader"), concept(system, up))
            g.add(concept(system, up), IRI(SKOS + "narrower"), s)
    return g


# --------------------------------------------------------------------------------------------
# Content (content/*.toml)
# --------------------------------------------------------------------------------------------


@dataclass
class Item:
    file: str
    condition: str
    source: str
    local_id: str
    kind: str  # product | section | recommendation | supplement
    data: dict[str, Any]
    file_area: Any
    file_groups: Any
    parent: Item | None = None
    position: int | None = None
    parts: list[Item] = field(default_factory=list)
    supplemented_by: list[Item] = field(default_factory=list)
    # filled while mapping
    content_type: str | None = None
    last_reviewed: str | None = None
    lifecycle: str = "gallande"

    @property
    def identifier(self) -> str:
        return f"{self.source}:{self.local_id}"

    @property
    def iri(self) -> IRI:
        return IRI(f"{KSI}item/{self.source}/{self.local_id}")

    @property
    def where(self) -> str:
        return f"{self.file}: item {self.identifier}"

    @property
    def product(self) -> Item:
        return self.parent if self.parent is not None else self

    @property
    def version_iri(self) -> IRI | None:
        p = self.product
        if p.last_reviewed is None:
            return None
        return IRI(f"{KSI}version/{p.source}/{p.local_id}/{p.last_reviewed}")


@dataclass
class Content:
    files: list[str] = field(default_factory=list)
    conditions: dict[str, str] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    index: dict[str, Item] = field(default_factory=dict)
    file_codes: dict[str, dict[str, set[str]]] = field(default_factory=dict)


def load_content(ctx: Ctx, reg: Register, codes: Codes) -> Content:
    content = Content()
    paths = sorted((ctx.demo / "content").glob("*.toml"))
    if not paths:
        ctx.error("content/", "no content files found")
    for path in paths:
        fname = rel(path, ctx.demo)
        data = load_toml(ctx, path)
        if data is None:
            continue
        content.files.append(fname)
        unknown = sorted(set(data) - FILE_KEYS)
        if unknown:
            ctx.error(fname, f"unknown top-level keys {unknown}")
        slug = as_str(ctx, fname, data, "slug")
        if slug and slug != path.stem:
            ctx.error(fname, f"slug {slug!r} must equal the file stem {path.stem!r}")
        if slug and not SLUG_RE.match(slug):
            ctx.error(fname, f"slug {slug!r} must match [a-z0-9][a-z0-9-]*")
        content.conditions[path.stem] = as_str(ctx, fname, data, "name")
        if "knowledge_area" not in data:
            ctx.error(fname, "missing required field 'knowledge_area'")
        file_codes: dict[str, set[str]] = defaultdict(set)
        for n, entry in enumerate(data.get("codes", []), start=1):
            code = parse_code_entry(ctx, f"{fname} codes[{n}]", entry, None, fname)
            if code:
                codes.add(ctx, code, f"{fname} codes[{n}]")
                file_codes[code.notation].add(code.system)
        content.file_codes[fname] = file_codes
        items = data.get("items", [])
        if not isinstance(items, list) or not items:
            ctx.error(fname, "no [[items]]")
            continue
        for n, raw in enumerate(items, start=1):
            source = raw.get("source")
            local_id = raw.get("id")
            where = f"{fname}: item #{n} ({source}:{local_id})"
            if not isinstance(source, str) or not isinstance(local_id, str):
                ctx.error(where, "items need string 'source' and 'id'")
                continue
            if not LOCAL_ID_RE.match(local_id):
                ctx.error(where, f"local id {local_id!r} must match [a-z0-9][a-z0-9._-]*")
            if ensure_source(ctx, reg, source, where) is None:
                continue
            kind = raw.get("kind")
            if kind not in ("product", "supplement"):
                ctx.error(where, f"kind must be 'product' or 'supplement', got {kind!r}")
                continue
            unknown = sorted(set(raw) - ITEM_KEYS)
            if unknown:
                ctx.error(where, f"unknown keys {unknown}")
            item = Item(
                fname,
                path.stem,
                source,
                local_id,
                kind,
                raw,
                data.get("knowledge_area"),
                data.get("patient_groups"),
            )
            content.items.append(item)
            if kind == "supplement" and (raw.get("sections") or raw.get("recommendations")):
                ctx.error(item.where, "supplements cannot have sections or recommendations")
                continue
            position = 0
            for key, part_kind, allowed in (
                ("sections", "section", PART_KEYS),
                ("recommendations", "recommendation", RECOMMENDATION_KEYS),
            ):
                for praw in raw.get(key, []) or []:
                    position += 1
                    slug = praw.get("slug")
                    if not isinstance(slug, str) or not SLUG_RE.match(slug):
                        ctx.error(item.where, f"{part_kind} #{position}: bad slug {slug!r}")
                        continue
                    part = Item(
                        fname,
                        path.stem,
                        source,
                        f"{local_id}.{slug}",
                        part_kind,
                        praw,
                        None,
                        None,
                        parent=item,
                        position=position,
                    )
                    unknown = sorted(set(praw) - allowed)
                    if unknown:
                        ctx.error(part.where, f"unknown keys {unknown}")
                    item.parts.append(part)
                    content.items.append(part)
    for item in content.items:
        other = content.index.get(item.identifier)
        if other is not None:
            ctx.error(item.where, f"duplicate identifier (also in {other.file})")
            continue
        content.index[item.identifier] = item
    return content


class Mapper:
    def __init__(self, ctx: Ctx, reg: Register, codes: Codes, content: Content) -> None:
        self.ctx = ctx
        self.reg = reg
        self.codes = codes
        self.content = content
        self.graphs: dict[str, Graph] = {key: Graph() for key in reg.sources}
        self.areas_used: set[str] = set()
        self.overdue: list[Item] = []

    # -- helpers ------------------------------------------------------------------------------

    def publisher_for(self, item: Item, areas: list[str]) -> Agent | None:
        """NKK: the NPO of the (first) knowledge area; otherwise the source's publisher."""
        if item.source == "nkk":
            # a stub with the right IRI; build_register_graph emits the full NPO agent
            return Agent(f"npo-{areas[0]}", "") if areas else None
        return self.reg.agents.get(self.reg.sources[item.source].publisher)

    def subjects(self, item: Item) -> list[IRI]:
        out: list[IRI] = []
        file_codes = self.content.file_codes.get(item.file, {})
        for code in as_str_list(self.ctx, item.where, item.data, "subjects"):
            systems = sorted(file_codes.get(code, set())) or self.codes.systems_of(code)
            if not systems:
                self.ctx.error(
                    item.where,
                    f"subject {code!r} is not declared in the file's codes or in codes/*.toml",
                )
            elif len(systems) > 1:
                self.ctx.error(item.where, f"subject {code!r} is ambiguous: declared in {systems}")
            else:
                out.append(concept(systems[0], code))
        return out

    def text(self, g: Graph, item: Item, key: str, prop: str, required: bool = False) -> None:
        value = as_str(self.ctx, item.where, item.data, key, required=required)
        if value:
            g.add(item.iri, ks(prop), sv(value))

    def dates(self, g: Graph, item: Item) -> None:
        ctx, d, s = self.ctx, item.data, item.iri
        issued = parse_date(ctx, item.where, d.get("issued"), "issued") if "issued" in d else None
        if "issued" not in d:
            ctx.error(item.where, "missing required field 'issued'")
        modified = (
            parse_datetime(ctx, item.where, d.get("modified"), "modified")
            if "modified" in d
            else None
        )
        if "modified" not in d:
            ctx.error(item.where, "missing required field 'modified'")
        reviewed = None
        if "last_reviewed" in d:
            reviewed = parse_date(ctx, item.where, d.get("last_reviewed"), "last_reviewed")
        else:
            ctx.error(item.where, "missing required field 'last_reviewed'")
        nxt = None
        if "next_review" in d:
            nxt = parse_date(ctx, item.where, d.get("next_review"), "next_review")
        if issued:
            g.add(s, ks("issued"), xdate(issued.isoformat()))
            if issued > ctx.today:
                ctx.error(item.where, f"issued {issued} is in the future")
        if modified:
            g.add(s, ks("modified"), xdatetime(modified[1]))
            if modified[0] > ctx.now:
                ctx.error(item.where, f"modified {modified[1]} is in the future")
            if issued and modified[0].date() < issued:
                ctx.error(item.where, f"modified {modified[1]} is before issued {issued}")
        if reviewed:
            item.last_reviewed = reviewed.isoformat()
            g.add(s, ks("lastReviewed"), xdate(item.last_reviewed))
            if reviewed > ctx.today:
                ctx.error(item.where, f"last_reviewed {reviewed} is in the future")
            if issued and reviewed < issued:
                ctx.error(item.where, f"last_reviewed {reviewed} is before issued {issued}")
        if nxt:
            g.add(s, ks("nextReview"), xdate(nxt.isoformat()))
            if reviewed and nxt <= reviewed:
                ctx.error(item.where, f"next_review {nxt} must be after last_reviewed {reviewed}")
            if nxt < ctx.today:
                self.overdue.append(item)

    def common(self, g: Graph, item: Item, cls: str) -> None:
        s = item.iri
        g.add(s, IRI(RDF_TYPE), ks(cls))
        g.add(s, ks("identifier"), Lit(item.identifier))
        g.add(s, ks("source"), self.reg.sources[item.source].iri)
        g.add(s, ks("language"), Lit("sv"))
        title = as_str(self.ctx, item.where, item.data, "title")
        if title:
            g.add(s, ks("title"), sv(title))
            if len(title) > 200:
                self.ctx.error(item.where, f"title is {len(title)} characters (max 200)")
        for alt in as_str_list(self.ctx, item.where, item.data, "alt_titles"):
            g.add(s, ks("alternativeTitle"), sv(alt))
        summary = as_str(
            self.ctx,
            item.where,
            item.data,
            "summary",
            required=item.kind in ("product", "supplement"),
        )
        if summary:
            if len(summary) > SUMMARY_MAX:
                self.ctx.error(
                    item.where, f"summary is {len(summary)} characters (max {SUMMARY_MAX})"
                )
            g.add(s, ks("summary"), sv(summary))
        self.text(g, item, "body", "body")
        self.text(g, item, "practical_advice", "practicalAdvice")
        g.add_all(
            s,
            ks("careSetting"),
            list(
                self.ctx.notations_list(
                    item.where, "care-setting", item.data.get("care_setting"), "care setting"
                )
            ),
        )

    def lifecycle(self, g: Graph, item: Item, default: str) -> None:
        value = item.data.get("lifecycle", default)
        if self.ctx.notation(item.where, "lifecycle", value, "lifecycle state"):
            item.lifecycle = value
            g.add(item.iri, ks("lifecycleState"), concept("lifecycle", value))

    def areas_and_groups(self, g: Graph, item: Item) -> list[str]:
        areas_raw = item.data.get("knowledge_area", item.file_area)
        areas = [areas_raw] if isinstance(areas_raw, str) else list(areas_raw or [])
        if item.kind == "product" and not areas:
            self.ctx.error(item.where, "no knowledge_area (item or file default)")
        iris = self.ctx.notations_list(item.where, "knowledge-area", areas, "knowledge area")
        g.add_all(item.iri, ks("knowledgeArea"), list(iris))
        valid = [a for a in areas if isinstance(a, str) and concept("knowledge-area", a) in iris]
        self.areas_used.update(valid)
        groups = item.data.get("patient_groups", item.file_groups)
        g.add_all(
            item.iri,
            ks("patientGroup"),
            list(self.ctx.notations_list(item.where, "patient-group", groups, "patient group")),
        )
        return valid

    def audience(self, g: Graph, item: Item, required: bool) -> None:
        values = item.data.get("audience")
        iris = self.ctx.notations_list(item.where, "audience", values, "audience")
        if required and not values:
            self.ctx.error(item.where, "audience needs at least one ksv:audience notation")
        g.add_all(item.iri, ks("audience"), list(iris))

    def url(self, g: Graph, item: Item) -> None:
        given = as_str(self.ctx, item.where, item.data, "url", required=False)
        if given:
            if check_https(self.ctx, item.where, given, "url"):
                g.add(item.iri, ks("url"), xuri(given))
            return
        template = self.reg.sources[item.source].item_url
        g.add(item.iri, ks("url"), xuri(template.replace("{id}", item.local_id)))

    def version_and_review(self, g: Graph, item: Item, publisher: Agent | None) -> None:
        label = item.data.get("version")
        if label is not None and not isinstance(label, str):
            self.ctx.error(item.where, f"version must be a string label, got {label!r}")
            label = str(label)
        if label:
            g.add(item.iri, ks("versionLabel"), Lit(label))
        note = as_str(self.ctx, item.where, item.data, "version_note", required=False)
        if item.last_reviewed is None:
            return
        if item.kind == "product":
            v = item.version_iri
            assert v is not None
            g.add(item.iri, ks("currentVersion"), v)
            g.add(v, IRI(RDF_TYPE), ks("Version"))
            g.add(v, ks("versionOf"), item.iri)
            g.add(v, ks("lastReviewed"), xdate(item.last_reviewed))
            if label:
                g.add(v, ks("versionLabel"), Lit(label))
            if note:
                g.add(v, ks("versionNote"), sv(note))
        r = IRI(f"{KSI}review/{item.source}/{item.local_id}/1")
        g.add(item.iri, ks("hasReview"), r)
        g.add(r, IRI(RDF_TYPE), ks("Review"))
        review_type = REVIEW_TYPE.get(item.source, DEFAULT_REVIEW_TYPE)
        g.add(r, ks("reviewType"), concept("review-type", review_type))
        g.add(r, ks("reviewDate"), xdate(item.last_reviewed))
        if publisher:
            g.add(r, ks("reviewer"), publisher.iri)

    # -- kinds --------------------------------------------------------------------------------

    def product(self, item: Item) -> None:
        g = self.graphs[item.source]
        source = self.reg.sources[item.source]
        self.common(g, item, "KnowledgeProduct")
        ct = as_str(self.ctx, item.where, item.data, "content_type")
        if ct and self.ctx.notation(item.where, "content-type", ct, "content type"):
            item.content_type = ct
            g.add(item.iri, ks("contentType"), concept("content-type", ct))
            if ct == "regionalt-tillagg":
                self.ctx.error(item.where, "use kind = 'supplement' for regional supplements")
            if ct not in source.current.allowed:
                self.ctx.warn(
                    item.where,
                    f"content type {ct!r} is not among the types allowed by the current "
                    f"approval of {source.key!r}",
                )
        self.audience(g, item, required=True)
        areas = self.areas_and_groups(g, item)
        g.add_all(item.iri, ks("subject"), list(self.subjects(item)))
        self.dates(g, item)
        self.lifecycle(g, item, "gallande")
        self.url(g, item)
        if source.region:
            g.add(item.iri, ks("region"), concept("region", source.region))
        publisher = self.publisher_for(item, areas)
        if publisher:
            g.add(item.iri, ks("publisher"), publisher.iri)
            if item.source == "nkk":
                g.add(item.iri, ks("approvedBy"), publisher.iri)
        self.version_and_review(g, item, publisher)
        for part in item.parts:
            g.add(item.iri, ks("hasPart"), part.iri)
            self.part(part)
        if "supplements" in item.data or "region" in item.data:
            self.ctx.error(item.where, "'supplements'/'region' are only for kind = 'supplement'")

    def part(self, item: Item) -> None:
        g = self.graphs[item.source]
        cls = "Section" if item.kind == "section" else "Recommendation"
        self.common(g, item, cls)
        assert item.parent is not None and item.position is not None
        g.add(item.iri, ks("isPartOf"), item.parent.iri)
        g.add(item.iri, ks("position"), xint(item.position))
        self.lifecycle(g, item, item.parent.lifecycle)
        self.audience(g, item, required=False)
        g.add_all(item.iri, ks("subject"), list(self.subjects(item)))
        if item.kind == "recommendation":
            self.text(g, item, "rationale", "rationale")
            if "priority" in item.data:
                prio = self.ctx.notation(
                    item.where, "priority", str(item.data["priority"]), "priority"
                )
                g.add(item.iri, ks("recommendationStrength"), prio)
            if "evidence" in item.data:
                grade = self.ctx.notation(
                    item.where, "evidence-grade", item.data["evidence"], "evidence grade"
                )
                g.add(item.iri, ks("evidenceGrade"), grade)

    def supplement(self, item: Item) -> None:
        g = self.graphs[item.source]
        source = self.reg.sources[item.source]
        self.common(g, item, "RegionalSupplement")
        g.add(item.iri, ks("contentType"), concept("content-type", "regionalt-tillagg"))
        if item.data.get("content_type") not in (None, "regionalt-tillagg"):
            self.ctx.error(item.where, "a supplement's content_type is always regionalt-tillagg")
        region = item.data.get("region", source.region)
        region = str(region) if region is not None else None
        if source.region is None:
            self.ctx.error(
                item.where, f"supplements must live in a regional source, not {source.key!r}"
            )
        elif region != source.region:
            self.ctx.error(
                item.where,
                f"region {region!r} does not match the source's region {source.region!r}",
            )
        if region and self.ctx.notation(item.where, "region", region, "region"):
            if region == "nationell":
                self.ctx.error(item.where, "a supplement needs one of the 21 regions")
            g.add(item.iri, ks("region"), concept("region", region))
        self.audience(g, item, required=True)
        self.areas_and_groups(g, item)
        g.add_all(item.iri, ks("subject"), list(self.subjects(item)))
        self.dates(g, item)
        self.lifecycle(g, item, "gallande")
        self.url(g, item)
        publisher = self.reg.agents.get(source.publisher)
        if publisher:
            g.add(item.iri, ks("publisher"), publisher.iri)
        self.version_and_review(g, item, publisher)
        target_id = item.data.get("supplements")
        if not isinstance(target_id, str):
            self.ctx.error(item.where, "missing 'supplements' (identifier of the national item)")
            return
        target = self.content.index.get(target_id)
        if target is None:
            self.ctx.error(item.where, f"supplements target {target_id!r} does not exist")
            return
        if target.kind == "supplement":
            self.ctx.error(item.where, f"supplements target {target_id!r} is itself a supplement")
            return
        if self.reg.sources[target.source].region is not None:
            self.ctx.error(item.where, f"supplements target {target_id!r} is not a national item")
            return
        g.add(item.iri, ks("supplements"), target.iri)
        g.add(target.iri, ks("hasRegionalSupplement"), item.iri)
        target.supplemented_by.append(item)
        version = target.version_iri
        if version is None:
            self.ctx.error(
                item.where, f"target {target_id!r} has no version to pin (last_reviewed)"
            )
        else:
            g.add(item.iri, ks("supplementsVersion"), version)

    def relations(self, item: Item) -> None:
        g = self.graphs[item.source]
        for key, (prop, inverse) in RELATIONS.items():
            for target_id in as_str_list(self.ctx, item.where, item.data, key):
                target = self.content.index.get(target_id)
                if target is None:
                    self.ctx.error(
                        item.where, f"{key}: target {target_id!r} does not exist in the corpus"
                    )
                    continue
                if target is item:
                    self.ctx.error(item.where, f"{key}: an item cannot relate to itself")
                    continue
                g.add(item.iri, ks(prop), target.iri)
                if inverse:
                    g.add(target.iri, ks(inverse), item.iri)

    def run(self) -> None:
        for item in self.content.items:
            if item.kind == "product":
                self.product(item)
        # supplements pin versions of products, so they come after all products
        for item in self.content.items:
            if item.kind == "supplement":
                self.supplement(item)
        for item in self.content.items:
            self.relations(item)


# --------------------------------------------------------------------------------------------
# Register graph
# --------------------------------------------------------------------------------------------


def build_register_graph(ctx: Ctx, reg: Register, areas_used: set[str]) -> Graph:
    g = Graph()
    for notation in sorted(areas_used):
        names = reg.knowledge_areas.get(notation)
        if names is None:
            ctx.error(
                reg.path, f"knowledge area {notation!r} is used but has no [knowledge_areas] name"
            )
            continue
        key = f"npo-{notation}"
        if key in reg.agents:
            continue
        desc = (
            f"Nationellt programområde (NPO) {names[0].lower()} inom regionernas system för "
            "kunskapsstyrning. Fastställer nationella kliniska kunskapsstöd inom området."
        )
        if notation == "vardhygien":
            desc = (
                "Vårdhygien är ett tvärgående kunskapsområde och inget eget NPO; aktören finns "
                "i demokorpusen som utgivare av kunskapsstöd inom området."
            )
        reg.agents[key] = Agent(key, f"NPO {names[0]}", f"NPO {names[1]}", None, None, desc)
    for agent in reg.agents.values():
        s = agent.iri
        g.add(s, IRI(RDF_TYPE), ks("Organisation"))
        g.add(s, ks("name"), sv(agent.name_sv))
        if agent.name_en:
            g.add(s, ks("name"), en(agent.name_en))
        if agent.url:
            g.add(s, ks("url"), xuri(agent.url))
        if agent.region:
            g.add(s, ks("region"), concept("region", agent.region))
        if agent.description:
            g.add(s, IRI(DCTERMS + "description"), sv(agent.description))
    for lic in reg.licences.values():
        s = IRI(f"{KSI}licence/{lic.key}")
        g.add(s, IRI(RDF_TYPE), ks("Licence"))
        g.add(s, ks("title"), sv(lic.title_sv))
        if lic.title_en:
            g.add(s, ks("title"), en(lic.title_en))
        g.add(s, ks("url"), xuri(lic.url))
        g.add(s, ks("attributionRequired"), xbool(lic.attribution_required))
        g.add(s, ks("maxIntegrationLevel"), concept("integration-level", lic.max_level))
    for source in reg.sources.values():
        s = source.iri
        g.add(s, IRI(RDF_TYPE), ks("KnowledgeSource"))
        g.add(s, ks("sourceKey"), Lit(source.key))
        g.add(s, ks("title"), sv(source.title_sv))
        if source.title_en:
            g.add(s, ks("title"), en(source.title_en))
        g.add(s, ks("summary"), sv(source.summary))
        g.add(s, ks("publisher"), IRI(f"{KSI}agent/{source.publisher}"))
        g.add(s, ks("url"), xuri(source.url))
        g.add(s, ks("licence"), IRI(f"{KSI}licence/{source.licence}"))
        g.add(s, ks("attribution"), sv(source.attribution))
        g.add(s, ks("contactEmail"), Lit(source.contact_email))
        g.add(s, ks("language"), Lit("sv"))
        if source.region:
            g.add(s, ks("region"), concept("region", source.region))
        for n, ch in enumerate(source.channels, start=1):
            c = IRI(f"{KSI}channel/{source.key}/{n}")
            g.add(s, ks("hasChannel"), c)
            g.add(c, IRI(RDF_TYPE), ks("IngestionChannel"))
            g.add(c, ks("channelType"), concept("channel-type", ch.type))
            g.add(c, ks("accessURL"), xuri(ch.access_url))
            g.add(c, ks("mediaType"), Lit(ch.media_type))
            if ch.schedule:
                g.add(c, ks("schedule"), Lit(ch.schedule))
        current = source.current
        for a in source.approvals:
            day = a.decision_date.isoformat()
            ap = IRI(f"{KSI}approval/{source.key}/{day}")
            g.add(s, ks("hasApproval"), ap)
            if a is current:
                g.add(s, ks("currentApproval"), ap)
            g.add(ap, IRI(RDF_TYPE), ks("SourceApproval"))
            g.add(ap, ks("approvalStatus"), concept("approval-status", a.status))
            g.add(ap, ks("integrationLevel"), concept("integration-level", a.level))
            g.add_all(ap, ks("allowedContentType"), [concept("content-type", t) for t in a.allowed])
            g.add(ap, ks("decidedBy"), IRI(f"{KSI}agent/{a.decided_by}"))
            g.add(ap, ks("decisionDate"), xdate(day))
            g.add(ap, ks("validUntil"), xdate(a.valid_until.isoformat()))
            if a.note:
                g.add(ap, IRI(DCTERMS + "description"), sv(a.note))
            for crit in a.criteria:
                ca = IRI(f"{KSI}approval/{source.key}/{day}/{crit.criterion}")
                g.add(ap, ks("hasCriterionAssessment"), ca)
                g.add(ca, IRI(RDF_TYPE), ks("CriterionAssessment"))
                g.add(ca, ks("criterion"), concept("assessment-criterion", crit.criterion))
                g.add(ca, ks("fulfilled"), xbool(crit.fulfilled))
                g.add(ca, ks("assessmentNote"), sv(crit.note))
                if crit.evidence:
                    g.add(ca, ks("evidenceUrl"), xuri(crit.evidence))
    return g


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------

HEADER = """Generated by data/demo/build.py from {inputs}.
Do not edit: change the TOML and run `python data/demo/build.py`.
Demo data written for kunskapsgraf; illustrative only, not for patient care. CC BY 4.0."""


@dataclass
class Result:
    outputs: dict[Path, str]
    errors: list[str]
    warnings: list[str]
    summary: list[str]


def build(demo: Path, today: date | None = None) -> Result:
    demo = demo.resolve()
    root = demo.parent.parent
    now = datetime.now(UTC)
    ctx = Ctx(demo, today or now.date(), now, {})
    ctx.notations = load_vocab_notations(ctx, root)
    reg = load_register(ctx)
    codes = Codes()
    load_code_files(ctx, codes)
    if reg is None:
        return Result({}, ctx.errors, ctx.warnings, [])
    content = load_content(ctx, reg, codes)
    check_synonyms(ctx, codes)
    check_register(ctx, reg)
    parent = code_hierarchy(ctx, codes)
    mapper = Mapper(ctx, reg, codes, content)
    mapper.run()
    register_graph = build_register_graph(ctx, reg, mapper.areas_used)
    # every agent referenced from an item must exist in the register
    agent_iris = {a.iri for a in reg.agents.values()}
    for key, g in mapper.graphs.items():
        for s, preds in g.data.items():
            for p in (ks("publisher"), ks("approvedBy"), ks("reviewer")):
                for o in preds.get(p, set()):
                    if isinstance(o, IRI) and o not in agent_iris:
                        ctx.error(
                            f"corpus/{key}.trig", f"{s.value} refers to unknown agent {o.value}"
                        )

    outputs: dict[Path, str] = {}
    outputs[demo / "corpus" / "register.trig"] = serialize(
        register_graph,
        HEADER.format(inputs="register.toml (and the content files, for NPO agents)"),
        IRI(KSG + "register"),
    )
    for key in sorted(mapper.graphs):
        outputs[demo / "corpus" / f"{key}.trig"] = serialize(
            mapper.graphs[key],
            HEADER.format(inputs=f"content/*.toml (items of source '{key}')"),
            IRI(f"{KSG}source/{key}"),
        )
    for system in CODE_SYSTEMS:
        outputs[demo / "codes" / f"{system}.ttl"] = serialize(
            build_code_scheme(codes, system, parent),
            HEADER.format(inputs=f"codes/{system}.toml and the `codes` of content/*.toml"),
        )
    summary = make_summary(ctx, reg, content, mapper)
    return Result(outputs, ctx.errors, ctx.warnings, summary)


def make_summary(ctx: Ctx, reg: Register, content: Content, mapper: Mapper) -> list[str]:
    per_source: dict[str, Counter[str]] = defaultdict(Counter)
    for item in content.items:
        per_source[item.source][item.kind] += 1
    kinds: Counter[str] = Counter(item.kind for item in content.items)
    lines = [
        f"Conditions (content files): {len(content.files)}",
        f"Items: {len(content.items)} from {len(per_source)} sources "
        f"({len(reg.sources)} sources in the register)",
        "Items per source:",
    ]
    for key in sorted(reg.sources):
        c = per_source.get(key, Counter())
        detail = ", ".join(
            f"{k} {c[k]}" for k in ("product", "section", "recommendation", "supplement") if c[k]
        )
        status = reg.sources[key].current.status
        lines.append(f"  {key:<22}{sum(c.values()):>4}  {detail or '-'}  [{status}]")
    lines.append(
        "Items per kind: "
        + ", ".join(
            f"{k} {kinds[k]}" for k in ("product", "section", "recommendation", "supplement")
        )
    )
    per_region: Counter[str] = Counter()
    for item in content.items:
        if item.kind == "supplement":
            region = reg.sources[item.source].region or "?"
            per_region[region] += 1
    lines.append(
        f"Supplements per region ({sum(per_region.values())} in {len(per_region)} regions):"
    )
    for code in sorted(per_region):
        name = reg.regions[code].name if code in reg.regions else code
        lines.append(f"  {code} {name:<28}{per_region[code]:>3}")
    unsplit = Counter(
        i.source
        for i in content.items
        if i.kind == "product" and not i.parts and i.content_type not in UNSPLIT_CONTENT_TYPES
    )
    lines.append(
        f"Products without sections/recommendations (excl. patient/product information): "
        f"{sum(unsplit.values())}"
        + (" (" + ", ".join(f"{k} {unsplit[k]}" for k in sorted(unsplit)) + ")" if unsplit else "")
    )
    overdue = Counter(item.source for item in mapper.overdue)
    lines.append(
        f"Overdue reviews (next_review < {ctx.today}): {len(mapper.overdue)}"
        + (" (" + ", ".join(f"{k} {overdue[k]}" for k in sorted(overdue)) + ")" if overdue else "")
    )
    overdue_sources = [s for s in reg.sources.values() if s.current.valid_until < ctx.today]
    lines.append(
        "Source approvals due for re-assessment: "
        + (", ".join(f"{s.key} ({s.current.valid_until})" for s in overdue_sources) or "none")
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the demo corpus RDF from the TOML files.")
    parser.add_argument("--check", action="store_true", help="only report stale files, exit 1")
    parser.add_argument("--quiet", action="store_true", help="no summary")
    parser.add_argument("--demo-dir", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    demo: Path = args.demo_dir.resolve()
    result = build(demo)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if result.errors:
        print(f"build failed with {len(result.errors)} error(s):", file=sys.stderr)
        for e in result.errors:
            print(f"  error: {e}", file=sys.stderr)
        return 1
    stale: list[str] = []
    for path, text in result.outputs.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(rel(path, demo))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    corpus_dir = demo / "corpus"
    if corpus_dir.is_dir():
        for path in sorted(corpus_dir.glob("*.trig")):
            if path not in result.outputs:
                stale.append(f"{rel(path, demo)} (no longer generated)")
                if not args.check:
                    path.unlink()
    if not args.quiet:
        print("\n".join(result.summary))
    if args.check:
        if stale:
            print("stale generated files (run `python data/demo/build.py`):", file=sys.stderr)
            for name in stale:
                print(f"  {name}", file=sys.stderr)
            return 1
        if not args.quiet:
            print(f"All {len(result.outputs)} generated files are up to date.")
        return 0
    if not args.quiet:
        print(f"Wrote {len(stale)} file(s); {len(result.outputs) - len(stale)} unchanged.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
