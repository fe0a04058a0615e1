"""The ``stancelib`` command: ``analyze`` documents, ``evaluate`` a model.

Exit codes: 0 success, 2 bad usage or bad input (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys

from .analyze import analyze
from .data import load_dataset, stance_names
from .default import load_default
from .metrics import evaluate
from .persistence import load_model

FORMATS = ("table", "csv", "jsonl")


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stancelib",
        description="Stance of statements toward named targets (support, opposition, "
        "concern, none).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "analyze", help="tag the stance of every sentence of a text"
    )
    run.add_argument("file", help="a text file, or - for standard input")
    run.add_argument(
        "--target",
        "-t",
        action="append",
        dest="targets",
        metavar="T",
        help="a target to look for (repeatable); default: found automatically",
    )
    run.add_argument(
        "--model",
        metavar="PATH",
        help="a .skops model (default: the bundled default model)",
    )
    run.add_argument("--format", choices=FORMATS, default="table")
    score = commands.add_parser("evaluate", help="score a model on a labelled file")
    score.add_argument(
        "--data",
        required=True,
        metavar="FILE",
        help="labelled CSV, JSONL or Parquet (text, target, stance)",
    )
    score.add_argument(
        "--model",
        metavar="PATH",
        help="a .skops model (default: the bundled default model)",
    )
    score.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _model(path):
    return load_default() if path is None else load_model(path)


def _read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        with open(name, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError:
        raise UsageError(f"{name}: not UTF-8 text.") from None


def _analyze(args) -> None:
    text = _read_text(args.file)
    result = analyze(text, args.targets, _model(args.model), progress=True)
    if args.format == "csv":
        result.to_csv(sys.stdout, index=False)
    elif args.format == "jsonl":
        result.to_json(sys.stdout, orient="records", lines=True, force_ascii=False)
    elif result.empty:
        print("no target mentions found")
    else:
        shown = result.assign(sentence=result["sentence"].str.slice(0, 60))
        print(shown.to_string(index=False))


def _evaluate(args) -> None:
    data = load_dataset(args.data)
    report = evaluate(_model(args.model), data.to_pandas(), stance_names(data))
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)


def main(argv=None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        {"analyze": _analyze, "evaluate": _evaluate}[args.command](args)
    except (UsageError, ValueError, TypeError, OSError) as error:
        print(f"stancelib: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
