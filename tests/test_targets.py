import re
import sys

import pytest

from stancelib.targets import (
    _ODD_SPACING,
    _odd_spacing,
    aliases_of,
    find_mentions,
    normalize,
)


@pytest.mark.parametrize(
    "text, target, mention",
    [
        ("Les ministres soutiennent l'OTAN.", "OTAN", "OTAN"),
        ("Les ministres soutiennent l’Otan.", "l'OTAN", "l’Otan"),
        ("They signed the Accord in Paris.", "the accord", "the Accord"),
        ("They signed an Accord in Paris.", "the accord", "Accord"),
        (
            "Le Conseil salue la réforme des retraites.",
            "la reforme des retraites",
            "la réforme des retraites",
        ),
        ("Paris backs NATO enlargement.", "OTAN", "NATO"),
        ("L'UE rejette le plan.", "European Union", "UE"),
        (
            "We welcome the   new\ntrade accord.",
            "the new trade accord",
            "the   new\ntrade accord",
        ),
    ],
)
def test_target_is_found_case_accent_and_alias_insensitively(text, target, mention):
    spans = find_mentions(text, target)
    assert [text[s:e] for s, e in spans] == [mention]


def test_every_mention_is_found():
    text = "NATO met; NATO agreed."
    assert find_mentions(text, "NATO") == [(0, 4), (10, 14)]


@pytest.mark.parametrize(
    "text, target",
    [
        ("UNESCO meets today.", "UN"),
        ("The Eurogroup met.", "EU"),
        ("No mention.", "NATO"),
    ],
)
def test_mentions_respect_word_boundaries(text, target):
    assert find_mentions(text, target) == []


def test_user_aliases_are_used():
    spans = find_mentions("Brussels rejects the plan.", "EU", {"EU": ["Brussels"]})
    assert spans == [(0, 8)]


def test_partial_match_points_at_an_anaphor():
    text = "The pact was signed in 2021."
    assert find_mentions(text, "the AUKUS pact") == []
    assert find_mentions(text, "the AUKUS pact", partial=True) == [(4, 8)]


def test_normalize_keeps_length():
    text = "L’Élysée «salue» ßtraße"
    assert len(normalize(text)) == len(text)


def test_aliases_of_unknown_target_is_empty():
    assert aliases_of("the Zorbanian accord") == []


def test_fast_odd_spacing_test_agrees_with_the_regex():
    # every code point alone, and every pair of whitespace characters
    points = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    spaces = [c for c in points if re.fullmatch(r"\s", c)]
    texts = [f"a{c}b" for c in points] + [f"a{c}{d}b" for c in spaces for d in spaces]
    differ = [t for t in texts if _odd_spacing(t) != bool(_ODD_SPACING.search(t))]
    assert not differ
