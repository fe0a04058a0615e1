"""The ``stancelib`` command: ``analyze`` documents, ``evaluate`` a model.

``analyze`` takes a text file (or ``-``), or large CSV / JSONL / Parquet files, which
are streamed in chunks (:mod:`stancelib.stream`) or, with ``--scheduler``, tagged on a
Dask cluster (:mod:`stancelib.distributed`).

Exit codes: 0 success, 2 bad usage or bad input (one line on stderr, no traceback),
130 interrupted (a streamed run can then go on with ``--resume``).
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
    run.add_argument(
        "file",
        nargs="+",
        help="a text file, - for standard input, or CSV/JSONL/Parquet file(s) "
        "(several only with --scheduler)",
    )
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
    table = run.add_argument_group(
        "large tabular input (CSV, JSONL, Parquet; streamed in chunks)"
    )
    table.add_argument(
        "--text-column",
        metavar="NAME",
        help="the column of texts (default: text); makes FILE tabular",
    )
    table.add_argument(
        "--id-column", metavar="NAME", help="a column identifying each row"
    )
    table.add_argument(
        "--target-column",
        metavar="NAME",
        help="a column of targets: each row is one (text, target) pair",
    )
    table.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        help="write the rows to PATH (.csv, .jsonl or .parquet), atomically",
    )
    table.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run of the same command where it stopped",
    )
    table.add_argument(
        "--chunk-size",
        type=int,
        default=5000,
        metavar="N",
        help="input rows per chunk (default: 5000)",
    )
    table.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster (tcp://host:8786, or 'local'); needs the "
        "'dask' extra",
    )
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


def _is_tabular(args) -> bool:
    from .stream import input_format

    tabular = [input_format(name) is not None for name in args.file]
    if args.text_column or args.target_column or args.id_column or args.scheduler:
        return True
    if any(tabular) and not all(tabular):
        raise UsageError("mix of text and tabular files; give one kind.")
    return all(tabular)


def _analyze(args) -> None:
    if _is_tabular(args):
        _analyze_table(args)
        return
    if len(args.file) > 1:
        raise UsageError("give one text file (several files need --scheduler).")
    text = _read_text(args.file[0])
    result = analyze(text, args.targets, _model(args.model), progress=True)
    if args.output:
        _write_result(result, args.output)
    elif args.format == "csv":
        result.to_csv(sys.stdout, index=False)
    elif args.format == "jsonl":
        result.to_json(sys.stdout, orient="records", lines=True, force_ascii=False)
    elif result.empty:
        print("no target mentions found")
    else:
        shown = result.assign(sentence=result["sentence"].str.slice(0, 60))
        print(shown.to_string(index=False))


def _write_result(result, output) -> None:
    """Write a small result to ``output`` atomically, in the format of its name."""
    from pathlib import Path

    from .stream import _Output, output_format

    out = _Output(Path(output), output_format(output), "")
    out.start(resume=False)
    out.write(result)
    out.finish(list(result.columns))


def _analyze_table(args) -> None:
    if not args.output:
        raise UsageError(
            "a CSV/JSONL/Parquet input needs --output PATH (.csv, .jsonl or .parquet)."
        )
    if args.targets and args.target_column:
        raise UsageError("give --target or --target-column, not both.")
    options = dict(
        text_column=args.text_column or "text",
        id_column=args.id_column,
        target_column=args.target_column,
        targets=args.targets,
        progress=True,
    )
    if args.scheduler:
        from .distributed import analyze_files

        scheduler = None if args.scheduler == "local" else args.scheduler
        if args.resume:
            raise UsageError("--resume works without --scheduler only.")
        # load the model before the cluster starts: a bad path fails fast
        model = _model(args.model)
        rows = analyze_files(
            args.file, args.output, model=model, scheduler=scheduler, **options
        )
    else:
        from .stream import analyze_file

        if len(args.file) > 1:
            raise UsageError("several input files need --scheduler; give one file.")
        rows = analyze_file(
            args.file[0],
            args.output,
            model=_model(args.model),
            chunk_size=args.chunk_size,
            resume=args.resume,
            **options,
        )
    print(f"stancelib: wrote {rows} rows to {args.output}", file=sys.stderr)


def _evaluate(args) -> None:
    data = load_dataset(args.data)
    report = evaluate(_model(args.model), data.to_pandas(), stance_names(data))
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)


def main(argv=None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        {"analyze": _analyze, "evaluate": _evaluate}[args.command](args)
    except (UsageError, ValueError, TypeError, OSError, ImportError) as error:
        message = str(error).strip().splitlines() or [type(error).__name__]
        print(f"stancelib: error: {message[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        hint = ""
        if args.command == "analyze" and getattr(args, "output", None):
            hint = f"; {args.output} was not written (go on with --resume)"
        print(f"stancelib: interrupted{hint}", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
