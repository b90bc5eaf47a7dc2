"""Starts ``kunskapsgraf serve`` processes quickly, for the crash loop.

A fresh interpreter needs ~1 s to import the service and another ~0.3 s on the first batch to
parse the ontology and the shapes; fifty restarts would spend most of their time there. This
process imports and warms everything once (with an in-memory store, never the data directory)
and then forks: each child is a real, separate server process running the CLI's ``serve``
with the environment's settings, opening the on-disk store itself, and it is killed with
SIGKILL like any other process. Protocol on stdin/stdout, one line each:

    start        → <pid>          fork a server
    wait <pid>   → <status>       reap it after it was killed
    quit
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _warm() -> None:
    from service.config import Settings
    from service.corpus import reference_sources
    from service.ingest import ingest_batch, parse_rdf
    from service.store import open_store
    from service.store.loading import LoadSource, load_files

    settings = Settings(store="memory")
    store = open_store(settings)
    register = LoadSource(settings.demo_dir / "corpus" / "register.trig")
    load_files(store, [*reference_sources(settings), register], replace=True)
    batch = Path(__file__).parents[1] / "ingest" / "fixtures" / "nkk-batch.ttl"
    ontology = settings.ontology_dir / "kunskapsgraf.ttl"
    triples = parse_rdf(batch.read_bytes(), "text/turtle", ontology_file=ontology)
    ingest_batch(store, settings, "nkk", triples)
    import uvicorn  # noqa: F401

    import service.api.app  # noqa: F401


def main() -> None:
    from service.cli import main as cli

    _warm()
    print("ready", flush=True)
    log = os.environ.get("FORKSERVER_LOG", os.devnull)
    for line in sys.stdin:
        command, *rest = line.split()
        if command == "start":
            pid = os.fork()
            if pid == 0:
                out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
                os.dup2(out, 1)
                os.dup2(out, 2)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os._exit(cli(["serve"]))
            print(pid, flush=True)
        elif command == "wait":
            _, status = os.waitpid(int(rest[0]), 0)
            print(status, flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    main()
