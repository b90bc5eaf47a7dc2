"""The ``kunskapsgraf`` command line. It calls the same functions as the API.

    kunskapsgraf serve [--host H] [--port P]     serve the API (and later the UI)
    kunskapsgraf load FILE... [--graph IRI] [--replace]
    kunskapsgraf load-demo [--if-empty]          the model plus the demo corpus
    kunskapsgraf check [FILE...] [--format text|json|html] [--since REV] [--fail-on SEVERITY]
    kunskapsgraf diff OLD [NEW]                  model changes as Markdown (folder, file, revision)
    kunskapsgraf docs OUT_DIR                    the ontology documentation as static HTML
    kunskapsgraf reload-model [--apply]          compare, revalidate, reload only with --apply
    kunskapsgraf search QUERY [--region LÄNSKOD] [--limit N]
    kunskapsgraf graphs                          named graphs and their sizes
    kunskapsgraf token ROLE ID [--source S] [--region R]   a token and its hashed entry
    kunskapsgraf decide SOURCE STATUS --note TEXT   record an approval decision
    kunskapsgraf backup DIR [--hashed]           a consistent backup, also while serving
    kunskapsgraf restore DIR                     a backup into a fresh data directory
    kunskapsgraf dump FILE                       the whole store as N-Quads

Exit codes: 0 success, 1 check found violations, 2 bad input (a clear message on stderr),
3 the store could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pyoxigraph import NamedNode

from service.config import Settings
from service.errors import ClientError, InvalidParameter, KunskapsgrafError
from service.ingest.runs import RunLog
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
    check.add_argument("--format", choices=("text", "json", "html"), default="text")
    check.add_argument("--no-reasoner", action="store_true", help="hoppa över OWL-resoneraren")
    check.add_argument(
        "--since",
        metavar="REV",
        help="rapportera bara det som ändringarna sedan git-revisionen REV har infört",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default="error",
        help="lägsta allvarlighetsgrad som ger slutkod 1 (standard: error)",
    )
    check.add_argument("--output", "-o", type=Path, metavar="FIL", help="skriv rapporten till FIL")

    model_diff = sub.add_parser(
        "diff", help="jämför två versioner av modellen (mappar, filer eller git-revisioner)"
    )
    model_diff.add_argument("old", metavar="GAMMAL")
    model_diff.add_argument(
        "new", metavar="NY", nargs="?", help="standard: arbetskopian (modellens mappar)"
    )
    model_diff.add_argument(
        "--no-store", action="store_true", help="hoppa över kontrollen av lagrat innehåll"
    )

    docs = sub.add_parser("docs", help="skriv ontologidokumentationen som statisk HTML")
    docs.add_argument("out_dir", type=Path, metavar="UTKATALOG")

    reload_model = sub.add_parser(
        "reload-model",
        help="jämför modellen i lagret med filerna, validera om innehållet och läs in (--apply)",
    )
    reload_model.add_argument(
        "--apply", action="store_true", help="läs in filerna (annars bara en rapport)"
    )

    search = sub.add_parser("search", help="sök i publicerat innehåll")
    search.add_argument("query")
    search.add_argument("--region")
    search.add_argument("--limit", type=int, default=10)

    related = sub.add_parser(
        "related", help="relaterat innehåll med motivering / related content and why"
    )
    related.add_argument("identifier", metavar="ID", help="t.ex. nkk:astma-vuxna")
    related.add_argument("--region")
    related.add_argument("--limit", type=int, default=10)

    sub.add_parser("graphs", help="lista namngivna grafer och deras storlek")

    reindex = sub.add_parser(
        "reindex", help="bygg om sökindexet från lagret / rebuild the search index"
    )
    reindex.add_argument(
        "--check", action="store_true", help="jämför bara lagret och indexet (ingen ändring)"
    )

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
    harvest.add_argument("source", metavar="KÄLLA", nargs="?")
    harvest.add_argument(
        "--due",
        action="store_true",
        help="hämta alla källor vars körschema (ks:schedule) har passerat sedan förra körningen",
    )

    terms = sub.add_parser("import-terminology", help="läs in en terminologi som SKOS")
    terms.add_argument("name", metavar="NAMN")
    terms.add_argument("path", type=Path, nargs="?", metavar="SÖKVÄG")

    backup = sub.add_parser(
        "backup", help="säkerhetskopiera lagret, även medan tjänsten kör / back up the store"
    )
    backup.add_argument("dir", type=Path, metavar="KATALOG", help="en ny katalog")
    backup.add_argument(
        "--hashed", action="store_true", help="räkna även en kanonisk SHA-256 per graf"
    )
    backup.add_argument(
        "--url",
        help="tjänstens adress när lagret används av den (standard http://HOST:PORT)",
    )
    restore = sub.add_parser(
        "restore", help="återställ en säkerhetskopia till en ny datakatalog / restore a backup"
    )
    restore.add_argument("dir", type=Path, metavar="KATALOG")
    dump = sub.add_parser("dump", help="skriv hela lagret som N-Quads / dump as N-Quads")
    dump.add_argument("file", metavar="FIL", help="'-' för standard ut")
    token = sub.add_parser(
        "token", help="skapa en token och dess rad i KUNSKAPSGRAF_PRINCIPALS / make a token"
    )
    token.add_argument(
        "role",
        choices=["administrator", "information-architect", "source-ingester", "region-editor",
                 "reader"],
        metavar="ROLL",
    )  # fmt: skip
    token.add_argument("id", metavar="ID", help="vem token tillhör, t.ex. skane-redaktion")
    token.add_argument("--source", help="källan (source-ingester)")
    token.add_argument("--region", help="länskoden (region-editor)")
    decide = sub.add_parser(
        "decide", help="registrera ett beslut om en källa / record a decision about a source"
    )
    decide.add_argument("source", metavar="KÄLLA")
    decide.add_argument("status", metavar="STATUS", help="godkand, pausad, pilot, …")
    decide.add_argument("--note", required=True, help="motivering / the reasons")
    decide.add_argument("--level", help="integrationsnivå: lank, metadata, fulltext-index, …")
    decide.add_argument("--valid-until", help="omprövningsdatum ÅÅÅÅ-MM-DD")
    decide.add_argument("--decided-by", help="beslutande aktör i registret, t.ex. inera-kallrad")
    return parser


def _print_summary(summary: LoadSummary) -> None:
    print(f"Läste in {summary.files} filer, {summary.quads} tripler:")
    for graph, count in summary.quads_per_graph.items():
        print(f"  {count:>7}  {graph}")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        import uvicorn

        from service.api.app import create_app
        from service.ops.logging import configure_logging

        configure_logging(settings.log_level, settings.log_format)
        uvicorn.run(
            create_app(settings),
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_level=settings.log_level.lower(),
            # Our logging: JSON lines with request ids; the middleware writes the access log.
            log_config=None,
            access_log=False,
        )
        return 0
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args, settings)
    if args.command == "token":
        from service.governance.tokens import new_token, principal_entry

        secret = new_token()
        try:
            entry = principal_entry(
                args.id, args.role, secret, source=args.source, region=args.region
            )
        except ValidationError as exc:
            raise InvalidParameter(
                f"Ogiltig token-rad: {exc.errors()[0]['msg']}",
                f"Invalid token entry: {exc.errors()[0]['msg']}",
            ) from None
        print(f"token (visas bara nu / shown once): {secret}")
        print(json.dumps(entry.model_dump(by_alias=True, exclude_none=True)))
        return 0
    if args.command == "docs":
        from service.ontodoc import write_site

        count = write_site(settings, args.out_dir)
        print(f"Skrev {count} sidor till {args.out_dir} (öppna index.html).")
        return 0

    store = open_store(settings)
    try:
        return _run_with_store(args, settings, store)
    finally:
        store.close()


def _run_with_store(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    if args.command == "load":
        # Not an audit event: `load` is also the portable restore (`dump` → `load` must give
        # the same store), like `restore` and `load-demo`, which build a store wholesale.
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
        return _check(args, settings, store)
    if args.command == "diff":
        from service.diff.model import diff_versions, format_markdown

        diff = diff_versions(args.old, args.new, settings, None if args.no_store else store)
        print(format_markdown(diff), end="")
        return 0
    if args.command == "reload-model":
        from service.diff.reload import format_plan, reload_model

        print(format_plan(reload_model(store, settings, apply=args.apply)), end="")
        return 0
    if args.command == "search":
        from service.search import SearchQuery, SearchService, open_index

        service = SearchService(open_index(settings))
        service.refresh(store)
        result = service.search(SearchQuery(text=args.query, region=args.region, limit=args.limit))
        print(f'{result["total"]} träffar för "{args.query}"')
        for item in result["items"]:
            print(f"  {item['id']:<45} {item['title']}  [{item['source']['title']}]")
        return 0
    if args.command == "related":
        from service.related import RelatedService
        from service.search import SearchService, open_index

        searcher = SearchService(open_index(settings))
        searcher.refresh(store)
        finder = RelatedService(searcher)
        finder.refresh(store)
        answer = finder.related(args.identifier, region=args.region, limit=args.limit)
        for found in answer["related"]:
            print(f"  {found['id']:<45} {found['title']}")
            print(f"      {found['why']['text']['sv']}")
        return 0
    if args.command == "ingest":
        return _ingest(args, settings, store)
    if args.command == "harvest":
        from service.harvest import harvest
        from service.ingest.runs import RunLog

        log = RunLog(
            None if settings.store == "memory" else settings.data_dir / "ingest-runs.jsonl"
        )
        if args.due:
            return _harvest_due(store, settings, log)
        if args.source is None:
            raise InvalidParameter(
                "Ange en källa (kunskapsgraf harvest KÄLLA) eller --due.",
                "Give a source (kunskapsgraf harvest SOURCE) or --due.",
            )
        from service.governance.audit import operator

        harvested = harvest(store, settings, args.source, run_log=log, actor=operator())
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
        from service.governance import audit

        audit.record(
            store,
            audit.operator(),
            "terminology-imported",
            imported.scheme,
            after={
                "terminology": args.name,
                "file": str(path),
                "concepts": imported.concepts,
                "warnings": len(imported.warnings),
            },
        )
        print(f"{imported.concepts} begrepp i {imported.scheme}")
        for warning in imported.warnings:
            print(f"  varning: {warning}")
        return 0
    if args.command == "dump":
        from pyoxigraph import RdfFormat

        if args.file == "-":
            store.dump(sys.stdout.buffer, RdfFormat.N_QUADS)
        else:
            with open(args.file, "wb") as out:
                store.dump(out, RdfFormat.N_QUADS)
            print(f"{store.quad_count()} kvader skrivna till {args.file}")
        return 0
    if args.command == "reindex":
        from service.search import SearchService, open_index

        service = SearchService(open_index(settings))
        try:
            if args.check:
                service.refresh_vocabulary(store)
                drift = service.drift(store)
                print(json.dumps(drift.as_json(), ensure_ascii=False, indent=2))
                return 0 if drift.ok else 1
            written = service.reindex(store)
            print(f"Sökindexet byggt om: {written} dokument ({service.index.name})")
        finally:
            service.close()
        return 0
    if args.command == "decide":
        return _decide(args, settings, store)
    if args.command == "graphs":
        for graph in store.named_graphs():
            print(f"{store.quad_count(graph):>8}  {graph.value}")
        return 0
    raise AssertionError(args.command)


def _decide(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """The API's decision (``POST /api/sources/{source}/decisions``) from the command line,
    audited as the operator (``cli-<user>``, an administrator: they hold the store)."""
    import datetime as dt

    from service.governance import audit, decisions
    from service.terms import source_iri

    try:
        valid_until = dt.date.fromisoformat(args.valid_until) if args.valid_until else None
    except ValueError:
        raise InvalidParameter(
            f"Ogiltigt datum: {args.valid_until}.", f"Invalid date: {args.valid_until}."
        ) from None
    decision = decisions.Decision(
        status=args.status,
        note=args.note,
        integration_level=args.level,
        valid_until=valid_until,
        decided_by=args.decided_by,
    )
    before, after = decisions.decide(store, settings, args.source, decision)
    audit.record(
        store, audit.operator(), "approval-decision", source_iri(args.source).value,
        before=before, after=after,
    )  # fmt: skip
    print(json.dumps({"previous": before, "approval": after}, ensure_ascii=False, indent=2))
    return 0


def _check(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """The quality report; exit 1 when a finding is at ``--fail-on`` or worse."""
    from service.validation.check import (
        format_html,
        format_json,
        format_text,
        run_check,
        run_check_since,
    )

    if args.since and args.files:
        raise ClientError(
            "--since jämför modellfilerna och kan inte kombineras med FIL.",
            "--since compares the model files and cannot be combined with FILE.",
        )
    if args.since:
        report = run_check_since(store, settings, args.since, reasoner=not args.no_reasoner)
    else:
        report = run_check(store, settings, args.files, reasoner=not args.no_reasoner)
    formats = {"json": format_json, "html": format_html, "text": format_text}
    output = formats[args.format](report)
    if args.output:
        args.output.write_text(output + "\n", encoding="utf-8")
        print(f"Rapporten skrevs till {args.output}.", file=sys.stderr)
    else:
        print(output)
    return 1 if report.failed(args.fail_on) else 0


SUFFIX_MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}


def _ingest(args: argparse.Namespace, settings: Settings, store: Store) -> int:
    """The push API's pipeline from the command line; exit 1 when the batch is rejected.
    A stored batch is audited like a push, as the operator."""
    from service.errors import ValidationFailed
    from service.governance import audit
    from service.ingest import ingest_batch, parse_rdf
    from service.ingest.native import map_native, read_documents
    from service.ingest.runs import RunLog
    from service.mapping import RecordError

    kind = args.format or SUFFIX_MEDIA_TYPES.get(args.path.suffix.lower())
    mapping_version = "rdf"
    skipped: list[RecordError] = []
    codes = None
    if kind is not None and kind in SUFFIX_MEDIA_TYPES.values():
        ontology = settings.ontology_dir / "kunskapsgraf.ttl"
        triples = parse_rdf(args.path.read_bytes(), kind, ontology_file=ontology)
    else:
        documents = read_documents(args.path, args.glob)
        native = map_native(
            settings, args.source, documents, kind, store=store, partial=args.partial
        )
        triples, mapping_version, skipped = native.triples, native.mapping_version, native.skipped
        for record in skipped:
            print(f"  hoppade över {record.position}: {record.message_sv}")
        codes = native.links.as_json()
        print(f"  {native.links.linked} koder kopplade till begrepp")
        for scheme, missing in sorted(native.links.unlinked.items()):
            examples = ", ".join(value for value, _ in missing.most_common(5))
            print(f"  {sum(missing.values())} värden saknas i {scheme} (t.ex. {examples})")
    log = RunLog(None if settings.store == "memory" else settings.data_dir / "ingest-runs.jsonl")
    try:
        report = ingest_batch(
            store,
            settings,
            args.source,
            triples,
            mapping_version=mapping_version,
            run_log=log,
            codes=codes,
        )
    except ValidationFailed as exc:
        print(f"AVVISAD: {exc.message_sv}")
        for result in exc.details.get("results", []):
            field = (result["field"] or "–").replace("https://kunskapsgraf.se/ont/", "ks:")
            print(f"  ✗ {result['item'] or result['focusNode']}  fält {field}")
            print(f"      {result['message']['sv']}")
        return 1
    via = {"via": "cli", "file": str(args.path)}
    audit.record_write(store, audit.operator(), "items-pushed", report, details=via)
    counts = report.counts()
    print(
        f"{report.status}: {counts['added']} nya, {counts['updated']} ändrade, "
        f"{counts['unchanged']} oförändrade, {len(skipped)} poster överhoppade "
        f"(körning {report.run})"
    )
    return 1 if skipped else 0


def _harvest_due(store: Store, settings: Settings, log: RunLog) -> int:
    """Every source whose schedule has come round; exit 1 when anything was reported."""
    from service.governance.audit import operator
    from service.harvest.schedule import run_due

    result = run_due(store, settings, run_log=log, actor=operator())
    for problem in result.problems:
        print(f"  körschema för {problem.source}: {problem.message_sv}")
    if not result.due:
        print("inga källor att hämta just nu")
    for source, report in result.reports.items():
        print(
            f"{source}: {report.fetched} hämtade, {report.items} poster: {report.added} nya, "
            f"{report.updated} ändrade, {report.archived} arkiverade, {len(report.errors)} problem"
        )
    for source, why in result.failed.items():
        print(f"{source}: misslyckades: {why}")
    failed = result.problems or result.failed or any(r.errors for r in result.reports.values())
    return 1 if failed else 0


def _is_dataset(path: Path) -> bool:
    from service.store.loading import rdf_format

    return rdf_format(path).supports_datasets


def _backup_or_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Backup opens the store itself when it is free, and otherwise asks the running service
    (the embedded store has one process at a time); restore writes a fresh data directory."""
    from service.errors import StoreUnavailable
    from service.ops.backup import create_backup, restore_backup

    if args.command == "restore":
        manifest = restore_backup(args.dir, settings)
        print(
            f"Återställde {manifest['quads']} kvader i {len(manifest['graphs'])} grafer "
            f"från {args.dir} till {settings.data_dir} (säkerhetskopia {manifest['created']})."
        )
        return 0
    try:
        store = open_store(settings)
    except StoreUnavailable as exc:
        if "lock" not in exc.message_en.lower():
            raise
        manifest = _backup_via_service(args, settings)
    else:
        try:
            manifest = create_backup(store, settings, args.dir, hashed=args.hashed)
        finally:
            store.close()
    print(
        f"Säkerhetskopia i {args.dir}: {manifest['quads']} kvader i "
        f"{len(manifest['graphs'])} grafer."
    )
    return 0


