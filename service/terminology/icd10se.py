"""ICD-10-SE from Socialstyrelsen's code text files → the SKOS scheme ``ksv:icd-10-se``.

The folder holds ``chapter.txt``, ``block.txt``, ``digit3.txt``, ``digit4.txt`` and
``digit5.txt``: one ``code<TAB><TAB>text`` per line, UTF-8 with BOM. Codes are written without
a dot (``J450``, ``A083A``); notations use the dotted form of the demo subset and the WHO
edition (``J45.0``, ``A08.3A``). Chapters are numbered ``01``–``22`` in the files and become the
Roman numerals of the demo subset (``I``–``XXII``); the range at the end of a chapter text
(``(A00-B99)``) is moved into a ``skos:scopeNote`` and places the blocks in their chapter.

Hierarchy: 5-character code → 4-character code (or the 3-character code where the 4-character
level does not exist, as for most external causes V01–Y98) → 3-character code → block →
chapter (top concept).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import Path

from service.terminology.base import (
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

SCHEME = "icd-10-se"
FILES = ("chapter.txt", "block.txt", "digit3.txt", "digit4.txt", "digit5.txt")
_CODE = {
    "chapter.txt": re.compile(r"\d{1,2}"),
    "block.txt": re.compile(r"[A-Z]\d\d-[A-Z]\d\d"),
    "digit3.txt": re.compile(r"[A-Z]\d\d"),
    "digit4.txt": re.compile(r"[A-Z]\d{3}"),
    "digit5.txt": re.compile(r"[A-Z]\d{3}[0-9A-Z]"),
}
_CHAPTER_RANGE = re.compile(r"\s*\(([A-Z]\d\d)-([A-Z]\d\d)\)\s*$")
_ROMAN = (
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out += letters
            number -= value
    return out


def notation(code: str) -> str:
    """``J450`` → ``J45.0``; 3-character codes and blocks are unchanged."""
    return code if len(code) <= 3 or "-" in code else f"{code[:3]}.{code[3:]}"


def _entries(folder: Path, name: str) -> Iterator[tuple[int, str, str]]:
    """``(line number, code, text)`` per line of one code text file, checked."""
    path = folder / name
    pattern = _CODE[name]
    for number, line in read_lines(path):
        fields = line.split("\t")
        code = fields[0].strip()
        text = " ".join(f.strip() for f in fields[1:] if f.strip())
        if len(fields) < 2 or not pattern.fullmatch(code):
            raise invalid(
                path,
                number,
                f"väntade 'kod<TAB><TAB>text' med en kod som {pattern.pattern}, fann {line!r}.",
                f"expected 'code<TAB><TAB>text' with a code like {pattern.pattern}, "
                f"found {line!r}.",
            )
        yield number, code, text


def info(version: str) -> SourceInfo:
    return SourceInfo(
        label_sv=f"ICD-10-SE {version}",
        label_en=f"ICD-10-SE {version}",
        description_sv=(
            "Internationell statistisk klassifikation av sjukdomar och relaterade hälsoproblem, "
            f"svensk version (ICD-10-SE), utgåva {version}: kapitel, block och koder med tre, "
            "fyra och fem tecken ur Socialstyrelsens kodtextfiler."
        ),
        description_en=(
            "International Statistical Classification of Diseases and Related Health Problems, "
            f"Swedish edition (ICD-10-SE), {version}: chapters, blocks and 3-, 4- and "
            "5-character codes from Socialstyrelsen's code text files."
        ),
        sources=(
            "https://www.socialstyrelsen.se/statistik-och-data/klassifikationer-och-koder/icd-10/",
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
    """Parse the folder of code text files into the ``ksv:icd-10-se`` scheme."""
    del known
    require_dir(path)
    b = SchemeBuilder(SCHEME, info(version_from_path(path, "2021")))

    # Chapters: number → Roman numeral, range out of the label.
    chapter_ranges: list[tuple[str, str, str]] = []
    for number, code, text in _entries(path, "chapter.txt"):
        if not 1 <= int(code) <= 39:
            raise invalid(
                path / "chapter.txt",
                number,
                f"kapitelnumret {code} är utanför 1–39.",
                f"chapter number {code} is outside 1–39.",
            )
        local = roman(int(code))
        b.concept(local)
        found = _CHAPTER_RANGE.search(text)
        if found:
            text = text[: found.start()]
            chapter_ranges.append((found[1], found[2], local))
            b.note(local, SCOPE_NOTE, f"Omfattar koderna {found[1]}–{found[2]}.", "sv")
        else:
            b.warnings.append(f"chapter.txt line {number}: no code range in {text!r}.")
        _label(b, local, text, f"chapter.txt line {number}")

    # Blocks: placed in the chapter whose range holds their first code.
    block_ranges: list[tuple[str, str, str]] = []
    for number, code, text in _entries(path, "block.txt"):
        first, last = code.split("-")
        b.concept(code)
        _label(b, code, text, f"block.txt line {number}")
        block_ranges.append((first, last, code))
        chapter = _within(chapter_ranges, first)
        if chapter is None:
            b.warnings.append(f"block.txt line {number}: block {code} is in no chapter.")
        else:
            b.broader(code, chapter)
    block_ranges.sort()
    starts = [r[0] for r in block_ranges]

    # 3-character codes: placed in the block whose range holds them.
    for number, code, text in _entries(path, "digit3.txt"):
        b.concept(code)
        _label(b, code, text, f"digit3.txt line {number}")
        parent = _lookup(block_ranges, starts, code) or _within(chapter_ranges, code)
        if parent is None:
            b.warnings.append(f"digit3.txt line {number}: code {code} is in no block.")
        else:
            b.broader(code, parent)

    # 4- and 5-character codes: the longest shorter code that exists.
    for name in ("digit4.txt", "digit5.txt"):
        for number, code, text in _entries(path, name):
            local = notation(code)
            if local in b:
                raise invalid(
                    path / name,
                    number,
                    f"koden {code} finns två gånger.",
                    f"duplicate code {code}.",
                )
            b.concept(local)
            _label(b, local, text, f"{name} line {number}")
            parent = next(
                (p for p in (notation(code[:4]), code[:3]) if p != local and p in b), None
            )
            if parent is None:
                b.warnings.append(f"{name} line {number}: code {code} has no parent code.")
            else:
                b.broader(local, parent)
    return b.build()


def _label(b: SchemeBuilder, local: str, text: str, where: str) -> None:
    if not b.pref_label(local, text, "sv"):
        b.warnings.append(f"{where}: {local} has no text.")


def _within(ranges: list[tuple[str, str, str]], code: str) -> str | None:
    return next((local for first, last, local in ranges if first <= code <= last), None)


def _lookup(ranges: list[tuple[str, str, str]], starts: list[str], code: str) -> str | None:
    i = bisect.bisect_right(starts, code) - 1
    if i >= 0 and ranges[i][0] <= code <= ranges[i][1]:
        return ranges[i][2]
    return None


IMPORTER = TerminologyImporter(
    name="icd-10-se",
    scheme=SCHEME,
    graph=SCHEME,
    location="icd-10-se-2021",
    parse=parse,
    title="ICD-10-SE (Socialstyrelsen code text files)",
)
