"""Swedish text analysis and query understanding.

Text: Unicode NFC, lower-cased, with å, ä and ö kept as the distinct letters they are in
Swedish (never folded to a/o), Swedish stop words dropped and Snowball-Swedish stemming
(``sv_analyzer``); an unstemmed variant (``word_analyzer``) serves typo tolerance, compound
splitting and suggestions.

Queries: ``plan_query`` turns what a user typed into ``QueryPlan`` units that must all match.
A unit is a word, or a span that names a concept (a label, an abbreviation, a code): the
concept's other labels are synonyms and items tagged with it or a narrower concept match too.
Unknown long words get one-typo tolerance; compounds ("hjärtsviktsbehandling") also match as
their parts ("behandling av hjärtsvikt").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from tantivy import Filter, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from service.search.concepts import Concept, Thesaurus

_TOKEN = re.compile(r"\w+(?:\.\w+)*")
# Codes as typed: ICD-10 (J45, J45.0, I21.9), ATC (N02BE01, R03AC02), KVÅ (AB123) ...
_CODE = re.compile(r"[a-zåäö]{1,3}\d{1,3}[a-z0-9.]*", re.IGNORECASE)
# Letters a typo can involve (Swedish alphabet plus é).
ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöé"
MIN_FUZZY_LENGTH = 5
MIN_COMPOUND_LENGTH = 8
MIN_PART_LENGTH = 3


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens.

    >>> tokens("Astma hos vuxna (J45.0), KOL-behandling")
    ['astma', 'hos', 'vuxna', 'j45.0', 'kol', 'behandling']
    """
    return _TOKEN.findall(normalise(text))


@cache
def sv_analyzer() -> TextAnalyzer:
    """Tokenise, lower-case, drop Swedish stop words, stem (Snowball Swedish). No ASCII folding."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(60))
        .filter(Filter.lowercase())
        .filter(Filter.stopword("swedish"))
        .filter(Filter.stemmer("swedish"))
        .build()
    )


@cache
def word_analyzer() -> TextAnalyzer:
    """Tokenise and lower-case only: the surface words, for typos, compounds and prefixes."""
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(60))
        .filter(Filter.lowercase())
        .build()
    )


def stems(text: str) -> list[str]:
    """
    >>> stems("Behandling av hjärtsvikten")
    ['behandling', 'hjärtsvik']
    """
    return sv_analyzer().analyze(unicodedata.normalize("NFC", text))


def words(text: str) -> list[str]:
    return word_analyzer().analyze(unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class Word:
    text: str  # lower-cased, as typed
    stem: str
    # Stems of the parts when the word is a compound of known words ("hjärtsvikt", "behandling").
    parts: tuple[str, ...] = ()
    # Unknown to the index and long enough: the known words one edit away, most frequent first.
    corrections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unit:
    """One thing the query asks for; every unit of a query must match."""

    text: str
    words: tuple[Word, ...] = ()
    # Concepts the span names (by label, abbreviation or code): their IRIs.
    concepts: tuple[str, ...] = ()
    # The stems of the concepts' other labels: synonyms that match as text.
    synonyms: tuple[tuple[str, ...], ...] = ()
    code: bool = False


@dataclass(frozen=True)
class QueryPlan:
    text: str
    units: tuple[Unit, ...] = ()
    # The whole query, normalised, for "exact title or alternative title first".
    exact: str = ""
    # Every unit must match; False: any unit may (the fallback for long questions).
    conjunctive: bool = True

    @property
    def match_all(self) -> bool:
        return not self.text.strip()

    @property
    def concepts(self) -> list[str]:
        return [c for u in self.units for c in u.concepts]


Known = Callable[[str], bool]
Frequency = Callable[[str], int]
MAX_CORRECTIONS = 3


def split_compound(word: str, known: Known, depth: int = 0) -> tuple[str, ...]:
    """Split a compound into known words, allowing the Swedish linking -s- (and -e-, -a-)
    between parts; () when it cannot be split fully.

    >>> known = {"hjärtsvikt", "behandling", "lunga", "cancer"}.__contains__
    >>> split_compound("hjärtsviktsbehandling", known)
    ('hjärtsvikt', 'behandling')
    >>> split_compound("lungcancer", lambda w: w in {"lung", "cancer"})
    ('lung', 'cancer')
    >>> split_compound("behandling", known)
    ()
    """
    if depth > 2:
        return ()
    n = len(word)
    # Longest head first: "hjärtsvikts|behandling" before "hjärt|sviktsbehandling".
    for cut in range(n - MIN_PART_LENGTH, MIN_PART_LENGTH - 1, -1):
        head, tail = word[:cut], word[cut:]
        heads = [head]
        if len(head) > MIN_PART_LENGTH and head[-1] in "sea":
            heads.append(head[:-1])
        for h in heads:
            if len(h) < MIN_PART_LENGTH or not known(h):
                continue
            if known(tail):
                return (h, tail)
            rest = split_compound(tail, known, depth + 1)
            if rest:
                return (h, *rest)
    return ()


def edits(word: str) -> set[str]:
    """Every string one edit (delete, transpose, replace, insert) away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def plan_query(
    text: str,
    thesaurus: Thesaurus,
    known: Known,
    content_schemes: set[str] | None = None,
    frequency: Frequency | None = None,
) -> QueryPlan:
    """Understand a query: which spans name concepts, which words are compounds or typos.

    ``known(word)`` says whether the index (or the vocabulary) has the lower-cased word and
    ``frequency(word)`` in how many documents the surface word occurs (for typo corrections);
    ``content_schemes`` limits codes to the schemes items are tagged with.
    """
    frequency = frequency or (lambda w: int(known(w)))
    units: list[Unit] = []
    pending: list[str] = []

    def flush_words() -> None:
        units.extend(_word_units(pending, thesaurus, known, frequency))
        pending.clear()

    for chunk in normalise(text).split():
        bare = chunk.strip(".,;:!?()[]{}\"'")
        coded = _code_concepts(bare, thesaurus, content_schemes) if _CODE.fullmatch(bare) else []
        if coded:
            flush_words()
            units.append(
                Unit(
                    text=bare,
                    words=tuple(Word(w, w) for w in words(bare)),
                    concepts=tuple(c.iri for c in coded),
                    code=True,
                )
            )
        else:
            pending.extend(words(chunk))
    flush_words()
    return QueryPlan(text=text, units=tuple(units), exact=" ".join(normalise(text).split()))


