import datasets
import numpy as np
import pandas as pd
import pytest

import stancelib
from stancelib.data import holdout_split, split_of, stance_names


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_files_load_into_a_dataset(tmp_path, pairs, suffix):
    path = tmp_path / f"data{suffix}"
    frame = pairs.assign(lang="en", doc_id="d1")
    {
        ".csv": lambda: frame.to_csv(path, index=False),
        ".jsonl": lambda: frame.to_json(path, orient="records", lines=True),
        ".parquet": lambda: frame.to_parquet(path),
    }[suffix]()
    ds = stancelib.load_dataset(path)
    assert isinstance(ds, datasets.Dataset)
    assert ds.column_names == ["text", "target", "stance", "lang", "doc_id"]
    assert isinstance(ds.features["stance"], datasets.ClassLabel)
    assert stance_names(ds) == pairs["stance"].tolist()


def test_dataframe_and_dataset_load_alike(pairs):
    from_frame = stancelib.load_dataset(pairs)
    again = stancelib.load_dataset(from_frame)
    assert stance_names(again) == stance_names(from_frame) == pairs["stance"].tolist()


def test_csv_keeps_strings_that_look_like_numbers(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text('text,target,stance\n"We back the 2030 plan.",2030,support\n')
    assert stancelib.load_dataset(path)["target"] == ["2030"]


def test_columns_can_be_renamed(pairs):
    ds = stancelib.load_dataset(
        pairs.rename(columns={"stance": "label"}), columns={"label": "stance"}
    )
    assert len(ds) == len(pairs)


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda f: f.drop(columns="target"), r"missing column\(s\) \['target'\]"),
        (
            lambda f: f.assign(stance=["favor"] + f["stance"][1:].tolist()),
            r"row 1: unknown stance 'favor'",
        ),
        (
            lambda f: f.assign(text=f["text"].where(f.index != 2, "  ")),
            "row 3: empty text",
        ),
        (
            lambda f: f.assign(target=f["target"].where(f.index != 4, "")),
            "row 5: target missing",
        ),
    ],
)
def test_bad_rows_name_the_file_and_the_row(tmp_path, pairs, change, match):
    path = tmp_path / "bad.csv"
    change(pairs).to_csv(path, index=False)
    with pytest.raises(ValueError, match=match) as error:
        stancelib.load_dataset(path)
    assert "bad.csv" in str(error.value)


def test_many_bad_rows_are_counted_not_dropped(pairs):
    with pytest.raises(ValueError, match=r"and 7 more"):
        stancelib.load_dataset(pairs.assign(stance="pro"))


@pytest.mark.parametrize(
    "source, error, match",
    [
        ("missing.csv", FileNotFoundError, "missing.csv: no such file"),
        ("data.xlsx", ValueError, "unsupported file type '.xlsx'"),
        (42, TypeError, "got int"),
    ],
)
def test_bad_sources_are_refused(source, error, match):
    with pytest.raises(error, match=match):
        stancelib.load_dataset(source)


def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text("{not json\n")
    with pytest.raises(ValueError, match="broken.jsonl: could not be read as jsonl"):
        stancelib.load_dataset(path)


def test_corpus_splits_are_by_document_and_deterministic():
    corpus = stancelib.load_corpus()
    assert set(corpus) == {"train", "validation", "test", "challenge"}
    docs = {name: set(corpus[name]["doc_id"]) for name in corpus}
    assert not docs["train"] & docs["validation"]
    assert not docs["train"] & docs["test"]
    assert not docs["validation"] & docs["test"]
    assert all(split_of(d) == "test" for d in docs["test"])
    assert corpus["test"]["text"] == stancelib.load_corpus()["test"]["text"]


def test_corpus_has_the_promised_size_and_balance():
    corpus = stancelib.load_corpus()
    frame = pd.concat(
        [
            corpus[s].to_pandas().assign(stance=stance_names(corpus[s]))
            for s in ("train", "validation", "test")
        ]
    )
    assert len(frame) >= 5000
    assert frame["target"].nunique() >= 1200
    assert frame["lang"].value_counts(normalize=True).min() >= 0.40
    assert frame["stance"].value_counts(normalize=True).min() >= 0.18
    assert len(corpus["challenge"]) >= 400


def test_holdout_keeps_documents_whole(labelled_csv):
    ds = stancelib.load_dataset(labelled_csv)
    train, test = holdout_split(ds, test_size=0.25, seed=1)
    assert len(train) + len(test) == len(ds)
    assert not set(train["doc_id"]) & set(test["doc_id"])


def test_holdout_refuses_a_bad_size(pairs):
    with pytest.raises(ValueError, match="test_size must be in"):
        holdout_split(stancelib.load_dataset(pairs), test_size=1.5)


def test_public_names_are_the_functions_not_their_modules():
    import importlib

    import stancelib
    import stancelib.analyze  # noqa: F401  (binds the submodule on the package)
    import stancelib.stream  # noqa: F401

    for name in stancelib.__all__:
        value = getattr(stancelib, name)
        assert not isinstance(value, type(importlib)), name
    assert callable(stancelib.analyze)


