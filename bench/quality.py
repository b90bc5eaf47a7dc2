"""Benchmarks for the information architects' tools, printed as numbers (never asserted).

    .venv/bin/python bench/quality.py [--rounds N]

1. ``kunskapsgraf check`` (no reasoner) over the demo corpus: the whole report, and what the
   quality sections (SKOS rules, unused terms, governance, search index) take of it.
2. The SKOS rules over the ontology and vocabularies alone.
3. The ontology documentation: every page built from the files.
4. ``reload-model`` when nothing changed (what ``make run`` pays at every start), and with one
   shape changed (two validations of the stored content).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from service.config import Settings
from service.corpus import load_demo, reference_sources
from service.diff.reload import plan_reload
from service.diff.versions import files_of
from service.ontodoc import render_site
from service.ontodoc.model import read_ontology
from service.quality.skos import skos_findings
from service.store import OxigraphStore, open_store
from service.store.loading import load_files
from service.validation import check

REPO = Path(__file__).resolve().parents[1]


def timed(label: str, rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"  {label:<58} {median:8.2f} s  (median of {rounds})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-quality-"))
    settings = Settings(store="memory", data_dir=tmp / "var")
    store = open_store(settings)
    load_demo(store, settings)

    print("kunskapsgraf check over the demo corpus (no reasoner):")
    # Warm-up: the shapes' meta-check and validation plan are cached per content of the files.
    check.run_check(store, settings, reasoner=False)
    report = check.run_check(store, settings, reasoner=False)
    timed("whole report", rounds, lambda: check.run_check(store, settings, reasoner=False))

    def context() -> check.CheckContext:
        model_quads = check._model_quads(settings)
        model, dataset = OxigraphStore(), OxigraphStore()
        model.add_quads(model_quads)
        dataset.add_quads(model_quads + check._stored_content(store))
        return check.CheckContext(settings, store, model, dataset, report.content, date.today())

    timed("of which: the in-memory stores the sections read", rounds, context)
    ctx = context()
    for section in check.CHECKS:
        timed(f"of which: section {section.key}", rounds, lambda s=section: s.run(ctx))

    model = OxigraphStore()
    load_files(model, reference_sources(settings))
    timed("SKOS rules over the model files", rounds, lambda: skos_findings(model))
    timed(
        "ontology documentation, every page",
        rounds,
        lambda: render_site(read_ontology(files_of(settings))),
    )

    print("reload-model:")
    timed("nothing changed", rounds, lambda: plan_reload(store, settings))
    project = tmp / "project"
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, project / folder, ignore=shutil.ignore_patterns("cases"))
    shutil.copytree(REPO / "data" / "demo" / "codes", project / "data" / "demo" / "codes")
    resource = project / "shapes" / "resource.ttl"
    resource.write_text(
        resource.read_text(encoding="utf-8").replace("sh:maxLength 300", "sh:maxLength 120"),
        encoding="utf-8",
    )
    changed = settings.model_copy(
        update={
            "ontology_dir": project / "ontology",
            "shapes_dir": project / "shapes",
            "demo_dir": project / "data" / "demo",
        }
    )
    plan = plan_reload(store, changed)
    rejected = len(plan.diff.rejections or [])
    timed(
        f"one shape changed ({rejected} of {plan.diff.items_checked} items newly rejected)",
        rounds,
        lambda: plan_reload(store, changed),
    )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