def _code_concepts(code: str, thesaurus: Thesaurus, schemes: set[str] | None) -> list[Concept]:
    if not any(ch.isdigit() for ch in code):
        return []
    found = thesaurus.by_notation.get(code.casefold(), [])
    return [c for c in found if schemes is None or c.scheme in schemes]


def _word_units(
    tokens_: list[str], thesaurus: Thesaurus, known: Known, frequency: Frequency
) -> list[Unit]:
    """Greedy longest match of concept labels over the words; the rest are single words."""
    units: list[Unit] = []
    i = 0
    n = len(tokens_)
    while i < n:
        matched = False
        for length in range(min(thesaurus.max_label_tokens, n - i), 0, -1):
            span = tokens_[i : i + length]
            if not stems(span[0]) or not stems(span[-1]):
                continue  # a span neither starts nor ends with a stop word ("av kol")
            key = tuple(stems(" ".join(span)))
            concepts = thesaurus.by_label(key) if key else []
            if not concepts:
                continue
            synonyms: list[tuple[str, ...]] = []
            for c in concepts:
                for label in c.labels():
                    alt = tuple(stems(label))
                    if alt and alt != key and alt not in synonyms:
                        synonyms.append(alt)
            units.append(
                Unit(
                    text=" ".join(span),
                    words=tuple(_word(w, known, frequency) for w in span if stems(w)),
                    concepts=tuple(c.iri for c in concepts),
                    synonyms=tuple(synonyms[:12]),
                )
            )
            i += length
            matched = True
            break
        if not matched:
            word = tokens_[i]
            if stems(word):  # stop words ("av", "vid") are not units
                units.append(Unit(text=word, words=(_word(word, known, frequency),)))
            i += 1
    return units


def _word(word: str, known: Known, frequency: Frequency) -> Word:
    stem = (stems(word) or [word])[0]
    parts: tuple[str, ...] = ()
    if len(word) >= MIN_COMPOUND_LENGTH:
        split = split_compound(word, known)
        parts = tuple(s for p in split for s in stems(p)[:1])
        if len(parts) < 2:
            parts = ()
    corrections: tuple[str, ...] = ()
    if len(word) >= MIN_FUZZY_LENGTH and not parts and not known(word):
        corrections = correct(word, frequency)
    return Word(word, stem, parts, corrections)


def correct(word: str, frequency: Frequency, limit: int = MAX_CORRECTIONS) -> tuple[str, ...]:
    """Known words one edit away from ``word``, most frequent first (their stems).

    >>> correct("astmma", {"astma": 5, "asthma": 1}.get)
    ('astma', 'asthma')
    """
    found = sorted(
        ((n, e) for e in edits(word) if (n := frequency(e) or 0) > 0), key=lambda r: (-r[0], r[1])
    )
    out: list[str] = []
    for _, candidate in found:
        stem = (stems(candidate) or [candidate])[0]
        if stem not in out:
            out.append(stem)
        if len(out) >= limit:
            break
    return tuple(out)


_PERSONAL = [
    (re.compile(r"\b\d{6,8}[-+]?\d{4}\b"), "#"),  # personnummer, samordningsnummer
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "@"),  # e-mail addresses
    (re.compile(r"\+?\d[\d -]{6,}\d"), "#"),  # phone numbers, long digit runs
]


def redact(text: str, limit: int = 100) -> str:
    """A query as it may be logged: normalised, without personal identity numbers, e-mail
    addresses or phone numbers, and at most ``limit`` characters.

    >>> redact("Astma  19121212-1212 ring 070-123 45 67")
    'astma # ring #'
    """
    flat = " ".join(normalise(text).split())
    for pattern, mark in _PERSONAL:
        flat = pattern.sub(mark, flat)
    return flat[:limit].strip()
