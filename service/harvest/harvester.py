"""Pull harvesting: read a source's channels from the register, fetch, map, ingest, archive.

See the package docstring (:mod:`service.harvest`) for the design; this module holds
``channels`` and ``harvest``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import pyoxigraph
from pyoxigraph import NamedNode, Quad, Triple

from service.config import Settings
from service.errors import InvalidParameter, KunskapsgrafError, NotFound, ValidationFailed
from service.governance import audit
from service.governance.roles import Principal
from service.harvest.archive import archive_items
from service.harvest.fetch import Fetched, Fetcher, FetchError, UrlFetcher, check_url
from service.harvest.links import feed_links, json_next, link_header_next, sitemap
from service.harvest.options import HarvestOptions, load_options
from service.harvest.state import HarvestState, Validators
from service.ingest.linking import StoreConcepts
from service.ingest.pipeline import IngestReport, ingest_batch
from service.ingest.runs import RunLog
from service.mapping import CodeLinks, load_source_mapping, map_input
from service.mapping.readers import read
from service.mapping.rules import Mapping, RecordProblem
from service.queries import load_query
from service.store.base import Store
from service.terms import CURRENT_LIFECYCLE_STATES, KS, KSG, KSV, source_iri

__all__ = ["HarvestChannel", "HarvestProblem", "HarvestReport", "channels", "drop_dir", "harvest"]

PULL_TYPES = ("atom", "rss", "json-api", "sitemap", "file-drop")
# Whether a channel lists all of a source's items (so what is missing has gone). A feed lists
# the latest entries only, unless it declares itself complete (RFC 5005 <fh:complete/>);
# mappings/<source>/harvest.toml can say otherwise (full_crawl = true | false).
FULL_BY_TYPE = {"atom": False, "rss": False, "json-api": True, "sitemap": True, "file-drop": True}
# Lifecycle states an editor sets here; a harvest does not overwrite them.
EDITORIAL_STATES = ("tillbakadragen", "ersatt")
DROP_KEY = "drop:"
XML_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.1"
_CHANNEL_TYPE = KSV + "channel-type/"
_LIFECYCLE = KSV + "lifecycle/"
_DERIVED_FROM = NamedNode(KS + "wasDerivedFrom")

Trigger = Literal["manual", "schedule"]  # started by someone now, or by a channel's schedule

_LOCKS: dict[str, threading.Lock] = defaultdict(threading.Lock)
_LOCKS_LOCK = threading.Lock()


@dataclass(frozen=True)
class HarvestChannel:
    """A pull channel of a source, as the register describes it (``ks:IngestionChannel``)."""

    source: str
    channel_type: str  # atom | rss | json-api | sitemap | file-drop
    url: str | None  # ks:accessURL; for a file drop only documentation (files come from data_dir)
    media_type: str | None  # ks:mediaType: what the source's mapping reads
    schedule: str | None  # ks:schedule, a cron expression (run by whatever calls harvest)
    full_crawl: bool  # lists all of the source's items (by type; harvest.toml may override)
    iri: str = ""


@dataclass(frozen=True)
class HarvestProblem:
    """Something a harvest could not do: ``where`` is a URL, a file, a record or an item."""

    where: str
    message_sv: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message_sv}"


@dataclass
class HarvestReport:
    source: str
    fetched: int = 0  # documents fetched (200) or files read
    not_modified: int = 0  # answers 304 Not Modified (and unchanged file drops)
    items: int = 0  # items the fetched documents gave
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0  # current items gone from a full crawl, now arkiverad
    kept: int = 0  # items still listed that an editor withdrew or superseded: left as they are
    full_crawl: bool = False  # a complete full crawl: items not in it were archived
    errors: list[HarvestProblem] = field(default_factory=list)  # documents and records skipped
    codes: CodeLinks = field(default_factory=CodeLinks)  # subject codes linked / unknown
    runs: list[str] = field(default_factory=list)  # ingestion runs (content, then archiving)


def channels(store: Store, source: str) -> list[HarvestChannel]:
    """The pull channels (atom, rss, json-api, sitemap, file-drop) of ``source`` in the
    register; push and manual channels are not harvested."""
    rows = store.select(load_query("harvest-channels"), {"source": source_iri(source)})
    out: dict[str, HarvestChannel] = {}
    for row in rows:
        iri, kind = row["channel"].value, row["type"].value
        if iri in out or not kind.startswith(_CHANNEL_TYPE):
            continue
        kind = kind[len(_CHANNEL_TYPE) :]
        if kind not in PULL_TYPES:
            continue
        url, media, schedule = (row.get(k) for k in ("url", "mediaType", "schedule"))
        out[iri] = HarvestChannel(
            source=source,
            channel_type=kind,
            url=url.value if url is not None else None,
            media_type=media.value if media is not None else None,
            schedule=schedule.value if schedule is not None else None,
            full_crawl=FULL_BY_TYPE[kind],
            iri=iri,
        )
    return list(out.values())


# --- what the store already holds ------------------------------------------------------------


@dataclass
class _Known:
    states: dict[str, str | None] = field(default_factory=dict)  # item → lifecycle notation
    parts: set[str] = field(default_factory=set)  # items that are part of another item
    derived: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # url → items


def _known(store: Store, source: str) -> _Known:
    known = _Known()
    for row in store.select(load_query("harvest-source-items"), {"source": source_iri(source)}):
        item = row["item"].value
        state = row.get("state")
        notation = state.value.removeprefix(_LIFECYCLE) if state is not None else None
        if known.states.get(item) is None:
            known.states[item] = notation
        if row.get("partOf") is not None:
            known.parts.add(item)
        derived = row.get("derivedFrom")
        if derived is not None:
            known.derived[derived.value].add(item)
    return known


# --- crawling -----------------------------------------------------------------------------------


@dataclass
class _Document:
    label: str  # for messages: the URL, or drop/<source>/<file>
    url: str | None  # the URL asked for (ks:wasDerivedFrom, state key); None for a file
    base: str | None  # where the body came from after redirects: relative links resolve here
    body: bytes
    media_type: str | None


@dataclass
class _Crawl:
    channel: HarvestChannel
    full: bool
    documents: list[_Document] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # items present but not fetched (304 pages)
    complete: bool = True  # every document the channel lists was read
    unchanged: bool = False  # the channel's entry answered 304: nothing to do
    entry: dict[str, Validators] = field(default_factory=dict)  # kept after a complete crawl
    leaves: dict[str, Validators] = field(default_factory=dict)  # kept once stored


@dataclass
class _Context:
    store: Store
    source: str
    settings: Settings
    fetch: Fetcher
    options: HarvestOptions
    mapping: Mapping
    previous: dict[str, Validators]
    known: _Known
    report: HarvestReport

    def fail(self, crawl: _Crawl, where: str, sv: str, en: str) -> None:
        crawl.complete = False
        self.report.errors.append(HarvestProblem(where, sv, en))

    def fail_with(self, crawl: _Crawl, where: str, exc: KunskapsgrafError) -> None:
        self.fail(crawl, where, exc.message_sv, exc.message_en)

    def accept(self, channel: HarvestChannel) -> str:
        types = list(dict.fromkeys([channel.media_type or "", *self.mapping.reader.media_types]))
        named = [t for t in types if t]
        return ", ".join([*named, "*/*;q=0.1"]) if named else "*/*"

    def get(self, crawl: _Crawl, url: str, accept: str, *, conditional: bool) -> Fetched | None:
        """Fetch ``url`` (conditionally when asked and validators are known); None on failure,
        which is reported and makes the crawl incomplete."""
        validators = self.previous.get(url, {}) if conditional else {}
        headers = {"Accept": accept}
        if "etag" in validators:
            headers["If-None-Match"] = validators["etag"]
        if "lastModified" in validators:
            headers["If-Modified-Since"] = validators["lastModified"]
        try:
            got = self.fetch(check_url(url), headers)
            check_url(got.url)
            if got.not_modified and not validators:
                raise FetchError(
                    f"{url} svarade 304 på en fråga utan villkor.",
                    f"{url} answered 304 to an unconditional request.",
                    url=url,
                )
            if not got.not_modified and not 200 <= got.status < 300:
                raise FetchError(
                    f"{url} svarade {got.status}.", f"{url} answered {got.status}.", url=url
                )
            if len(got.body) > self.settings.max_body_bytes:
                raise FetchError(
                    f"{url} är större än {self.settings.max_body_bytes} byte.",
                    f"{url} is larger than {self.settings.max_body_bytes} bytes.",
                    url=url,
                )
        except FetchError as exc:
            self.fail_with(crawl, url, exc)
            return None
        if got.not_modified:
            self.report.not_modified += 1
        else:
            self.report.fetched += 1
        return got

    def may_follow(self, crawl: _Crawl, url: str, listed_in: str) -> bool:
        """Links are followed only to http(s) on the host of the channel or of the listing
        document (sitemaps.org: a sitemap lists URLs of its own host)."""
        hosts = {urlsplit(u).hostname for u in (crawl.channel.url or "", listed_in)}
        parts = urlsplit(url)
        if parts.scheme.lower() in ("http", "https") and parts.hostname in hosts - {None}:
            return True
        self.fail(
            crawl,
            listed_in,
            f"länken {url!r} följs inte: bara http(s) på kanalens värd ({crawl.channel.url})",
            f"the link {url!r} is not followed: only http(s) on the channel's host "
            f"({crawl.channel.url})",
        )
        return False


def _validators(got: Fetched, previous: Validators | None = None) -> Validators:
    out = dict(previous or {})
    for key, header in (("etag", "etag"), ("lastModified", "last-modified")):
        value = got.header(header)
        if value:
            out[key] = value
    return out


def _document(got: Fetched, url: str, channel: HarvestChannel) -> _Document:
    media = got.header("content-type") or channel.media_type
    return _Document(url, url, got.url, got.body, media)


def _crawl_pages(ctx: _Context, crawl: _Crawl) -> None:
    """A feed (Atom, RSS) or a JSON API, following next-page links."""
    channel = crawl.channel
    url: str | None = channel.url
    visited: set[str] = set()
    while url is not None:
        if len(visited) >= ctx.options.max_pages:
            ctx.fail(
                crawl,
                url,
                f"fler än {ctx.options.max_pages} sidor (harvest.toml: paging.max_pages)",
                f"more than {ctx.options.max_pages} pages (harvest.toml: paging.max_pages)",
            )
            return
        entry = not visited
        visited.add(url)
        # Only the entry is asked conditionally (later pages are needed for their links), and
        # only while the store holds the source's items: a new or emptied store must not be
        # told "not modified" by validators left from before.
        conditional = entry and bool(ctx.known.states)
        got = ctx.get(crawl, url, ctx.accept(channel), conditional=conditional)
        if got is None:
            return
        if got.not_modified:
            crawl.unchanged = True
            crawl.entry = {url: _validators(got, ctx.previous.get(url))}
            return
        try:
            if channel.channel_type == "json-api":
                complete = False
                link = json_next(got.body, ctx.options.next, got.url) if ctx.options.next else None
            else:
                allow = ctx.mapping.reader.allow_doctype
                links = feed_links(got.body, got.url, allow_doctype=allow)
                complete, link = links.complete, links.next
        except KunskapsgrafError as exc:
            ctx.fail_with(crawl, url, exc)
            return
        link = link or link_header_next(got.header("link"), got.url)
        crawl.documents.append(_document(got, url, channel))
        if entry:
            crawl.entry = {url: _validators(got)}
            if ctx.options.full_crawl is None:  # harvest.toml, when it says, has the last word
                crawl.full = crawl.full or complete
        if link is None:
            return
        if link in visited:
            ctx.fail(
                crawl,
                url,
                f"nästa sida {link} har redan hämtats (sidorna går i ring)",
                f"the next page {link} was already fetched (the paging loops)",
            )
            return
        if not ctx.may_follow(crawl, link, got.url):
            return
        url = link


def _too_many(ctx: _Context, crawl: _Crawl) -> None:
    ctx.fail(
        crawl,
        crawl.channel.url or crawl.channel.iri,
        f"fler än {ctx.options.max_pages} dokument (harvest.toml: paging.max_pages)",
        f"more than {ctx.options.max_pages} documents (harvest.toml: paging.max_pages)",
    )


def _crawl_sitemap(ctx: _Context, crawl: _Crawl) -> None:
    """A sitemap (or a sitemap index, one level), then every page it lists."""
    channel = crawl.channel
    assert channel.url is not None
    got = ctx.get(crawl, channel.url, XML_ACCEPT, conditional=bool(ctx.known.states))
    if got is None:
        return
    if got.not_modified:
        crawl.unchanged = True
        crawl.entry = {channel.url: _validators(got, ctx.previous.get(channel.url))}
        return
    crawl.entry = {channel.url: _validators(got)}
    budget = ctx.options.max_pages - 1
    try:
        listing = sitemap(got.body, got.url)
    except KunskapsgrafError as exc:
        ctx.fail_with(crawl, channel.url, exc)
        return
    pages: list[str] = []
    if listing.kind == "urlset":
        pages = [p for p in listing.locations if ctx.may_follow(crawl, p, got.url)]
    else:
        for loc in listing.locations:
            if not ctx.may_follow(crawl, loc, got.url):
                continue
            if budget <= 0:
                _too_many(ctx, crawl)
                return
            budget -= 1
            sub = ctx.get(crawl, loc, XML_ACCEPT, conditional=False)
            if sub is None:
                continue
            try:
                part = sitemap(sub.body, sub.url)
                if part.kind != "urlset":
                    raise InvalidParameter(
                        "ett sitemap-index får inte lista fler index",
                        "a sitemap index must not list further indexes",
                    )
            except KunskapsgrafError as exc:
                ctx.fail_with(crawl, loc, exc)
                continue
            pages.extend(p for p in part.locations if ctx.may_follow(crawl, p, sub.url))
    for page in dict.fromkeys(pages):
        if budget <= 0:
            _too_many(ctx, crawl)
            return
        budget -= 1
        # A page is asked conditionally only while the store holds what came from it.
        derived = ctx.known.derived.get(page, set())
        leaf = ctx.get(crawl, page, ctx.accept(channel), conditional=bool(derived))
        if leaf is None:
            continue
        if leaf.not_modified:
            crawl.seen |= derived
            crawl.leaves[page] = _validators(leaf, ctx.previous.get(page))
            continue
        crawl.documents.append(_document(leaf, page, channel))
        crawl.leaves[page] = _validators(leaf)


def drop_dir(settings: Settings, source: str) -> Path:
    """Where a source's file drop is read from: ``<data_dir>/drop/<source>/``."""
    return settings.data_dir / "drop" / source


