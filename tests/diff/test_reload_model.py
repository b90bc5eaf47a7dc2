"""``kunskapsgraf reload-model``: after shapes/ changes, the dry run reports the changed graphs
and the stored items that would stop conforming, and writes nothing; ``--apply`` reloads, and
then there is nothing left to reload."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from service.cli import main
from service.config import Settings
from service.corpus import reference_sources
from service.diff.reload import format_plan, plan_reload, reload_model
from service.store import OxigraphStore
from service.store.loading import LoadSource, load_files
from service.terms import GRAPH_SHAPES

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "shapes" / "cases"


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("cases"))
    shutil.copytree(REPO / "data" / "demo" / "codes", tmp_path / "data" / "demo" / "codes")
    return Settings(
        store="memory",
        data_dir=tmp_path / "var",
        ontology_dir=tmp_path / "ontology",
        shapes_dir=tmp_path / "shapes",
        demo_dir=tmp_path / "data" / "demo",
    )


@pytest.fixture
def loaded(project: Settings) -> OxigraphStore:
    """The model as the files have it now, plus two products and their register."""
    store = OxigraphStore()
    graph = NamedNode("https://kunskapsgraf.se/graph/source/nkk")
    load_files(
        store,
        [
            *reference_sources(project),
            LoadSource(CASES / "_reference.ttl", graph),
            LoadSource(CASES / "KnowledgeResource-summary" / "valid.ttl", graph),
        ],
    )
    return store


def shorten_summaries(project: Settings) -> None:
    resource = project.shapes_dir / "resource.ttl"
    text = resource.read_text(encoding="utf-8")
    resource.write_text(text.replace("sh:maxLength 300", "sh:maxLength 50"), encoding="utf-8")


def test_an_unchanged_model_needs_no_reload(project: Settings, loaded: OxigraphStore) -> None:
    plan = plan_reload(loaded, project)
    assert not plan.changed
    assert "inget att läsa om" in format_plan(plan)


def test_dry_run_reports_what_would_stop_conforming_and_writes_nothing(
    project: Settings, loaded: OxigraphStore
) -> None:
    shorten_summaries(project)
    before = sorted(str(q) for q in loaded.quads(GRAPH_SHAPES))
    plan = reload_model(loaded, project)
    assert plan.changed_graphs == [GRAPH_SHAPES.value]
    assert [c.iri.rsplit("/", 1)[-1] for c in plan.diff.changes] == ["KnowledgeResource-summary"]
    assert plan.diff.rejections is not None
    assert [r.item for r in plan.diff.rejections] == ["nkk:astma-vuxna"]
    assert plan.applied is None
    assert sorted(str(q) for q in loaded.quads(GRAPH_SHAPES)) == before  # nothing written
    text = format_plan(plan)
    assert "`nkk:astma-vuxna`" in text and "Torrkörning" in text


def test_apply_reloads_the_changed_graphs(project: Settings, loaded: OxigraphStore) -> None:
    shorten_summaries(project)
    plan = reload_model(loaded, project, apply=True)
    assert plan.applied is not None
    assert "TILLÄMPAT" in format_plan(plan)
    assert not plan_reload(loaded, project).changed


def test_cli_dry_run_on_an_empty_store(
    project: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "memory")
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(project.data_dir))
    monkeypatch.setenv("KUNSKAPSGRAF_ONTOLOGY_DIR", str(project.ontology_dir))
    monkeypatch.setenv("KUNSKAPSGRAF_SHAPES_DIR", str(project.shapes_dir))
    monkeypatch.setenv("KUNSKAPSGRAF_DEMO_DIR", str(project.demo_dir))
    assert main(["reload-model"]) == 0
    out = capsys.readouterr().out
    # An empty store differs from the files in every model graph; nothing is stored to reject.
    assert "https://kunskapsgraf.se/graph/ontology" in out
    assert "Torrkörning" in out
