"""Batch prediction and analysis on a Dask cluster (the optional ``dask`` extra).

A fitted model is sent to every worker once (``client.scatter(model,
broadcast=True)``) and each partition is tagged where it lives; nothing here schedules
work itself. Install with ``pip install "stancelib[dask]"``; start a scheduler and
workers as the README's "Scaling out" shows, or let :func:`get_client` start a local
cluster.

>>> import stancelib.distributed  # imports without Dask; using it needs the extra
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .data import CSV_AS_STRINGS
from .stream import ANALYZE_COLUMNS, analyze_rows, input_format, predict_rows

EXTRA = 'the optional "dask" extra: pip install "stancelib[dask]"'


def _dask():
    """Import Dask lazily; name the extra when it is missing."""
    try:
        import dask.dataframe as dd
        import distributed
    except ImportError as error:
        raise ImportError(
            f"stancelib's Dask support needs {EXTRA} (missing module {error.name!r})."
        ) from None
    return dd, distributed


def get_client(scheduler=None, *, n_workers=None):
    """Return a ``distributed.Client``.

    Parameters
    ----------
    scheduler : str or Client, default=None
        A scheduler address (``tcp://host:8786``) or a client. None means the client
        already active in this process, else a new local cluster of worker processes
        (one thread each), closed with the client.
    n_workers : int, default=None
        Workers of a new local cluster; None means one per core.
    """
    _, distributed = _dask()
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if scheduler is not None:
        return distributed.Client(scheduler)
    try:
        return distributed.get_client()
    except ValueError:
        return distributed.Client(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )


def ship_model(model, client):
    """Send ``model`` to every worker once; return the future that stands for it."""
    return client.scatter(model, broadcast=True, hash=False)


def _proba_partition(frame, model, text, target):
    proba = model.predict_proba(
        pd.DataFrame({"text": frame[text].tolist(), "target": frame[target].tolist()})
    )
    return pd.DataFrame(proba, columns=list(model.classes_), index=frame.index)


def predict_proba(frame, model, *, text="text", target="target", client=None):
    """Return the stance probabilities of each row of a Dask DataFrame.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        Rows with a text and a target column.
    model : StanceClassifier
        A fitted model, sent to the workers once.
    text, target : str, default="text", "target"
        The column names.
    client : Client, default=None
        See :func:`get_client`.

    Returns
    -------
    dask.dataframe.DataFrame
        One float column per stance, in ``model.classes_`` order, on ``frame``'s
        index. Call ``.compute()`` for the numbers.
    """
    client = get_client(client)
    meta = pd.DataFrame({c: pd.Series(dtype=float) for c in model.classes_})
    return frame.map_partitions(
        _proba_partition, ship_model(model, client), text, target, meta=meta
    )


def predict(frame, model, *, text="text", target="target", client=None):
    """Return the stance of each row of a Dask DataFrame, as a Dask Series.

    See :func:`predict_proba` for the parameters.
    """
    proba = predict_proba(frame, model, text=text, target=target, client=client)
    return proba.map_partitions(
        _best_column, meta=pd.Series(dtype=object, name="stance")
    )


def _best_column(proba: pd.DataFrame) -> pd.Series:
    best = np.asarray(proba.columns)[proba.to_numpy().argmax(axis=1)]
    return pd.Series(best, index=proba.index, dtype=object, name="stance")


def _tag_partition(
    frame,
    model,
    offsets,
    text_column,
    id_column,
    target_column,
    targets,
    aliases,
    partition_info=None,
):
    number = partition_info["number"] if partition_info else 0
    texts = ["" if t is None or t != t else str(t) for t in frame[text_column]]
    if id_column is None:
        keys = list(range(offsets[number], offsets[number] + len(frame)))
    else:
        keys = [str(k) for k in frame[id_column]]
    if target_column is not None:
        result = predict_rows(texts, frame[target_column].astype(str), keys, model)
    else:
        result = analyze_rows(texts, keys, model, targets=targets, aliases=aliases)
    return result.rename(columns={"id": id_column or "row"})


def _tag_meta(id_column, target_column) -> pd.DataFrame:
    key = id_column or "row"
    if target_column is not None:
        names = [key, "target", "stance", "confidence"]
    else:
        names = [key, *ANALYZE_COLUMNS, "stance", "confidence"]
    types = {
        "row": int,
        "sentence_id": int,
        "start": int,
        "end": int,
        "confidence": float,
    }
    return pd.DataFrame({n: pd.Series(dtype=types.get(n, object)) for n in names})


def analyze(
    frame,
    model,
    *,
    text_column="text",
    id_column=None,
    target_column=None,
    targets=None,
    aliases=None,
    client=None,
):
    """Tag every row of a Dask DataFrame as :func:`stancelib.stream.analyze_file` does.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        The rows; see :func:`stancelib.stream.analyze_file` for the columns.
    model : StanceClassifier
        A fitted model, sent to the workers once.
    text_column, id_column, target_column, targets, aliases
        As in :func:`stancelib.stream.analyze_file`. Without ``id_column`` the rows
        are numbered across partitions, from 0.
    client : Client, default=None
        See :func:`get_client`.

    Returns
    -------
    dask.dataframe.DataFrame
        The result rows, partition by partition in input order.
    """
    client = get_client(client)
    offsets = [0]
    if id_column is None:
        lengths = frame.map_partitions(len).compute()
        offsets = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    return frame.map_partitions(
        _tag_partition,
        ship_model(model, client),
        offsets,
        text_column,
        id_column,
        target_column,
        targets,
        aliases,
        meta=_tag_meta(id_column, target_column),
        align_dataframes=False,
    )


def read_files(paths, columns, *, blocksize="64MB"):
    """Read CSV, JSONL or Parquet files (one format) into one Dask DataFrame of
    strings; the workers must be able to read the same paths."""
    dd, _ = _dask()
    paths = [str(Path(p).resolve()) for p in paths]
    formats = {input_format(p) for p in paths}
    if None in formats or len(formats) != 1:
        raise ValueError(
            "the input files must all be .csv, all .jsonl or all .parquet; got "
            f"{', '.join(Path(p).name for p in paths)}."
        )
    fmt = formats.pop()
    columns = list(dict.fromkeys(columns))
    if fmt == "csv":
        frame = dd.read_csv(
            paths,
            usecols=columns,
            blocksize=blocksize,
            **CSV_AS_STRINGS,
        )
    elif fmt == "jsonl":
        frame = dd.read_json(paths, lines=True, blocksize=blocksize, dtype=False)
    else:
        frame = dd.read_parquet(paths, columns=columns)
    return frame[columns]


def analyze_files(
    paths,
    output,
    *,
    text_column,
    id_column=None,
    target_column=None,
    targets=None,
    model=None,
    aliases=None,
    scheduler=None,
    blocksize="64MB",
    progress=False,
) -> int:
    """Tag one or more large files on a Dask cluster; write one output file.

    The result is written partition by partition, in input order, to a partial file
    beside ``output`` that is renamed onto it at the end (see :mod:`stancelib.stream`).
    Parameters are those of :func:`stancelib.stream.analyze_file`, with ``paths`` (a
    list of files of one format), ``scheduler`` (see :func:`get_client`) and
    ``blocksize`` (bytes of CSV/JSONL per partition).

    Returns
    -------
    int
        The number of rows written.
    """
    from .stream import check_columns, output_format

    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    wanted = [c for c in (text_column, id_column, target_column) if c is not None]
    for path in paths:
        fmt = input_format(path)
        if fmt is None:
            raise ValueError(
                f"{path}: unsupported input type {path.suffix!r}; expected .csv, "
                ".jsonl or .parquet."
            )
        check_columns(path, fmt, wanted)
    out_fmt = output_format(output)
    if model is None:
        from .default import load_default

        model = load_default()
    _, dask_distributed = _dask()
    owned = not isinstance(scheduler, dask_distributed.Client)
    client = get_client(scheduler)
    try:
        return _analyze_files(
            client,
            paths,
            output,
            out_fmt,
            wanted,
            model,
            blocksize,
            progress,
            text_column=text_column,
            id_column=id_column,
            target_column=target_column,
            targets=targets,
            aliases=aliases,
        )
    finally:
        if owned:
            client.close()


def _analyze_files(
    client, paths, output, out_fmt, wanted, model, blocksize, progress, **options
) -> int:
    from .stream import _fingerprint, _Output

    frame = read_files(paths, wanted, blocksize=blocksize)
    result = analyze(frame, model, client=client, **options)
    out = _Output(Path(output), out_fmt, _fingerprint(paths[0], {"dask": True}))
    out.start(resume=False)
    parts = result.to_delayed()
    bar = None
    if progress:
        import sys

        from tqdm import tqdm

        bar = tqdm(total=len(parts), desc="analyze", unit="partition", file=sys.stderr)
    # all partitions run at once on the cluster; they are written back in order
    futures = client.compute(parts)
    try:
        for future in futures:
            out.write(future.result())
            future.release()
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    meta = _tag_meta(options["id_column"], options["target_column"])
    out.finish(list(meta.columns))
    return out.rows
