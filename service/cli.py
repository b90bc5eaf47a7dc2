"""The ``kunskapsgraf`` command line. It calls the same functions as the API.

    kunskapsgraf serve [--host H] [--port P]     serve the API (and later the UI)
    kunskapsgraf load FILE... [--graph IRI] [--replace]
    kunskapsgraf load-demo [--if-empty]          the model plus the demo corpus
    kunskapsgraf check [FILE...] [--format text|json] [--no-reasoner]
    kunskapsgraf search QUERY [--region LÄNSKOD] [--limit N]
    kunskapsgraf graphs                          named graphs and their sizes

Exit codes: 0 success, 1 check found violations, 2 bad input (a clear message on stderr),
3 the store could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pyoxigraph import NamedNode

from service.config import Settings
from service.errors import ClientError, KunskapsgrafError
from service.store import Store, open_store
from service.store.loading import LoadSource, LoadSummary, load_files


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kunskapsgraf",
        description="Kunskapsgraf: kunskapsgraf och ontologitjänst för nationell vårdkunskap.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    serve = sub.add_parser("serve", help="starta tjänsten (API) / serve the API")
    serve.add_argument("--host", help="adress att lyssna på (standard från inställningarna)")
    serve.add_argument("--port", type=int, help="port (standard 8000)")

    load = sub.add_parser("load", help="läs in RDF-filer atomärt / load RDF files atomically")
    load.add_argument("files", nargs="+", type=Path, metavar="FIL")
    load.add_argument("--graph", help="namngiven graf för trippelformat (Turtle, N-Triples)")
    load.add_argument(
        "--replace",
        action="store_true",
        help="ersätt graferna filerna rör i stället för att lägga till",
    )

    demo = sub.add_parser("load-demo", help="läs in modellen och demokorpusen")
    demo.add_argument("--if-empty", action="store_true", help="bara om lagret är tomt")

    check = sub.add_parser("check", help="kontrollera ontologi, former och innehåll")
    check.add_argument("files", nargs="*", type=Path, metavar="FIL")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-reasoner", action="store_true", help="hoppa över OWL-resoneraren")

    search = sub.add_parser("search", help="sök i publicerat innehåll")
    search.add_argument("query")
    search.add_argument("--region")
    search.add_argument("--limit", type=int, default=10)

    sub.add_parser("graphs", help="lista namngivna grafer och deras storlek")

    ingest = sub.add_parser(
        "ingest", help="läs in en sats via informationsspecifikationen (som API:t)"
    )
    ingest.add_argument("source", metavar="KÄLLA")
    ingest.add_argument("path", type=Path, metavar="FIL", help="en fil eller en katalog med filer")
    ingest.add_argument(
        "--glob", default="*", help="filmönster när FIL är en katalog (t.ex. '*.md')"
    )
    ingest.add_argument(
        "--partial",
        action="store_true",
        help="hoppa över poster som inte kan mappas (avslutar ändå med kod 1)",
    )
    ingest.add_argument(
        "--format",
        help="mediatyp (text/turtle, application/ld+json …); standard: efter filändelsen, "
        "annars källans mappning",
    )

    harvest = sub.add_parser("harvest", help="hämta källans kanaler nu (villkorliga anrop)")
    harvest.add_argument("source", metavar="KÄLLA")

    terms = sub.add_parser("import-terminology", help="läs in en terminologi som SKOS")
    terms.add_argument("name", metavar="NAMN")
    terms.add_argument("path", type=Path, nargs="?", metavar="SÖKVÄG")
    return parser


def _print_summary(summary: LoadSummary) -> None:
    print(f"Läste in {summary.files} filer, {summary.quads} tripler:")
    for graph, count in summary.quads_per_graph.items():
        print(f"  {count:>7}  {graph}")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        import uvicorn

        from service.api.app import create_app

        uvicorn.run(
            create_app(settings),
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_level="info",
        )
        return 0

    store = open_store(settings)
    try:
        return _run_with_store(args, settings, store)
    finally:
        store.close()


def _run_with_store(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    if args.command == "load":
        graph = NamedNode(args.graph) if args.graph else None
        sources = [LoadSource(p, graph if not _is_dataset(p) else None) for p in args.files]
        _print_summary(load_files(store, sources, replace=args.replace, progress=True))
        return 0
    if args.command == "load-demo":
        from service.corpus import load_demo

        if args.if_empty and store.quad_count() > 0:
            print(
                f"Lagret innehåller redan {store.quad_count()} tripler; demokorpusen läses inte in."
            )
            return 0
        _print_summary(load_demo(store, settings, progress=True))
        return 0
    if args.command == "check":
        from service.validation.check import format_json, format_text, run_check

        report = run_check(store, settings, args.files, reasoner=not args.no_reasoner)
        print(format_json(report) if args.format == "json" else format_text(report))
        return 0 if report.ok else 1
    if args.command == "search":
        from service.search import SearchQuery, SearchService, open_index

        service = SearchService(open_index(settings))
        service.refresh(store)
        result = service.search(SearchQuery(text=args.query, region=args.region, limit=args.limit))
        print(f'{result["total"]} träffar för "{args.query}"')
        for item in result["items"]:
            print(f"  {item['id']:<45} {item['title']}  [{item['source']['title']}]")
        return 0
    if args.command == "ingest":
        return _ingest(args, settings, store)
    if args.command == "harvest":
        from service.harvest import harvest
        from service.ingest.runs import RunLog

        log = RunLog(
            None if settings.store == "memory" else settings.data_dir / "ingest-runs.jsonl"
        )
        harvested = harvest(store, settings, args.source, run_log=log)
        for problem in harvested.errors:
            print(f"  problem: {problem}")
        print(
            f"{harvested.fetched} hämtade, {harvested.not_modified} oförändrade hos källan, "
            f"{harvested.items} poster: {harvested.added} nya, {harvested.updated} ändrade, "
            f"{harvested.unchanged} oförändrade, {harvested.archived} arkiverade"
        )
        return 1 if harvested.errors else 0
    if args.command == "import-terminology":
        from service.terminology import default_path, load_terminology

        path = args.path or default_path(args.name, settings.shared_data_dir)
        imported = load_terminology(store, args.name, path)
        print(f"{imported.concepts} begrepp i {imported.scheme}")
        for warning in imported.warnings:
            print(f"  varning: {warning}")
        return 0
    if args.command == "graphs":
        for graph in store.named_graphs():
            print(f"{store.quad_count(graph):>8}  {graph.value}")
        return 0
    raise AssertionError(args.command)


SUFFIX_MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}


def _ingest(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """The push API's pipeline from the command line; exit 1 when the batch is rejected."""
    from service.errors import ValidationFailed
    from service.ingest import ingest_batch, parse_rdf
    from service.ingest.native import map_native, read_documents
    from service.ingest.runs import RunLog
    from service.mapping import RecordError

    kind = args.format or SUFFIX_MEDIA_TYPES.get(args.path.suffix.lower())
    mapping_version = "rdf"
    skipped: list[RecordError] = []
    if kind is not None and kind in SUFFIX_MEDIA_TYPES.values():
        ontology = settings.ontology_dir / "kunskapsgraf.ttl"
        triples = parse_rdf(args.path.read_bytes(), kind, ontology_file=ontology)
    else:
        documents = read_documents(args.path, args.glob)
        triples, mapping_version, skipped = map_native(
            settings, args.source, documents, kind, partial=args.partial
        )
        for record in skipped:
            print(f"  hoppade över {record.position}: {record.message_sv}")
    log = RunLog(None if settings.store == "memory" else settings.data_dir / "ingest-runs.jsonl")
    try:
        report = ingest_batch(
            store, settings, args.source, triples, mapping_version=mapping_version, run_log=log
        )
    except ValidationFailed as exc:
        print(f"AVVISAD: {exc.message_sv}")
        for result in exc.details.get("results", []):
            field = (result["field"] or "–").replace("https://kunskapsgraf.se/ont/", "ks:")
            print(f"  ✗ {result['item'] or result['focusNode']}  fält {field}")
            print(f"      {result['message']['sv']}")
        return 1
    counts = report.counts()
    print(
        f"{report.status}: {counts['added']} nya, {counts['updated']} ändrade, "
        f"{counts['unchanged']} oförändrade, {len(skipped)} poster överhoppade "
        f"(körning {report.run})"
    )
    return 1 if skipped else 0


def _is_dataset(path: Path) -> bool:
    from service.store.loading import rdf_format

    return rdf_format(path).supports_datasets


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        return _run(args, settings)
    except ValidationError as exc:
        for problem in exc.errors():
            name = "KUNSKAPSGRAF_" + "_".join(str(p) for p in problem["loc"]).upper()
            print(f"fel: ogiltig inställning {name}: {problem['msg']}", file=sys.stderr)
            print(f"error: invalid setting {name}: {problem['msg']}", file=sys.stderr)
        return 2
    except ClientError as exc:
        print(f"fel: {exc.message_sv}\nerror: {exc.message_en}", file=sys.stderr)
        if exc.details:
            print(json.dumps(exc.details, ensure_ascii=False), file=sys.stderr)
        return 2
    except KunskapsgrafError as exc:
        print(f"fel: {exc.message_sv}\nerror: {exc.message_en}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
