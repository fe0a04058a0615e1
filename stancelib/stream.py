"""Analyse large CSV, JSON Lines and Parquet files in bounded chunks.

:func:`analyze_file` reads a table ``chunk_size`` rows at a time, tags every row and
appends the result to the output, so memory stays flat however long the input is. Each
row is either a document (``text_column``: it is split into sentences and every target
mention is tagged, as :func:`stancelib.analyze` does) or, with ``target_column``, one
(text, target) pair classified as it is.

The output is written atomically: rows go to a hidden partial file beside the
destination, which is renamed onto it only at the end, so an interrupted run never
leaves a half-written output. After each chunk a checkpoint file records how many
chunks are done and how long the partial file was then; ``resume=True`` truncates the
partial file to that length and goes on with the next chunk, so no row is lost or
written twice. Both files are removed when the run completes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .analyze import find_candidate_targets, split_sentences
from .data import CSV_AS_STRINGS
from .targets import find_mentions

INPUT_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}
OUTPUT_FORMATS = ("csv", "jsonl", "parquet")
CHUNK_SIZE = 5_000
# pairs per call to predict_proba: large enough for speed, small enough for memory
PREDICT_BATCH = 20_000
ANALYZE_COLUMNS = ["sentence_id", "sentence", "target", "mention", "start", "end"]


def input_format(path) -> str | None:
    """Return ``csv``, ``jsonl`` or ``parquet`` for a tabular file name, else None.

    Examples
    --------
    >>> input_format("posts.JSONL"), input_format("notes.txt")
    ('jsonl', None)
    """
    return INPUT_FORMATS.get(Path(path).suffix.lower())


def output_format(path) -> str:
    """Return the output format named by the extension of ``path``."""
    fmt = input_format(path)
    if fmt is None:
        raise ValueError(
            f"{path}: unsupported output type {Path(path).suffix!r}; expected .csv, "
            ".jsonl or .parquet."
        )
    return fmt


# --- reading -------------------------------------------------------------------------


def _columns_of(path: Path, fmt: str) -> list[str]:
    if fmt == "csv":
        return list(pd.read_csv(path, nrows=0, dtype=str).columns)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"{path}: line 1 is not a JSON object.")
                return list(row)
    return []


def check_columns(path, fmt: str, wanted: Sequence[str]) -> None:
    """Raise ``ValueError`` (one line) when ``path`` lacks one of ``wanted`` columns."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file.")
    try:
        columns = _columns_of(path, fmt)
    except (ValueError, OSError, pd.errors.ParserError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(f"{path}: could not be read as {fmt}: {message}") from None
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise ValueError(
            f"{path}: no column(s) {missing}; the file has columns {columns[:20]}."
        )


def read_chunks(
    path, fmt: str, columns: Sequence[str], chunk_size: int
) -> Iterator[pd.DataFrame]:
    """Yield ``path`` as DataFrames of at most ``chunk_size`` rows, only ``columns``.

    Values are strings; a missing value is the empty string.
    """
    columns = list(dict.fromkeys(columns))
    if fmt == "csv":
        reader = pd.read_csv(
            path,
            usecols=columns,
            chunksize=chunk_size,
            **CSV_AS_STRINGS,
        )
        with reader:
            for chunk in reader:
                yield chunk[columns]
    elif fmt == "jsonl":
        reader = pd.read_json(path, lines=True, dtype=False, chunksize=chunk_size)
        with reader:
            for chunk in reader:
                yield _as_strings(chunk.reindex(columns=columns))
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(
            batch_size=chunk_size, columns=columns
        ):
            # through Python values, so that integer ids with gaps stay integers
            yield pd.DataFrame(
                {
                    name: [_string(v) for v in batch.column(name).to_pylist()]
                    for name in columns
                },
                columns=columns,
            )


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {column: [_string(v) for v in frame[column].tolist()] for column in frame},
        index=frame.index,
        columns=frame.columns,
    )


