"""The crash loop shared by ``tests/ops/test_crash.py`` and ``bench/crash.py``.

One cycle: start the service on an on-disk store, check that search agrees with the store,
push batches through ``POST /api/sources/nkk/items`` from a second thread, SIGKILL the server
at a random moment, then open the store directly and check every batch:

- acknowledged (200): every subject present with exactly the pushed content;
- not acknowledged (in flight when killed): all of its subjects as pushed, or none;
- one item pair (a product and its section) is rewritten by every batch: both must carry the
  number of the newest batch that committed, never one old and one new.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat, Triple

from service.config import Settings
from service.corpus import reference_sources
from service.ingest.pipeline import as_stored, content_hash
from service.store import OxigraphStore
from service.store.loading import LoadSource, load_files
from service.terms import source_graph

TOKEN = "krasch-hemlig"
WORD = "kraschprov"  # in every title
CONSONANTS = "bcdfghjklmnpqrstvwxz"  # tags no stemmer shortens


def tag(number: int, i: int) -> str:
    """A word only item ``i`` of batch ``number`` has in its title: one search finds it."""
    letters = ""
    value = number * 10 + i
    while True:
        value, digit = divmod(value, len(CONSONANTS))
        letters = CONSONANTS[digit] + letters
        if not value:
            return f"zq{letters}zq"


ITEM = "https://kunskapsgraf.se/id/item/nkk/"
SHARED = [f"{ITEM}krasch-logg", f"{ITEM}krasch-logg.del"]
PREFIXES = """@prefix ks: <https://kunskapsgraf.se/ont/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix item: <https://kunskapsgraf.se/id/item/nkk/> .
"""
PRODUCT = """
item:{local} a ks:KnowledgeProduct ;
    ks:identifier "nkk:{local}" ;
    ks:title "{title}"@sv ;
    ks:summary "Sammanfattning {text}."@sv ;
    ks:body "Brödtext {text}."@sv ;
    ks:audience <https://kunskapsgraf.se/vocab/audience/lakare> ;
    ks:careSetting <https://kunskapsgraf.se/vocab/care-setting/primarvard> ;
    ks:contentType <https://kunskapsgraf.se/vocab/content-type/kliniskt-kunskapsstod> ;
    ks:knowledgeArea <https://kunskapsgraf.se/vocab/knowledge-area/lung-och-allergisjukdomar> ;
    ks:lifecycleState <https://kunskapsgraf.se/vocab/lifecycle/gallande> ;
    ks:publisher <https://kunskapsgraf.se/id/agent/npo-lung-och-allergisjukdomar> ;
    ks:source <https://kunskapsgraf.se/id/source/nkk> ;
    ks:language "sv" ;
    ks:issued "2025-03-01"^^xsd:date ;
    ks:modified "2025-03-01T10:00:00+01:00"^^xsd:dateTime ;
    ks:lastReviewed "2025-03-01"^^xsd:date ;
    ks:nextReview "2028-03-01"^^xsd:date ;
    ks:url "https://vardpersonal.1177.se/kunskapsstod/{local}/"^^xsd:anyURI ;
    ks:hasPart item:{local}.del .

item:{local}.del a ks:Section ;
    ks:identifier "nkk:{local}.del" ;
    ks:title "{title}, avsnitt"@sv ;
    ks:body "Avsnitt {text}."@sv ;
    ks:isPartOf item:{local} ;
    ks:position 1 ;
    ks:language "sv" ;
    ks:lifecycleState <https://kunskapsgraf.se/vocab/lifecycle/gallande> ;
    ks:source <https://kunskapsgraf.se/id/source/nkk> .
