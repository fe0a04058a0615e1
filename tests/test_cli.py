import io
import json

import pytest

import stancelib
from stancelib.cli import main


@pytest.fixture
def model_file(tmp_path, fitted):
    path = tmp_path / "model.skops"
    stancelib.save_model(fitted, path)
    return path


@pytest.fixture
def document(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text("We reject the embargo. Le Conseil salue la reprise du dialogue.\n")
    return path


def test_analyze_prints_a_table(capsys, model_file, document):
    assert (
        main(
            [
                "analyze",
                str(document),
                "--model",
                str(model_file),
                "--target",
                "the embargo",
                "-t",
                "la reprise du dialogue",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "opposition" in out and "support" in out and "sentence_id" in out


def test_analyze_jsonl_rows_carry_spans(capsys, model_file, document):
    main(
        [
            "analyze",
            str(document),
            "--model",
            str(model_file),
            "--format",
            "jsonl",
            "--target",
            "the embargo",
        ]
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["target"], r["start"], r["end"]) for r in rows] == [
        ("the embargo", 10, 21)
    ]


def test_analyze_reads_stdin_and_writes_csv(capsys, monkeypatch, model_file):
    monkeypatch.setattr("sys.stdin", io.StringIO("We reject the embargo."))
    assert (
        main(
            [
                "analyze",
                "-",
                "--model",
                str(model_file),
                "--format",
                "csv",
                "-t",
                "embargo",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sentence_id,sentence,target") and len(lines) == 2


def test_evaluate_prints_the_report(capsys, model_file, labelled_csv):
    assert (
        main(
            [
                "evaluate",
                "--data",
                str(labelled_csv),
                "--model",
                str(model_file),
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["macro_f1"] == 1.0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["analyze", "absent.txt"], "absent.txt"),
        (["evaluate", "--data", "absent.csv"], "absent.csv: no such file"),
        (["analyze", "{doc}", "--model", "{doc}"], "not a skops model file"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, document, argv, message):
    argv = [a.format(doc=document) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_usage_exits_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["analyze"])
    assert stop.value.code == 2