def _crawl_drop(ctx: _Context, crawl: _Crawl) -> None:
    """Every file below ``<data_dir>/drop/<source>/`` (names starting with "." are skipped:
    write there, then rename). Unchanged names, sizes and times: nothing is read."""
    root = drop_dir(ctx.settings, ctx.source)
    label = f"drop/{ctx.source}"
    if not root.is_dir():
        ctx.fail(
            crawl,
            label,
            f"inlämningsmappen {root} finns inte",
            f"the drop directory {root} does not exist",
        )
        return
    base = root.resolve()
    files: list[tuple[Path, str, int, int]] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.is_symlink():
            continue
        if not path.is_file() or not path.resolve().is_relative_to(base):
            continue
        stat = path.stat()
        files.append((path, rel.as_posix(), stat.st_size, stat.st_mtime_ns))
    listing = json.dumps([f[1:] for f in files])
    fingerprint = hashlib.sha256(listing.encode("utf-8")).hexdigest()
    crawl.entry = {DROP_KEY: {"fingerprint": fingerprint}}
    previous = ctx.previous.get(DROP_KEY, {})
    if ctx.known.states and previous.get("fingerprint") == fingerprint:
        crawl.unchanged = True
        ctx.report.not_modified += 1
        return
    for path, name, size, _ in files:
        where = f"{label}/{name}"
        if size > ctx.settings.max_body_bytes:
            ctx.fail(
                crawl,
                where,
                f"filen är större än {ctx.settings.max_body_bytes} byte",
                f"the file is larger than {ctx.settings.max_body_bytes} bytes",
            )
            continue
        try:
            body = path.read_bytes()
        except OSError as exc:
            ctx.fail(crawl, where, f"filen kan inte läsas ({exc})", f"cannot read the file ({exc})")
            continue
        ctx.report.fetched += 1
        crawl.documents.append(_Document(where, None, None, body, crawl.channel.media_type))