"""
ITEMS_PER_BATCH = 2
_SATS = re.compile(r"sats (\d+)")


def batch_body(number: int) -> bytes:
    """Batch ``number``: two new products with a section each, and the shared pair rewritten
    to say ``sats <number>``."""
    parts = [PREFIXES]
    for i in range(ITEMS_PER_BATCH):
        local = f"krasch-{number}-{i}"
        parts.append(PRODUCT.format(local=local, title=f"{WORD} {tag(number, i)}", text=local))
    parts.append(PRODUCT.format(local="krasch-logg", title="Krasch-logg", text=f"sats {number}"))
    return "".join(parts).encode()


def by_subject(triples: list[Triple]) -> dict[str, list[Triple]]:
    grouped: dict[str, list[Triple]] = defaultdict(list)
    for t in triples:
        grouped[t.subject.value].append(t)
    return grouped


@dataclass
class Batch:
    number: int
    body: bytes
    expected: dict[str, str]  # subject IRI → content hash, the shared pair excluded
    acknowledged: bool = False

    @classmethod
    def make(cls, number: int) -> Batch:
        body = batch_body(number)
        parsed = [q.triple for q in pyoxigraph.parse(body, format=RdfFormat.TURTLE)]
        expected = {
            s: content_hash(ts)
            for s, ts in by_subject(as_stored(parsed)).items()
            if s not in SHARED
        }
        return cls(number, body, expected)

    @property
    def products(self) -> set[str]:
        return {f"nkk:krasch-{self.number}-{i}" for i in range(ITEMS_PER_BATCH)}


@dataclass
class Ledger:
    batches: list[Batch] = field(default_factory=list)
    present_products: set[str] = field(default_factory=set)
    committed_unacknowledged: int = 0
    checked_up_to: int = 0  # batches up to this number were compared with the index
    absent_unacknowledged: int = 0

    def next(self) -> Batch:
        batch = Batch.make(len(self.batches) + 1)
        self.batches.append(batch)
        return batch


def prepare_store(data_dir: Path) -> None:
    """A small store, so a restart takes little more than starting the process: the model,
    our vocabularies and the register (sources, approvals, publishers); no demo content and
    no demo code lists."""
    settings = Settings(store="oxigraph", data_dir=data_dir)
    store = OxigraphStore(settings.store_path)
    codes = settings.demo_dir / "codes"
    model = [s for s in reference_sources(settings) if s.path.parent != codes]
    register = LoadSource(settings.demo_dir / "corpus" / "register.trig")
    load_files(store, [*model, register], replace=True)
    store.close()


def verify_store(data_dir: Path, ledger: Ledger) -> list[str]:
    """Open the store after a kill and check every batch; returns the problems found."""
    problems: list[str] = []
    store = OxigraphStore(data_dir / "oxigraph")  # raises if it cannot be opened as is
    try:
        graph = source_graph("nkk")
        subjects = [s for b in ledger.batches for s in b.expected] + SHARED
        stored = by_subject([q.triple for q in store.describe(map(NamedNode, subjects), graph)])
        newest = 0
        present: set[str] = set()
        for batch in ledger.batches:
            states = {
                s: (
                    "absent"
                    if s not in stored
                    else "whole"
                    if content_hash(stored[s]) == h
                    else "different"
                )
                for s, h in batch.expected.items()
            }
            kinds = set(states.values())
            if batch.acknowledged and kinds != {"whole"}:
                problems.append(f"acknowledged batch {batch.number} is not whole: {states}")
            elif (not batch.acknowledged and len(kinds) != 1) or "different" in kinds:
                problems.append(f"batch {batch.number} is partial: {states}")
            if kinds == {"whole"}:
                newest = batch.number
                present |= batch.products
        versions = set()
        for subject in SHARED:
            bodies = [
                t.object.value
                for t in stored.get(subject, [])
                if t.predicate.value.endswith("body")
            ]
            found = _SATS.search(bodies[0]) if bodies else None
            versions.add(int(found[1]) if found else 0)
        if versions != {newest}:
            problems.append(f"shared pair says batch {sorted(versions)}, newest whole is {newest}")
        ledger.present_products = present
    finally:
        store.close()
    return problems


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(data_dir: Path, port: int) -> dict[str, str]:
    return os.environ | {
        "KUNSKAPSGRAF_STORE": "oxigraph",
        "KUNSKAPSGRAF_DATA_DIR": str(data_dir),
        "KUNSKAPSGRAF_PORT": str(port),
        "KUNSKAPSGRAF_HOST": "127.0.0.1",
        "KUNSKAPSGRAF_TOKENS": json.dumps({"nkk": TOKEN}),
        "KUNSKAPSGRAF_RATE_LIMIT_PER_MINUTE": "0",
        "KUNSKAPSGRAF_TOKEN_RATE_LIMIT_PER_MINUTE": "0",
        "KUNSKAPSGRAF_LOG_LEVEL": "WARNING",
    }


class ForkServer:
    """Servers forked from a warm process (``forkserver.py``)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("forkserver.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env | {"FORKSERVER_LOG": str(log)},
        )
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def start(self) -> int:
        self._send("start")
        return int(self._read())

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self._send(f"wait {pid}")
        self._read()

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self._send("quit")
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