def _backup_via_service(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    from service.errors import InvalidParameter, StoreUnavailable

    if not settings.admin_token:
        raise InvalidParameter(
            "Lagret används av en körande tjänst; ange KUNSKAPSGRAF_ADMIN_TOKEN så tar "
            "tjänsten säkerhetskopian.",
            "The store is in use by a running service; set KUNSKAPSGRAF_ADMIN_TOKEN and the "
            "service takes the backup.",
        )
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = (args.url or f"http://{host}:{settings.port}").rstrip("/") + "/admin/backup"
    body = json.dumps({"target": str(args.dir.resolve()), "hashed": args.hashed}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.admin_token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=3600) as response:
            manifest: dict[str, Any] = json.load(response)
            return manifest
    except urllib.error.HTTPError as exc:
        error = json.load(exc).get("error", {})
        message = error.get("message", {})
        raise StoreUnavailable(
            f"Tjänsten kunde inte säkerhetskopiera: {message.get('sv', exc.reason)}",
            f"The service could not take the backup: {message.get('en', exc.reason)}",
        ) from None
    except OSError as exc:
        raise StoreUnavailable(
            f"Lagret är låst men tjänsten svarar inte på {url}: {exc}",
            f"The store is locked but the service does not answer at {url}: {exc}",
        ) from None


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
