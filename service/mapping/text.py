"""Text and date helpers for the mapping rules: slugs, HTML to text, truncation, dates."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DateProblem",
    "html_to_text",
    "parse_when",
    "short_hash",
    "slugify",
    "to_date",
    "to_datetime",
    "truncate",
]

MAX_ID_LENGTH = 100


def slugify(text: str) -> str:
    """Lower-case ASCII slug matching ``[a-z0-9][a-z0-9._-]*`` ('' when nothing is left)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9._-]+", "-", folded.lower())
    slug = re.sub(r"-{2,}", "-", slug)
    slug = slug.lstrip("._-")[:MAX_ID_LENGTH]
    return slug.rstrip("._-")


def short_hash(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:–-") + "…"


_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "hr",
}
_SKIP = {"script", "style", "head", "title", "iframe", "object", "noscript", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self.skipping = 0

    def _break(self) -> None:
        if self.blocks[-1]:
            self.blocks.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "li":
            self._break()
            self.blocks[-1].append("- ")
        elif tag == "br" or tag in _BLOCK:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "li" or tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.blocks[-1].append(data)


def html_to_text(markup: str) -> str:
    """Plain text from (possibly broken) HTML: paragraphs separated by blank lines, list items
    as ``- item``. Nothing is fetched and no markup survives."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is very lenient
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", markup))).strip()
    paragraphs = []
    for block in parser.blocks:
        text = re.sub(r"\s+", " ", "".join(block)).strip()
        if text and text != "-":
            paragraphs.append(text)
    lines: list[str] = []
    for paragraph in paragraphs:
        is_item = paragraph.startswith("- ")
        if lines and not (is_item and lines[-1].startswith("- ")):
            lines.append("")
        lines.append(paragraph)
    return "\n".join(lines)


class DateProblem(ValueError):
    """A date that cannot be read or converted; the message is (sv, en)."""

    def __init__(self, message_sv: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv
        self.message_en = message_en


def parse_when(value: str, formats: Sequence[str]) -> tuple[datetime, bool]:
    """Parse ``value`` with the first format that fits; returns the value and whether it had
    a time of day. Formats: ``iso8601``, ``rfc822`` or a ``strptime`` pattern (``%d/%m/%Y``)."""
    text = value.strip()
    for fmt in formats:
        try:
            if fmt == "iso8601":
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    return datetime.combine(date.fromisoformat(text), time()), False
                return datetime.fromisoformat(text.replace(" ", "T", 1)), True
            if fmt == "rfc822":
                parsed = parsedate_to_datetime(text)
                if parsed is None:  # pragma: no cover - older Pythons returned None
                    continue
                return parsed, True
            parsed = datetime.strptime(text, fmt)
            has_time = any(code in fmt for code in ("%H", "%I", "%M", "%S", "%c", "%X"))
            return parsed, has_time
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
    shown = ", ".join(formats)
    raise DateProblem(
        f"datumet {value!r} kan inte läsas med formaten {shown}",
        f"the date {value!r} cannot be read with the formats {shown}",
    )


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DateProblem(f"okänd tidszon {name!r}", f"unknown time zone {name!r}") from None


def to_date(value: datetime) -> str:
    """xsd:date: the calendar date where the value was given (its own offset)."""
    return value.date().isoformat()


def to_datetime(value: datetime, has_time: bool, timezone: str | None) -> str:
    """xsd:dateTime with an offset. A value without offset (or without time) is placed in
    ``timezone``; without one that is an error rather than a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        if timezone is None:
            raise DateProblem(
                f"tidpunkten {value.isoformat()} saknar tidszon och regeln anger ingen "
                "(timezone = ...)",
                f"the time {value.isoformat()} has no offset and the rule gives no timezone",
            )
        zone = _zone(timezone)
        value = (
            value.replace(tzinfo=zone)
            if has_time
            else datetime.combine(value.date(), time(), tzinfo=zone)
        )
    return value.replace(microsecond=0).isoformat()
