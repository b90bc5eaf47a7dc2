"""Text analysis for the simple search index: Unicode normalisation, lower-casing that keeps
å, ä and ö distinct letters (they are not accents in Swedish), and tokenisation that keeps
codes such as ``J45.0`` and ``N02BE01`` whole."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"\w+(?:\.\w+)*")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens.

    >>> tokens("Astma hos vuxna (J45.0), KOL-behandling")
    ['astma', 'hos', 'vuxna', 'j45.0', 'kol', 'behandling']
    """
    return _TOKEN.findall(normalise(text))
