import pytest

from stancelib.analyze import analyze, find_candidate_targets, split_sentences


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "M. Barrot a reçu Mme Kallas à Paris. Ils ont évoqué l'Ukraine, la Syrie, "
            "etc. Le communiqué suivra.",
            [
                "M. Barrot a reçu Mme Kallas à Paris.",
                "Ils ont évoqué l'Ukraine, la Syrie, etc. Le communiqué suivra.",
            ],
        ),
        (
            "The U.S. delegation met Dr. Rao on Monday. It backed the plan! Did the "
            "U.K. agree? No.",
            [
                "The U.S. delegation met Dr. Rao on Monday.",
                "It backed the plan!",
                "Did the U.K. agree?",
                "No.",
            ],
        ),
        (
            "J. Borrell spoke at 10.30 in Brussels. « Nous saluons l'accord. » "
            "Le vote a eu lieu.",
            [
                "J. Borrell spoke at 10.30 in Brussels.",
                "« Nous saluons l'accord. »",
                "Le vote a eu lieu.",
            ],
        ),
        ("", []),
        ("No final stop", ["No final stop"]),
    ],
)
def test_sentences_split_in_english_and_french(text, expected):
    assert sentences(text) == expected


def test_candidate_targets_cover_predicates_acronyms_and_names():
    found = find_candidate_targets(
        "The European Union welcomes the new trade accord but the ministers are "
        "concerned about AUKUS."
    )
    assert found == ["European Union", "the new trade accord", "AUKUS"]
    assert "l'élargissement de l'alliance" in find_candidate_targets(
        "Les deux ministres s'opposent à l'élargissement de l'alliance."
    )


def test_analyze_returns_one_row_per_mention_with_document_spans(fitted):
    text = "We reject the embargo. M. Roy arrived. The embargo, again, we reject."
    rows = analyze(text, ["the embargo"], fitted)
    assert list(rows.columns) == [
        "sentence_id",
        "sentence",
        "target",
        "mention",
        "start",
        "end",
        "stance",
        "confidence",
    ]
    assert rows["sentence_id"].tolist() == [0, 2]
    assert [text[s:e] for s, e in zip(rows["start"], rows["end"])] == [
        "the embargo",
        "The embargo",
    ]
    assert rows["confidence"].between(0, 1).all()


def test_analyze_finds_aliases(fitted):
    rows = analyze("Paris soutient l'OTAN.", ["NATO"], fitted)
    assert rows["mention"].tolist() == ["OTAN"]
    assert rows["target"].tolist() == ["NATO"]


def test_analyze_without_mentions_is_empty(fitted):
    rows = analyze("Nothing here.", ["NATO"], fitted)
    assert rows.empty and "stance" in rows.columns


@pytest.mark.parametrize(
    "text, targets, error, match",
    [
        (None, None, TypeError, "text must be a string"),
        ("Text.", ["ok", ""], ValueError, "non-empty strings"),
    ],
)
def test_analyze_refuses_bad_input(fitted, text, targets, error, match):
    with pytest.raises(error, match=match):
        analyze(text, targets, fitted)


def test_analyze_with_the_default_model(default_model):
    rows = analyze(
        "Both sides reject the sanctions and welcome the accord.",
        ["the sanctions", "the accord"],
    )
    assert dict(zip(rows["target"], rows["stance"])) == {
        "the sanctions": "opposition",
        "the accord": "support",
    }