# --- mapping, ingesting, archiving ------------------------------------------------------------


def _record_items(mapping: Mapping, doc: _Document) -> tuple[set[str], bool]:
    """The item IRIs of every record in a document, mappable or not, and whether every record
    had one: a record that fails mapping has not gone from the source."""
    try:
        records = read(doc.body, mapping.reader, base_url=doc.base)
    except KunskapsgrafError:
        return set(), False
    iris: set[str] = set()
    every = True
    for record in records:
        if record.error is not None:
            every = False
            continue
        fields = dict(record.fields)
        if doc.base is not None:
            fields.setdefault("_input_url", doc.base)
        try:
            iris.add(mapping.item_iri(mapping.local_id(mapping.derived(fields))))
        except RecordProblem:
            every = False
    return iris, every


def _as_stored(triples: list[Triple]) -> list[Triple]:
    """The triples in the form the store keeps them. pyoxigraph normalises some literals when
    storing (an xsd:dateTime offset "+00:00" becomes "Z"); without this the pipeline's
    unchanged-check would see such an item as changed on every harvest."""
    scratch = pyoxigraph.Store()
    graph = NamedNode(KSG + "harvest")
    scratch.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return [q.triple for q in scratch]


def _rejected(report: HarvestReport, exc: ValidationFailed, what_sv: str, what_en: str) -> None:
    run = exc.details.get("run")
    if isinstance(run, str):
        report.runs.append(run)
    report.errors.append(
        HarvestProblem(
            report.source, f"{what_sv}: {exc.message_sv}", f"{what_en}: {exc.message_en}"
        )
    )
    for result in exc.details.get("results", []):
        field_name = str(result.get("field") or "–").replace(KS, "ks:")
        message = result.get("message") or {}
        report.errors.append(
            HarvestProblem(
                str(result.get("item") or result.get("focusNode") or report.source),
                f"{field_name}: {message.get('sv', '')}",
                f"{field_name}: {message.get('en', '')}",
            )
        )


