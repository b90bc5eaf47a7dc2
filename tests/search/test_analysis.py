"""Swedish analysis and query understanding, word by word."""

from __future__ import annotations

from service.search.analysis import correct, plan_query, redact, split_compound, stems, tokens
from service.search.concepts import Concept, Thesaurus

ICD = "https://kunskapsgraf.se/vocab/icd-10-se"


def thesaurus() -> Thesaurus:
    t = Thesaurus(
        [
            Concept(
                f"{ICD}/J44", ICD, "J44", {"sv": "Kronisk obstruktiv lungsjukdom"}, [("sv", "KOL")]
            ),
            Concept(
                f"{ICD}/I21", ICD, "I21", {"sv": "Akut hjärtinfarkt"}, [("sv", "hjärtinfarkt")]
            ),
        ]
    )
    t.index_labels(stems, {ICD})
    return t


def test_tokens_and_stems_keep_swedish_letters_and_codes() -> None:
    assert tokens("Hjärtsvikt – ÅTGÄRDER vid J45.0") == ["hjärtsvikt", "åtgärder", "vid", "j45.0"]
    assert stems("Åtgärder vid öroninflammation") == ["åtgärd", "öroninflammation"]


def test_compounds_split_into_known_words_with_linking_s() -> None:
    known = {"hjärtsvikt", "behandling", "lung", "cancer", "screening"}.__contains__
    assert split_compound("hjärtsviktsbehandling", known) == ("hjärtsvikt", "behandling")
    assert split_compound("lungcancerscreening", known) == ("lung", "cancer", "screening")
    assert split_compound("hjärtsvikt", known) == ()


def test_corrections_are_known_words_one_edit_away() -> None:
    assert correct("diabetis", {"diabetes": 3}.get) == ("diabet",)
    assert correct("diabetis", {}.get) == ()


def test_a_plan_finds_labels_codes_and_plain_words() -> None:
    known = {"behandling", "kol"}.__contains__
    plan = plan_query("KOL behandling I21", thesaurus(), known)
    kinds = [(u.text, u.concepts, u.code) for u in plan.units]
    assert kinds == [
        ("kol", (f"{ICD}/J44",), False),
        ("behandling", (), False),
        ("i21", (f"{ICD}/I21",), True),
    ]
    synonyms = plan.units[0].synonyms
    assert ("kronisk", "obstruktiv", "lungsjukdom") in synonyms


def test_inflected_labels_still_name_the_concept() -> None:
    plan = plan_query("hjärtinfarkten", thesaurus(), lambda w: True)
    assert plan.units[0].concepts == (f"{ICD}/I21",)


def test_stop_words_are_not_units() -> None:
    plan = plan_query("behandling av kol", thesaurus(), lambda w: True)
    assert [u.text for u in plan.units] == ["behandling", "kol"]


def test_logged_queries_carry_no_personal_data() -> None:
    assert redact("Astma 19121212-1212") == "astma #"
    assert redact("ring anna@example.se på 070-123 45 67") == "ring @ på #"
    assert len(redact("x" * 500)) == 100
