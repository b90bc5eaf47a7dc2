"""Pull harvesting against a real HTTP server on 127.0.0.1: paged feeds, conditional requests,
full crawls that archive, sitemaps, a JSON API, file drops, and what must be refused."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat

from service.config import Settings
from service.errors import InvalidParameter, NotFound
from service.harvest import HarvestReport, HarvestState, channels, harvest, load_options
from service.harvest.fetch import FetchError, UrlFetcher
from service.harvest.schedule import Scheduler, last_scheduled, run_due
from service.ingest.lifecycle import change_lifecycle
from service.ingest.runs import RunLog
from service.mapping import MappingError
from service.search import SearchService, open_index
from service.search.index import SearchQuery
from service.store import Store
from service.terms import GRAPH_REGISTER, KSG, KSI, KSV

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
RSS_SOURCE = (REPO / "mappings" / "rss" / "source.ttl").read_text(encoding="utf-8")
RSS_CHANNEL = (
    "    ks:channelType <https://kunskapsgraf.se/vocab/channel-type/rss> ;\n"
    '    ks:mediaType "application/rss+xml" ;\n'
)


# --- the test server ------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/xml"
    last_modified: str = ""
    location: str | None = None  # a redirect
    hang: bool = False  # never answer (until the test ends)


class FixtureServer:
    """Serves routes from memory, answers 304 to matching If-None-Match / If-Modified-Since,
    and records every request with its headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.hang:
                    server.release.wait(10)
                    self.close_connection = True
                    return
                if route.location is not None:
                    self.send_response(302)
                    self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                if_none_match = self.headers.get("If-None-Match")
                if_modified_since = self.headers.get("If-Modified-Since")
                fresh = if_none_match == etag
                if if_none_match is None and if_modified_since:
                    since = email.utils.parsedate_to_datetime(if_modified_since)
                    fresh = email.utils.parsedate_to_datetime(route.last_modified) <= since
                if fresh:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", route.last_modified)
                self.end_headers()
                self.wfile.write(route.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: str | bytes, content_type: str = "application/xml") -> None:
        data = body.replace("{base}", self.base).encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, email.utils.formatdate(usegmt=True))

    def fixture(self, path: str, name: str, content_type: str = "application/xml") -> None:
        self.serve(path, (FIXTURES / name).read_text(encoding="utf-8"), content_type)

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    s = FixtureServer()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def conf(tmp_path: Path) -> Settings:
    return Settings(store="memory", data_dir=tmp_path, harvest_timeout_s=5)


# --- helpers ------------------------------------------------------------------------------


def register(
    store: Store,
    channel_type: str,
    url: str | None,
    media_type: str = "application/rss+xml",
    source: str = "rss",
    schedule: str | None = None,
) -> None:
    """A copy of mappings/rss/source.ttl as ``source``, its channel of this type and address."""
    text = RSS_SOURCE
    if source != "rss":
        text = (
            text.replace("/rss/", f"/{source}/")
            .replace("/source/rss>", f"/source/{source}>")
            .replace('ks:sourceKey "rss"', f'ks:sourceKey "{source}"')
        )
    address = f'    ks:accessURL "{url}"^^xsd:anyURI ;\n' if url else ""
    channel = (
        f"{address}    ks:channelType <{KSV}channel-type/{channel_type}> ;\n"
        f'    ks:mediaType "{media_type}" ;\n'
        + (f'    ks:schedule "{schedule}" ;\n' if schedule else "")
    )
    assert RSS_CHANNEL in text
    text = text.replace(RSS_CHANNEL, channel)
    store.update(
        "DELETE WHERE { GRAPH <https://kunskapsgraf.se/graph/register> "
        f"{{ <{KSI}channel/{source}/1> ?p ?o }} }}"
    )
    parsed = pyoxigraph.parse(text.encode(), format=RdfFormat.TURTLE)
    store.add_quads(Quad(t.subject, t.predicate, t.object, GRAPH_REGISTER) for t in parsed)


