"""Load and validate labelled stance data; the bundled corpus and its splits.

Every public entry point goes through one of two gates: :func:`check_pairs` for model
input (text, target) and :func:`load_dataset` for labelled data. Both raise errors that
name the argument or file, the row and the problem; nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import sys
import zlib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .labels import STANCES

if TYPE_CHECKING:
    import datasets
    import pandas as pd

REQUIRED_COLUMNS = ("text", "target", "stance")
OPTIONAL_COLUMNS = ("lang", "doc_id")
SPLITS = ("train", "validation", "test")
# share of documents (by hash of doc_id, out of 100) in each split: stable as the corpus
# grows, because a document's split depends on its own id only
_SPLIT_BOUNDS = {"train": (0, 80), "validation": (80, 90), "test": (90, 100)}
# every CSV cell is read as a string, and an empty cell stays "" (not NaN): labelled
# data, streamed input and benchmark files all follow this one convention
CSV_AS_STRINGS = {"dtype": str, "keep_default_na": False}
# pandas is imported where it is used: predicting with a cached model does not need it
_READERS = {
    ".csv": lambda path: _pandas().read_csv(path, **CSV_AS_STRINGS),
    ".jsonl": lambda path: _pandas().read_json(path, lines=True, dtype=False),
    ".json": lambda path: _pandas().read_json(path, lines=True, dtype=False),
    ".parquet": lambda path: _pandas().read_parquet(path),
}


def _pandas():
    import pandas

    return pandas


def check_pairs(X, *, name: str = "X") -> pd.DataFrame:
    """Validate model input and return it as a DataFrame with ``text`` and ``target``.

    Parameters
    ----------
    X : DataFrame, datasets.Dataset or sequence of (text, target) pairs
        The statements and the target each one is classified toward.
    name : str, default="X"
        The argument name used in error messages.

    Returns
    -------
    DataFrame
        Two string columns, ``text`` and ``target``, with a fresh ``RangeIndex``.

    Examples
    --------
    >>> check_pairs([("We welcome the accord.", "accord")])
                         text  target
    0  We welcome the accord.  accord
    """
    # datasets is slow to import: a Dataset can only arrive if it is imported already
    hf = sys.modules.get("datasets")
    if hf is not None and isinstance(X, hf.Dataset):
        X = X.to_pandas()
    if isinstance(X, str):
        raise TypeError(
            f"Expected {name} to be a sequence of (text, target) pairs, "
            "got a single string."
        )
    # as for datasets: a DataFrame can only arrive if pandas is imported already
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(X, pd.DataFrame):
        missing = [c for c in ("text", "target") if c not in X.columns]
        if missing:
            raise ValueError(
                f"{name} is missing column(s) {missing}; got columns {list(X.columns)}."
            )
        frame = X[["text", "target"]].reset_index(drop=True)
    else:
        try:
            rows = list(X)
        except TypeError:
            raise TypeError(
                f"Expected {name} to be a DataFrame with 'text' and 'target' "
                "columns or "
                f"a sequence of (text, target) pairs, got {type(X).__name__}."
            ) from None
        for i, row in enumerate(rows):
            if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != 2:
                raise TypeError(
                    f"{name}[{i}] must be a (text, target) pair, got {row!r:.80}."
                )
        frame = _pandas().DataFrame(rows, columns=["text", "target"], dtype=object)
    for column in ("text", "target"):
        for i, value in enumerate(frame[column]):
            if not isinstance(value, str):
                raise TypeError(
                    f"{name} row {i}: '{column}' must be a string, got "
                    f"{type(value).__name__} ({value!r:.40})."
                )
    if len(frame) == 0:
        raise ValueError(f"{name} is empty: expected at least one (text, target) pair.")
    return frame


def pair_columns(X):
    """Return the texts and the targets of model input, as two lists.

    A list of (str, str) tuples and a DataFrame whose ``text`` and ``target`` are
    strings, the common cases, are taken as they are; anything else goes through
    :func:`~stancelib.data.check_pairs` and its error messages.
    """
    pd = sys.modules.get("pandas")  # a DataFrame can only come if pandas is imported
    if (
        pd is not None
        and isinstance(X, pd.DataFrame)
        and "text" in X.columns
        and "target" in X.columns
        and X.columns.is_unique
        and len(X)
    ):
        texts, targets = X["text"].tolist(), X["target"].tolist()
        if all(type(t) is str for t in texts) and all(type(t) is str for t in targets):
            return texts, targets
    if (
        type(X) is list
        and X
        and all(
            type(pair) is tuple
            and len(pair) == 2
            and type(pair[0]) is str
            and type(pair[1]) is str
            for pair in X
        )
    ):
        texts, targets = zip(*X)
        return list(texts), list(targets)
    frame = check_pairs(X)
    return frame["text"].tolist(), frame["target"].tolist()


def check_stances(y, *, name: str = "y") -> list[str]:
    """Validate stance labels: each must be one of :data:`~stancelib.labels.STANCES`."""
    if isinstance(y, str):
        raise TypeError(
            f"Expected {name} to be a sequence of labels, got a single string."
        )
    labels = list(y)
    for i, label in enumerate(labels):
        if label not in STANCES:
            raise ValueError(
                f"{name}[{i}] is {label!r}, not a stance label; expected one of "
                f"{', '.join(STANCES)}."
            )
    return labels


def check_training_pairs(X, y) -> tuple[pd.DataFrame, list[str]]:
    """Validate a classifier's training input: :func:`check_pairs` of ``X``,
    :func:`check_stances` of ``y``, and one label per pair."""
    X, y = check_pairs(X), check_stances(y)
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels.")
    return X, y


def _read_table(path: Path) -> pd.DataFrame:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(
            f"{path}: unsupported file type {path.suffix!r}; expected one of "
            f"{', '.join(sorted(_READERS))}."
        )
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file.")
    try:
        return reader(path)
    except (ValueError, _pandas().errors.ParserError, OSError) as error:
        raise ValueError(
            f"{path}: could not be read as {path.suffix[1:]}: {error}"
        ) from None


def _validate_frame(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{where}: missing column(s) {missing}; got columns {list(frame.columns)}."
        )
    problems = []
    for i, row in enumerate(frame[list(REQUIRED_COLUMNS)].itertuples(index=False)):
        text, target, stance = row
        if not isinstance(text, str) or not text.strip():
            problems.append(f"row {i + 1}: empty text")
        if not isinstance(target, str) or not target.strip():
            problems.append(f"row {i + 1}: target missing")
        if stance not in STANCES:
            problems.append(
                f"row {i + 1}: unknown stance {stance!r} (expected one of "
                f"{', '.join(STANCES)})"
            )
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ValueError(f"{where}: {'; '.join(problems[:5])}{more}.")
    frame = frame.copy()
    for column in frame.columns:
        if column != "stance" and frame[column].dtype != object:
            frame[column] = frame[column].astype(str)
    return frame


def _to_dataset(frame: pd.DataFrame) -> datasets.Dataset:
    import datasets

    features = datasets.Features(
        {
            column: datasets.ClassLabel(names=list(STANCES))
            if column == "stance"
            else datasets.Value("string")
            for column in frame.columns
        }
    )
    frame = frame.assign(stance=[STANCES.index(s) for s in frame["stance"]])
    return datasets.Dataset.from_pandas(frame, features=features, preserve_index=False)


def load_dataset(
    source, *, columns: Mapping[str, str] | None = None
) -> datasets.Dataset:
    """Load labelled stance data and validate it.

    Parameters
    ----------
    source : str, Path, DataFrame or datasets.Dataset
        A local CSV, JSON Lines (``.jsonl``) or Parquet file, or data already in memory.
        It needs the columns ``text``, ``target`` and ``stance``; ``lang``, ``doc_id``
        and
        any other columns are kept.
    columns : mapping, default=None
        Renames columns before validation, e.g. ``{"label": "stance"}``.

    Returns
    -------
    datasets.Dataset
        ``stance`` is a ``ClassLabel`` over ``support, opposition, concern, none``; the
        other columns are strings.

    Raises
    ------
    ValueError
        When a column is missing, or a row has an empty text, no target or an unknown
        stance; the message names the file and the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"text": ["We reject the embargo."], "target": ["embargo"],
    ...                       "stance": ["opposition"]})
    >>> ds = load_dataset(frame)
    >>> ds.features["stance"].int2str(ds[0]["stance"])
    'opposition'
    """
    import datasets

    if isinstance(source, datasets.Dataset):
        frame, where = source.to_pandas(), "dataset"
        stance = source.features.get("stance")
        if isinstance(stance, datasets.ClassLabel):
            frame["stance"] = [stance.int2str(int(s)) for s in frame["stance"]]
    elif isinstance(source, _pandas().DataFrame):
        frame, where = source, "DataFrame"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        frame, where = _read_table(path), str(path)
    else:
        raise TypeError(
            "source must be a path to a CSV, JSONL or Parquet file, a pandas DataFrame "
            f"or a datasets.Dataset, got {type(source).__name__}."
        )
    if columns:
        frame = frame.rename(columns=dict(columns))
    return _to_dataset(_validate_frame(frame, where))


def stance_names(dataset: datasets.Dataset) -> list[str]:
    """Return the ``stance`` column of a :func:`load_dataset` dataset as strings."""
    return dataset.features["stance"].int2str(list(dataset["stance"]))


def _corpus_files(folder: str) -> list:
    root = resources.files("stancelib") / "corpus" / folder
    return sorted((f for f in root.iterdir() if f.name.endswith(".csv")), key=str)


def corpus_fingerprint() -> str:
    """Return a SHA-256 digest of the bundled corpus files (names and contents)."""
    digest = hashlib.sha256()
    for folder in ("data", "challenge"):
        for file in _corpus_files(folder):
            digest.update(f"{folder}/{file.name}\0".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def split_of(doc_id: str) -> str:
    """Return the split (train, validation or test) that a document belongs to.

    The split depends on a checksum of ``doc_id`` alone, so it is deterministic and a
    document never moves when other documents are added.

    Examples
    --------
    >>> split_of("en-sec-001") == split_of("en-sec-001")
    True
    """
    bucket = zlib.crc32(doc_id.encode("utf-8")) % 100
    return next(s for s, (lo, hi) in _SPLIT_BOUNDS.items() if lo <= bucket < hi)


def read_corpus_frame(folder: str = "data") -> pd.DataFrame:
    """Return the bundled corpus files of ``folder`` (``data`` or ``challenge``) as one
    validated DataFrame with a ``source_file`` column."""
    frames = []
    for file in _corpus_files(folder):
        with resources.as_file(file) as path:
            frame = _validate_frame(_read_table(path), f"corpus/{folder}/{file.name}")
        frames.append(frame.assign(source_file=file.name))
    if not frames:
        raise FileNotFoundError(
            f"The bundled corpus folder corpus/{folder} has no CSV."
        )
    return _pandas().concat(frames, ignore_index=True)


def load_corpus() -> datasets.DatasetDict:
    """Load the bundled, hand-written corpus with its splits.

    ``train``, ``validation`` and ``test`` are made by ``doc_id`` (no document is in two
    splits), deterministically. ``challenge`` holds the separately written hard cases
    and
    is never used for training.

    Returns
    -------
    datasets.DatasetDict
        Splits ``train``, ``validation``, ``test`` and ``challenge``.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> sorted(corpus)
    ['challenge', 'test', 'train', 'validation']
    """
    frame = read_corpus_frame("data").drop(columns="source_file")
    split = frame["doc_id"].map(split_of)
    parts = {
        name: _to_dataset(frame[split == name].reset_index(drop=True))
        for name in SPLITS
    }
    challenge = read_corpus_frame("challenge").drop(columns="source_file")
    parts["challenge"] = _to_dataset(challenge)
    import datasets

    return datasets.DatasetDict(parts)


def data_fingerprint(dataset: datasets.Dataset) -> str:
    """Return a SHA-256 digest of the text, target and stance of every row."""
    digest = hashlib.sha256()
    for text, target, stance in zip(
        dataset["text"], dataset["target"], stance_names(dataset)
    ):
        digest.update(f"{text}\t{target}\t{stance}\n".encode())
    return digest.hexdigest()


def holdout_split(
    dataset: datasets.Dataset, *, test_size: float = 0.2, seed: int = 0
) -> tuple[datasets.Dataset, datasets.Dataset]:
    """Split a labelled dataset into train and held-out parts.

    With a ``doc_id`` column, whole documents go to one side (no document in both);
    otherwise the split is stratified by stance when every stance has two rows.

    Examples
    --------
    >>> import pandas as pd
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"text": [f"Text {i}." for i in range(10)],
    ...                       "target": ["t"] * 10, "stance": ["support", "none"] * 5})
    >>> train, test = holdout_split(load_dataset(frame), test_size=0.2)
    >>> len(train), len(test)
    (8, 2)
    """
    from sklearn.model_selection import (
        GroupShuffleSplit,
        ShuffleSplit,
        StratifiedShuffleSplit,
    )

    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1). Got {test_size!r} instead.")
    index = np.arange(len(dataset))
    if "doc_id" in dataset.column_names:
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        groups = dataset["doc_id"]
    else:
        counts = _pandas().Series(dataset["stance"]).value_counts()
        stratify = counts.min() >= 2
        splitter = (StratifiedShuffleSplit if stratify else ShuffleSplit)(
            n_splits=1, test_size=test_size, random_state=seed
        )
        groups = None
    train, test = next(splitter.split(index, dataset["stance"], groups))
    return dataset.select(np.sort(train)), dataset.select(np.sort(test))
