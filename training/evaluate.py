"""Evaluate a trained model on a labelled file.

    python training/evaluate.py --model DIR --data FILE [--json]

DIR is a run folder written by ``training/train.py`` (or a ``.skops`` file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import stancelib
from stancelib.data import stance_names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", required=True, type=Path, help="a run folder or a .skops file"
    )
    parser.add_argument("--data", required=True, help="labelled CSV, JSONL or Parquet")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    path = args.model / "model.skops" if args.model.is_dir() else args.model
    try:
        model = stancelib.load_model(path)
        data = stancelib.load_dataset(args.data)
    except (ValueError, TypeError, OSError) as error:
        parser.exit(2, f"evaluate.py: error: {error}\n")
    report = stancelib.evaluate(model, data.to_pandas(), stance_names(data))
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
