"""Readers of the public benchmark formats, on tiny made-up files written by the tests
in each published layout (the benchmark data themselves are never needed)."""

import os

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import json  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from stancelib.data import stance_names  # noqa: E402
from stancelib.readers import (  # noqa: E402
    SOURCE_LABELS,
    map_stances,
    read_catalonia,
    read_claim_stance,
    read_french2017,
    read_perspectrum,
    read_semeval2016,
    read_vast,
)

# made up for these tests: quotes, commas, a semicolon and non-ASCII characters that
# cp1252 and UTF-8 encode differently
TEXTS = [
    'We back the "green deal", fully; it works.',
    "Nobody should trust this idea, ever.",
    "The café debate starts at noon — “live”.",
]
STANCES = ["support", "opposition", "none"]


def write_semeval(folder, rows):
    lines = ["ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment"]
    lines += [
        f"{i}\t{target}\t{text}\t{label}\tTARGET\tNEGATIVE"
        for i, (text, target, label, _) in enumerate(rows, start=101)
    ]
    path = folder / "trialdata-all-annotations.txt"
    # the official training file is cp1252, not UTF-8
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def write_claim_stance(folder, rows):
    path = folder / "claim_stance_dataset_v1.csv"
    pd.DataFrame(
        {
            "topicId": [1] * len(rows),
            "split": [split for *_, split in rows],
            "topicText": [target for _, target, _, _ in rows],
            "topicTarget": "made-up",
            "claims.claimId": range(11, 11 + len(rows)),
            "claims.stance": [label for _, _, label, _ in rows],
            "claims.claimCorrectedText": [text for text, *_ in rows],
            "claims.claimOriginalText": [text.lower() for text, *_ in rows],
        }
    ).to_csv(path, index=False)
    return path


def write_perspectrum(folder, rows):
    claims, pool = {}, []
    for pid, (text, target, label, split) in enumerate(rows, start=1):
        claim = claims.setdefault(
            (target, split),
            {
                "cId": len(claims) + 1,
                "text": target,
                "source": "tests",
                "perspectives": [],
            },
        )
        # two ids in one cluster: both inherit its label
        claim["perspectives"].append(
            {
                "pids": [pid, 100 + pid],
                "stance_label_3": label,
                "stance_label_5": label,
                "evidence": [],
            }
        )
        pool += [
            {"pId": pid, "text": text, "source": "tests"},
            {"pId": 100 + pid, "text": text.upper(), "source": "tests"},
        ]
    splits = {str(c["cId"]): split for (_, split), c in claims.items()}
    for name, content in [
        ("perspectrum_with_answers_v1.0.json", list(claims.values())),
        ("perspective_pool_v1.0.json", pool),
        ("dataset_split_v1.0.json", splits),
    ]:
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
    return folder


def write_vast(folder, rows):
    path = folder / "vast_test.csv"
    pd.DataFrame(
        {
            "Tweet": [text for text, *_ in rows],
            "Target": [target for _, target, _, _ in rows],
            "Stance": [label for _, _, label, _ in rows],
            "seen?": [1, 0, 1][: len(rows)],
        }
    ).to_csv(path, index=False)
    return path


def write_catalonia(folder, rows):
    lines = ["id_str\tTWEET\tLABEL"]
    lines += [
        f"1{i}e+18\t{text}\t{label}" for i, (text, _, label, _) in enumerate(rows)
    ]
    path = folder / "catalan_train.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    return path


def write_french2017(folder, rows):
    path = folder / "macron_fr.csv"
    sets = {"train": "Training", "test": "Test"}
    pd.DataFrame(
        {
            "id": range(850000, 850000 + len(rows)),
            "Tweet": [text for text, *_ in rows],
            "Stance": [label for _, _, label, _ in rows],
            "Set": [sets[split] for *_, split in rows],
        }
    ).to_csv(path, index=False)
    return path


# name: (writer, reader, labels for support / opposition / none, lang, fixed target)
FORMATS = {
    "semeval2016": (
        write_semeval,
        read_semeval2016,
        ("FAVOR", "AGAINST", "NONE"),
        "en",
        None,
    ),
    "claim_stance": (write_claim_stance, read_claim_stance, ("PRO", "CON"), "en", None),
    "perspectrum": (
        write_perspectrum,
        read_perspectrum,
        ("SUPPORT", "UNDERMINE"),
        "en",
        None,
    ),
    "vast": (write_vast, read_vast, ("1", "0", "2"), "en", None),
    "catalonia": (
        write_catalonia,
        read_catalonia,
        ("FAVOR", "AGAINST", "NEUTRAL"),
        "ca",
        "Independència de Catalunya",
    ),
    "french2017": (
        write_french2017,
        read_french2017,
        ("FAVOUR", "AGAINST", "NONE"),
        "fr",
        "Emmanuel Macron",
    ),
}


def sample(labels, splits=("train", "train", "train")):
    targets = ["Green deal", "The idea", "Green deal"]
    return list(zip(TEXTS, targets, labels, splits))[: len(labels)]


