"""``kunskapsgraf diff``: two versions of the ontology, vocabularies and shapes (as folders and
as git revisions) give the added, removed and changed terms and labels, and the stored items
the new shapes would newly reject, as Markdown."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import NamedNode

from service.cli import main
from service.config import Settings
from service.diff.model import ModelDiff, diff_versions, format_markdown
from service.store import OxigraphStore
from service.store.loading import LoadSource, load_files

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "shapes" / "cases"
KS = "https://kunskapsgraf.se/ont/"
NEW_CLASS = """
ks:Guideline a owl:Class ;
    rdfs:label "Riktlinje"@sv , "Guideline"@en ;
    rdfs:subClassOf ks:KnowledgeProduct .
"""


def copy_model(target: Path) -> Path:
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copytree(REPO / "data" / "demo" / "codes", target / "data" / "demo" / "codes")
    return target


def change_model(project: Path) -> None:
    """A class added, a property and a concept removed, a label and a shape changed."""
    ontology = project / "ontology" / "kunskapsgraf.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + NEW_CLASS, encoding="utf-8")
    graph = rdflib.Graph().parse(ontology)
    graph.remove((rdflib.URIRef(KS + "versionNote"), None, None))
    graph.serialize(ontology, format="turtle")
    groups = project / "ontology" / "vocabularies" / "patient-group.ttl"
    vocab = rdflib.Graph().parse(groups)
    vocab.remove((rdflib.URIRef("https://kunskapsgraf.se/vocab/patient-group/nyfodda"), None, None))
    vocab.serialize(groups, format="turtle")
    audience = project / "ontology" / "vocabularies" / "audience.ttl"
    text = audience.read_text(encoding="utf-8")
    audience.write_text(text.replace('"Läkare"@sv', '"Läkare (legitimerad)"@sv'), encoding="utf-8")
    resource = project / "shapes" / "resource.ttl"
    text = resource.read_text(encoding="utf-8")
    assert text.count("sh:maxLength 300") == 1
    resource.write_text(text.replace("sh:maxLength 300", "sh:maxLength 50"), encoding="utf-8")


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


def settings_for(project: Path, tmp: Path) -> Settings:
    return Settings(
        store="memory",
        data_dir=tmp / "var",
        ontology_dir=project / "ontology",
        shapes_dir=project / "shapes",
        demo_dir=project / "data" / "demo",
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(old, new): the old version committed in a git repository whose working tree is new."""
    old = copy_model(tmp_path_factory.mktemp("old"))
    new = copy_model(tmp_path_factory.mktemp("new"))
    git(new, "init", "-q")
    git(new, "add", "-A")
    git(new, "commit", "-q", "-m", "old model")
    change_model(new)
    return old, new


@pytest.fixture(scope="module")
def small_store() -> OxigraphStore:
    """Two products (summaries of 41 and 67 characters) and the register they need."""
    store = OxigraphStore()
    graph = NamedNode("https://kunskapsgraf.se/graph/source/nkk")
    load_files(
        store,
        [
            LoadSource(CASES / "_reference.ttl", graph),
            LoadSource(CASES / "KnowledgeResource-summary" / "valid.ttl", graph),
        ],
    )
    return store


@pytest.fixture(scope="module")
def folder_diff(
    projects: tuple[Path, Path],
    small_store: OxigraphStore,
    tmp_path_factory: pytest.TempPathFactory,
) -> ModelDiff:
    old, new = projects
    settings = settings_for(new, tmp_path_factory.mktemp("s"))
    return diff_versions(str(old), str(new), settings, small_store)


def changes(diff: ModelDiff) -> set[tuple[str, str, str]]:
    return {(c.kind, c.change, c.iri.rsplit("/", 1)[-1]) for c in diff.changes}


def test_added_removed_and_changed_terms(folder_diff: ModelDiff) -> None:
    assert changes(folder_diff) == {
        ("class", "added", "Guideline"),
        ("property", "removed", "versionNote"),
        ("concept", "removed", "nyfodda"),
        ("concept", "changed", "lakare"),
        ("shape", "changed", "KnowledgeResource-summary"),
    }
    shape = next(c for c in folder_diff.changes if c.kind == "shape")
    assert [p for p, _ in shape.removed] == ["sh:maxLength"]
    assert [v for _, v in shape.added] == ['"50"^^<http://www.w3.org/2001/XMLSchema#integer>']


def test_label_changes_are_listed_per_language(folder_diff: ModelDiff) -> None:
    labels = [(c.iri.rsplit("/", 1)[-1], lc) for c in folder_diff.changes for lc in c.labels]
    assert [(t, lc.property, lc.language, lc.old, lc.new) for t, lc in labels] == [
        ("lakare", "skos:prefLabel", "sv", ("Läkare",), ("Läkare (legitimerad)",))
    ]


def test_items_the_new_shapes_would_newly_reject(folder_diff: ModelDiff) -> None:
    assert folder_diff.rejections is not None
    assert folder_diff.items_checked == 3
    assert [r.item for r in folder_diff.rejections] == ["nkk:astma-vuxna"]
    (result,) = folder_diff.rejections[0].results
    assert result.shape.endswith("KnowledgeResource-summary")


def test_markdown_for_a_pull_request(folder_diff: ModelDiff) -> None:
    markdown = format_markdown(folder_diff)
    assert markdown.startswith("## Modelländringar / Model changes:")
    assert "| Klasser / Classes | 1 | 0 | 0 |" in markdown
    assert "- **tillagd** `ks:Guideline` – Riktlinje" in markdown
    assert "- **borttagen** `ks:versionNote`" in markdown
    assert "| `ksv:audience/lakare` | `skos:prefLabel` | sv | Läkare | Läkare (legitimerad) |" in (
        markdown
    )
    assert "1 av 3 lagrade poster skulle avvisas" in markdown
    assert "| `nkk:astma-vuxna` | `kss:KnowledgeResource-summary` | `ks:summary` |" in markdown


def test_a_git_revision_against_the_working_tree_gives_the_same_changes(
    projects: tuple[Path, Path], folder_diff: ModelDiff, tmp_path: Path
) -> None:
    _old, new = projects
    diff = diff_versions("HEAD", str(new), settings_for(new, tmp_path), None)
    assert changes(diff) == changes(folder_diff)
    assert diff.rejections is None  # no store given


def test_single_files_can_be_compared(projects: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = projects
    diff = diff_versions(
        str(old / "shapes" / "resource.ttl"),
        str(new / "shapes" / "resource.ttl"),
        settings_for(new, tmp_path),
        None,
    )
    assert changes(diff) == {("shape", "changed", "KnowledgeResource-summary")}


def test_cli_prints_markdown_and_rejects_an_unknown_revision(
    projects: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, new = projects
    monkeypatch.setenv("KUNSKAPSGRAF_STORE", "memory")
    monkeypatch.setenv("KUNSKAPSGRAF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KUNSKAPSGRAF_ONTOLOGY_DIR", str(new / "ontology"))
    shapes = "shapes/resource.ttl"
    assert main(["diff", str(old / shapes), str(new / shapes)]) == 0
    out = capsys.readouterr().out
    assert "`kss:KnowledgeResource-summary`" in out
    assert "Inte kontrollerat" in out  # the memory store is empty
    assert main(["diff", "no-such-revision", str(new)]) == 2
    err = capsys.readouterr().err
    assert "ingen revision" in err and "not a revision" in err