def harvest(
    store: Store,
    settings: Settings,
    source: str,
    *,
    fetch: Fetcher | None = None,
    run_log: RunLog | None = None,
    on_change: Callable[[], None] | None = None,
    state: HarvestState | None = None,
    actor: Principal = audit.SCHEDULER,
    trigger: Trigger = "manual",
) -> HarvestReport:
    """Harvest ``source`` now: every pull channel in its register record.

    The items of all fetched documents go to ``ingest_batch`` as one batch (stored whole or
    rejected whole); records that fail mapping are skipped and listed in ``errors``, as are
    documents that cannot be fetched or read. After a complete full crawl, the source's
    current items that the crawl did not list are archived (one more batch). Raises
    ``NotFound`` for an unknown source, ``InvalidParameter`` when it has no mapping or no
    pull channel with an address, and ``MappingError`` for a broken ``mapping.toml`` or
    ``harvest.toml``; everything else (fetching, reading, mapping, validation) is reported.

    Each stored batch is an audit event associated with ``actor`` (who started the harvest:
    the command line passes its operator; by default the service's scheduler):
    ``items-harvested`` for the content, ``items-archived`` for the archiving, with the
    ``trigger``, the channels and the counts.
    """
    if not store.describe([source_iri(source)]):
        raise NotFound(
            f"Okänd kunskapskälla: '{source}'.",
            f"Unknown knowledge source: '{source}'.",
            source=source,
        )
    mapping = load_source_mapping(source, settings.mappings_dir)
    options = load_options(source, settings.mappings_dir)
    report = HarvestReport(source=source)
    usable: list[HarvestChannel] = []
    unaddressed = False
    for channel in channels(store, source):
        if channel.channel_type == "file-drop" or channel.url:
            usable.append(channel)
            continue
        unaddressed = True
        report.errors.append(
            HarvestProblem(
                channel.iri,
                "kanalen har ingen adress (ks:accessURL) och hoppades över",
                "the channel has no address (ks:accessURL) and was skipped",
            )
        )
    if not usable:
        raise InvalidParameter(
            f"Källan '{source}' har ingen kanal att skörda (atom, rss, json-api eller sitemap "
            "med ks:accessURL, eller file-drop) i registret.",
            f"Source '{source}' has no channel to harvest (atom, rss, json-api or sitemap with "
            "ks:accessURL, or file-drop) in the register.",
            source=source,
        )
    state = state if state is not None else HarvestState.for_store(store, settings)
    fetcher = (
        fetch
        if fetch is not None
        else UrlFetcher(settings.harvest_timeout_s, settings.max_body_bytes)
    )
    with _LOCKS_LOCK:
        lock = _LOCKS[source]
    with lock:  # one harvest of a source at a time
        known = _known(store, source)
        previous = state.validators(source)
        ctx = _Context(store, source, settings, fetcher, options, mapping, previous, known, report)
        crawls: list[_Crawl] = []
        for channel in usable:
            full = options.full_crawl if options.full_crawl is not None else channel.full_crawl
            crawl = _Crawl(channel, full)
            if channel.channel_type == "file-drop":
                _crawl_drop(ctx, crawl)
            elif channel.channel_type == "sitemap":
                _crawl_sitemap(ctx, crawl)
            else:
                _crawl_pages(ctx, crawl)
            crawls.append(crawl)
        audited = _Audited(ctx.store, actor, trigger, report, crawls)
        _ingest(ctx, crawls, unaddressed, run_log, on_change, state, audited)
    return report


