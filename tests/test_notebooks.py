"""The notebooks in ``notebooks/``: each runs top to bottom in a real Jupyter kernel, headless,
against the current code, and each is committed without outputs."""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
# What an information architect starts from (issue 9): concept model and vocabularies,
# validating a source's content, trying a mapping.
REQUIRED = {"explore.ipynb", "validate.ipynb", "mapping.ipynb"}


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def _code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_information_architects_notebooks_are_there() -> None:
    assert {path.name for path in NOTEBOOKS} >= REQUIRED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = _read(path)
    nbformat.validate(notebook)  # Jupyter opens it
    dirty = [
        cell.get("id", str(index))
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == [], (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them before "
        "committing (Jupyter: Edit → Clear Outputs of All Cells, then save)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_calls_the_projects_code_instead_of_copying_it(path: Path) -> None:
    imported: set[str] = set()
    defined: list[str] = []
    for cell in _code_cells(_read(path)):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defined.append(node.name)
    assert "service" in imported
    assert defined == [], f"{path.name} defines {defined}: call the function in service/ instead"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernel on this interpreter (the project's environment): a kernel named "python3"
    registered elsewhere on the machine could run the notebooks without our packages."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "kunskapsgraf"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "kunskapsgraf", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(root))
        # jupyter_core warns until the platform's standard directories are opted into.
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
        # Connection files and the notebooks' scratch folders (tempfile) stay in pytest's tmp.
        patch.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        patch.setenv("TMPDIR", str(tmp_path_factory.mktemp("scratch")))
        yield "kunskapsgraf"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path: Path, kernel_name: str) -> None:
    notebook = _read(path)
    client = NotebookClient(
        notebook,
        kernel_name=kernel_name,
        timeout=300,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, when one fails
    cells = _code_cells(notebook)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    streams = [o for cell in cells for o in cell.outputs if o.output_type == "stream"]
    assert "".join(o.text for o in streams if o.name == "stdout").strip(), "it shows nothing"
    # Warnings and logged tracebacks would be noise (or worse) for the reader.
    assert [o.text for o in streams if o.name == "stderr"] == []