@pytest.mark.parametrize("name", FORMATS)
def test_reader_maps_labels_and_columns(name, tmp_path):
    write, read, labels, lang, target = FORMATS[name]
    rows = sample(labels)
    ds = read(write(tmp_path, rows))
    frame = ds.to_pandas()
    if name == "perspectrum":  # every id of a cluster becomes a pair
        assert len(frame) == 2 * len(rows)
        frame = frame[~frame["text"].str.isupper()]
    assert {"text", "target", "stance", "lang", "source_label"} <= set(ds.column_names)
    assert frame["text"].tolist() == TEXTS[: len(rows)]
    stances = ds.features["stance"].int2str(frame["stance"].tolist())
    assert stances == STANCES[: len(rows)]
    assert set(frame["lang"]) == {lang}
    assert frame["target"].tolist() == (
        [target] * len(rows) if target else [t for _, t, _, _ in rows]
    )
    source = {"1": "PRO", "0": "CON", "2": "NEUTRAL"} if name == "vast" else {}
    assert frame["source_label"].tolist() == [source.get(lb, lb) for lb in labels]


@pytest.mark.parametrize("name", FORMATS)
def test_reader_unknown_label_names_file_and_label(name, tmp_path):
    write, read, labels, *_ = FORMATS[name]
    path = write(tmp_path, sample((labels[0], "MAYBE")))
    with pytest.raises(
        ValueError, match=rf"{path.name}.*unknown stance label.*'MAYBE'"
    ):
        read(path)


@pytest.mark.parametrize(
    "name, drop",
    [
        ("semeval2016", "Stance"),
        ("claim_stance", "claims.stance"),
        ("vast", "Stance"),
        ("catalonia", "LABEL"),
        ("french2017", "Set"),
    ],
)
def test_reader_missing_column_raises(name, drop, tmp_path):
    write, read, labels, *_ = FORMATS[name]
    path = write(tmp_path, sample(labels))
    sep = "\t" if name in ("semeval2016", "catalonia") else ","
    frame = pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        encoding="cp1252" if name == "semeval2016" else "utf-8",
    )
    frame.drop(columns=drop).to_csv(path, sep=sep, index=False)
    with pytest.raises(
        ValueError, match=rf"{path.name}: missing column\(s\) \['{drop}'\]"
    ):
        read(path)


@pytest.mark.parametrize("name", ["claim_stance", "perspectrum", "french2017"])
def test_reader_split_selects_rows(name, tmp_path):
    write, read, labels, *_ = FORMATS[name]
    path = write(tmp_path, sample(labels[:2], splits=("train", "test")))
    test = read(path, split="test").to_pandas()
    assert set(test["text"].str.lower()) == {TEXTS[1].lower()}
    assert len(read(path)) == len(read(path, split="train")) + len(test)
    with pytest.raises(
        ValueError, match=r"unknown split 'validation'; expected one of"
    ):
        read(path, split="validation")


def test_semeval_encoding_can_be_given(tmp_path):
    path = write_semeval(tmp_path, sample(("FAVOR", "AGAINST", "NONE")))
    assert read_semeval2016(path, encoding="cp1252")["text"][:] == TEXTS
    with pytest.raises(
        ValueError, match=r"trialdata-all-annotations.txt: could not be"
    ):
        read_semeval2016(path, encoding="utf-8")


def test_vast_reads_the_authors_layout(tmp_path):
    path = tmp_path / "vast_dev.csv"
    pd.DataFrame(
        {
            "post": TEXTS,
            "new_topic": ["deal", "idea", "cafe"],
            "label": [1, 0, 2],
            "topic_str": ["x", "y", "z"],
        }
    ).to_csv(path)
    ds = read_vast(path)
    assert ds["target"][:] == ["deal", "idea", "cafe"]
    assert stance_names(ds) == STANCES
    assert "seen" not in ds.column_names


def test_catalonia_language_from_name_or_argument(tmp_path):
    path = write_catalonia(tmp_path, sample(("AGAINST",)))
    spanish = path.rename(tmp_path / "spanish_test.csv")
    assert read_catalonia(spanish)[0]["target"] == "Independencia de Cataluña"
    other = spanish.rename(tmp_path / "tweets.csv")
    assert read_catalonia(other, lang="ca")[0]["lang"] == "ca"
    with pytest.raises(ValueError, match=r"tweets.csv: cannot tell the language"):
        read_catalonia(other)
    with pytest.raises(
        ValueError, match=r"unknown lang 'fr'; expected one of 'ca', 'es'"
    ):
        read_catalonia(other, lang="fr")


def test_french2017_target_from_name_or_argument(tmp_path):
    path = write_french2017(tmp_path, sample(("NONE",)))
    lepen = path.rename(tmp_path / "lepen_fr.csv")
    assert read_french2017(lepen)[0]["target"] == "Marine Le Pen"
    other = lepen.rename(tmp_path / "tweets.csv")
    assert read_french2017(other, target="Macron")[0]["target"] == "Macron"
    with pytest.raises(ValueError, match=r"tweets.csv: cannot tell the target"):
        read_french2017(other)


def test_perspectrum_unknown_perspective_id_raises(tmp_path):
    folder = write_perspectrum(tmp_path, sample(("SUPPORT",)))
    (folder / "perspective_pool_v1.0.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match=r"unexpected PERSPECTRUM structure"):
        read_perspectrum(folder)


@pytest.mark.parametrize("reader", [read_semeval2016, read_vast, read_perspectrum])
def test_reader_missing_file_raises(reader, tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        reader(tmp_path / "nowhere")


@pytest.mark.parametrize("label", sorted(SOURCE_LABELS))
def test_map_stances_knows_each_published_label(label):
    assert (
        map_stances([label.upper()]) == map_stances([label]) == [SOURCE_LABELS[label]]
    )