def _string(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    # an integer id column with a gap is read as floats: 7.0 is the id 7
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count_rows(path, fmt: str) -> int | None:
    """Return the number of rows of ``path`` (an estimate for CSV: its line count)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    lines, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"
    return max(lines - (fmt == "csv"), 0)


# --- tagging -------------------------------------------------------------------------


def _predict(model, texts: list[str], targets: list[str]):
    """Return the stance and confidence of each pair, in batches."""
    if not texts:
        return np.array([], dtype=object), np.array([], dtype=float)
    classes = np.asarray(model.classes_)
    stances, confidences = [], []
    for i in range(0, len(texts), PREDICT_BATCH):
        pairs = pd.DataFrame(
            {
                "text": texts[i : i + PREDICT_BATCH],
                "target": targets[i : i + PREDICT_BATCH],
            }
        )
        proba = model.predict_proba(pairs)
        best = proba.argmax(axis=1)
        stances.append(classes[best])
        confidences.append(proba[np.arange(len(best)), best].round(4))
    return np.concatenate(stances), np.concatenate(confidences)


def analyze_rows(
    texts: Sequence[str], keys: Sequence, model, *, targets=None, aliases=None
) -> pd.DataFrame:
    """Tag documents as :func:`stancelib.analyze` does, one model call for them all.

    Parameters
    ----------
    texts : sequence of str
        The documents.
    keys : sequence
        One identifier per document, put in the first column, ``id``.
    model : StanceClassifier
        A fitted model.
    targets : list of str, default=None
        The targets to look for; None finds candidates in each sentence.
    aliases : dict of str to list of str, default=None
        Extra names of targets.

    Returns
    -------
    DataFrame
        ``id`` and the columns of :func:`stancelib.analyze`: one row per (document,
        sentence, target mention).
    """
    rows = []
    for key, text in zip(keys, texts):
        for sentence_id, (s_start, s_end) in enumerate(split_sentences(text)):
            sentence = text[s_start:s_end]
            names = find_candidate_targets(sentence) if targets is None else targets
            for target in names:
                for start, end in find_mentions(sentence, target, aliases):
                    rows.append(
                        (
                            key,
                            sentence_id,
                            sentence,
                            target,
                            sentence[start:end],
                            s_start + start,
                            s_start + end,
                        )
                    )
    frame = pd.DataFrame(rows, columns=["id", *ANALYZE_COLUMNS])
    stance, confidence = _predict(
        model, frame["sentence"].tolist(), frame["mention"].tolist()
    )
    frame["stance"] = pd.Series(stance, dtype=object)
    frame["confidence"] = pd.Series(confidence, dtype=float)
    return frame


def predict_rows(
    texts: Sequence[str], targets: Sequence[str], keys: Sequence, model
) -> pd.DataFrame:
    """Classify (text, target) pairs; return ``id``, ``target``, ``stance`` and
    ``confidence``, one row per pair."""
    stance, confidence = _predict(model, list(texts), list(targets))
    return pd.DataFrame(
        {
            "id": pd.Series(list(keys), dtype=object),
            "target": pd.Series(list(targets), dtype=object),
            "stance": pd.Series(stance, dtype=object),
            "confidence": pd.Series(confidence, dtype=float),
        }
    )


def tag_chunk(
    chunk: pd.DataFrame,
    first_row: int,
    model,
    *,
    text_column: str,
    id_column: str | None = None,
    target_column: str | None = None,
    targets=None,
    aliases=None,
) -> pd.DataFrame:
    """Tag one chunk of input rows; ``first_row`` numbers them when there is no id."""
    texts = chunk[text_column].tolist()
    if id_column is None:
        keys = list(range(first_row, first_row + len(chunk)))
    else:
        keys = chunk[id_column].tolist()
    if target_column is not None:
        result = predict_rows(texts, chunk[target_column].tolist(), keys, model)
    else:
        result = analyze_rows(texts, keys, model, targets=targets, aliases=aliases)
    return result.rename(columns={"id": id_column or "row"})


# --- writing -------------------------------------------------------------------------


def _append(handle, frame: pd.DataFrame, fmt: str, header: bool) -> None:
    if fmt == "csv":
        frame.to_csv(handle, index=False, header=header, lineterminator="\n")
    elif not frame.empty:
        lines = frame.to_json(orient="records", lines=True, force_ascii=False)
        handle.write(lines if lines.endswith("\n") else lines + "\n")


def _write_atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class _Output:
    """The partial output of a run and its checkpoint, beside the destination.

    CSV and JSONL rows are appended to one partial file; Parquet chunks are written as
    part files in a partial folder and joined into one file at the end.
    """

    def __init__(self, path: Path, fmt: str, fingerprint: str):
        self.path, self.fmt, self.fingerprint = path, fmt, fingerprint
        self.partial = path.with_name(f".{path.name}.partial")
        self.checkpoint = path.with_name(f".{path.name}.checkpoint.json")
        self.chunks = 0
        self.rows = 0
        self.size = 0

    def start(self, resume: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.checkpoint.is_file():
            state = json.loads(self.checkpoint.read_text(encoding="utf-8"))
            if state.get("fingerprint") != self.fingerprint:
                raise ValueError(
                    f"cannot resume {self.path}: the input file or the options "
                    "changed since the interrupted run; run again without --resume."
                )
            self.chunks, self.rows, self.size = (
                state["chunks"],
                state["rows"],
                state["size"],
            )
            self._roll_back()
            return
        # a fresh run: forget any earlier interrupted one
        self._remove_partial()
        self.checkpoint.unlink(missing_ok=True)
        if self.fmt == "parquet":
            self.partial.mkdir()
        else:
            self.partial.write_bytes(b"")

    def _roll_back(self) -> None:
        """Drop whatever the interrupted run wrote after its last checkpoint."""
        if self.fmt == "parquet":
            self.partial.mkdir(exist_ok=True)
            for part in self.partial.glob("part-*.parquet"):
                if int(part.stem.split("-")[1]) >= self.chunks:
                    part.unlink()
        else:
            if not self.partial.is_file():
                raise ValueError(
                    f"cannot resume {self.path}: its partial file is gone; run again "
                    "without --resume."
                )
            with open(self.partial, "r+b") as handle:
                handle.truncate(self.size)

    def _remove_partial(self) -> None:
        if self.partial.is_dir():
            for part in self.partial.iterdir():
                part.unlink()
            self.partial.rmdir()
        else:
            self.partial.unlink(missing_ok=True)

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk's rows, then record the chunk as done."""
        if self.fmt == "parquet":
            part = self.partial / f"part-{self.chunks:08d}.parquet"
            tmp = part.with_suffix(".tmp")
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, part)
        else:
            with open(self.partial, "a", encoding="utf-8", newline="") as handle:
                _append(handle, frame, self.fmt, header=self.size == 0)
                handle.flush()
                os.fsync(handle.fileno())
                self.size = handle.tell()
        self.chunks += 1
        self.rows += len(frame)
        state = {
            "fingerprint": self.fingerprint,
            "chunks": self.chunks,
            "rows": self.rows,
            "size": self.size,
        }
        _write_atomic_text(self.checkpoint, json.dumps(state))

    def finish(self, columns: list[str]) -> None:
        """Move the complete output into place and remove the run's own files."""
        if self.fmt == "parquet":
            self._join_parts(columns)
            self._remove_partial()
        else:
            if self.size == 0 and self.fmt == "csv":
                with open(self.partial, "w", encoding="utf-8") as handle:
                    handle.write(",".join(columns) + "\n")
            os.replace(self.partial, self.path)
        self.checkpoint.unlink(missing_ok=True)

    def _join_parts(self, columns: list[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        tmp = self.path.with_name(f".{self.path.name}.joining")
        parts = sorted(self.partial.glob("part-*.parquet"))
        schema = None
        # the first part with rows fixes the column types (an empty part has none)
        for part in parts:
            if pq.ParquetFile(part).metadata.num_rows:
                schema = pq.ParquetFile(part).schema_arrow
                break
        if schema is None:
            schema = pa.schema([(c, pa.string()) for c in columns])
        try:
            with pq.ParquetWriter(tmp, schema) as writer:
                for part in parts:
                    table = pq.read_table(part)
                    if table.num_rows:
                        writer.write_table(table.cast(schema))
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _fingerprint(path: Path, options: dict) -> str:
    stat = path.stat()
    key = json.dumps(
        [str(path.resolve()), stat.st_size, stat.st_mtime_ns, options],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def analyze_file(
    path,
    output,
    *,
    text_column: str,
    id_column: str | None = None,
    target_column: str | None = None,
    targets=None,
    model=None,
    aliases=None,
    chunk_size: int = CHUNK_SIZE,
    resume: bool = False,
    progress: bool = False,
) -> int:
    """Tag a large CSV, JSONL or Parquet file chunk by chunk; write the rows to a file.

    Parameters
    ----------
    path : str or Path
        The input: ``.csv``, ``.jsonl`` or ``.parquet``.
    output : str or Path
        The output file; its extension (``.csv``, ``.jsonl``, ``.parquet``) sets the
        format. It appears only when the run completes.
    text_column : str
        The column holding each document (or sentence).
    id_column : str, default=None
        A column that identifies each row, copied to the output; None numbers the
        input rows from 0 in a ``row`` column.
    target_column : str, default=None
        A column holding the target of each row: the rows are then (text, target)
        pairs, classified as they are (``id``, ``target``, ``stance``,
        ``confidence``). None analyses each text as :func:`stancelib.analyze` does.
    targets : list of str, default=None
        Without ``target_column``, the targets to look for; None finds candidates.
    model : StanceClassifier, default=None
        A fitted model; None means :func:`stancelib.load_default`.
    aliases : dict of str to list of str, default=None
        Extra names of targets.
    chunk_size : int, default=5000
        Input rows read, tagged and written at a time; memory grows with it, not
        with the input.
    resume : bool, default=False
        Continue an interrupted run on the same input, options and output from its
        last completed chunk.
    progress : bool, default=False
        Show a progress bar with rate and ETA on stderr.

    Returns
    -------
    int
        The number of rows written.
    """
    path, output = Path(path), Path(output)
    fmt = input_format(path)
    if fmt is None:
        raise ValueError(
            f"{path}: unsupported input type {path.suffix!r}; expected .csv, .jsonl "
            "or .parquet."
        )
    out_fmt = output_format(output)
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int. Got {chunk_size!r}.")
    if isinstance(targets, str):
        targets = [targets]
    columns = [c for c in (text_column, id_column, target_column) if c is not None]
    check_columns(path, fmt, columns)
    if model is None:
        from .default import load_default

        model = load_default()
    options = {
        "text": text_column,
        "id": id_column,
        "target": target_column,
        "targets": targets,
        "aliases": aliases,
        "chunk_size": chunk_size,
        "format": out_fmt,
    }
    out = _Output(output, out_fmt, _fingerprint(path, options))
    out.start(resume)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=count_rows(path, fmt),
            desc="analyze",
            unit="row",
            unit_scale=True,
            file=sys.stderr,
            mininterval=0.5,
            smoothing=0.1,
        )
    result_columns = (
        [id_column or "row", "target", "stance", "confidence"]
        if target_column
        else [id_column or "row", *ANALYZE_COLUMNS, "stance", "confidence"]
    )
    first_row = 0
    try:
        for index, chunk in enumerate(read_chunks(path, fmt, columns, chunk_size)):
            if index >= out.chunks:
                out.write(
                    tag_chunk(
                        chunk,
                        first_row,
                        model,
                        text_column=text_column,
                        id_column=id_column,
                        target_column=target_column,
                        targets=targets,
                        aliases=aliases,
                    )
                )
            first_row += len(chunk)
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    out.finish(result_columns)
    return out.rows