def _pairs_compared_one_by_one(sentences, threshold):
    """Every pair of distinct sentences with a 5-gram Jaccard of at least threshold,
    found by comparing each pair: {(first, second): similarity}."""
    from itertools import combinations

    def grams(s):
        s = s.lower()
        return {s[i : i + 5] for i in range(len(s) - 4)}

    found = {}
    for a, b in combinations(dict.fromkeys(sentences), 2):
        ga, gb = grams(a), grams(b)
        if ga and gb and len(ga & gb) / len(ga | gb) >= threshold:
            found[a, b] = len(ga & gb) / len(ga | gb)
    return found


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.85, 1.0])
def test_near_duplicates_are_exactly_the_pairs_a_full_comparison_finds(
    monkeypatch, threshold
):
    from stancelib import quality

    sentences = [
        f"The council {verb} the {thing} of {year}."
        for verb in ("welcomes", "welcomed", "rejects", "notes")
        for thing in ("accord", "accords", "embargo", "ceasefire agreement")
        for year in (2019, 2024)
    ] + [
        "Rain.",
        "Rain",
        "Les ministres saluent l'accord de 2019.",
        "Les ministres saluent l'accord de 2019 !",
        "The council welcomes the accord of 2019, and the embargo.",
        "THE COUNCIL WELCOMES THE ACCORD OF 2019.",
        "Nothing in common whatsoever here.",
    ]

    expected = {
        pair: round(similarity, 3)
        for pair, similarity in _pairs_compared_one_by_one(sentences, threshold).items()
    }
    monkeypatch.setattr(quality, "_PAIR_BLOCK", 5)  # many blocks of rows
    found = quality.near_duplicate_pairs(sentences, threshold)
    assert dict(zip(zip(found.a, found.b), found.similarity)) == expected
    assert found.similarity.is_monotonic_decreasing
    assert len(found) == len(expected) > 0


@pytest.mark.parametrize("threshold", [0.4, 0.6, 0.75])
def test_near_duplicates_match_a_full_comparison_on_random_edits(
    monkeypatch, threshold
):
    from stancelib import quality

    rng = np.random.default_rng(7)
    words = "the council rejects welcomes accord embargo talks ceasefire of on".split()
    base = [list(rng.choice(words, size=rng.integers(3, 12))) for _ in range(40)]
    sentences = []
    for sentence in base:  # each with a few copies, one or two words changed
        for _ in range(5):
            edited = list(sentence)
            for i in rng.integers(0, len(edited), size=rng.integers(0, 3)):
                edited[i] = rng.choice(words)
            sentences.append(" ".join(edited))

    expected = set(_pairs_compared_one_by_one(sentences, threshold))
    monkeypatch.setattr(quality, "_PAIR_BLOCK", 17)
    found = quality.near_duplicate_pairs(sentences, threshold)
    assert set(zip(found.a, found.b)) == expected
    assert len(expected) > 20


def test_near_duplicates_of_sentences_too_short_for_a_5_gram_are_none():
    from stancelib import quality

    assert quality.near_duplicate_pairs(["Oui.", "Non.", "ok", "ok"]).empty


def test_near_duplicates_refuse_a_threshold_outside_zero_to_one():
    from stancelib import quality

    with pytest.raises(ValueError, match="threshold"):
        quality.near_duplicate_pairs(["a b c d e f", "a b c d e g"], threshold=0)


def test_tag_errors_name_each_contradiction():
    from stancelib.quality import corpus_report, report_failures, tag_errors

    rows = pd.DataFrame(
        {
            "doc_id": ["d1", "d1", "d2", "d2", "d3", "d4", "d5"],
            "text": ["A and B.", "A and B.", "C and D.", "C and D.", "E.", "F.", "G."],
            "target": ["A", "B", "C", "D", "E", "F", "G"],
            "stance": [
                "support",
                "opposition",
                "none",
                "none",
                "support",
                "none",
                "none",
            ],
            "phenomena": ["multi", "", "multi", "multi", "distractor", "implicit", ""],
        }
    )
    found = tag_errors(rows)
    assert found["target"].tolist() == ["B", "C", "D", "E", "F"]
    assert found["problem"].str.split().str[0].tolist() == [
        "targets",
        "multi",
        "multi",
        "distractor",
        "implicit,",
    ]
    rows.loc[[1], "phenomena"] = "multi"
    rows.loc[[2, 3], "phenomena"] = ""
    rows.loc[4, "phenomena"] = "implicit"
    rows.loc[5, "phenomena"] = "distractor"
    assert tag_errors(rows).empty
    # the same sentence in two documents is two sentences
    twice = rows.iloc[[4, 5]].assign(text="Same.")
    assert tag_errors(twice).empty
    assert (
        tag_errors(twice.drop(columns="doc_id"))["problem"]
        .str.startswith("targets")
        .all()
    )
    report = corpus_report(rows.assign(lang="en"))
    assert report["tag_errors"].empty
    assert not any("contradict" in line for line in report_failures(report))
    report = corpus_report(rows.assign(lang="en", phenomena="multi"))
    assert any("contradict" in line for line in report_failures(report))
