"""Scores of the default configuration on the bundled corpus, and its learning curve.

    python benchmarks/corpus_scores.py [--seed 0] [--out benchmarks/results]

Trains ``StanceClassifier()`` (the default configuration) on ``train`` and
``validation``, as ``load_default`` does, and reports macro-F1 on ``test`` and
``challenge``: overall, per language and per label. Then the learning curve: macro-F1
on ``test`` when trained on 10, 25, 50 and 100 % of ``train`` (documents sampled whole,
seeded). Prints Markdown tables and writes them, with a CSV, to the output folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import datasets
import numpy as np
import pandas as pd
from _tables import to_markdown

import stancelib
from stancelib.data import stance_names
from stancelib.metrics import stance_scores

FRACTIONS = (0.10, 0.25, 0.50, 1.00)


def _fit(data: datasets.Dataset) -> stancelib.StanceClassifier:
    return stancelib.StanceClassifier().fit(data.to_pandas(), stance_names(data))


def split_scores(model, data: datasets.Dataset, split: str) -> list[dict]:
    """Macro-F1 of ``model`` on ``data``: overall, per language and per label (F1)."""
    frame = data.to_pandas().assign(stance=stance_names(data))
    frame["predicted"] = model.predict(frame)
    rows = []
    for lang, part in [("all", frame), *frame.groupby("lang")]:
        report = stance_scores(part["stance"], part["predicted"])
        rows.append(
            {
                "split": split,
                "lang": lang,
                "rows": len(part),
                "macro_f1": report.macro_f1,
                "accuracy": report.accuracy,
                **{
                    f"f1_{s}": report.per_class["f1"].get(s, np.nan)
                    for s in stancelib.STANCES
                },
            }
        )
    return rows


def learning_curve(corpus: datasets.DatasetDict, seed: int) -> list[dict]:
    """Macro-F1 on ``test`` after training on growing shares of ``train`` documents."""
    documents = np.array(sorted(set(corpus["train"]["doc_id"])))
    order = np.random.default_rng(seed).permutation(documents)
    doc_ids = np.asarray(corpus["train"]["doc_id"])
    test = corpus["test"]
    rows = []
    for fraction in FRACTIONS:
        keep = set(order[: max(1, round(fraction * len(order)))])
        subset = corpus["train"].select(np.flatnonzero([d in keep for d in doc_ids]))
        started = time.perf_counter()
        model = _fit(subset)
        seconds = time.perf_counter() - started
        report = stance_scores(stance_names(test), model.predict(test.to_pandas()))
        rows.append(
            {
                "train_share": fraction,
                "train_rows": len(subset),
                "test_macro_f1": report.macro_f1,
                "fit_seconds": seconds,
            }
        )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the curve's samples"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args(argv)
    corpus = stancelib.load_corpus()
    fit = datasets.concatenate_datasets([corpus["train"], corpus["validation"]])
    model = _fit(fit)
    scores = pd.DataFrame(
        split_scores(model, corpus["test"], "test")
        + split_scores(model, corpus["challenge"], "challenge")
    )
    curve = pd.DataFrame(learning_curve(corpus, args.seed))
    args.out.mkdir(parents=True, exist_ok=True)
    scores.to_csv(args.out / "corpus_scores.csv", index=False)
    curve.to_csv(args.out / "learning_curve.csv", index=False)
    text = (
        "## Default configuration on the bundled corpus\n\n"
        + to_markdown(scores)
        + "\n\n## Learning curve (macro-F1 on test)\n\n"
        + to_markdown(curve)
        + "\n"
    )
    (args.out / "corpus_scores.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
