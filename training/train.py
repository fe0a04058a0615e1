"""Retrain a stance model from any labelled file.

    python training/train.py --data FILE --out DIR [--seed N] [--test-size F] [--force]

Holds out a test split (by ``doc_id`` when the file has one, so no document is in both
parts; stratified by stance otherwise), fits :class:`stancelib.StanceClassifier` on the
rest and writes ``model.skops``, ``model.metadata.json`` and ``metrics.json`` (scores on
the held-out split) into DIR. An existing run is never overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import stancelib
from stancelib.data import data_fingerprint, holdout_split, stance_names
from stancelib.persistence import write_json


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="labelled CSV, JSONL or Parquet")
    parser.add_argument("--out", required=True, type=Path, help="folder for this run")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the held-out split"
    )
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing run"
    )
    args = parser.parse_args(argv)
    model_path = args.out / "model.skops"
    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        parser.exit(
            2,
            f"train.py: error: {args.out} already holds a run; "
            "use --force to overwrite it\n",
        )
    try:
        data = stancelib.load_dataset(args.data)
        train, test = holdout_split(data, test_size=args.test_size, seed=args.seed)
    except (ValueError, TypeError, OSError) as error:
        parser.exit(2, f"train.py: error: {error}\n")
    model = stancelib.StanceClassifier().fit(train.to_pandas(), stance_names(train))
    report = stancelib.evaluate(model, test.to_pandas(), stance_names(test))
    scores = {
        "macro_f1": report.macro_f1,
        "f_avg": report.f_avg,
        "accuracy": report.accuracy,
        "train_rows": len(train),
        "test_rows": len(test),
        "seed": args.seed,
    }
    stancelib.save_model(
        model, model_path, data_fingerprint=data_fingerprint(data), scores=scores
    )
    write_json(args.out / "metrics.json", {**scores, "report": report.to_dict()})
    print(report)
    print(f"\nwrote {model_path} and metrics.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
