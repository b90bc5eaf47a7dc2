"""Suggestions from the first character, å/ä/ö aware."""

from __future__ import annotations

from service.search.suggest import Entry, Suggester


def suggester() -> Suggester:
    return Suggester(
        [
            Entry("title", "Öroninflammation hos barn", "a:otit", None, None, 3.0),
            Entry("title", "Obstipation", "a:obst", None, None, 3.0),
            Entry("concept", "Akut hjärtinfarkt", "icd-10-se:I21", "I21", "icd-10-se", 4.0),
            Entry("title", "Hjärtsvikt", "a:hs", None, None, 3.0),
        ]
    )


def labels(found: list[dict[str, object]]) -> list[object]:
    return [s["label"] for s in found]


def test_one_character_is_enough_and_ö_is_not_o() -> None:
    s = suggester()
    assert labels(s.suggest("ö", 10)) == ["Öroninflammation hos barn"]
    assert labels(s.suggest("o", 10)) == ["Obstipation"]


def test_words_inside_a_label_match_and_are_highlighted() -> None:
    found = suggester().suggest("hjärt", 10)
    assert labels(found) == ["Hjärtsvikt", "Akut hjärtinfarkt"]  # label start first
    assert found[1]["highlight"] == "Akut <mark>hjärt</mark>infarkt"
    assert found[1]["kind"] == "concept" and found[1]["notation"] == "I21"


def test_added_titles_are_suggested_and_vetoes_apply() -> None:
    s = suggester()
    s.add([Entry("title", "Hjärtrehabilitering", "a:rehab", None, None, 1.0)])
    assert "Hjärtrehabilitering" in labels(s.suggest("hjärtr", 10))
    assert labels(s.suggest("hjärtsv", 10, allowed=lambda e: e.id != "a:hs")) == []