def snapshot(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def items(store: Store, source: str = "rss") -> dict[str, tuple[str, str]]:
    """Swedish title → (item IRI, lifecycle notation) of the source's stored items."""
    rows = store.select(
        f"""SELECT ?item ?title ?state WHERE {{ GRAPH <{KSG}source/{source}> {{
              ?item ks:title ?title ; ks:lifecycleState ?state . FILTER(LANG(?title) = "sv") }}
            }}"""
    )
    return {r["title"].value: (r["item"].value, r["state"].value.rsplit("/", 1)[-1]) for r in rows}


def derived_from(store: Store, item: str) -> list[str]:
    rows = store.select(f"SELECT ?url WHERE {{ <{item}> ks:wasDerivedFrom ?url }}")
    return [r["url"].value for r in rows]


def search_ids(store: Store, text: str) -> set[str]:
    service = SearchService(open_index(Settings(store="memory")))
    service.refresh(store)
    return {hit["id"] for hit in service.search(SearchQuery(text=text))["items"]}


def ok(report: HarvestReport) -> HarvestReport:
    assert report.errors == [], [str(e) for e in report.errors]
    return report


# --- channels from the register -------------------------------------------------------------


def test_channels_are_read_from_the_register(store: Store, server: FixtureServer) -> None:
    register(store, "rss", f"{server.base}/feed-1.xml")
    [channel] = channels(store, "rss")
    assert channel.channel_type == "rss"
    assert channel.url == f"{server.base}/feed-1.xml"
    assert channel.media_type == "application/rss+xml"
    assert channel.schedule == "15 * * * *"
    assert channel.full_crawl is False
    assert channels(store, "nkk") == []  # a push source has nothing to pull


def test_unknown_source_and_source_without_pull_channel(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    with pytest.raises(NotFound):
        harvest(store, conf, "no-such-source")
    register(store, "rss", None)  # the channel has no address
    with pytest.raises(InvalidParameter, match="no channel to harvest"):
        harvest(store, conf, "rss")
    assert server.requests == []


# --- feeds: paging, conditional requests, changes ------------------------------------------


def test_paged_feed_is_stored_then_not_modified(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.fixture("/feed-1.xml", "feed-1.xml", "application/rss+xml")
    server.fixture("/feed-2.xml", "feed-2.xml", "application/rss+xml")
    register(store, "rss", f"{server.base}/feed-1.xml")

    log, changes = RunLog(None), []
    first = ok(harvest(store, conf, "rss", run_log=log, on_change=lambda: changes.append(1)))
    assert (first.fetched, first.not_modified, first.items) == (2, 0, 3)
    assert [r["run"] for r in log.runs("rss")] == first.runs and changes == [1]
    assert (first.added, first.updated, first.unchanged, first.archived) == (3, 0, 0, 0)
    assert len(first.runs) == 1 and first.runs[0].startswith(f"{KSI}run/rss/")
    stored = items(store)
    assert {state for _, state in stored.values()} == {"gallande"}
    solskydd, _ = stored["Solskydd för barn under sommaren"]
    assert derived_from(store, solskydd) == [f"{server.base}/feed-2.xml"]
    assert server.headers_of("/feed-1.xml")[0].get("If-None-Match") is None
    before = snapshot(store)

    second = ok(harvest(store, conf, "rss"))
    assert (second.fetched, second.not_modified, second.items) == (0, 1, 0)
    assert second.runs == []
    conditional = server.headers_of("/feed-1.xml")[-1]
    assert conditional["If-None-Match"].startswith('"')
    assert "If-Modified-Since" in conditional
    assert server.count("/feed-2.xml") == 1  # nothing followed after a 304
    assert snapshot(store) == before


def test_changed_feed_updates_and_a_partial_feed_archives_nothing(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.fixture("/feed-1.xml", "feed-1.xml", "application/rss+xml")
    server.fixture("/feed-2.xml", "feed-2.xml", "application/rss+xml")
    register(store, "rss", f"{server.base}/feed-1.xml")
    ok(harvest(store, conf, "rss"))

    page1 = (FIXTURES / "feed-1.xml").read_text(encoding="utf-8")
    server.serve("/feed-1.xml", page1.replace("före öppnandet", "före och efter öppnandet"))
    page2 = (FIXTURES / "feed-2.xml").read_text(encoding="utf-8")
    start, end = page2.index("<item>"), page2.index("</item>") + len("</item>")
    server.serve("/feed-2.xml", page2[:start] + page2[end:])  # the last item drops off

    report = ok(harvest(store, conf, "rss"))
    assert (report.fetched, report.items) == (2, 2)
    assert (report.added, report.updated, report.unchanged, report.archived) == (0, 1, 1, 0)
    assert report.full_crawl is False  # a feed lists its latest entries only
    stored = items(store)
    assert stored["Solskydd för barn under sommaren"][1] == "gallande"
    insulin, _ = stored["Nya råd om förvaring av insulin"]
    body = store.select(f'SELECT ?b WHERE {{ <{insulin}> ks:body ?b FILTER(LANG(?b) = "sv") }}')
    assert "före och efter öppnandet" in body[0]["b"].value


def test_item_gone_from_a_full_crawl_is_archived_not_deleted(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.fixture("/complete.xml", "complete.xml", "application/atom+xml")
    register(store, "atom", f"{server.base}/complete.xml", "application/atom+xml")
    first = ok(harvest(store, conf, "rss"))
    assert first.added == 2 and first.full_crawl is True  # <fh:complete/>: the whole source
    pollen, _ = items(store)["Pollenprognos och antihistaminer"]
    identifier = "rss:" + pollen.rsplit("/", 1)[-1]
    assert identifier in search_ids(store, "pollenprognos")

    feed = (FIXTURES / "complete.xml").read_text(encoding="utf-8")
    start = feed.index("<entry>")
    end = feed.index("</entry>") + len("</entry>")
    server.serve("/complete.xml", feed[:start] + feed[end:], "application/atom+xml")
    report = ok(harvest(store, conf, "rss"))
    assert (report.items, report.unchanged, report.archived) == (1, 1, 1)
    assert len(report.runs) == 2  # the content batch, then the archiving batch
    stored = items(store)
    assert stored["Pollenprognos och antihistaminer"] == (pollen, "arkiverad")
    assert stored["Förvaring av vaccin i kylskåp"][1] == "gallande"
    assert store.describe([NamedNode(pollen)])  # still there, with its provenance
    assert derived_from(store, pollen) == [f"{server.base}/complete.xml"]
    assert identifier not in search_ids(store, "pollenprognos")

    # The same crawl again: nothing left to archive, nothing written.
    before = snapshot(store)
    again = ok(harvest(store, conf, "rss"))
    assert again.not_modified == 1 and again.archived == 0
    assert snapshot(store) == before

    # It comes back: current again.
    server.fixture("/complete.xml", "complete.xml", "application/atom+xml")
    back = ok(harvest(store, conf, "rss"))
    assert back.updated == 1 and items(store)["Pollenprognos och antihistaminer"][1] == "gallande"


def test_full_crawl_can_be_switched_off(
    store: Store, conf: Settings, server: FixtureServer, tmp_path: Path
) -> None:
    mappings = tmp_path / "mappings"
    (mappings / "rss").mkdir(parents=True)
    (mappings / "rss" / "mapping.toml").write_bytes(
        (REPO / "mappings" / "rss" / "mapping.toml").read_bytes()
    )
    (mappings / "rss" / "harvest.toml").write_text("full_crawl = false\n")
    partial = conf.model_copy(update={"mappings_dir": mappings})
    server.fixture("/complete.xml", "complete.xml", "application/atom+xml")
    register(store, "atom", f"{server.base}/complete.xml", "application/atom+xml")
    assert ok(harvest(store, partial, "rss")).full_crawl is False  # despite <fh:complete/>
    feed = (FIXTURES / "complete.xml").read_text(encoding="utf-8")
    start, end = feed.index("<entry>"), feed.index("</entry>") + len("</entry>")
    server.serve("/complete.xml", feed[:start] + feed[end:], "application/atom+xml")
    assert ok(harvest(store, partial, "rss")).archived == 0
    assert items(store)["Pollenprognos och antihistaminer"][1] == "gallande"


def test_withdrawn_item_is_left_withdrawn(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.fixture("/complete.xml", "complete.xml", "application/atom+xml")
    register(store, "atom", f"{server.base}/complete.xml", "application/atom+xml")
    ok(harvest(store, conf, "rss"))
    vaccin, _ = items(store)["Förvaring av vaccin i kylskåp"]
    change_lifecycle(store, conf, "rss", "rss:" + vaccin.rsplit("/", 1)[-1], "tillbakadragen")
    feed = (FIXTURES / "complete.xml").read_text(encoding="utf-8")
    server.serve("/complete.xml", feed.replace("2 och 8 grader", "+2 och +8 grader"))
    report = ok(harvest(store, conf, "rss"))
    assert (report.items, report.kept, report.updated, report.archived) == (2, 1, 0, 0)
    assert items(store)["Förvaring av vaccin i kylskåp"][1] == "tillbakadragen"


def test_malformed_feed_is_reported_and_nothing_written(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.fixture("/broken.xml", "malformed.xml", "application/rss+xml")
    register(store, "rss", f"{server.base}/broken.xml")
    before = snapshot(store)
    report = harvest(store, conf, "rss")
    assert report.fetched == 1 and report.items == 0 and report.runs == []
    [problem] = report.errors
    assert problem.where == f"{server.base}/broken.xml"
    assert "malformed XML" in problem.message_en and "line" in problem.message_en
    assert snapshot(store) == before
    # Nothing was remembered either: the next harvest asks again, unconditionally.
    harvest(store, conf, "rss")
    assert "If-None-Match" not in server.headers_of("/broken.xml")[-1]


def test_records_that_fail_mapping_are_skipped_and_reported(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    feed = (FIXTURES / "feed-2.xml").read_text(encoding="utf-8")
    http_only = feed.replace(
        "<item>",
        "<item><title>Utan säker länk</title><link>http://example.org/x</link>"
        "<guid>test-http</guid><pubDate>Tue, 20 Feb 2024 09:00:00 +0100</pubDate></item><item>",
    )
    server.serve("/feed.xml", http_only, "application/rss+xml")
    register(store, "rss", f"{server.base}/feed.xml")
    report = harvest(store, conf, "rss")
    assert (report.items, report.added) == (1, 1)
    [problem] = report.errors
    assert problem.where == f"{server.base}/feed.xml (item 1)"
    assert problem.message_en.startswith("record skipped:") and "https" in problem.message_en


# --- sitemaps -------------------------------------------------------------------------------


def test_sitemap_pages_are_mapped_and_checked_conditionally(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.fixture("/sitemap.xml", "sitemap.xml")
    server.fixture("/pages/a.xml", "page-a.xml", "application/atom+xml")
    server.fixture("/pages/b.xml", "page-b.xml", "application/atom+xml")
    register(store, "sitemap", f"{server.base}/sitemap.xml", "application/atom+xml")
    first = ok(harvest(store, conf, "rss"))
    assert (first.fetched, first.items, first.added, first.full_crawl) == (3, 2, 2, True)
    fluor, _ = items(store)["Fluor i tandkräm för barn"]
    assert derived_from(store, fluor) == [f"{server.base}/pages/b.xml"]

    unchanged = ok(harvest(store, conf, "rss"))
    assert (unchanged.fetched, unchanged.not_modified) == (0, 1)
    assert server.count("/pages/a.xml") == 1

    # Page b leaves the sitemap: page a is asked conditionally (304), b's item is archived.
    sitemap = (FIXTURES / "sitemap.xml").read_text(encoding="utf-8")
    b_line = "  <url><loc>{base}/pages/b.xml</loc><lastmod>2024-03-02</lastmod></url>\n"
    assert b_line in sitemap
    server.serve("/sitemap.xml", sitemap.replace(b_line, ""))
    report = ok(harvest(store, conf, "rss"))
    assert (report.fetched, report.not_modified, report.archived) == (1, 1, 1)
    assert "If-None-Match" in server.headers_of("/pages/a.xml")[-1]
    assert server.count("/pages/b.xml") == 1
    stored = items(store)
    assert stored["Fluor i tandkräm för barn"][1] == "arkiverad"
    assert stored["Antikoagulantia inför operation"][1] == "gallande"


def test_sitemap_index_lists_sitemaps(store: Store, conf: Settings, server: FixtureServer) -> None:
    server.serve(
        "/index.xml",
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>{base}/sitemap.xml</loc></sitemap></sitemapindex>",
    )
    server.fixture("/sitemap.xml", "sitemap.xml")
    server.fixture("/pages/a.xml", "page-a.xml", "application/atom+xml")
    server.fixture("/pages/b.xml", "page-b.xml", "application/atom+xml")
    register(store, "sitemap", f"{server.base}/index.xml", "application/atom+xml")
    report = ok(harvest(store, conf, "rss"))
    assert (report.fetched, report.added, report.full_crawl) == (4, 2, True)


def test_sitemap_links_to_other_hosts_are_not_followed(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.serve(
        "/sitemap.xml",
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>{base}/pages/a.xml</loc></url>"
        "<url><loc>http://169.254.169.254/latest/meta-data</loc></url>"
        "<url><loc>file:///etc/passwd</loc></url></urlset>",
    )
    server.fixture("/pages/a.xml", "page-a.xml", "application/atom+xml")
    register(store, "sitemap", f"{server.base}/sitemap.xml", "application/atom+xml")
    report = harvest(store, conf, "rss")
    assert report.added == 1
    assert [p for p, _ in server.requests] == ["/sitemap.xml", "/pages/a.xml"]
    messages = " ".join(p.message_en for p in report.errors)
    assert "169.254.169.254" in messages and "file:///etc/passwd" in messages
    assert "nothing was archived" in messages and report.archived == 0


# --- a JSON API with paging -----------------------------------------------------------------


def test_json_api_follows_the_next_pointer(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    api = conf.model_copy(update={"mappings_dir": FIXTURES / "mappings"})
    assert load_options("testapi", api.mappings_dir).next == "/links/next"
    server.fixture("/api/items", "api-1.json", "application/json")
    server.fixture("/api/items?page=2", "api-2.json", "application/json")
    register(store, "json-api", f"{server.base}/api/items", "application/json", "testapi")
    report = ok(harvest(store, api, "testapi"))
    assert (report.fetched, report.items, report.added, report.full_crawl) == (2, 3, 3, True)
    assert set(items(store, "testapi")) == {
        "Ny behandlingsrekommendation för otit",
        "Brist på penicillin V i oral lösning",
        "Influensavaccin för riskgrupper",
    }
    # Page 1 changes; page 2's item (dated +00:00, which the store keeps as Z) is unchanged.
    page1 = (FIXTURES / "api-1.json").read_text(encoding="utf-8")
    server.serve(
        "/api/items", page1.replace("alternativ finns", "alternativ nu"), "application/json"
    )
    again = ok(harvest(store, api, "testapi"))
    assert (again.fetched, again.updated, again.unchanged, again.archived) == (2, 1, 2, 0)


def test_rejected_batch_writes_nothing_and_is_fetched_again(
    store: Store, conf: Settings, server: FixtureServer, tmp_path: Path
) -> None:
    api = conf.model_copy(update={"mappings_dir": FIXTURES / "mappings"})
    server.fixture("/api/items", "api-2.json", "application/json")
    register(store, "json-api", f"{server.base}/api/items", "application/json", "testapi")
    ok(harvest(store, api, "testapi"))
    first_etag = server.headers_of("/api/items")[-1].get("If-None-Match")
    assert first_etag is None

    (tmp_path / "testapi").mkdir()
    mapping = (FIXTURES / "mappings" / "testapi" / "mapping.toml").read_text(encoding="utf-8")
    (tmp_path / "testapi" / "mapping.toml").write_text(
        mapping.replace('publisher = "lakemedelsverket"', 'publisher = "okand-utgivare"')
    )
    broken = conf.model_copy(update={"mappings_dir": tmp_path})
    page = (FIXTURES / "api-2.json").read_text(encoding="utf-8")
    server.serve(
        "/api/items", page.replace("riskgrupper.", "riskgrupper i år."), "application/json"
    )
    before = snapshot(store)
    report = harvest(store, broken, "testapi")
    assert (report.fetched, report.items, report.updated) == (1, 1, 0)
    assert len(report.runs) == 1  # the rejected run, in the run log
    assert report.errors[0].message_en.startswith("the batch was rejected: ")
    assert any("ks:publisher" in p.message_en for p in report.errors)
    assert snapshot(store) == before
    # The new ETag was not remembered: the next harvest fetches the document again.
    sent = server.headers_of("/api/items")[-1]["If-None-Match"]
    assert harvest(store, broken, "testapi").fetched == 1
    assert server.headers_of("/api/items")[-1]["If-None-Match"] == sent


def test_harvest_options_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "testapi"
    folder.mkdir()
    (folder / "mapping.toml").write_text(
        (FIXTURES / "mappings" / "testapi" / "mapping.toml").read_text(encoding="utf-8")
    )
    assert load_options("testapi", tmp_path).next is None  # no harvest.toml: defaults
    (folder / "harvest.toml").write_text('[paging]\nnxt = "/next"\n')
    with pytest.raises(MappingError, match=r"paging\.nxt"):
        load_options("testapi", tmp_path)


# --- file drops -----------------------------------------------------------------------------


def test_file_drop_reads_the_source_directory_only(store: Store, conf: Settings) -> None:
    register(store, "file-drop", None, "application/atom+xml")
    drop = conf.data_dir / "drop" / "rss"
    drop.mkdir(parents=True)
    (drop / "a.xml").write_bytes((FIXTURES / "page-a.xml").read_bytes())
    (drop / "b.xml").write_bytes((FIXTURES / "page-b.xml").read_bytes())
    (drop / ".b.xml.part").write_text("<half")  # being uploaded: ignored
    (drop / "outside.xml").symlink_to(FIXTURES / "complete.xml")  # never followed
    first = ok(harvest(store, conf, "rss"))
    assert (first.fetched, first.added, first.full_crawl) == (2, 2, True)

    again = ok(harvest(store, conf, "rss"))
    assert (again.fetched, again.not_modified) == (0, 1)

    (drop / "b.xml").unlink()
    report = ok(harvest(store, conf, "rss"))
    assert (report.fetched, report.unchanged, report.archived) == (1, 1, 1)
    assert items(store)["Fluor i tandkräm för barn"][1] == "arkiverad"


def test_missing_drop_directory_is_reported(store: Store, conf: Settings) -> None:
    register(store, "file-drop", None, "application/atom+xml")
    report = harvest(store, conf, "rss")
    assert report.fetched == 0 and "drop directory" in report.errors[0].message_en


# --- what is refused ------------------------------------------------------------------------


def test_hanging_server_times_out_with_a_clear_error(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.routes["/slow.xml"] = Route(hang=True)
    register(store, "rss", f"{server.base}/slow.xml")
    quick = conf.model_copy(update={"harvest_timeout_s": 1.0})
    before = snapshot(store)
    started = time.monotonic()
    report = harvest(store, quick, "rss")
    assert time.monotonic() - started < 5
    [problem] = report.errors
    assert problem.message_en == (
        f"{server.base}/slow.xml did not answer within 1 s (KUNSKAPSGRAF_HARVEST_TIMEOUT_S)."
    )
    assert "svarade inte inom 1 s" in problem.message_sv
    assert snapshot(store) == before


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml"])
def test_redirect_to_another_scheme_is_refused(
    store: Store, conf: Settings, server: FixtureServer, target: str
) -> None:
    server.routes["/feed.xml"] = Route(location=target)
    register(store, "rss", f"{server.base}/feed.xml")
    before = snapshot(store)
    report = harvest(store, conf, "rss")
    [problem] = report.errors
    assert f"redirects to {target!r}" in problem.message_en
    assert "only follows redirects to http and https" in problem.message_en
    assert report.fetched == 0 and snapshot(store) == before


def test_redirect_within_http_is_followed(
    store: Store, conf: Settings, server: FixtureServer
) -> None:
    server.routes["/old-feed"] = Route(location="/feed-2.xml")
    server.fixture("/feed-2.xml", "feed-2.xml", "application/rss+xml")
    register(store, "rss", f"{server.base}/old-feed")
    report = ok(harvest(store, conf, "rss"))
    assert report.added == 1
    solskydd, _ = items(store)["Solskydd för barn under sommaren"]
    assert derived_from(store, solskydd) == [f"{server.base}/old-feed"]


def test_fetcher_refuses_other_schemes_and_large_responses(server: FixtureServer) -> None:
    fetch = UrlFetcher(timeout_s=5, max_bytes=100)
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "data:,hello", "/relative"):
        with pytest.raises(FetchError, match="only fetches http and https"):
            fetch(url, {})
    server.fixture("/feed-1.xml", "feed-1.xml")
    with pytest.raises(FetchError, match="larger than 100 bytes"):
        fetch(f"{server.base}/feed-1.xml", {})
    with pytest.raises(FetchError, match="answered 404"):
        fetch(f"{server.base}/missing", {})


def test_state_is_kept_in_the_data_dir_for_a_store_on_disk(tmp_path: Path) -> None:
    on_disk = Settings(store="oxigraph", data_dir=tmp_path)

    class Disk:
        name = "oxigraph"

    state = HarvestState.for_store(Disk(), on_disk)  # type: ignore[arg-type]
    state.record("rss", {"https://e.se/feed": {"etag": '"x"'}}, replace=False)
    assert (tmp_path / "harvest-state.json").is_file()
    again = HarvestState.for_store(Disk(), on_disk)  # type: ignore[arg-type]
    assert again.validators("rss") == {"https://e.se/feed": {"etag": '"x"'}}
    again.record("rss", {"https://e.se/other": {"etag": '"y"'}}, replace=True)
    assert list(again.validators("rss")) == ["https://e.se/other"]
    (tmp_path / "harvest-state.json").write_text("{not json")
    assert again.validators("rss") == {}  # a corrupt cache only costs a full fetch


# --- schedules ------------------------------------------------------------------------------


def only_scheduled(store: Store, conf: Settings, schedule: str) -> Path:
    """The rss source as a file drop with ``schedule``, the only scheduled channel (the demo
    register's other schedules name real sites, which tests never fetch)."""
    register(store, "file-drop", None, "application/atom+xml", schedule=schedule)
    store.update(
        "DELETE { GRAPH ?g { ?channel ks:schedule ?schedule } } "
        "WHERE { GRAPH ?g { ?channel ks:schedule ?schedule } "
        f'FILTER (?schedule != "{schedule}") }}'
    )
    drop = conf.data_dir / "drop" / "rss"
    drop.mkdir(parents=True)
    (drop / "a.xml").write_bytes((FIXTURES / "page-a.xml").read_bytes())
    return drop


def test_schedules_are_read_in_swedish_time() -> None:
    summer = dt.datetime(2026, 7, 1, 2, 30, tzinfo=dt.UTC)  # 04:30 in Stockholm (CEST)
    assert last_scheduled("0 3 * * *", summer) == dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 1, 15, 2, 30, tzinfo=dt.UTC)  # 03:30 in Stockholm (CET)
    assert last_scheduled("0 3 * * *", winter) == dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)
    on_time = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)
    assert last_scheduled("0 3 * * *", on_time) == on_time


def test_a_due_source_is_harvested_once_per_scheduled_time(store: Store, conf: Settings) -> None:
    only_scheduled(store, conf, "0 3 * * *")
    night = dt.datetime(2026, 7, 1, 1, 5, tzinfo=dt.UTC)  # 03:05 in Stockholm
    first = run_due(store, conf, now=night)
    assert first.due == ["rss"] and not first.problems and not first.failed
    assert ok(first.reports["rss"]).added == 1
    assert "Antikoagulantia inför operation" in items(store)

    later = run_due(store, conf, now=night + dt.timedelta(hours=20))  # before the next 03:00
    assert later.due == [] and later.reports == {}

    next_night = run_due(store, conf, now=night + dt.timedelta(days=1))
    assert next_night.due == ["rss"]
    assert ok(next_night.reports["rss"]).not_modified == 1


def test_an_unreadable_schedule_is_reported_and_skipped(store: Store, conf: Settings) -> None:
    only_scheduled(store, conf, "varje natt")
    result = run_due(store, conf, now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    assert result.due == []
    assert [(p.source, p.schedule) for p in result.problems] == [("rss", "varje natt")]
    assert "cron" in result.problems[0].message_sv


def test_the_service_scheduler_harvests_in_the_background(store: Store, conf: Settings) -> None:
    only_scheduled(store, conf, "* * * * *")
    changes: list[str] = []
    scheduler = Scheduler(store, conf, on_change=changes.append, interval_s=0.05)
    scheduler.start()
    try:
        for _ in range(600):  # up to 30 s on a busy machine; normally one pass
            if scheduler.runs:
                break
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert scheduler.runs >= 1
    assert "Antikoagulantia inför operation" in items(store)
    assert changes and set(changes) == {"rss"}  # the index is told which source changed
