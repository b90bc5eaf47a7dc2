"""The search-gap log: zero-result and low-click queries, redacted, kept across restarts."""

from __future__ import annotations

from pathlib import Path

from service.search.gaps import SearchGapLog


def test_zero_result_and_low_click_queries_are_listed(tmp_path: Path) -> None:
    log = SearchGapLog(tmp_path / "gaps.json")
    log.record_search("Borrelia 19121212-1212", 0)
    for _ in range(4):
        log.record_search("astma", 12)
    log.record_search("kol", 3)
    log.record_click("kol")
    gaps = [(q, reason) for q, reason, _ in log.gaps()]
    assert gaps == [("borrelia #", "zero-results"), ("astma", "low-clicks")]
    log.save()
    again = SearchGapLog(tmp_path / "gaps.json")
    assert [q for q, _, _ in again.gaps()] == ["borrelia #", "astma"]


def test_clicks_for_unknown_queries_are_ignored() -> None:
    log = SearchGapLog()
    assert log.record_click("aldrig sökt") is False
