"""Save and load models with skops, safely; the metadata file beside each model.

A model is written as ``NAME.skops`` with ``NAME.metadata.json`` beside it. Both writes
are atomic: the bytes go to a temporary file in the same folder, which then replaces the
destination, so a crash never leaves a half-written model. Loading refuses every type
that is not stancelib's, scikit-learn's or one skops trusts by default (NumPy, SciPy).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

# the packages whose types a stancelib model is made of
TRUSTED_PREFIXES = ("stancelib.", "sklearn.")


class UntrustedModelError(TypeError):
    """Raised when a model file holds types that stancelib does not load."""


def _write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The file gets the usual permissions (0o666 less the umask), or ``mode``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates the file for its owner only; give it the usual permissions
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path, value) -> None:
    """Write ``value`` as indented JSON to ``path``, atomically."""
    _write_atomic(Path(path), json.dumps(_json_safe(value), indent=2).encode())


def metadata_path(path) -> Path:
    """Return the metadata file that belongs to the model at ``path``."""
    path = Path(path)
    return path.with_name(path.stem + ".metadata.json")


def _json_safe(value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return repr(value)


def save_model(model, path, *, data_fingerprint=None, scores=None) -> Path:
    """Save a fitted model with skops, and its metadata as JSON beside it.

    Parameters
    ----------
    model : StanceClassifier or StancePredictor
        A fitted model; a predictor is saved as the classifier it was made from.
    path : str or Path
        Destination, conventionally ending in ``.skops``.
    data_fingerprint : str, default=None
        A digest of the training data, recorded in the metadata.
    scores : dict, default=None
        Validation scores, recorded in the metadata.

    Returns
    -------
    Path
        The metadata file written beside the model.
    """
    import sklearn
    import skops.io as sio  # imported when needed: it is slow to import

    from . import __version__
    from .predictor import StancePredictor

    if isinstance(model, StancePredictor):
        model = model.classifier
    path = Path(path)
    _write_atomic(path, sio.dumps(model))
    metadata = {
        "stancelib_version": __version__,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": type(model).__name__,
        "classes": _json_safe(getattr(model, "classes_", None)),
        "params": _json_safe(model.get_params(deep=False)),
        "data_fingerprint": data_fingerprint,
        "scores": _json_safe(scores or {}),
    }
    meta = metadata_path(path)
    write_json(meta, metadata)
    return meta


def load_model(path):
    """Load a model saved by :func:`save_model`, refusing any foreign type.

    Parameters
    ----------
    path : str or Path
        A ``.skops`` file.

    Returns
    -------
    StanceClassifier
        The model.

    Raises
    ------
    UntrustedModelError
        When the file holds a type that is neither stancelib's nor scikit-learn's, or is
        not a skops file at all (a pickle, say).
    """
    import skops.io as sio  # imported when needed: it is slow to import

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file.")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UntrustedModelError(
            f"{path} is not a skops model file ({error}); stancelib loads only models "
            "saved with stancelib.save_model and never unpickles files."
        ) from None
    foreign = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if foreign:
        raise UntrustedModelError(
            f"{path} holds types stancelib does not trust: {', '.join(foreign)}; "
            "refusing to load it."
        )
    return sio.load(path, trusted=untrusted)
