"""Consistency check of the ontology and its vocabularies with the OWL 2 DL reasoner HermiT.

HermiT is the Java reasoner bundled with owlready2. owlready2 cannot read Turtle, so the files
are merged with rdflib and written as N-Triples to a temporary directory, loaded into a fresh
owlready2 ``World`` (never the default world, so nothing leaks between calls) and classified.

Two things are reported as a failure (``consistent=False``):

* the ontology is *inconsistent*: no interpretation satisfies it, for example an individual
  typed with two disjoint classes (HermiT stops; no class list is available);
* a named class is *unsatisfiable*: it is equivalent to ``owl:Nothing``, so it can never have an
  instance. Such classes are listed in ``inconsistent_classes``.

Details that matter when running it:

* HermiT supports only the OWL 2 datatype map. ``xsd:date`` (used for dates throughout the
  model) and ``rdf:langString`` are outside it, so HermiT runs with
  ``ignoreUnsupportedDatatypes``: axioms on those datatypes are not reasoned over (SHACL checks
  them instead).
* ``owl:imports`` triples are dropped before loading, so owlready2 never fetches anything from
  the network; pass every file that should take part.
* Java is found through ``owlready2.JAVA_EXE`` if that is a path, else ``java`` on ``PATH``,
  else ``$JAVA_HOME/bin/java``. The heap is ``owlready2.reasoning.JAVA_MEMORY`` (2000 MB).
* owlready2 is not thread-safe and HermiT's temporary file name is global state, so calls are
  serialised with a lock. owlready2's own output is captured, never printed.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import owlready2
import owlready2.reasoning
import rdflib
from rdflib.namespace import OWL
from rdflib.util import guess_format

__all__ = ["ConsistencyResult", "check_consistency"]

_OWL_NOTHING = str(OWL.Nothing)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ConsistencyResult:
    """The outcome of one reasoner run."""

    consistent: bool  # False if the ontology is inconsistent or has an unsatisfiable class
    inconsistent_classes: list[str]  # IRIs of unsatisfiable classes (equivalent to owl:Nothing)
    message: str  # one readable line in Swedish for the report
    message_en: str


def check_consistency(paths: Sequence[Path]) -> ConsistencyResult:
    """Merge the RDF files in ``paths`` and check them with HermiT.

    Raises ``RuntimeError`` if Java is missing or HermiT fails for another reason than an
    inconsistency (for example a syntax HermiT cannot read), and rdflib's parser errors if a
    file is not valid RDF.
    """
    java = _find_java()
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format=_rdf_format(path))
    graph.remove((None, OWL.imports, None))
    triples = len(graph)
    files = len(paths)

    with tempfile.TemporaryDirectory(prefix="kunskapsgraf-reasoner-") as tmp:
        merged = Path(tmp) / "merged.nt"
        graph.serialize(destination=merged, format="nt", encoding="utf-8")
        with _LOCK:
            consistent, unsatisfiable = _run_hermit(merged, Path(tmp), java)

    if not consistent:
        return ConsistencyResult(
            consistent=False,
            inconsistent_classes=[],
            message=(
                f"Ontologin är inkonsistent: axiomen och påståendena i {files} filer "
                f"({triples} tripplar) motsäger varandra (HermiT)."
            ),
            message_en=(
                f"The ontology is inconsistent: the axioms and assertions in {files} files "
                f"({triples} triples) contradict each other (HermiT)."
            ),
        )
    if unsatisfiable:
        names = ", ".join(unsatisfiable)
        return ConsistencyResult(
            consistent=False,
            inconsistent_classes=unsatisfiable,
            message=(
                f"Ontologin har {len(unsatisfiable)} otillfredsställbara klasser, "
                f"som aldrig kan ha instanser: {names} (HermiT)."
            ),
            message_en=(
                f"The ontology has {len(unsatisfiable)} unsatisfiable classes, "
                f"which can never have instances: {names} (HermiT)."
            ),
        )
    return ConsistencyResult(
        consistent=True,
        inconsistent_classes=[],
        message=(
            f"Ontologin och vokabulärerna är konsistenta och alla klasser är "
            f"tillfredsställbara ({files} filer, {triples} tripplar, HermiT)."
        ),
        message_en=(
            f"The ontology and vocabularies are consistent and every class is satisfiable "
            f"({files} files, {triples} triples, HermiT)."
        ),
    )


def _run_hermit(merged: Path, tmp: Path, java: str) -> tuple[bool, list[str]]:
    """Load ``merged`` into a fresh World and classify it. Returns (consistent, unsatisfiable)."""
    output = io.StringIO()
    world: Any = owlready2.World()
    try:
        with (
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
            _hermit_settings(java, tmp),
        ):
            world.get_ontology(merged.as_uri()).load()
            try:
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=True,
                )
            except owlready2.OwlReadyInconsistentOntologyError:
                return False, []
            except owlready2.OwlReadyJavaError as error:
                raise RuntimeError(f"HermiT misslyckades / HermiT failed: {error}") from error
            except FileNotFoundError as error:  # java vanished between lookup and run
                raise RuntimeError(_missing_java_message()) from error
        unsatisfiable = sorted(
            {
                str(cls.iri)
                for cls in world.inconsistent_classes()
                if hasattr(cls, "iri") and str(cls.iri) != _OWL_NOTHING
            }
        )
        return True, unsatisfiable
    finally:
        world.close()


@contextlib.contextmanager
def _hermit_settings(java: str, tmp: Path) -> Iterator[None]:
    """Point owlready2 at ``java`` and make HermiT's input file land in ``tmp``.

    owlready2 writes the world to ``tempfile.NamedTemporaryFile(delete=False)`` and does not
    remove it when HermiT reports an inconsistency; redirecting it into our temporary directory
    keeps /tmp clean. Only owlready2's reasoning module sees the substitute.
    """
    saved_java = owlready2.JAVA_EXE
    saved_tempfile = owlready2.reasoning.tempfile
    owlready2.JAVA_EXE = java
    owlready2.reasoning.tempfile = SimpleNamespace(
        # owlready2 closes (and normally deletes) the file itself.
        NamedTemporaryFile=lambda *args, **kwargs: tempfile.NamedTemporaryFile(  # noqa: SIM115
            *args, **{**kwargs, "dir": tmp}
        )
    )
    try:
        yield
    finally:
        owlready2.JAVA_EXE = saved_java
        owlready2.reasoning.tempfile = saved_tempfile


def _find_java() -> str:
    configured = str(owlready2.JAVA_EXE)
    candidates = [configured] if os.sep in configured else []
    found = shutil.which(configured)
    if found:
        candidates.append(found)
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.append(str(Path(java_home) / "bin" / "java"))
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(_missing_java_message())


def _missing_java_message() -> str:
    return (
        "Java saknas: OWL-resoneraren HermiT kräver programmet `java` (Java 8 eller senare) "
        "på PATH eller i JAVA_HOME. / Java is missing: the HermiT reasoner needs the `java` "
        "executable (Java 8 or later) on PATH or in JAVA_HOME."
    )


def _rdf_format(path: Path) -> str:
    if path.suffix == ".ttl":
        return "turtle"
    return guess_format(str(path)) or "turtle"
