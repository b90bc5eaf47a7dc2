"""Mappings: each source's sample maps to its expected.ttl, the result (and the source's register
entry) meets the shapes, the real data in ../shared/data maps with the recorded counts, and
input that cannot be read gives a clear InvalidParameter, never another exception."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.term import URIRef

from service.config import Settings
from service.corpus import load_demo
from service.errors import InvalidParameter, KunskapsgrafError
from service.ingest.linking import StoreConcepts
from service.mapping import (
    ConceptLookup,
    MappedBatch,
    available_mappings,
    load_source_mapping,
    map_input,
    source_record,
)
from service.store import Store, open_store
from service.terminology import default_path, load_terminology
from service.terms import GRAPH_REGISTER, KS, KSI
from service.validation.shacl import ValidationReport, load_shapes, validate_graph

REPO = Path(__file__).resolve().parents[2]
MAPPINGS = REPO / "mappings"
SHARED = Path(
    os.environ.get(
        "KUNSKAPSGRAF_SHARED_DATA", str(Path(__file__).resolve().parents[3] / "shared" / "data")
    )
)

SOURCES = ["medlineplus", "pubmedqa-swe", "rss", "sfs", "who-don"]
MEDIA_TYPES = {
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".md": "text/markdown",
    ".xml": "application/xml",
}


# --- helpers ---------------------------------------------------------------------------------


def samples(source: str) -> list[Path]:
    return sorted(p for p in (MAPPINGS / source).glob("sample*") if p.suffix in MEDIA_TYPES)


def map_samples(source: str, concepts: ConceptLookup | None = None) -> list[MappedBatch]:
    return [
        map_input(
            source,
            path.read_bytes(),
            mappings_dir=MAPPINGS,
            media_type=MEDIA_TYPES[path.suffix],
            concepts=concepts,
        )
        for path in samples(source)
    ]


def to_rdflib(triples: Iterable[pyoxigraph.Triple]) -> rdflib.Graph:
    data = io.BytesIO()
    pyoxigraph.serialize(list(triples), data, pyoxigraph.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data.getvalue().decode("utf-8"), format="nt")
    return graph


@functools.cache
def model_graph() -> rdflib.Graph:
    """Ontology, vocabularies, demo code lists, the demo register and every source.ttl."""
    graph = rdflib.Graph()
    paths = [REPO / "ontology" / "kunskapsgraf.ttl"]
    paths += sorted((REPO / "ontology" / "vocabularies").glob("*.ttl"))
    paths += sorted((REPO / "data" / "demo" / "codes").glob("*.ttl"))
    for path in paths:
        graph.parse(path, format="turtle")
    register = pyoxigraph.parse(
        path=REPO / "data" / "demo" / "corpus" / "register.trig", format=pyoxigraph.RdfFormat.TRIG
    )
    graph += to_rdflib(q.triple for q in register)
    for source in SOURCES:
        graph += to_rdflib(q.triple for q in source_record(source, MAPPINGS))
    return graph


@functools.cache
def shapes() -> rdflib.Graph:
    return load_shapes(REPO / "shapes")


def validate(triples: list[pyoxigraph.Triple], focus: Iterable[str]) -> ValidationReport:
    data = rdflib.Graph()
    data += model_graph()
    data += to_rdflib(triples)
    return validate_graph(data, shapes(), focus_nodes=[URIRef(i) for i in focus])


def violations(report: ValidationReport) -> list[str]:
    return [
        f"{v.identifier or v.focus_node} {v.shape.rsplit('/', 1)[-1]}: {v.message_en} ({v.value})"
        for v in report.violations()
    ]


def spread(items: list[str], count: int) -> list[str]:
    """About ``count`` items spread evenly over the list."""
    step = max(1, len(items) // count)
    return items[::step][:count]


def item_triples(batch: MappedBatch, items: Iterable[str]) -> list[pyoxigraph.Triple]:
    wanted = set(items)
    return [
        t
        for t in batch.triples
        if isinstance(t.subject, pyoxigraph.NamedNode) and t.subject.value in wanted
    ]


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


# --- the mapping files -----------------------------------------------------------------------


def test_every_source_has_a_mapping_register_entry_sample_and_expected_output() -> None:
    assert available_mappings(MAPPINGS) == SOURCES
    for source in SOURCES:
        folder = MAPPINGS / source
        assert (folder / "source.ttl").is_file(), source
        assert (folder / "expected.ttl").is_file(), source
        assert samples(source), source
        mapping = load_source_mapping(source, MAPPINGS)
        raw = (folder / "mapping.toml").read_bytes()
        assert mapping.version == hashlib.sha256(raw).hexdigest()[:12]


@pytest.mark.parametrize("source", SOURCES)
def test_sample_maps_to_the_expected_graph(source: str) -> None:
    batches = map_samples(source)
    for batch in batches:
        assert batch.errors == [], batch.errors
        assert batch.records == len(batch.items)
        assert re.fullmatch(r"[0-9a-f]{12}", batch.mapping_version)
    mapped = to_rdflib(t for b in batches for t in b.triples)
    expected = rdflib.Graph().parse(MAPPINGS / source / "expected.ttl", format="turtle")
    if not isomorphic(mapped, expected):
        only_mapped = to_isomorphic(mapped) - to_isomorphic(expected)
        only_expected = to_isomorphic(expected) - to_isomorphic(mapped)
        pytest.fail(
            "mapped sample differs from expected.ttl\nonly in mapped:\n"
            + "\n".join(sorted(str(t) for t in only_mapped))[:3000]
            + "\nonly in expected:\n"
            + "\n".join(sorted(str(t) for t in only_expected))[:3000]
        )


@pytest.mark.parametrize("source", SOURCES)
def test_mapped_sample_conforms_to_the_shapes(source: str, demo_store: Store) -> None:
    # Linked as the pipeline links them: codes the demo's code lists lack are dropped.
    batches = map_samples(source, StoreConcepts(demo_store))
    items = [i for b in batches for i in b.items]
    report = validate([t for b in batches for t in b.triples], items)
    assert violations(report) == []
    assert all(i.startswith(f"{KSI}item/{source}/") for i in items)


@pytest.mark.parametrize("source", SOURCES)
def test_source_register_entry_conforms_to_the_shapes(source: str) -> None:
    quads = source_record(source, MAPPINGS)
    assert quads and all(q.graph_name == GRAPH_REGISTER for q in quads)
    subjects = {q.subject.value for q in quads if isinstance(q.subject, pyoxigraph.NamedNode)}
    assert f"{KSI}source/{source}" in subjects
    report = validate([], subjects)
    assert violations(report) == []


# --- real data (read from ../shared/data, skipped when absent) --------------------------------

# Recorded outcomes; a change here is a change in what the mapping does with real data.
REAL_COUNTS = {
    # source: (records read, items, rejected)
    "pubmedqa-swe": (700, 628, 72),
    "sfs": (354, 354, 0),
    "who-don": (2836, 2836, 0),
    "medlineplus": (2, 2, 0),
}


def _real_batch(source: str, concepts: ConceptLookup | None) -> MappedBatch:
    if source == "pubmedqa-swe":
        path = shared("pubmedqa-swe", "pqal_swe_dev.json")
    elif source == "who-don":
        path = shared("who-disease-outbreak-news", "dons_until_2023.jsonl")
    else:
        path = shared("feed-fixtures", "medlineplus", "mplus_topics_2012-07-21.xml")
    return map_input(source, path.read_bytes(), mappings_dir=MAPPINGS, concepts=concepts)


@functools.cache
def real_batches(source: str, concepts: ConceptLookup | None = None) -> list[MappedBatch]:
    """The real records mapped (and, with ``concepts``, linked to code systems); cached per
    lookup, which the module-scoped fixture keeps one of."""
    if source == "sfs":
        root = shared("sfs-health-statutes")
        return [
            map_input(
                "sfs",
                path.read_bytes(),
                mappings_dir=MAPPINGS,
                media_type="text/markdown",
                concepts=concepts,
            )
            for path in sorted(root.glob("*/*.md"))
        ]
    return [_real_batch(source, concepts)]


@pytest.mark.parametrize("source", sorted(REAL_COUNTS))
def test_real_data_maps_with_the_recorded_counts(source: str) -> None:
    batches = real_batches(source)
    records = sum(b.records for b in batches)
    items = sum(len(b.items) for b in batches)
    errors = [e for b in batches for e in b.errors]
    assert (records, items, len(errors)) == REAL_COUNTS[source], errors[:5]
    for error in errors:
        assert error.position and error.message_sv and error.message_en


def test_real_pubmedqa_rejections_say_why() -> None:
    errors = [e for b in real_batches("pubmedqa-swe") for e in b.errors]
    reasons = {
        "issued": sum("ks:issued" in e.message_en for e in errors),
        "knowledgeArea": sum("ks:knowledgeArea" in e.message_en for e in errors),
    }
    # 44 abstracts have no publication year; the others match no knowledge-area rule.
    assert reasons == {"issued": 44, "knowledgeArea": len(errors) - 44}
    assert all(e.position.startswith("record '") for e in errors)


@pytest.fixture(scope="module")
def real_terminologies(settings: Settings) -> tuple[Store, StoreConcepts]:
    """The demo plus the real ICD-10-SE, MeSH and its Swedish labels (the code systems the
    real sources name)."""
    store = open_store(settings)
    load_demo(store, settings)
    for name in ("icd-10-se", "mesh", "mesh-sv"):
        path = default_path(name, SHARED)
        if not path.exists():
            pytest.skip(f"real data not available: {path}")
        load_terminology(store, name, path)
    return store, StoreConcepts(store)


def concept_triples(store: Store, triples: list[pyoxigraph.Triple]) -> list[pyoxigraph.Triple]:
    """What the store says about the concepts the items name (for validation)."""
    concepts = {t.object for t in triples if t.predicate.value == KS + "subject"}
    return [
        q.triple for q in store.describe(c for c in concepts if isinstance(c, pyoxigraph.NamedNode))
    ]


@pytest.mark.parametrize("source", sorted(REAL_COUNTS))
def test_real_data_sample_conforms_to_the_shapes(
    source: str, real_terminologies: tuple[Store, StoreConcepts]
) -> None:
    store, concepts = real_terminologies
    batches = real_batches(source, concepts)
    items = spread([i for b in batches for i in b.items], 50)
    triples = [t for b in batches for t in item_triples(b, items)]
    report = validate(triples + concept_triples(store, triples), items)
    assert violations(report) == []


# Recorded outcomes of linking the real records' codes to the real code systems:
# (items with at least one ks:subject, subject links, distinct codes/labels that named nothing).
# WHO: every report with an ICD-10 code links (2,728 of 2,836; codes written with a filler digit,
# "J090", link to J09). PubMedQA-swe: every item links through its Swedish MeSH headings; 62
# headings match no Swedish label. MedlinePlus: one of the two topics has a descriptor in the
# 2015 MeSH extract.
REAL_LINKS = {
    "who-don": (2728, 2746, 0),
    "pubmedqa-swe": (628, 9228, 62),
    "medlineplus": (1, 1, 0),
}


@pytest.mark.parametrize("source", sorted(REAL_LINKS))
def test_real_items_link_to_their_codes(
    source: str, real_terminologies: tuple[Store, StoreConcepts]
) -> None:
    batches = real_batches(source, real_terminologies[1])
    subjects = [t for b in batches for t in b.triples if t.predicate.value == KS + "subject"]
    unlinked = sum(len(counts) for b in batches if b.links for counts in b.links.unlinked.values())
    linked_items = len({t.subject.value for t in subjects})
    assert (linked_items, len(subjects), unlinked) == REAL_LINKS[source]


# Every one of the 48 real feeds either maps (items, rejected entries) or is refused with a
# clear InvalidParameter ("error"). Entries are rejected for http-only or relative links,
# missing or unreadable dates and a language that is not a BCP 47 tag.
FEEDS: dict[str, tuple[int, int] | str] = {
    "atom-feed-alternate-link.xml": (1, 0),
    "atom-feed-created-updated.xml": (1, 0),
    "atom-feed-emoji.xml": (1, 0),
    "atom-feed-entry-related-link.xml": (1, 0),
    "atom-feed-idea-ricir.xml": (1, 0),
    "atom-feed-reddit.xml": (1, 0),
    "atom-feed-rss-bridge.xml": (1, 0),
    "atom-feed-youtube.xml": (1, 0),
    "atom-link-alternate-href.xml": (1, 0),
    "atom-relative-url.xml": (0, 1),
    "atom-self-link-example.xml": (0, 1),
    "atom-test-example.xml": (0, 1),
    "feed-atom-test.xml": (1, 0),
    "feed-bing-image.xml": (0, 1),
    "feed-char-escape.xml": (1, 0),
    "feed-comment.xml": (1, 0),
    "feed-dcdate.xml": (1, 0),
    "feed-escape-malformed.xml": (1, 0),
    "feed-google-blog.xml": (2, 0),
    "feed-image-enclosure.xml": (1, 0),
    "feed-item-channel-image.xml": (1, 0),
    "feed-itunes-image-fallback.xml": (1, 0),
    "feed-itunes-season.xml": (1, 0),
    "feed-itunes.xml": (0, 1),
    "feed-media-content-type.xml": (0, 6),
    "feed-mismatched-html-tags.xml": (1, 0),
    "feed-raw-enclosure.xml": (0, 1),
    "feed-test-atom-category-attribute.xml": (1, 0),
    "feed-test-atom-content-html.xml": (1, 0),
    "feed-test-audio.xml": (1, 0),
    "feed-test-charset.xml": (0, 1),
    "feed-test-greek.xml": (1, 0),
    "feed-test-hindi-channel-image.xml": (0, 1),
    "feed-test-image-2.xml": (1, 0),
    "feed-test-image-channel-reverse.xml": (0, 1),
    "feed-test-image-empty-tag.xml": (1, 0),
    "feed-test-image-link.xml": (1, 0),
    "feed-test-image.xml": (1, 0),
    "feed-test-malformed.xml": "error",
    "feed-test-multiple-image-and-video.xml": (1, 0),
    "feed-test-ru.xml": (0, 1),
    "feed-test-source.xml": (1, 0),
    "feed-test-thumb.xml": (1, 0),
    "feed-test-time.xml": (0, 1),
    "feed-test-unexpected-token.xml": (1, 0),
    "feed-test-xsl.xml": (2, 0),
    "feed-test.xml": (1, 0),
    "rdf-feed-test.xml": (1, 0),
}


def test_the_feed_table_lists_every_real_feed() -> None:
    root = shared("feed-fixtures", "rss-parser-fixtures")
    assert sorted(p.name for p in root.glob("*.xml")) == sorted(FEEDS)
    assert len(FEEDS) == 48


@functools.cache
def feed_outcome(name: str) -> MappedBatch | InvalidParameter:
    data = shared("feed-fixtures", "rss-parser-fixtures", name).read_bytes()
    try:
        return map_input("rss", data, mappings_dir=MAPPINGS)
    except InvalidParameter as exc:
        return exc


@pytest.mark.parametrize("name", sorted(FEEDS))
def test_real_feed_maps_or_gives_a_clear_error(name: str) -> None:
    outcome = feed_outcome(name)
    if FEEDS[name] == "error":
        assert isinstance(outcome, InvalidParameter)
        assert outcome.message_sv and outcome.message_en
        assert {"line", "column"} <= set(outcome.details) or "format" in outcome.details
    else:
        assert isinstance(outcome, MappedBatch), outcome
        assert (len(outcome.items), len(outcome.errors)) == FEEDS[name], outcome.errors


def test_real_feed_items_conform_to_the_shapes() -> None:
    batches = [o for n in sorted(FEEDS) if isinstance(o := feed_outcome(n), MappedBatch)]
    items = [i for b in batches for i in b.items]
    triples = [t for b in batches for t in b.triples]
    assert len(items) >= 30
    report = validate(triples, items)
    assert violations(report) == []


# --- input that cannot be read ----------------------------------------------------------------


def test_unknown_source_names_the_known_ones() -> None:
    with pytest.raises(InvalidParameter) as caught:
        map_input("okand", b"{}", mappings_dir=MAPPINGS)
    assert caught.value.details["parameter"] == "source"
    assert caught.value.details["valid"] == SOURCES
    with pytest.raises(InvalidParameter):
        map_input("../shapes", b"{}", mappings_dir=MAPPINGS)
    with pytest.raises(InvalidParameter):
        source_record("okand", MAPPINGS)


def test_wrong_media_type_is_refused() -> None:
    with pytest.raises(InvalidParameter) as caught:
        map_input("who-don", b"", mappings_dir=MAPPINGS, media_type="text/html; charset=utf-8")
    assert caught.value.details["parameter"] == "media_type"
    assert "application/x-ndjson" in caught.value.details["valid"]
    batch = map_input("who-don", b"", mappings_dir=MAPPINGS, media_type="Application/X-NDJSON")
    assert batch.records == 0


def test_invalid_utf8_gives_line_and_column() -> None:
    data = b'{"1": {"QUESTION": "ok"},\n "2": {"QUESTION": "fel \xff"}}'
    with pytest.raises(InvalidParameter) as caught:
        map_input("pubmedqa-swe", data, mappings_dir=MAPPINGS)
    assert (caught.value.details["line"], caught.value.details["column"]) == (2, 25)
    assert "UTF-8" in caught.value.message_en and "UTF-8" in caught.value.message_sv


def test_broken_json_gives_line_and_column() -> None:
    with pytest.raises(InvalidParameter) as caught:
        map_input("pubmedqa-swe", b'{\n  "1": {"QUESTION": "a",,}\n}', mappings_dir=MAPPINGS)
    assert (caught.value.details["line"], caught.value.details["column"]) == (2, 25)
    with pytest.raises(InvalidParameter) as caught:
        map_input("who-don", b'{"id": "DON1"}\n{"id": \n', mappings_dir=MAPPINGS)
    assert caught.value.details["line"] == 2


def test_xml_with_a_doctype_is_refused() -> None:
    feed = b'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://example.org/rss.dtd">\n<rss/>'
    with pytest.raises(InvalidParameter) as caught:
        map_input("rss", feed, mappings_dir=MAPPINGS)
    assert "DOCTYPE" in caught.value.message_en


@pytest.mark.parametrize("source", ["rss", "medlineplus"])
def test_xml_entity_declarations_are_refused_even_where_a_doctype_is_allowed(source: str) -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE health-topics [\n'
        b'  <!ENTITY a "aaaaaaaaaa">\n  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        b'<health-topics><health-topic title="&b;"/></health-topics>'
    )
    external = (
        b'<?xml version="1.0"?>\n<!DOCTYPE health-topics [\n'
        b'  <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
        b"<health-topics><health-topic title='&secret;'/></health-topics>"
    )
    for data in (bomb, external):
        with pytest.raises(InvalidParameter) as caught:
            map_input(source, data, mappings_dir=MAPPINGS)
        assert "DOCTYPE" in caught.value.message_en or "entity" in caught.value.message_en


def test_malformed_xml_gives_line_and_column() -> None:
    with pytest.raises(InvalidParameter) as caught:
        map_input(
            "medlineplus",
            b"<health-topics>\n  <health-topic>\n</health-topics>",
            mappings_dir=MAPPINGS,
        )
    assert caught.value.details["line"] == 3


def test_a_feed_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(InvalidParameter) as caught:
        map_input("rss", b"<html><body/></html>", mappings_dir=MAPPINGS)
    assert "html" in caught.value.message_en


def test_markdown_front_matter_errors_are_clear() -> None:
    with pytest.raises(InvalidParameter) as caught:
        map_input("sfs", b"# Bara rubrik\n", mappings_dir=MAPPINGS)
    assert caught.value.details["line"] == 1
    with pytest.raises(InvalidParameter) as caught:
        map_input(
            "sfs", b"---\nbeteckning: 2020:1\nrubrik: [oavslutad\n---\n", mappings_dir=MAPPINGS
        )
    assert caught.value.details["line"] >= 3
    with pytest.raises(InvalidParameter) as caught:
        map_input("sfs", b"---\na: &x [1, 2]\nb: *x\n---\n", mappings_dir=MAPPINGS)
    assert "alias" in caught.value.message_en
    with pytest.raises(InvalidParameter):
        map_input("sfs", b"---\n- en lista\n---\n", mappings_dir=MAPPINGS)


def test_front_matter_values_stay_strings() -> None:
    """YAML 1.1 would read 2005:1064 as a base-60 integer (120371): the reader keeps strings."""
    document = (
        b"---\nbeteckning: 2005:1064\nrubrik: Exempelf\xc3\xb6rordning\n"
        b"departement: Socialdepartementet\nutfardad_datum: 2005-12-01\n"
        b"pdf_url: https://svenskforfattningssamling.se/exempel.pdf\n---\n"
    )
    batch = map_input("sfs", document, mappings_dir=MAPPINGS)
    assert batch.items == [f"{KSI}item/sfs/2005-1064"], batch.errors


# --- records that cannot be mapped ------------------------------------------------------------


def test_a_bad_record_is_skipped_and_reported_with_its_position() -> None:
    lines = [
        b'{"id": "DON1", "date": "2020-01-01", "url": "https://www.who.int/a", "text": "t"}',
        b'["not", "an", "object"]',
        b'{"id": "DON2", "date": "2020-13-45", "url": "https://www.who.int/b", "text": "t"}',
        b'{"id": "DON3", "date": "2020-01-01", "url": "http://www.who.int/c", "text": "t"}',
        b'{"id": "DON1", "date": "2020-01-01", "url": "https://www.who.int/d", "text": "t"}',
        b'{"date": "2020-01-01", "url": "https://www.who.int/e", "text": "t"}',
    ]
    batch = map_input("who-don", b"\n".join(lines), mappings_dir=MAPPINGS)
    assert batch.records == 6
    assert batch.items == [f"{KSI}item/who-don/don1"]
    positions = {e.position: e.message_en for e in batch.errors}
    assert list(positions) == ["line 2", "line 3", "line 4", "line 5", "line 6"]
    assert "not a JSON object" in positions["line 2"]
    assert "2020-13-45" in positions["line 3"]
    assert "https://" in positions["line 4"]
    assert "already taken" in positions["line 5"]
    assert "id template" in positions["line 6"]


def test_relative_feed_links_resolve_against_the_input_url() -> None:
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b"<entry><title>Nyhet</title><id>urn:x:1</id><link href='/nyheter/1'/>"
        b"<updated>2024-01-02T03:04:05Z</updated></entry></feed>"
    )
    without = map_input("rss", feed, mappings_dir=MAPPINGS)
    assert without.items == [] and "/nyheter/1" in without.errors[0].message_en
    batch = map_input(
        "rss", feed, mappings_dir=MAPPINGS, record_url="https://www.lakemedelsverket.se/flode.xml"
    )
    urls = [
        t.object.value
        for t in batch.triples
        if t.predicate.value.endswith("/url") and isinstance(t.object, pyoxigraph.Literal)
    ]
    assert urls == ["https://www.lakemedelsverket.se/nyheter/1"]


def test_a_broken_mapping_file_is_a_configuration_error(tmp_path: Path) -> None:
    folder = tmp_path / "trasig"
    folder.mkdir()
    (folder / "mapping.toml").write_text(
        'source = "trasig"\n[reader]\nformat = "json"\n[item]\nid = "{id}"\n'
        '[fields]\nkeyword = "{ord}"\n',
        encoding="utf-8",
    )
    with pytest.raises(KunskapsgrafError) as caught:
        map_input("trasig", b"[]", mappings_dir=tmp_path)
    assert not isinstance(caught.value, InvalidParameter)
    assert "keyword" in caught.value.message_en
