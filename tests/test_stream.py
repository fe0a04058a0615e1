import json
import sys

import pandas as pd
import pytest

import stancelib
from stancelib import stream
from stancelib.analyze import analyze
from stancelib.cli import main

DOCS = [
    "We reject the embargo. Le Conseil salue la reprise du dialogue.",
    "The ministers welcome the new trade accord.",
    "",
    "Berlin rejects the proposed embargo, and the union opposes the pipeline project.",
    "Nous sommes préoccupés par la hausse des tarifs. The summit opens on Monday.",
    "The council is worried by the drought plan.",
    "Paris strongly supports the ceasefire agreement.",
]


@pytest.fixture
def documents():
    return pd.DataFrame({"doc": [f"d{i}" for i in range(len(DOCS))], "body": DOCS})


def _write(frame, path):
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def _read(path):
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={"doc": str}, keep_default_na=False)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


def _expected(fitted, documents):
    """What stancelib.analyze gives, document by document."""
    frames = [
        analyze(text, None, fitted).assign(doc=key)
        for key, text in zip(documents["doc"], documents["body"])
    ]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["doc", *stream.ANALYZE_COLUMNS, "stance", "confidence"]]


def _same(got, expected):
    got = got.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    exact = [c for c in got.columns if c != "confidence"]
    assert got[exact].astype(str).values.tolist() == (
        expected[exact].astype(str).values.tolist()
    )
    # probabilities of one pair may differ in the last bits from batch to batch
    assert got["confidence"].to_numpy() == pytest.approx(
        expected["confidence"].to_numpy(), abs=1e-4
    )


@pytest.mark.parametrize("source", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("target", ["csv", "jsonl", "parquet"])
def test_every_format_gives_the_rows_of_analyze(
    tmp_path, fitted, documents, source, target
):
    path = _write(documents, tmp_path / f"in.{source}")
    out = tmp_path / f"out.{target}"
    rows = stream.analyze_file(
        path, out, text_column="body", id_column="doc", model=fitted, chunk_size=2
    )
    expected = _expected(fitted, documents)
    assert rows == len(expected) > 0
    _same(_read(out), expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, out.name])


def test_chunks_are_bounded(tmp_path, fitted, documents, monkeypatch):
    sizes = []
    tag = stream.tag_chunk

    def spy(chunk, *args, **kwargs):
        sizes.append(len(chunk))
        return tag(chunk, *args, **kwargs)

    monkeypatch.setattr(stream, "tag_chunk", spy)
    path = _write(documents, tmp_path / "in.csv")
    stream.analyze_file(
        path, tmp_path / "out.csv", text_column="body", model=fitted, chunk_size=3
    )
    assert sizes == [3, 3, 1]


def test_target_column_classifies_each_pair(tmp_path, fitted, pairs):
    path = _write(pairs, tmp_path / "pairs.jsonl")
    out = tmp_path / "out.csv"
    stream.analyze_file(
        path,
        out,
        text_column="text",
        target_column="target",
        model=fitted,
        chunk_size=5,
    )
    got = pd.read_csv(out)
    assert got["row"].tolist() == list(range(len(pairs)))
    assert got["stance"].tolist() == fitted.predict(pairs).tolist()


class Interrupted(Exception):
    """A crash or a Ctrl-C in the middle of a run."""


@pytest.mark.parametrize("target", ["csv", "jsonl", "parquet"])
def test_resume_after_interruption_gives_the_rows_of_one_run(
    tmp_path, fitted, documents, monkeypatch, target
):
    path = _write(documents, tmp_path / "in.csv")
    whole = tmp_path / f"whole.{target}"
    stream.analyze_file(path, whole, text_column="body", model=fitted, chunk_size=2)

    out = tmp_path / f"out.{target}"
    calls = []
    tag = stream.tag_chunk

    def stop_in_third_chunk(chunk, *args, **kwargs):
        calls.append(len(chunk))
        if len(calls) == 3:
            raise Interrupted
        return tag(chunk, *args, **kwargs)

    monkeypatch.setattr(stream, "tag_chunk", stop_in_third_chunk)
    with pytest.raises(Interrupted):
        stream.analyze_file(path, out, text_column="body", model=fitted, chunk_size=2)
    # no output yet, only the run's own hidden files
    assert not out.exists()
    assert {p.name for p in tmp_path.iterdir()} >= {
        f".{out.name}.partial",
        f".{out.name}.checkpoint.json",
    }
    if target != "parquet":  # a half-written chunk after the checkpoint is dropped
        with open(tmp_path / f".{out.name}.partial", "a") as handle:
            handle.write("half a row")

    monkeypatch.setattr(stream, "tag_chunk", tag)
    stream.analyze_file(
        path, out, text_column="body", model=fitted, chunk_size=2, resume=True
    )
    _same(_read(out), _read(whole))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.csv", whole.name, out.name]
    )