class CliServer:
    """Each server a fresh ``kunskapsgraf serve`` process (bench/crash.py)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    def start(self) -> int:
        binary = Path(sys.executable).with_name("kunskapsgraf")
        with self.log.open("ab") as out:
            process = subprocess.Popen([str(binary), "serve"], env=self.env, stdout=out, stderr=out)
        self.processes[process.pid] = process
        return process.pid

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self.processes.pop(pid).wait()

    def close(self) -> None:
        pass


def wait_ready(base: str, is_alive: Callable[[], bool] = lambda: True) -> None:
    """Poll /health/ready until it answers 200 (a guard of 120 s, not a timing assertion)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise AssertionError("the service did not become ready")


def index_problems(
    client: httpx.Client, ledger: Ledger, batches: list[Batch] | None = None
) -> list[str]:
    """Search must find a product exactly when the store holds it: checked for ``batches``
    (default: all) by searching each product's own title word."""
    problems = []
    for batch in ledger.batches if batches is None else batches:
        for i in range(ITEMS_PER_BATCH):
            product = f"nkk:krasch-{batch.number}-{i}"
            answer = client.get("/api/search", params={"q": tag(batch.number, i), "limit": 10})
            if answer.status_code != 200:
                return [f"search answered {answer.status_code}: {answer.text[:300]}"]
            found = product in {hit["id"] for hit in answer.json()["items"]}
            if found != (product in ledger.present_products):
                state = "in the store" if product in ledger.present_products else "absent"
                problems.append(f"index disagrees: {product} is {state}, search found={found}")
    return problems


@dataclass
class CycleReport:
    acknowledged: int
    in_flight: Batch | None
    ready_s: float
    problems: list[str]


def run_cycle(
    servers: ForkServer | CliServer,
    base: str,
    data_dir: Path,
    ledger: Ledger,
    rng: random.Random,
    max_delay_s: float,
) -> CycleReport:
    started = time.monotonic()
    pid = servers.start()
    problems: list[str] = []
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    try:
        wait_ready(base)
        ready_s = time.monotonic() - started
        with httpx.Client(base_url=base, timeout=60) as client:
            recent = [b for b in ledger.batches if b.number > ledger.checked_up_to]
            older = [b for b in ledger.batches if b.number <= ledger.checked_up_to]
            sample = rng.sample(older, min(3, len(older)))
            problems += index_problems(client, ledger, recent + sample)
            ledger.checked_up_to = len(ledger.batches)
            token = {"Authorization": f"Bearer {TOKEN}"}
            runs = client.get("/api/sources/nkk/runs", headers=token)
            if runs.status_code != 200:
                problems.append(f"runs answered {runs.status_code} after a restart")
    except BaseException:
        servers.kill(pid)  # never leave a server behind
        raise

    sending = threading.Event()
    acknowledged = 0
    in_flight: list[Batch] = []

    def push() -> None:
        try:
            pushing()
        finally:
            sending.set()  # never leave the killer waiting, whatever happened here

    def pushing() -> None:
        nonlocal acknowledged
        with httpx.Client(base_url=base, timeout=60) as client:
            while True:
                batch = ledger.next()
                in_flight[:] = [batch]
                sending.set()
                try:
                    answer = client.post(
                        "/api/sources/nkk/items", content=batch.body, headers=headers
                    )
                except httpx.HTTPError:
                    return  # killed while this batch was in flight
                if answer.status_code != 200:
                    problems.append(
                        f"batch {batch.number}: {answer.status_code} {answer.text[:300]}"
                    )
                    return
                batch.acknowledged = True
                acknowledged += 1

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    sending.wait()
    # Half the time one batch is acknowledged first (restarts then have acknowledged work
    # to keep); then the kill comes at a random moment of what follows.
    let_through = rng.randint(0, 1)
    while acknowledged < let_through and pusher.is_alive():
        time.sleep(0.005)
    time.sleep(rng.uniform(0, max_delay_s))
    servers.kill(pid)
    pusher.join()
    problems += verify_store(data_dir, ledger)
    unacked = in_flight[0] if in_flight and not in_flight[0].acknowledged else None
    if unacked is not None:
        if unacked.products <= ledger.present_products:
            ledger.committed_unacknowledged += 1
        else:
            ledger.absent_unacknowledged += 1
    return CycleReport(acknowledged, unacked, ready_s, problems)


def final_check(servers: ForkServer | CliServer, base: str, ledger: Ledger) -> list[str]:
    """After the last kill: one more start, and search must agree with the store."""
    pid = servers.start()
    try:
        wait_ready(base)
        with httpx.Client(base_url=base, timeout=60) as client:
            return index_problems(client, ledger)
    finally:
        servers.kill(pid)
