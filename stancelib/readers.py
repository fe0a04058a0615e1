"""Readers for public stance benchmarks, in the formats their authors published.

Each reader maps the dataset's labels onto the stancelib stances
(:data:`SOURCE_LABELS`) and returns a ``datasets.Dataset`` exactly like
:func:`stancelib.load_dataset`, with the columns ``text``, ``target``, ``stance``,
``lang``, ``source_label`` (the original label) and ``id``. The data sets are not
shipped with stancelib: users bring the files. Errors name the file and the problem
(missing columns, unknown labels, a wrong split name).

=========================  ===========================================================
reader                     files
=========================  ===========================================================
:func:`read_semeval2016`   SemEval-2016 Task 6: ``trainingdata-all-annotations.txt``...
:func:`read_claim_stance`  IBM Debater Claim Stance: ``claim_stance_dataset_v1.csv``
:func:`read_perspectrum`   PERSPECTRUM: the folder with its ``*_v1.0.json`` files
:func:`read_vast`          VAST: ``vast_train.csv``, ``vast_dev.csv``, ``vast_test.csv``
:func:`read_catalonia`     Catalonia Independence Corpus: ``catalan_train.csv``...
:func:`read_french2017`    French 2017 election tweets: ``macron_fr.csv``...
=========================  ===========================================================
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import datasets
import pandas as pd

from .data import CSV_AS_STRINGS, load_dataset

# original label (case-folded) -> stancelib stance; VAST codes its labels 1 / 0 / 2
SOURCE_LABELS = {
    **dict.fromkeys(("favor", "favour", "pro", "support", "1"), "support"),
    **dict.fromkeys(("against", "con", "undermine", "0"), "opposition"),
    **dict.fromkeys(("none", "neutral", "2"), "none"),
}
CATALONIA_TARGETS = {
    "ca": "Independència de Catalunya",
    "es": "Independencia de Cataluña",
}
VAST_CODES = {"1": "PRO", "0": "CON", "2": "NEUTRAL"}
FRENCH2017_TARGETS = {"macron": "Emmanuel Macron", "lepen": "Marine Le Pen"}
PERSPECTRUM_FILES = {
    "claims": "perspectrum_with_answers_v1.0.json",
    "perspectives": "perspective_pool_v1.0.json",
    "splits": "dataset_split_v1.0.json",
}


def map_stances(labels, *, where: str = "labels") -> list[str]:
    """Map original benchmark labels onto stancelib stances.

    Parameters
    ----------
    labels : iterable of str or int
        Original labels such as ``FAVOR``, ``AGAINST``, ``NONE``, ``PRO``, ``CON``,
        ``UNDERMINE``, ``neutral`` or the VAST codes ``1`` / ``0`` / ``2``; case does
        not matter.
    where : str, default="labels"
        What the labels come from (a file name), for the error message.

    Returns
    -------
    list of str
        ``support``, ``opposition`` or ``none`` for each label.

    Raises
    ------
    ValueError
        When a label is not in :data:`SOURCE_LABELS`; the message lists the unknown
        labels and the first rows holding them.

    Examples
    --------
    >>> map_stances(["FAVOR", "CON", "neutral", 1])
    ['support', 'opposition', 'none', 'support']
    """
    labels = [str(label).strip() for label in labels]
    unknown = {}
    for i, label in enumerate(labels, start=1):
        if label.casefold() not in SOURCE_LABELS:
            unknown.setdefault(label, []).append(i)
    if unknown:
        found = "; ".join(f"{label!r} (rows {at[:3]})" for label, at in unknown.items())
        raise ValueError(
            f"{where}: unknown stance label(s) {found}; expected one of "
            f"{', '.join(sorted({k.upper() for k in SOURCE_LABELS}))}."
        )
    return [SOURCE_LABELS[label.casefold()] for label in labels]


def _existing(path, kind: str = "file") -> Path:
    path = Path(path)
    if not (path.is_dir() if kind == "folder" else path.is_file()):
        raise FileNotFoundError(f"{path}: no such {kind}.")
    return path


def _check_choice(value, choices, *, name: str, where) -> None:
    if value not in choices:
        raise ValueError(
            f"{where}: unknown {name} {value!r}; expected one of "
            f"{', '.join(repr(c) for c in choices)}."
        )


def _read_csv(path, columns: Sequence[str], **options) -> pd.DataFrame:
    """Read a CSV as strings and check that it has ``columns``."""
    path = _existing(path)
    try:
        frame = pd.read_csv(path, **CSV_AS_STRINGS, **options)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: could not be read: {error}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {missing}; got columns {list(frame.columns)}."
        )
    return frame


def _to_dataset(
    frame: pd.DataFrame,
    where,
    *,
    text: str,
    target: str,
    label: str,
    lang: str,
    extra: dict[str, str] | None = None,
) -> datasets.Dataset:
    """Take the original ``text``, ``target`` and ``label`` columns (and ``extra``
    ones, new name -> original name), map the labels, validate like ``load_dataset``."""
    frame = frame.reset_index(drop=True)
    rows = pd.DataFrame(
        {
            "text": frame[text],
            "target": frame[target],
            "stance": map_stances(frame[label], where=str(where)),
            "lang": lang,
            "source_label": frame[label].astype(str).str.strip(),
            **{name: frame[col].astype(str) for name, col in (extra or {}).items()},
        }
    )
    try:
        return load_dataset(rows)
    except ValueError as error:
        raise ValueError(f"{where}: {str(error).removeprefix('DataFrame: ')}") from None


def read_semeval2016(path, *, encoding: str | None = None) -> datasets.Dataset:
    """Read a SemEval-2016 Task 6 file (``*-all-annotations.txt``).

    The files are tab-separated with the columns ``ID``, ``Target``, ``Tweet`` and
    ``Stance`` (``FAVOR`` / ``AGAINST`` / ``NONE``); tweets hold unescaped quotes, so no
    quoting is applied. The official training file is not valid UTF-8.

    Parameters
    ----------
    path : str or Path
        One file: ``trainingdata-``, ``trialdata-``, ``testdata-taskA-`` or
        ``testdata-taskB-all-annotations.txt``.
    encoding : str, default=None
        None reads UTF-8 and falls back to cp1252, the encoding of the training file.

    Returns
    -------
    datasets.Dataset
        The rows with ``text``, ``target``, ``stance``, ``lang`` (``en``),
        ``source_label`` and ``id``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "trialdata-all-annotations.txt"
    >>> _ = path.write_bytes(b"ID\\tTarget\\tTweet\\tStance\\r\\n"
    ...                      b"1\\tAtheism\\tFaith \\x93moves\\x94 me\\tAGAINST\\r\\n")
    >>> ds = read_semeval2016(path)
    >>> ds[0]["text"], ds.features["stance"].int2str(ds[0]["stance"])
    ('Faith “moves” me', 'opposition')
    """
    columns = ("ID", "Target", "Tweet", "Stance")
    options = dict(sep="\t", quoting=csv.QUOTE_NONE)
    if encoding is None:
        try:
            frame = _read_csv(path, columns, encoding="utf-8", **options)
        except ValueError as error:
            if "codec can't decode" not in str(error):
                raise
            frame = _read_csv(path, columns, encoding="cp1252", **options)
    else:
        frame = _read_csv(path, columns, encoding=encoding, **options)
    return _to_dataset(
        frame,
        path,
        text="Tweet",
        target="Target",
        label="Stance",
        lang="en",
        extra={"id": "ID"},
    )


def read_claim_stance(path, *, split: str | None = None) -> datasets.Dataset:
    """Read the IBM Debater Claim Stance data set (``claim_stance_dataset_v1.csv``).

    The target is the debate motion (``topicText``), the text the claim
    (``claims.claimCorrectedText``), the label ``claims.stance`` (``PRO`` / ``CON``).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    split : {"train", "test"}, default=None
        The official split (its topics are disjoint); None returns all rows.

    Returns
    -------
    datasets.Dataset
        ``text``, ``target``, ``stance``, ``lang`` (``en``), ``source_label`` and ``id``
        (the claim id).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "claim_stance_dataset_v1.csv"
    >>> _ = path.write_text(
    ...     "split,topicText,claims.claimId,claims.stance,claims.claimCorrectedText\\n"
    ...     "train,This house would ban smoking,7,CON,Smoking is a free choice\\n")
    >>> row = read_claim_stance(path, split="train")[0]
    >>> row["target"], row["source_label"], row["stance"]
    ('This house would ban smoking', 'CON', 1)
    """
    columns = (
        "split",
        "topicText",
        "claims.claimId",
        "claims.stance",
        "claims.claimCorrectedText",
    )
    frame = _read_csv(path, columns)
    if split is not None:
        _check_choice(split, ("train", "test"), name="split", where=path)
        frame = frame[frame["split"] == split]
    return _to_dataset(
        frame,
        path,
        text="claims.claimCorrectedText",
        target="topicText",
        label="claims.stance",
        lang="en",
        extra={"id": "claims.claimId"},
    )


def _load_json(path):
    try:
        return json.loads(_existing(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON: {error}") from None


def read_perspectrum(folder, *, split: str | None = None) -> datasets.Dataset:
    """Read PERSPECTRUM claim-perspective pairs from its published JSON files.

    The target is the claim, the text each perspective of the claim's perspective
    clusters; every perspective inherits its cluster's ``stance_label_3``
    (``SUPPORT`` / ``UNDERMINE``).

    Parameters
    ----------
    folder : str or Path
        The folder holding ``perspectrum_with_answers_v1.0.json``,
        ``perspective_pool_v1.0.json`` and ``dataset_split_v1.0.json``.
    split : {"train", "dev", "test"}, default=None
        The official split (by claim); None returns all pairs.

    Returns
    -------
    datasets.Dataset
        ``text``, ``target``, ``stance``, ``lang`` (``en``), ``source_label`` and ``id``
        (``<claim id>-<perspective id>``).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> claims = [{"cId": 3, "text": "Zoos should be banned", "perspectives": [
    ...     {"pids": [8], "stance_label_3": "UNDERMINE"}]}]
    >>> for name, content in [("perspectrum_with_answers_v1.0.json", claims),
    ...                       ("perspective_pool_v1.0.json",
    ...                        [{"pId": 8, "text": "Zoos save species"}]),
    ...                       ("dataset_split_v1.0.json", {"3": "test"})]:
    ...     _ = (folder / name).write_text(json.dumps(content))
    >>> row = read_perspectrum(folder, split="test")[0]
    >>> row["target"], row["text"], row["source_label"]
    ('Zoos should be banned', 'Zoos save species', 'UNDERMINE')
    """
    folder = _existing(folder, "folder")
    paths = {key: folder / name for key, name in PERSPECTRUM_FILES.items()}
    claims, pool, splits = (_load_json(paths[key]) for key in PERSPECTRUM_FILES)
    if split is not None:
        _check_choice(split, ("train", "dev", "test"), name="split", where=folder)
    try:
        perspectives = {p["pId"]: p["text"] for p in pool}
        rows = [
            {
                "claim": claim["text"],
                "perspective": perspectives[pid],
                "label": cluster["stance_label_3"],
                "id": f"{claim['cId']}-{pid}",
            }
            for claim in claims
            if split is None or splits.get(str(claim["cId"])) == split
            for cluster in claim["perspectives"]
            for pid in cluster["pids"]
        ]
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"{folder}: unexpected PERSPECTRUM structure (missing key or perspective "
            f"id {error}); expected the files {', '.join(PERSPECTRUM_FILES.values())}."
        ) from None
    frame = pd.DataFrame(rows, columns=["claim", "perspective", "label", "id"])
    return _to_dataset(
        frame,
        paths["claims"],
        text="perspective",
        target="claim",
        label="label",
        lang="en",
        extra={"id": "id"},
    )


def read_vast(path) -> datasets.Dataset:
    """Read a VAST file (``vast_train.csv``, ``vast_dev.csv`` or ``vast_test.csv``).

    Both the authors' files (columns ``post``, ``new_topic``, ``label``) and the common
    preprocessed copies (``Tweet``, ``Target``, ``Stance``) are read. Labels are coded
    ``1`` pro, ``0`` con, ``2`` neutral; ``source_label`` writes them ``PRO``, ``CON``,
    ``NEUTRAL``.

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    datasets.Dataset
        ``text``, ``target``, ``stance``, ``lang`` (``en``), ``source_label`` and, when
        the file has the ``seen?`` column, ``seen`` (``0`` for zero-shot topics).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vast_dev.csv"
    >>> _ = path.write_text('Tweet,Target,Stance,seen?\\n"Ban it, now.",guns,0,0\\n')
    >>> row = read_vast(path)[0]
    >>> row["text"], row["target"], row["source_label"], row["seen"]
    ('Ban it, now.', 'guns', 'CON', '0')
    """
    layouts = {
        "post": ("post", "new_topic", "label"),
        "Tweet": ("Tweet", "Target", "Stance"),
    }
    header = _read_csv(path, (), nrows=0).columns
    text, target, label = layouts["post" if "post" in header else "Tweet"]
    frame = _read_csv(path, (text, target, label))
    # written out like the other data sets' labels; unknown codes stay and are reported
    frame[label] = frame[label].replace(VAST_CODES)
    return _to_dataset(
        frame,
        path,
        text=text,
        target=target,
        label=label,
        lang="en",
        extra={"seen": "seen?"} if "seen?" in frame else None,
    )


def read_catalonia(path, *, lang: str | None = None) -> datasets.Dataset:
    """Read a Catalonia Independence Corpus file (e.g. ``catalan_train.csv``).

    The files are tab-separated with the columns ``id_str``, ``TWEET`` and ``LABEL``
    (``FAVOR`` / ``AGAINST`` / ``NEUTRAL``); the single target, the independence of
    Catalonia, is added in the file's language.

    Parameters
    ----------
    path : str or Path
        One file, ``catalan_`` or ``spanish_`` + ``train`` / ``val`` / ``test.csv``.
    lang : {"ca", "es"}, default=None
        The language of the tweets; None takes it from the file name.

    Returns
    -------
    datasets.Dataset
        ``text``, ``target``, ``stance``, ``lang``, ``source_label`` and ``id``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "catalan_val.csv"
    >>> rows = 'id_str\\tTWEET\\tLABEL\\r\\n5\\tVisca "la" terra\\tFAVOR\\r\\n'
    >>> _ = path.write_text(rows, encoding="utf-8")
    >>> ds = read_catalonia(path)
    >>> ds[0]["target"], ds[0]["lang"]
    ('Independència de Catalunya', 'ca')
    """
    if lang is None:
        name = Path(path).name.lower()
        lang = (
            "ca"
            if name.startswith("catalan")
            else "es"
            if name.startswith("spanish")
            else None
        )
        if lang is None:
            raise ValueError(
                f"{path}: cannot tell the language from the file name; pass "
                "lang='ca' or lang='es'."
            )
    _check_choice(lang, tuple(CATALONIA_TARGETS), name="lang", where=path)
    frame = _read_csv(
        path,
        ("id_str", "TWEET", "LABEL"),
        sep="\t",
        quoting=csv.QUOTE_NONE,
        encoding="utf-8",
    )
    frame["target"] = CATALONIA_TARGETS[lang]
    return _to_dataset(
        frame,
        path,
        text="TWEET",
        target="target",
        label="LABEL",
        lang=lang,
        extra={"id": "id_str"},
    )


def read_french2017(
    path, *, split: str | None = None, target: str | None = None
) -> datasets.Dataset:
    """Read the French 2017 presidential election tweets (Lai et al. 2020).

    The files ``macron_fr.csv`` and ``lepen_fr.csv`` have the columns ``id``,
    ``Tweet``, ``Stance`` (``FAVOUR`` / ``AGAINST`` / ``NONE``) and ``Set``
    (``Training`` / ``Test``); each file holds one target.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    split : {"train", "test"}, default=None
        Rows of ``Set`` ``Training`` or ``Test``; None returns all rows.
    target : str, default=None
        The target; None takes it from the file name (``Emmanuel Macron`` or
        ``Marine Le Pen``).

    Returns
    -------
    datasets.Dataset
        ``text``, ``target``, ``stance``, ``lang`` (``fr``), ``source_label``, ``id``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "macron_fr.csv"
    >>> _ = path.write_text("id,Tweet,Stance,Set\\n1,Allez Macron !,FAVOUR,Test\\n")
    >>> read_french2017(path, split="test")[0]["target"]
    'Emmanuel Macron'
    """
    if target is None:
        name = Path(path).name.lower()
        target = next((t for key, t in FRENCH2017_TARGETS.items() if key in name), None)
        if target is None:
            raise ValueError(
                f"{path}: cannot tell the target from the file name; pass target=..."
            )
    frame = _read_csv(path, ("id", "Tweet", "Stance", "Set"))
    if split is not None:
        _check_choice(split, ("train", "test"), name="split", where=path)
        frame = frame[frame["Set"] == {"train": "Training", "test": "Test"}[split]]
    frame = frame.assign(target=target)
    return _to_dataset(
        frame,
        path,
        text="Tweet",
        target="target",
        label="Stance",
        lang="fr",
        extra={"id": "id"},
    )