def test_resume_refuses_a_changed_input(tmp_path, fitted, documents, monkeypatch):
    path = _write(documents, tmp_path / "in.csv")
    out = tmp_path / "o.csv"
    tag, calls = stream.tag_chunk, []

    def stop_in_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Interrupted
        return tag(*args, **kwargs)

    monkeypatch.setattr(stream, "tag_chunk", stop_in_second_chunk)
    with pytest.raises(Interrupted):
        stream.analyze_file(path, out, text_column="body", model=fitted, chunk_size=2)
    monkeypatch.setattr(stream, "tag_chunk", tag)
    _write(documents.head(3), path)
    with pytest.raises(ValueError, match="changed"):
        stream.analyze_file(
            path, out, text_column="body", model=fitted, chunk_size=2, resume=True
        )
    assert not out.exists()


@pytest.fixture
def model_file(tmp_path, fitted):
    path = tmp_path / "model.skops"
    stancelib.save_model(fitted, path)
    return path


def test_cli_streams_a_table_and_resumes(
    tmp_path, capsys, model_file, documents, fitted
):
    path = _write(documents, tmp_path / "in.parquet")
    out = tmp_path / "out.jsonl"
    argv = [
        "analyze",
        str(path),
        "--text-column",
        "body",
        "--id-column",
        "doc",
        "--model",
        str(model_file),
        "--output",
        str(out),
        "--chunk-size",
        "3",
    ]
    assert main(argv) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == len(_expected(fitted, documents))
    assert "wrote" in capsys.readouterr().err
    # --resume with nothing to resume is a fresh run
    assert main([*argv, "--resume"]) == 0
    assert out.read_text().count("\n") == len(rows)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--text-column", "nope"], "no column(s) ['nope']"),
        (["--id-column", "missing"], "no column(s) ['missing']"),
        (["--output", "{tmp}/out.txt"], "unsupported output type"),
        ([], "needs --output"),
    ],
)
def test_bad_columns_exit_2_with_one_line(
    tmp_path, capsys, model_file, documents, extra, message
):
    path = _write(documents, tmp_path / "in.csv")
    argv = ["analyze", str(path), "--model", str(model_file)]
    if "--text-column" not in extra:
        argv += ["--text-column", "body"]
    if "--output" not in extra and message != "needs --output":
        argv += ["--output", str(tmp_path / "out.csv")]
    argv += [a.format(tmp=tmp_path) for a in extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_a_text_file_still_works_and_can_go_to_output(tmp_path, capsys, model_file):
    doc = tmp_path / "doc.txt"
    doc.write_text("We reject the embargo.\n")
    out = tmp_path / "rows.csv"
    argv = ["analyze", str(doc), "--model", str(model_file), "-t", "the embargo"]
    assert main(argv) == 0
    assert "opposition" in capsys.readouterr().out
    assert main([*argv, "--output", str(out)]) == 0
    assert pd.read_csv(out)["stance"].tolist() == ["opposition"]


def test_dask_support_names_its_extra_when_missing(monkeypatch):
    from stancelib import distributed

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "stancelib\[dask\]"'):
        distributed.get_client()


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_integer_ids_with_gaps_stay_integers(tmp_path, fitted, pairs, suffix):
    frame = pairs.assign(key=[7, None, *range(len(pairs) - 2)])
    path = _write(frame, tmp_path / f"in{suffix}")
    out = tmp_path / "out.csv"
    stream.analyze_file(
        path,
        out,
        text_column="text",
        id_column="key",
        target_column="target",
        model=fitted,
    )
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["key"].tolist()[:3] == ["7", "", "0"]
