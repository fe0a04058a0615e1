"""Search the hyper-parameters of StanceClassifier by cross-validation on training data.

    python training/tune.py --out DIR [--data FILE] [--n-iter 24] [--cv 3] [--n-jobs 2]
                            [--seed 0] [--force]
                            [--backend loky|dask [--scheduler ADDRESS]]

Without ``--data`` it tunes on the ``train`` split of the bundled corpus (never on
``test`` or ``challenge``). Folds are grouped by ``doc_id`` when the data has one, so a
document never sits on both sides of a fold. The search covers the n-gram ranges of each
view, the feature blocks on and off, the classifier family and its regularisation, and
joint against per-target models. Writes ``best.json`` (best parameters and CV macro-F1)
and ``cv_results.csv`` into DIR; the default model's parameters come from this search.

``--backend dask`` runs the search through joblib's Dask backend on the cluster at
``--scheduler`` (default: a local cluster of ``--n-jobs`` workers); it needs
``pip install "stancelib[dask]"``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

import joblib
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, RandomizedSearchCV, StratifiedKFold
from sklearn.svm import LinearSVC

import stancelib
from stancelib.classifier import LogRatioSVC
from stancelib.data import stance_names
from stancelib.persistence import write_json


def candidate_estimators():
    """The classifier families and regularisation strengths the search tries."""
    svms = [
        CalibratedClassifierCV(
            LinearSVC(C=c, class_weight="balanced", random_state=0),
            cv=3,
            ensemble=False,
        )
        for c in (0.1, 0.25, 0.5, 1.0)
    ]
    log_ratio = [
        CalibratedClassifierCV(LogRatioSVC(C=c), cv=3, ensemble=False)
        for c in (0.1, 0.25, 0.5)
    ]
    logistic = [
        LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        for c in (3.0, 10.0, 30.0)
    ]
    return svms + log_ratio + logistic


SEARCH_SPACE = {
    "word_ngram_range": [(1, 1), (1, 2), (1, 3)],
    "char_ngram_range": [None, (2, 4), (2, 5), (3, 5)],
    "clause_ngram_range": [None, (1, 2), (1, 3)],
    "target_ngram_range": [None, (1, 1), (1, 2)],
    "use_cues": [True, False],
    "min_df": [1, 2],
    "per_target": [False, True],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for results")
    parser.add_argument("--data", help="labelled file (default: bundled corpus train)")
    parser.add_argument("--n-iter", type=int, default=24, help="configurations tried")
    parser.add_argument("--cv", type=int, default=3, help="cross-validation folds")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true", help="overwrite DIR's results")
    parser.add_argument(
        "--backend",
        choices=("loky", "dask"),
        default="loky",
        help="where the fits run: local processes, or a Dask cluster",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --backend dask: the scheduler (default: a local cluster)",
    )
    args = parser.parse_args(argv)
    if args.scheduler and args.backend != "dask":
        parser.error("--scheduler needs --backend dask")
    if (args.out / "best.json").exists() and not args.force:
        parser.exit(
            2,
            f"tune.py: error: {args.out} already holds results; "
            "use --force to overwrite them\n",
        )
    try:
        data = (
            stancelib.load_dataset(args.data)
            if args.data
            else stancelib.load_corpus()["train"]
        )
    except (ValueError, TypeError, OSError) as error:
        parser.exit(2, f"tune.py: error: {error}\n")
    X, y = data.to_pandas(), stance_names(data)
    if "doc_id" in X:
        cv, groups = GroupKFold(n_splits=args.cv), X["doc_id"]
    else:
        cv = StratifiedKFold(n_splits=args.cv, shuffle=True, random_state=args.seed)
        groups = None
    search = RandomizedSearchCV(
        stancelib.StanceClassifier(),
        {**SEARCH_SPACE, "estimator": candidate_estimators()},
        n_iter=args.n_iter,
        scoring="f1_macro",
        cv=cv,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        error_score="raise",
    )
    started = time.perf_counter()
    with _backend(args, parser):
        search.fit(X[["text", "target"]], y, groups=groups)
    seconds = time.perf_counter() - started
    results = pd.DataFrame(search.cv_results_).sort_values("rank_test_score")
    args.out.mkdir(parents=True, exist_ok=True)
    results.to_csv(args.out / "cv_results.csv", index=False)
    write_json(
        args.out / "best.json",
        {
            "cv_macro_f1": search.best_score_,
            "cv_macro_f1_std": float(results["std_test_score"].iloc[0]),
            "params": search.best_params_,
            "rows": len(X),
            "folds": args.cv,
            "configurations": args.n_iter,
            "seconds": round(seconds, 1),
        },
    )
    columns = [c for c in results if c.startswith("param_")] + ["mean_test_score"]
    print(results[columns].head(10).to_string(index=False))
    print(
        f"\nbest CV macro-F1 {search.best_score_:.3f} in {seconds:.0f}s; "
        f"wrote {args.out / 'best.json'}"
    )
    return 0


@contextlib.contextmanager
def _backend(args, parser):
    """Run joblib's work on local processes, or on Dask through joblib's backend."""
    if args.backend != "dask":
        yield
        return
    try:
        from stancelib.distributed import get_client
    except ImportError as error:
        parser.exit(2, f"tune.py: error: {error}\n")
    try:
        client = get_client(args.scheduler, n_workers=args.n_jobs)
    except ImportError as error:
        parser.exit(2, f"tune.py: error: {error}\n")
    with client, joblib.parallel_backend("dask"):
        print(f"tune.py: searching on Dask at {client.scheduler.address}")
        yield


if __name__ == "__main__":
    sys.exit(main())
