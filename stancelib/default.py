"""The default model: trained on the bundled corpus on first use, then cached.

Two files are cached: the :class:`~stancelib.StanceClassifier` (joblib) and its
:class:`~stancelib.predictor.StancePredictor` (a pickle of NumPy arrays), which is
what :func:`load_default` loads: it needs neither scikit-learn nor skops, so a new
process is ready to predict in well under a second. Both are pickles, so they are
written for their owner only and loaded only while no one else can write them or
their folder. Models that travel between people are saved with skops
(:func:`~stancelib.save_model`).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import sys
from importlib import metadata, resources
from pathlib import Path

from .data import corpus_fingerprint, load_corpus, stance_names
from .persistence import UntrustedModelError, _write_atomic, metadata_path, write_json

# cached builds kept in the cache folder (other corpus, library or package versions)
KEEP_BUILDS = 3


def cache_dir() -> Path:
    """Return the folder where stancelib caches models.

    ``$STANCELIB_HOME`` when set, else ``$XDG_CACHE_HOME/stancelib``, else
    ``~/.cache/stancelib``.
    """
    if os.environ.get("STANCELIB_HOME"):
        return Path(os.environ["STANCELIB_HOME"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stancelib"


def default_model_path() -> Path:
    """Return the cache path of the default model of this library and corpus.

    The name carries the library version and a digest of the corpus, of the
    library's own code and of the versions of the packages the pickle depends on, so
    any change to one of them builds a new model.
    """
    from . import __version__

    digest = hashlib.sha256(corpus_fingerprint().encode())
    for module in sorted(resources.files("stancelib").iterdir(), key=str):
        if module.name.endswith(".py"):
            digest.update(module.read_bytes())
    for package in ("scikit-learn", "numpy", "scipy"):
        digest.update(f"{package} {metadata.version(package)}".encode())
    return cache_dir() / f"default-{__version__}-{digest.hexdigest()[:16]}.joblib"


def build_default():
    """Train the default model on the ``train`` and ``validation`` splits of the
    bundled corpus; return it with its scores on ``test`` and ``challenge``."""
    import datasets

    from .classifier import StanceClassifier
    from .metrics import evaluate

    corpus = load_corpus()
    fit = datasets.concatenate_datasets([corpus["train"], corpus["validation"]])
    model = StanceClassifier().fit(fit.to_pandas(), stance_names(fit))
    scores = {}
    for split in ("test", "challenge"):
        if len(corpus[split]):
            report = evaluate(
                model, corpus[split].to_pandas(), stance_names(corpus[split])
            )
            scores[split] = {
                "macro_f1": report.macro_f1,
                "f_avg": report.f_avg,
                "accuracy": report.accuracy,
                "rows": len(corpus[split]),
            }
    return model, scores


def load_default():
    """Return the default model, ready to predict.

    It is trained on the bundled corpus the first time it is asked for (about a
    minute), then loaded from the cache folder (see :func:`cache_dir`). A new corpus
    or library version builds a new model.

    Returns
    -------
    StancePredictor
        The fitted :class:`~stancelib.StanceClassifier` as a predictor: ``predict``,
        ``predict_proba``, ``classes_`` and ``explain``, without importing
        scikit-learn; its ``classifier`` attribute loads the ``StanceClassifier``.
    """
    path = default_model_path()
    fast = predictor_path(path)
    if fast.is_file() and path.is_file():
        _check_private(path)  # loaded later, by predictor.classifier
        predictor = _load_private(fast)
        predictor._source = path
        return predictor
    if path.is_file():
        model = _load_private(path)
    else:
        print(
            "stancelib: building the default model from the bundled corpus "
            f"(first use), caching it in {path.parent}",
            file=sys.stderr,
        )
        model = _build_and_cache(path)
    predictor = model.to_predictor()
    _write_atomic(fast, pickle.dumps(predictor, protocol=5), mode=0o600)
    predictor._source = path
    return predictor


def predictor_path(path: Path) -> Path:
    """Return the cache path of the predictor of the model cached at ``path``."""
    return path.with_suffix(".predictor")


def _build_and_cache(path: Path):
    import joblib

    model, scores = build_default()
    # the folder of a pickle must not be writable by others (see _check_private)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = io.BytesIO()
    joblib.dump(model, data)
    _write_atomic(path, data.getvalue(), mode=0o600)
    write_json(
        metadata_path(path),
        {
            "model": "StanceClassifier",
            "classes": model.classes_.tolist(),
            "data_fingerprint": corpus_fingerprint(),
            "scores": scores,
        },
    )
    _forget_old_builds(path)
    return model


def _load_private(path: Path):
    """Load a cached pickle (joblib's or plain) that only its owner can write."""
    _check_private(path)
    if path.suffix == ".joblib":
        import joblib

        return joblib.load(path)
    return pickle.loads(path.read_bytes())


def _check_private(path: Path) -> None:
    """Refuse a cached pickle that someone other than its owner could have written."""
    if not hasattr(os, "getuid"):  # no POSIX owners (Windows): the profile is private
        return
    for where in (path, path.parent):
        info = where.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise UntrustedModelError(
                f"{where} can be written by users other than you; stancelib does not "
                "load a cached model that someone else could have replaced. Make it "
                f"private (chmod go-w {where}) or delete {path} to rebuild it."
            )


def _forget_old_builds(current: Path) -> None:
    """Delete all but the newest :data:`KEEP_BUILDS` cached default models."""
    builds = sorted(
        (
            p
            for p in current.parent.glob("default-*")
            if p.suffix in (".joblib", ".skops")
        ),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in builds[KEEP_BUILDS:]:
        if old != current:
            old.unlink(missing_ok=True)
            metadata_path(old).unlink(missing_ok=True)
            predictor_path(old).unlink(missing_ok=True)