@dataclass
class _Audited:
    """Records a harvest's stored batches in the audit trail, like the API records its
    writes, with what the harvest had done by then (trigger, channels, counts)."""

    store: Store
    actor: Principal
    trigger: Trigger
    report: HarvestReport
    crawls: list[_Crawl]

    def __call__(self, action: str, result: IngestReport) -> None:
        details = {
            "via": "harvest",
            "trigger": self.trigger,
            "channels": [c.channel.iri for c in self.crawls],
            "fetched": self.report.fetched,
            "notModified": self.report.not_modified,
            "items": self.report.items,
            "kept": self.report.kept,
            "problems": len(self.report.errors),
        }
        audit.record_write(self.store, self.actor, action, result, details=details)


def _ingest(
    ctx: _Context,
    crawls: list[_Crawl],
    unaddressed: bool,
    run_log: RunLog | None,
    on_change: Callable[[], None] | None,
    state: HarvestState,
    audited: _Audited,
) -> None:
    report, source, settings = ctx.report, ctx.source, ctx.settings
    items: dict[str, list[Triple]] = {}
    others: dict[str, list[Triple]] = {}
    seen: set[str] = set()
    every_id = True
    concepts = StoreConcepts(ctx.store)
    for crawl in crawls:
        seen |= crawl.seen
        for doc in crawl.documents:
            try:
                mapped = map_input(
                    source,
                    doc.body,
                    mappings_dir=settings.mappings_dir,
                    media_type=doc.media_type,
                    record_url=doc.base,
                    concepts=concepts,
                )
            except KunskapsgrafError as exc:
                ctx.fail_with(crawl, doc.label, exc)
                continue
            if mapped.links is not None:
                report.codes.merge(mapped.links)
            for error in mapped.errors:
                report.errors.append(
                    HarvestProblem(
                        f"{doc.label} ({error.position})",
                        f"posten hoppades över: {error.message_sv}",
                        f"record skipped: {error.message_en}",
                    )
                )
            if mapped.errors:
                ids, every = _record_items(ctx.mapping, doc)
                seen |= ids
                every_id = every_id and every
            seen.update(mapped.items)
            by_subject: dict[str, list[Triple]] = defaultdict(list)
            for t in mapped.triples:
                key = t.subject.value if isinstance(t.subject, NamedNode) else str(t.subject)
                by_subject[key].append(t)
            for iri in mapped.items:
                if iri in items:  # listed twice (pages overlap while a feed changes): first wins
                    continue
                items[iri] = by_subject.pop(iri, [])
                if doc.url is not None:
                    items[iri].append(Triple(NamedNode(iri), _DERIVED_FROM, NamedNode(doc.url)))
            for subject, triples in by_subject.items():
                others.setdefault(subject, triples)

    report.items = len(items)
    kept = [i for i in items if ctx.known.states.get(i) in EDITORIAL_STATES]
    report.kept = len(kept)
    for iri in kept:
        del items[iri]

    stored_ok = True
    if items:
        batch = [t for ts in (*items.values(), *others.values()) for t in ts]
        try:
            result = ingest_batch(
                ctx.store,
                settings,
                source,
                _as_stored(batch),
                mapping_version=ctx.mapping.version,
                run_log=run_log,
                on_change=on_change,
            )
        except ValidationFailed as exc:
            stored_ok = False
            _rejected(report, exc, "satsen avvisades", "the batch was rejected")
        except KunskapsgrafError as exc:
            stored_ok = False
            report.errors.append(HarvestProblem(source, exc.message_sv, exc.message_en))
        else:
            audited("items-harvested", result)
            report.runs.append(result.run)
            counts = result.counts()
            report.added, report.updated = counts["added"], counts["updated"]
            report.unchanged = counts["unchanged"]

    unchanged = any(c.unchanged for c in crawls)
    complete = not unaddressed and all(c.complete for c in crawls)
    if all(c.full for c in crawls) and not unchanged:
        if not (complete and every_id and stored_ok):
            report.errors.append(
                HarvestProblem(
                    source,
                    "inget arkiverades: genomsökningen blev inte fullständig (se felen ovan)",
                    "nothing was archived: the crawl was not complete (see the errors above)",
                )
            )
        elif not seen:
            report.errors.append(
                HarvestProblem(
                    source,
                    "genomsökningen hittade inget innehåll; av försiktighet arkiverades inget",
                    "the crawl found no items; as a precaution nothing was archived",
                )
            )
        else:
            report.full_crawl = True
            current = set(CURRENT_LIFECYCLE_STATES)
            gone = sorted(
                iri
                for iri, notation in ctx.known.states.items()
                if notation in current and iri not in ctx.known.parts and iri not in seen
            )
            if gone:
                try:
                    archived = archive_items(
                        ctx.store, settings, source, gone, run_log=run_log, on_change=on_change
                    )
                except ValidationFailed as exc:
                    stored_ok = False  # not remembered: the next harvest tries again
                    _rejected(report, exc, "arkiveringen avvisades", "the archiving was rejected")
                except KunskapsgrafError as exc:
                    stored_ok = False
                    report.errors.append(HarvestProblem(source, exc.message_sv, exc.message_en))
                else:
                    audited("items-archived", archived)
                    report.runs.append(archived.run)
                    report.archived = len(archived.updated)

    if stored_ok:
        entries: dict[str, Validators] = {}
        for crawl in crawls:
            entries.update(crawl.leaves)
            if crawl.complete:
                entries.update(crawl.entry)
        state.record(source, entries, replace=complete and not unchanged)
