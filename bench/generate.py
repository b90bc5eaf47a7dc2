"""A realistic synthetic corpus for benchmarks, deterministic for a given seed.

    python bench/generate.py --items 100000 --out DIR [--seed 42] [--concepts 2000]

Writes N-Quads that ``kunskapsgraf load DIR/*.nq`` loads (each file names its graphs):

- ``vocab.nq``     a code scheme (``ksv:icd-10-se``, 3 levels: chapters, 3- and 4-character
                   codes) with Swedish labels built from a medical vocabulary, English labels,
                   abbreviations as altLabels, in the graph ``ksg:vocab/bench-codes``;
- ``register.nq``  20 knowledge sources with licences, attributions and approvals in force
                   (two not approved) in ``ksg:register``;
- ``items.nq``     the items, one graph per source: products (60 %), sections (25 %),
                   recommendations (8 %) and regional supplements (7 %) with Swedish titles,
                   summaries and bodies (60–220 words of Swedish-like medical text with
                   compounds and inflections), facets, 1–5 subject codes (Zipf), review dates
                   (≈ 8 % overdue, ≈ 4 % due within 90 days), and 3 % withdrawn or superseded.

The model (ontology, vocabularies) is not written: load it with ``kunskapsgraf load-demo`` or
from ``ontology/``. Prints what it wrote and a sample of queries (``--queries N``) that the
benchmarks use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import time
from pathlib import Path

KS = "https://kunskapsgraf.se/ont/"
KSV = "https://kunskapsgraf.se/vocab/"
KSI = "https://kunskapsgraf.se/id/"
KSG = "https://kunskapsgraf.se/graph/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

ROOTS = [
    "hjärt",
    "lung",
    "njur",
    "lever",
    "hud",
    "ögon",
    "öron",
    "mag",
    "tarm",
    "blod",
    "led",
    "skelett",
    "nerv",
    "hjärn",
    "muskel",
    "bröst",
    "prostata",
    "livmoder",
    "äggstock",
    "sköldkörtel",
    "binjure",
    "bukspottkörtel",
    "gallblåse",
    "urinblåse",
    "kärl",
    "rygg",
    "knä",
    "höft",
    "axel",
    "hand",
    "fot",
    "tand",
    "mun",
    "hals",
    "näs",
    "bihåle",
    "luftrör",
    "matstrups",
    "ändtarms",
    "tjocktarms",
    "benmärgs",
    "lymf",
    "immun",
    "hormon",
    "ämnesomsättnings",
    "sömn",
    "smärt",
    "andnings",
    "cirkulations",
]
HEADS = [
    "svikt",
    "infarkt",
    "cancer",
    "inflammation",
    "infektion",
    "sjukdom",
    "smärta",
    "skada",
    "behandling",
    "utredning",
    "screening",
    "kontroll",
    "rehabilitering",
    "operation",
    "förändring",
    "insufficiens",
    "tumör",
    "blödning",
    "förstoring",
    "förträngning",
    "störning",
    "besvär",
    "vård",
    "uppföljning",
    "diagnostik",
]
WORDS = [
    "patient",
    "patienter",
    "behandling",
    "behandlingen",
    "utredning",
    "bedömning",
    "symtom",
    "symtomen",
    "diagnos",
    "läkemedel",
    "läkemedlet",
    "dos",
    "dosen",
    "vuxna",
    "barn",
    "äldre",
    "gravida",
    "kvinnor",
    "män",
    "risk",
    "risken",
    "rekommendation",
    "rekommendationer",
    "uppföljning",
    "kontroll",
    "provtagning",
    "remiss",
    "remissen",
    "primärvård",
    "specialistvård",
    "akut",
    "akuta",
    "kronisk",
    "kroniska",
    "lindrig",
    "måttlig",
    "svår",
    "svåra",
    "komplikationer",
    "komplikation",
    "prognos",
    "effekt",
    "effekten",
    "biverkningar",
    "behov",
    "insatser",
    "sjuksköterska",
    "läkare",
    "fysioterapeut",
    "vårdcentral",
    "mottagning",
    "avdelning",
    "hemsjukvård",
    "information",
    "samtal",
    "stöd",
    "egenvård",
    "levnadsvanor",
    "rökstopp",
    "fysisk",
    "aktivitet",
    "kost",
    "vikt",
    "blodtryck",
    "blodsocker",
    "infektion",
    "infektioner",
    "antibiotika",
    "smärtlindring",
    "vaccination",
    "graviditet",
    "förlossning",
    "amning",
    "nyfödda",
    "ungdomar",
    "tecken",
    "fynd",
    "värden",
    "analys",
    "undersökning",
]
FUNCTION = [
    "och",
    "i",
    "vid",
    "av",
    "för",
    "med",
    "som",
    "på",
    "till",
    "om",
    "hos",
    "kan",
    "bör",
    "ska",
    "inte",
    "efter",
    "eller",
    "men",
    "det",
    "den",
    "de",
    "är",
    "har",
    "vara",
    "ett",
    "en",
    "när",
    "där",
    "samt",
]
QUALIFIERS = (
    "hos barn",
    "hos vuxna",
    "hos äldre",
    "under graviditet",
    "i primärvård",
    "– behandling",
    "– utredning",
    "– uppföljning",
    "– läkemedel",
    "",
    "",
    "",
)
SECTION_TITLES = (
    "Bakgrund",
    "Symtom och fynd",
    "Utredning",
    "Behandling",
    "Läkemedelsbehandling",
    "Uppföljning",
    "Remissindikationer",
    "Egenvård",
    "Patientinformation",
)
CONTENT_TYPES = [
    "kliniskt-kunskapsstod",
    "vardprogram",
    "behandlingsrekommendation",
    "metodbeskrivning",
    "handboksartikel",
    "faktatext",
    "patientinformation",
    "kunskapsunderlag",
    "nationell-riktlinje",
]
AUDIENCES = [
    "lakare",
    "sjukskoterska",
    "specialistsjukskoterska",
    "barnmorska",
    "underskoterska",
    "apotekare",
    "fysioterapeut",
    "arbetsterapeut",
    "dietist",
    "psykolog",
]
CARE_SETTINGS = ["primarvard", "specialiserad-vard", "slutenvard", "kommunal-hsv", "barnhalsovard"]
KNOWLEDGE_AREAS = [
    "hjart-och-karlsjukdomar",
    "lung-och-allergisjukdomar",
    "cancersjukdomar",
    "endokrina-sjukdomar",
    "infektionssjukdomar",
    "psykisk-halsa",
    "nervsystemets-sjukdomar",
    "mag-och-tarmsjukdomar",
    "njur-och-urinvagssjukdomar",
    "rorelseorganens-sjukdomar",
    "barn-och-ungdomars-halsa",
    "kvinnosjukdomar-och-forlossning",
    "akut-vard",
]
PATIENT_GROUPS = ["barn", "ungdomar", "vuxna", "aldre", "gravida", "nyfodda"]
REGIONS = [
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
]
LICENCES = ("cc-by-4.0", "inera-villkor", "myndighet-citera-med-kallangivelse", "region-villkor")


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


class Writer:
    def __init__(self, path: Path) -> None:
        self.file = path.open("w", encoding="utf-8")
        self.count = 0

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.file.write(f"<{s}> <{p}> {o} <{g}> .\n")
        self.count += 1

    def close(self) -> None:
        self.file.close()


class Corpus:
    def __init__(self, seed: int, concepts: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        # Lemmas: compounds of a root and a head ("hjärtsvikt", "lungcancer").
        pairs = [(r, h) for r in ROOTS for h in HEADS]
        rng.shuffle(pairs)
        self.lemmas = [r + h for r, h in pairs]
        self.codes: list[tuple[str, str, str, str | None]] = []  # notation, sv, en, broader
        chapters = [chr(ord("A") + i) for i in range(22)]
        n3 = max(20, concepts // 3)
        n4 = max(20, concepts - n3 - len(chapters))
        for c in chapters:
            self.codes.append(
                (f"{c}00-{c}99", f"Sjukdomar, grupp {c}", f"Diseases, group {c}", None)
            )
        three: list[str] = []
        for i in range(n3):
            c = chapters[i % len(chapters)]
            notation = f"{c}{i // len(chapters):02d}"
            root, head = pairs[i % len(pairs)]
            self.codes.append(
                (notation, (root + head).capitalize(), f"{root}-{head} (en)", f"{c}00-{c}99")
            )
            three.append(notation)
        sv_of = {c[0]: c[1] for c in self.codes}
        for i in range(n4):
            parent = three[i % len(three)]
            label = sv_of[parent]
            qualifier = ("akut", "kronisk", "ospecificerad", "med komplikation", "hos barn")[
                (i // len(three)) % 5
            ]
            notation = f"{parent}.{(i // len(three)) % 10}"
            self.codes.append((notation, f"{label}, {qualifier}", f"{parent} {qualifier}", parent))
        self.leaf_codes = [c[0] for c in self.codes if c[3] is not None]
        # Zipf-like popularity of subjects.
        self.cum_weights = list(
            itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(self.leaf_codes)))
        )
        self.labels = {c[0]: c[1] for c in self.codes}
        self.vocab_words = WORDS + self.lemmas[:800]
        self.word_cum = list(
            itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(self.vocab_words)))
        )

    def sentence(self, topic: str, n: int) -> str:
        rng = self.rng
        words = rng.choices(self.vocab_words, cum_weights=self.word_cum, k=n)
        for i in range(0, n, 4):
            words.insert(i, rng.choice(FUNCTION))
        if rng.random() < 0.7:
            words.insert(rng.randrange(len(words)), topic.lower())
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def text(self, topic: str, words: int) -> str:
        out = []
        left = words
        while left > 0:
            n = min(left, self.rng.randint(8, 18))
            out.append(self.sentence(topic, n))
            left -= n
        return " ".join(out)

    def subjects(self) -> list[str]:
        k = self.rng.choices((1, 2, 3, 4, 5), (35, 30, 20, 10, 5))[0]
        return sorted(set(self.rng.choices(self.leaf_codes, cum_weights=self.cum_weights, k=k)))


def write_vocab(corpus: Corpus, out: Path) -> int:
    w = Writer(out / "vocab.nq")
    g = KSG + "vocab/bench-codes"
    scheme = KSV + "icd-10-se"
    w.quad(scheme, RDF_TYPE, f"<{SKOS}ConceptScheme>", g)
    w.quad(scheme, SKOS + "prefLabel", lit("ICD-10-SE (syntetisk)", "sv"), g)
    rng = random.Random(7)
    for notation, sv, en, broader in corpus.codes:
        c = f"{scheme}/{notation}"
        w.quad(c, RDF_TYPE, f"<{SKOS}Concept>", g)
        w.quad(c, SKOS + "inScheme", f"<{scheme}>", g)
        w.quad(c, SKOS + "notation", lit(notation), g)
        w.quad(c, SKOS + "prefLabel", lit(sv, "sv"), g)
        w.quad(c, SKOS + "prefLabel", lit(en, "en"), g)
        if broader:
            w.quad(c, SKOS + "broader", f"<{scheme}/{broader}>", g)
            w.quad(f"{scheme}/{broader}", SKOS + "narrower", f"<{c}>", g)
        else:
            w.quad(c, SKOS + "topConceptOf", f"<{scheme}>", g)
        if broader and "." not in notation and rng.random() < 0.3:
            # An abbreviation as altLabel ("HS" for hjärtsvikt), like KOL and UVI.
            abbreviation = "".join(p[0] for p in sv.split()[:1]) + notation[1:3]
            w.quad(c, SKOS + "altLabel", lit(abbreviation.upper(), "sv"), g)
    w.close()
    return w.count


def write_register(out: Path, sources: list[str]) -> int:
    w = Writer(out / "register.nq")
    g = KSG + "register"
    for lic in LICENCES:
        iri = f"{KSI}licence/{lic}"
        w.quad(iri, RDF_TYPE, f"<{KS}Licence>", g)
        w.quad(iri, KS + "title", lit(f"Licens {lic}", "sv"), g)
        w.quad(
            iri, KS + "url", lit(f"https://example.org/licens/{lic}", datatype=XSD + "anyURI"), g
        )
    for i, key in enumerate(sources):
        s = f"{KSI}source/{key}"
        a = f"{KSI}approval/{key}/2025-01-01"
        w.quad(s, RDF_TYPE, f"<{KS}KnowledgeSource>", g)
        w.quad(s, KS + "sourceKey", lit(key), g)
        w.quad(s, KS + "title", lit(f"Källa {key}", "sv"), g)
        w.quad(s, KS + "licence", f"<{KSI}licence/{LICENCES[i % len(LICENCES)]}>", g)
        w.quad(s, KS + "attribution", lit(f"Källa: {key}.", "sv"), g)
        w.quad(s, KS + "hasApproval", f"<{a}>", g)
        w.quad(s, KS + "currentApproval", f"<{a}>", g)
        status = "under-bedomning" if i in (7, 13) else "godkand"
        w.quad(a, RDF_TYPE, f"<{KS}SourceApproval>", g)
        w.quad(a, KS + "approvalStatus", f"<{KSV}approval-status/{status}>", g)
        level = "metadata" if i == 11 else "fulltext-visning"
        w.quad(a, KS + "integrationLevel", f"<{KSV}integration-level/{level}>", g)
        if key.startswith("region-"):
            w.quad(s, KS + "region", f"<{KSV}region/{key[7:]}>", g)
    w.close()
    return w.count


def write_items(corpus: Corpus, out: Path, items: int, sources: list[str]) -> int:
    rng = corpus.rng
    w = Writer(out / "items.nq")
    today = dt.date(2026, 11, 26)
    national = [s for s in sources if not s.startswith("region-")]
    source_cum = list(itertools.accumulate(1.0 / (r + 1) for r in range(len(national))))
    products: list[tuple[str, str, str]] = []  # (iri, source, identifier)
    made = 0
    n = 0
    while made < items:
        kind_roll = rng.random()
        if kind_roll < 0.25 and products:
            kind = "Section"
        elif kind_roll < 0.33 and products:
            kind = "Recommendation"
        elif kind_roll < 0.40 and products:
            kind = "RegionalSupplement"
        else:
            kind = "KnowledgeProduct"
        n += 1
        subjects = corpus.subjects()
        topic = corpus.labels[subjects[0]]
        if kind == "RegionalSupplement":
            region = rng.choice(REGIONS)
            source = f"region-{region}"
        elif kind == "KnowledgeProduct":
            source = rng.choices(national, cum_weights=source_cum)[0]
        else:
            parent_iri, source, _parent_id = rng.choice(products[-2000:])
        local = f"i{n:07d}"
        identifier = f"{source}:{local}"
        iri = f"{KSI}item/{source}/{local}"
        g = f"{KSG}source/{source}"
        q = w.quad
        q(iri, RDF_TYPE, f"<{KS}{kind}>", g)
        q(iri, KS + "identifier", lit(identifier), g)
        if kind == "Section":
            title = rng.choice(SECTION_TITLES)
            if rng.random() < 0.5:
                title = f"{title} vid {topic.lower()}"
        elif kind == "Recommendation":
            title = f"Rekommendation: {rng.choice(WORDS)} vid {topic.lower()}"
        else:
            title = topic if rng.random() < 0.6 else rng.choice(corpus.lemmas).capitalize()
            title = f"{title} {rng.choice(QUALIFIERS)}".strip()
        q(iri, KS + "title", lit(title, "sv"), g)
        if rng.random() < 0.1:
            q(iri, KS + "alternativeTitle", lit(rng.choice(corpus.lemmas), "sv"), g)
        q(iri, KS + "summary", lit(corpus.text(topic, rng.randint(12, 30))[:300], "sv"), g)
        q(iri, KS + "body", lit(corpus.text(topic, rng.randint(60, 220)), "sv"), g)
        q(iri, KS + "source", f"<{KSI}source/{source}>", g)
        for s in subjects:
            q(iri, KS + "subject", f"<{KSV}icd-10-se/{s}>", g)
        if kind in ("Section", "Recommendation"):
            q(iri, KS + "isPartOf", f"<{parent_iri}>", g)
            if rng.random() < 0.4:
                q(iri, KS + "audience", f"<{KSV}audience/{rng.choice(AUDIENCES)}>", g)
        else:
            content_type = (
                "regionalt-tillagg" if kind == "RegionalSupplement" else rng.choice(CONTENT_TYPES)
            )
            q(iri, KS + "contentType", f"<{KSV}content-type/{content_type}>", g)
            for a in rng.sample(AUDIENCES, rng.randint(1, 3)):
                q(iri, KS + "audience", f"<{KSV}audience/{a}>", g)
            for c in rng.sample(CARE_SETTINGS, rng.randint(0, 2)):
                q(iri, KS + "careSetting", f"<{KSV}care-setting/{c}>", g)
            for k in rng.sample(KNOWLEDGE_AREAS, rng.randint(1, 2)):
                q(iri, KS + "knowledgeArea", f"<{KSV}knowledge-area/{k}>", g)
            for p in rng.sample(PATIENT_GROUPS, rng.randint(0, 2)):
                q(iri, KS + "patientGroup", f"<{KSV}patient-group/{p}>", g)
        if kind != "Section":
            roll = rng.random()
            state = (
                "tillbakadragen"
                if roll < 0.02
                else "ersatt"
                if roll < 0.03
                else "under-revidering"
                if roll < 0.05
                else "gallande"
            )
            q(iri, KS + "lifecycleState", f"<{KSV}lifecycle/{state}>", g)
        if kind == "RegionalSupplement":
            target_iri, _, _ = rng.choice(products[-5000:])
            q(iri, KS + "region", f"<{KSV}region/{source[7:]}>", g)
            q(iri, KS + "supplements", f"<{target_iri}>", g)
        reviewed = today - dt.timedelta(days=rng.randint(30, 1500))
        roll = rng.random()
        if roll < 0.08:
            next_review = today - dt.timedelta(days=rng.randint(1, 700))
        elif roll < 0.12:
            next_review = today + dt.timedelta(days=rng.randint(0, 90))
        else:
            next_review = today + dt.timedelta(days=rng.randint(91, 1100))
        modified = reviewed + dt.timedelta(days=rng.randint(0, 25))
        q(iri, KS + "lastReviewed", lit(reviewed.isoformat(), datatype=XSD + "date"), g)
        q(iri, KS + "nextReview", lit(next_review.isoformat(), datatype=XSD + "date"), g)
        q(
            iri,
            KS + "modified",
            lit(f"{modified.isoformat()}T10:00:00+01:00", datatype=XSD + "dateTime"),
            g,
        )
        q(iri, KS + "url", lit(f"https://example.org/{source}/{local}", datatype=XSD + "anyURI"), g)
        if kind == "KnowledgeProduct":
            products.append((iri, source, identifier))
        made += 1
    w.close()
    return w.count


def sample_queries(corpus: Corpus, n: int, seed: int) -> list[str]:
    """Queries as staff type them: one or two words, lemmas, inflections, codes, compounds."""
    rng = random.Random(seed + 1)
    out: list[str] = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            out.append(corpus.labels[rng.choice(corpus.leaf_codes[:300])].split(",")[0].lower())
        elif kind == 1:
            out.append(rng.choice(corpus.lemmas[:400]))
        elif kind == 2:
            out.append(f"{rng.choice(corpus.lemmas[:400])} {rng.choice(WORDS[:40])}")
        elif kind == 3:
            out.append(rng.choice(corpus.leaf_codes[:300]).split(".")[0])
        else:
            out.append(rng.choice(("patienten", "läkemedlet", "dosen", "symtomen", "remissen")))
    return out


def generate(items: int, out: Path, seed: int = 42, concepts: int = 2000) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(seed, concepts)
    sources = [f"kalla-{i:02d}" for i in range(20)] + [f"region-{r}" for r in REGIONS]
    counts = {
        "vocab": write_vocab(corpus, out),
        "register": write_register(out, sources),
        "items": write_items(corpus, out, items, sources),
    }
    (out / "queries.json").write_text(
        json.dumps(sample_queries(corpus, 200, seed), ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--concepts", type=int, default=2000)
    args = parser.parse_args()
    start = time.perf_counter()
    counts = generate(args.items, args.out, args.seed, args.concepts)
    took = time.perf_counter() - start
    print(
        f"{args.items} items, {counts['items']} + {counts['vocab']} + {counts['register']} quads "
        f"in {args.out} ({took:.1f} s): items.nq, vocab.nq, register.nq, queries.json"
    )


if __name__ == "__main__":
    main()
