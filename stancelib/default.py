"""The default model: trained on the bundled corpus on first use, then cached."""

from __future__ import annotations

import hashlib
import os
import sys
from importlib import resources
from pathlib import Path

from .data import corpus_fingerprint, load_corpus, stance_names
from .persistence import load_model, save_model


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

    The name carries the library version and a digest of the corpus and of the
    library's own code, so any change to either builds a new model.
    """
    from . import __version__

    digest = hashlib.sha256(corpus_fingerprint().encode())
    for module in sorted(resources.files("stancelib").iterdir(), key=str):
        if module.name.endswith(".py"):
            digest.update(module.read_bytes())
    return cache_dir() / f"default-{__version__}-{digest.hexdigest()[:16]}.skops"


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
    """Return the default :class:`~stancelib.StanceClassifier`.

    It is trained on the bundled corpus the first time it is asked for (a few seconds),
    then loaded from the cache folder (see :func:`cache_dir`). A new corpus or library
    version builds a new model.

    Returns
    -------
    StanceClassifier
        A fitted model.
    """
    path = default_model_path()
    if path.is_file():
        return load_model(path)
    print(
        "stancelib: building the default model from the bundled corpus "
        f"(first use), caching it in {path.parent}",
        file=sys.stderr,
    )
    model, scores = build_default()
    save_model(model, path, data_fingerprint=corpus_fingerprint(), scores=scores)
    return model
