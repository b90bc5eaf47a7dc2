"""KVÅ (Klassifikation av vårdåtgärder) → the SKOS scheme ``ksv:kva``.

The folder holds two parts, ``kka/`` (surgical, KKÅ) and ``kma/`` (medical, KMÅ), each with
``level1.txt`` … ``level4.txt``: a header line ``Kod:<TAB><TAB>Kodtext:[<TAB>Beskrivning:]``,
then ``code<TAB><TAB>text[<TAB>description]``, UTF-8 with BOM.

The level-4 codes (``AAA00``, ``AA001``) are the procedure codes records use; they are unique
across both parts and get IRIs ``ksv:kva/<code>``. The grouping levels 1–3 repeat between the
parts (``A`` is both "Operationer på nervsystemet" and "Utredning, anatomiskt perspektiv"), so
their IRIs carry the part: ``ksv:kva/kka-A``, ``ksv:kva/kma-AA``; their notation is still the
code as written. A concept's broader concept is the longest shorter code of the same part at a
higher level (``AAA00`` → ``AAA`` → ``AA`` → ``A``; ``VB001`` → ``VB0`` → ``VB`` → ``V``;
``AA001`` → ``AA`` where KMÅ has no level 3). A description becomes ``skos:definition @sv``.
Texts that only repeat the code (``YC``) are not used as labels.
"""

from __future__ import annotations

import re
from pathlib import Path

from service.terminology.base import (
    DEFINITION,
    SCOPE_NOTE,
    ImportResult,
    Known,
    SchemeBuilder,
    SourceInfo,
    TerminologyImporter,
    invalid,
    read_lines,
    require_dir,
    version_from_path,
)

SCHEME = "kva"
PARTS = {
    "kka": "Klassifikation av kirurgiska åtgärder (KKÅ)",
    "kma": "Klassifikation av medicinska åtgärder (KMÅ)",
}
LEVEL_LENGTH = {1: 1, 2: 2, 3: 3, 4: 5}
_CODE = re.compile(r"[A-Z][A-Z0-9]*")


def local_name(part: str, level: int, code: str) -> str:
    """The IRI's last segment: the code itself at level 4, ``<part>-<code>`` above."""
    return code if level == 4 else f"{part}-{code}"


def info(version: str) -> SourceInfo:
    return SourceInfo(
        label_sv=f"KVÅ {version}",
        label_en=f"KVÅ {version} (Swedish classification of health care interventions)",
        description_sv=(
            f"Klassifikation av vårdåtgärder (KVÅ), utgåva {version}: kirurgiska (KKÅ) och "
            "medicinska (KMÅ) åtgärder i fyra nivåer, ur Socialstyrelsens kodtextfiler."
        ),
        description_en=(
            f"Swedish classification of health care interventions (KVÅ), {version}: surgical "
            "(KKÅ) and medical (KMÅ) procedures in four levels, from Socialstyrelsen's code "
            "text files."
        ),
        sources=(
            "https://www.socialstyrelsen.se/statistik-och-data/klassifikationer-och-koder/kva/",
        ),
        licence="https://www.socialstyrelsen.se/statistik-och-data/klassifikationer-och-koder/",
        rights_sv=(
            "© Socialstyrelsen. Inte öppet licensierad: används för intern testning, "
            "publiceras inte och kopieras inte in i projektet."
        ),
        rights_en=(
            "© Socialstyrelsen (Swedish National Board of Health and Welfare). Not openly "
            "licensed: used for internal testing, not published, never copied into the project."
        ),
        version=version,
    )


def parse(path: Path, known: Known | None = None) -> ImportResult:
    """Parse the ``kka/`` and ``kma/`` folders into the ``ksv:kva`` scheme."""
    del known
    require_dir(path)
    b = SchemeBuilder(SCHEME, info(version_from_path(path, "2021")))
    code_only = 0
    for part, title in PARTS.items():
        folder = require_dir(path / part)
        codes: dict[str, str] = {}  # code → local name, within the part
        for level in (1, 2, 3, 4):
            file = folder / f"level{level}.txt"
            for number, code, text, description in _rows(file, level):
                local = local_name(part, level, code)
                if local in b:
                    raise invalid(
                        file, number, f"koden {code} finns två gånger.", f"duplicate code {code}."
                    )
                b.concept(local, code)
                codes[code] = local
                if text and text != code:
                    b.pref_label(local, text, "sv")
                else:
                    code_only += 1
                if description:
                    b.note(local, DEFINITION, description, "sv")
                if level == 1:
                    b.note(local, SCOPE_NOTE, f"Kapitel i {title}.", "sv")
                    continue
                parent = next(
                    (codes[code[:n]] for n in range(len(code) - 1, 0, -1) if code[:n] in codes),
                    None,
                )
                if parent is None:
                    b.warnings.append(f"{file} line {number}: code {code} has no parent code.")
                else:
                    b.broader(local, parent)
    if code_only:
        b.warnings.append(f"{code_only} codes have no text other than the code: no prefLabel.")
    return b.build()


def _rows(path: Path, level: int) -> list[tuple[int, str, str, str]]:
    rows: list[tuple[int, str, str, str]] = []
    length = LEVEL_LENGTH[level]
    for number, line in read_lines(path):
        fields = [f.strip() for f in line.split("\t")]
        if fields[0].startswith("Kod:"):
            continue  # the header line
        code = fields[0]
        if len(fields) < 3 or len(code) != length or not _CODE.fullmatch(code):
            raise invalid(
                path,
                number,
                f"väntade 'kod<TAB><TAB>text[<TAB>beskrivning]' med en kod på {length} tecken, "
                f"fann {line!r}.",
                f"expected 'code<TAB><TAB>text[<TAB>description]' with a {length}-character "
                f"code, found {line!r}.",
            )
        text = fields[2]
        description = " ".join(f for f in fields[3:] if f)
        rows.append((number, code, text, description))
    return rows


IMPORTER = TerminologyImporter(
    name="kva",
    scheme=SCHEME,
    graph=SCHEME,
    location="kva-2021",
    parse=parse,
    title="KVÅ (Socialstyrelsen code text files, kka/ and kma/)",
)
