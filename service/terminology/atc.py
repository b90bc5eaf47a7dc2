"""ATC with Swedish substance names → the SKOS scheme ``ksv:atc``.

Input: the folder ``swedish-medicinal-products-fass/`` or just its
``derived_atc_substance_sv.tsv`` (``atc_code<TAB>substance_sv<TAB>product_count``). Given the
folder, the ATC codes of ``medications.csv`` (one row per product) are added too, without
labels: mostly combinations (``R03AK07`` budesonid + formoterol, vaccines such as ``J07BD52``)
that the substance file leaves out because they have no single substance name. The hierarchy
follows the code: levels of 1, 3, 4, 5 and 7 characters (``R`` → ``R03`` → ``R03A`` →
``R03AC`` → ``R03AC02``); every prefix of a listed code becomes a concept.

Labels: only 7-character codes (chemical substances) get a Swedish label. Where several
substance names share a code (``A03AX13`` dimetikon/simetikon), the one in most products is the
``prefLabel`` and the others are ``altLabel``s. Group levels get no label (notation only): the
file has no group names, and a name listed against a group code is the substance of a product
classified at that level (``L01`` "Inavolisib"), not the group's name, so it is not used.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from service.terminology.base import (
    ImportResult,
    Known,
    SchemeBuilder,
    SourceInfo,
    TerminologyImporter,
    clean,
    invalid,
    tsv_rows,
)

SCHEME = "atc"
SUBSTANCES = "derived_atc_substance_sv.tsv"
PRODUCTS = "medications.csv"
HEADER = ("atc_code", "substance_sv", "product_count")
LEVELS = (1, 3, 4, 5, 7)
_CODE = re.compile(r"[A-Z](\d\d([A-Z]([A-Z](\d\d)?)?)?)?")

INFO = SourceInfo(
    label_sv="ATC med svenska substansnamn",
    label_en="ATC with Swedish substance names",
    description_sv=(
        "WHO:s anatomisk-terapeutisk-kemiska klassifikation (ATC): de koder som godkända "
        "läkemedel i Sverige har, med svenska substansnamn på substansnivån och "
        "överordnade nivåer ur koden."
    ),
    description_en=(
        "The WHO Anatomical Therapeutic Chemical (ATC) classification: the codes of medicinal "
        "products authorised in Sweden, with Swedish substance names at the substance level "
        "and the higher levels derived from the code."
    ),
    sources=("https://www.fass.se", "https://www.npmjs.com/package/swedish-medications"),
    licence="https://atcddd.fhi.no/copyright_disclaimer/",
    rights_sv=(
        "ATC-koderna © WHO Collaborating Centre for Drug Statistics Methodology. Substansnamnen "
        "ur FASS-data: inte öppet licensierade, används för intern testning och publiceras inte."
    ),
    rights_en=(
        "ATC codes © WHO Collaborating Centre for Drug Statistics Methodology. Substance names "
        "from FASS data: not openly licensed, used for internal testing and not published."
    ),
    version="2025",
)


def parents(code: str) -> list[str]:
    """The higher levels of a code, from the top: ``R03AC02`` → ``R``, ``R03``, ``R03A``, …"""
    return [code[:n] for n in LEVELS if n < len(code)]


def parse(path: Path, known: Known | None = None) -> ImportResult:
    """Parse the folder (or the substance TSV file alone) into the ``ksv:atc`` scheme."""
    del known
    products: Path | None = None
    if path.is_dir():
        products, path = path / PRODUCTS, path / SUBSTANCES
        if not products.is_file():
            products = None
    names: dict[str, dict[str, int]] = {}  # code → substance name → product count
    group_names: dict[str, list[str]] = {}
    for number, fields in tsv_rows(path, HEADER):
        code, name, count = fields[0].strip(), clean(fields[1]), fields[2].strip()
        if not _CODE.fullmatch(code) or not name or not count.isdigit():
            raise invalid(
                path,
                number,
                f"väntade 'ATC-kod<TAB>substans<TAB>antal', fann {fields!r}.",
                f"expected 'ATC code<TAB>substance<TAB>count', found {fields!r}.",
            )
        if len(code) == 7:
            found = names.setdefault(code, {})
            found[name] = found.get(name, 0) + int(count)
        else:
            group_names.setdefault(code, []).append(name)
            names.setdefault(code, {})

    unlabelled = _product_codes(products) - names.keys() if products else set()
    for code in unlabelled:
        names[code] = {}

    b = SchemeBuilder(SCHEME, INFO)
    for code in sorted(names):
        chain = [*parents(code), code]
        for i, level in enumerate(chain):
            b.concept(level)
            if i:
                b.broader(level, chain[i - 1])
        ranked = sorted(names[code].items(), key=lambda item: -item[1])  # stable: file order
        for i, (name, _) in enumerate(ranked):
            if i == 0:
                b.pref_label(code, name, "sv")
            else:
                b.alt_label(code, name, "sv")
    if group_names:
        listed = ", ".join(f"{c} ({'; '.join(n)})" for c, n in sorted(group_names.items()))
        b.warnings.append(
            f"{len(group_names)} group-level codes list product substances, not group names; "
            f"not used as labels: {listed}."
        )
    if unlabelled:
        b.warnings.append(
            f"{len(unlabelled)} codes only in {PRODUCTS} (combinations, vaccines, …) have no "
            "Swedish name: notation only."
        )
    return b.build()


def _product_codes(path: Path) -> set[str]:
    """The ATC codes of the products file (``atc_code`` column; empty codes are skipped)."""
    codes: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "atc_code" not in (reader.fieldnames or []):
            raise invalid(path, 1, "kolumnen atc_code saknas.", "the atc_code column is missing.")
        try:
            for row in reader:
                code = (row.get("atc_code") or "").strip()
                if code and not _CODE.fullmatch(code):
                    raise invalid(
                        path,
                        reader.line_num,
                        f"ogiltig ATC-kod {code!r}.",
                        f"invalid ATC code {code!r}.",
                    )
                if code:
                    codes.add(code)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise invalid(
                path, reader.line_num, f"kan inte läsas: {exc}", f"unreadable: {exc}"
            ) from exc
    return codes


IMPORTER = TerminologyImporter(
    name="atc",
    scheme=SCHEME,
    graph=SCHEME,
    location="swedish-medicinal-products-fass",
    parse=parse,
    title="ATC with Swedish substance names (FASS-derived TSV, product codes)",
)
