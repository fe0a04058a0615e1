"""Check the quality of the bundled corpus (or of given part files) and print a report.

    python training/check_corpus.py                 # the bundled corpus, all checks
    python training/check_corpus.py part.csv ...    # part files: no corpus-size checks

Reports near-duplicate sentences (character 5-gram Jaccard >= 0.6), the most frequent
4-word openings and 4-grams, label and language balance, domains, registers, hard-case
shares, tags that contradict their definitions and leakage between splits. Exits 1 when
a check fails.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

import stancelib
from stancelib.data import split_of, stance_names
from stancelib.quality import corpus_report, report_failures


def _frame(dataset) -> pd.DataFrame:
    return dataset.to_pandas().assign(stance=stance_names(dataset))


def _bundled() -> tuple[pd.DataFrame, pd.Series]:
    corpus = stancelib.load_corpus()
    frames = [_frame(corpus[name]).assign(split=name) for name in corpus]
    frame = pd.concat(frames, ignore_index=True)
    return frame, frame["split"]


def _print_report(report: dict) -> None:
    print(
        f"rows: {report['rows']}  distinct sentences: {report['distinct_sentences']}  "
        f"distinct targets: {report['distinct_targets']}"
    )
    print(f"target found in its sentence: {report['target_found_share']:.1%}")
    print("\nlanguage x stance\n" + report["lang_stance"].to_string())
    print(
        "\nshare of each stance per language\n"
        + report["lang_stance_share"].round(3).to_string()
    )
    for key in ("domain", "targets_per_domain", "register"):
        if key in report:
            print(f"\n{key}\n" + report[key].to_string())
    if "phenomena" in report:
        print(
            "\nhard-case shares (of rows)\n" + report["phenomena"].round(3).to_string()
        )
    pairs = report["near_duplicate_pairs"]
    print(
        f"\nnear-duplicate pairs (char 5-gram Jaccard >= 0.6): {len(pairs)}; "
        f"sentences in a pair: {report['near_duplicate_sentence_share']:.2%}"
    )
    for row in pairs.head(10).itertuples():
        print(f"  {row.similarity:.2f}  {row.a}\n        {row.b}")
    print(
        f"\ntop 4-word openings (top share {report['top_opening_share']:.2%})\n"
        + report["top_openings"].to_string()
    )
    print("\ntop 4-grams (sentences containing)\n" + report["top_4grams"].to_string())
    if "tag_errors" in report:
        errors = report["tag_errors"]
        print(f"rows whose tags contradict their definitions: {len(errors)}")
        for _, row in errors.head(10).iterrows():
            print(f"  {row.get('doc_id', '')} {row['target']!r}: {row['problem']}")
    for key in ("docs_in_two_splits", "sentences_in_two_splits"):
        if key in report:
            print(f"{key.replace('_', ' ')}: {report[key]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files", nargs="*", help="part files to check (default: bundled)"
    )
    args = parser.parse_args(argv)
    if args.files:
        frame = pd.concat(
            [_frame(stancelib.load_dataset(f)) for f in args.files], ignore_index=True
        )
        splits = frame["doc_id"].map(split_of).rename("split")
    else:
        frame, splits = _bundled()
    report = corpus_report(frame, splits)
    _print_report(report)
    failures = report_failures(report, full_corpus=not args.files)
    print(
        "\n"
        + ("FAILED:\n  " + "\n  ".join(failures) if failures else "all checks pass")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
