"""A version of the model: the ontology, vocabularies and shapes from a folder, a single file or
a git revision of this repository.

>>> spec = "HEAD"  # or "path/to/old-project", "ontology/kunskapsgraf.ttl", "v1.2"
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from service.config import Settings
from service.corpus import ontology_files, shape_files, vocabulary_files
from service.errors import InvalidParameter


@dataclass(frozen=True)
class ModelFiles:
    """The files of one model version, by role."""

    label: str  # what the user gave (folder, file or revision)
    ontology: list[Path]
    vocabularies: list[Path]
    shapes: list[Path]
    cases_dir: Path | None = None  # shapes/cases/, for examples

    @property
    def model(self) -> list[Path]:
        return self.ontology + self.vocabularies

    @property
    def all(self) -> list[Path]:
        return self.ontology + self.vocabularies + self.shapes


def files_of(settings: Settings, label: str = "arbetskopian") -> ModelFiles:
    cases = settings.shapes_dir / "cases"
    return ModelFiles(
        label,
        ontology_files(settings),
        vocabulary_files(settings),
        shape_files(settings),
        cases if cases.is_dir() else None,
    )


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise InvalidParameter(
            "git finns inte installerat; ange mappar eller filer i stället för revisioner.",
            "git is not installed; give folders or files instead of revisions.",
        ) from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip()
        raise InvalidParameter(
            f"git {' '.join(args)} misslyckades: {message}",
            f"git {' '.join(args)} failed: {message}",
            git=message,
        ) from exc
    return done.stdout


def is_revision(spec: str, cwd: Path) -> bool:
    """True when ``spec`` names a commit of the repository ``cwd`` is in."""
    try:
        subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"],
            cwd=cwd,
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (FileNotFoundError, subprocess.CalledProcessError):
        return False
    return True


@contextmanager
def settings_at_revision(settings: Settings, revision: str) -> Iterator[Settings]:
    """``settings`` with the ontology, vocabulary, demo code list and shapes folders as they were
    at git ``revision`` (extracted to a temporary folder that is removed afterwards)."""
    anchor = settings.ontology_dir if settings.ontology_dir.is_dir() else Path.cwd()
    top = Path(_git(anchor, "rev-parse", "--show-toplevel").decode().strip())
    if not is_revision(revision, top):
        raise InvalidParameter(
            f"{revision!r} är ingen revision i git-förrådet {top}.",
            f"{revision!r} is not a revision of the git repository {top}.",
            revision=revision,
        )
    folders = {
        "ontology_dir": settings.ontology_dir,
        "shapes_dir": settings.shapes_dir,
        "demo_dir": settings.demo_dir,
    }
    with tempfile.TemporaryDirectory(prefix="kunskapsgraf-rev-") as tmp:
        root = Path(tmp)
        update: dict[str, Path] = {}
        for name, folder in folders.items():
            try:
                relative = folder.resolve().relative_to(top.resolve())
            except ValueError:
                raise InvalidParameter(
                    f"{folder} ligger utanför git-förrådet {top}; jämför mappar i stället.",
                    f"{folder} is outside the git repository {top}; compare folders instead.",
                    folder=str(folder),
                ) from None
            update[name] = root / relative
            wanted = (
                [relative / "codes"] if name == "demo_dir" else [relative]
            )  # the demo corpus itself is content, not model
            for path in wanted:
                listed = _git(top, "ls-tree", "-r", "--name-only", revision, "--", str(path))
                if not listed.strip():
                    continue  # the folder did not exist at that revision
                archive = _git(top, "archive", "--format=tar", revision, "--", str(path))
                with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                    tar.extractall(root, filter="data")
        yield settings.model_copy(update=update)


@contextmanager
def model_version(spec: str | None, settings: Settings) -> Iterator[ModelFiles]:
    """The model files named by ``spec``: a project folder (with ``ontology/`` and ``shapes/``),
    any other folder (every ``*.ttl`` below it except ``cases/``), one file, a git revision, or
    (None) the working copy that ``settings`` names."""
    if spec is None:
        yield files_of(settings)
        return
    path = Path(spec)
    if path.is_file():
        yield _sorted_by_role(spec, [path])
        return
    if path.is_dir():
        if (path / "ontology").is_dir() or (path / "shapes").is_dir():
            yield files_of(
                settings.model_copy(
                    update={
                        "ontology_dir": path / "ontology",
                        "shapes_dir": path / "shapes",
                        "demo_dir": path / "data" / "demo",
                    }
                ),
                spec,
            )
            return
        found = sorted(p for p in path.rglob("*.ttl") if "cases" not in p.parts)
        yield _sorted_by_role(spec, found)
        return
    with settings_at_revision(settings, spec) as old:
        yield files_of(old, spec)


def _sorted_by_role(label: str, paths: list[Path]) -> ModelFiles:
    """Files outside a project layout: those that declare SHACL shapes are shapes, the rest
    is ontology (vocabularies included; the diff reads them all the same)."""
    shapes: list[Path] = []
    model: list[Path] = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        declares_shapes = "http://www.w3.org/ns/shacl#" in text and (
            "NodeShape" in text or "PropertyShape" in text
        )
        (shapes if declares_shapes else model).append(path)
    return ModelFiles(label, model, [], shapes)
