import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def script(name):
    return runpy.run_path(str(ROOT / "training" / name))["main"]


@pytest.fixture
def bigger_csv(tmp_path, pairs):
    # four copies under different documents, so a held-out split has every stance
    path = tmp_path / "data.csv"
    frames = [
        pairs.assign(doc_id=f"doc{k}-" + pairs.index.astype(str)) for k in range(4)
    ]
    import pandas as pd

    pd.concat(frames).to_csv(path, index=False)
    return path


def test_train_writes_a_run_and_refuses_to_overwrite(tmp_path, bigger_csv):
    out = tmp_path / "run"
    assert (
        script("train.py")(
            ["--data", str(bigger_csv), "--out", str(out), "--seed", "3"]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "metrics.json",
        "model.metadata.json",
        "model.skops",
    ]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seed"] == 3 and 0 <= metrics["macro_f1"] <= 1
    with pytest.raises(SystemExit) as stop:
        script("train.py")(["--data", str(bigger_csv), "--out", str(out)])
    assert stop.value.code == 2
    assert (
        script("train.py")(["--data", str(bigger_csv), "--out", str(out), "--force"])
        == 0
    )


def test_evaluate_script_scores_a_run(tmp_path, bigger_csv, capsys):
    out = tmp_path / "run"
    script("train.py")(["--data", str(bigger_csv), "--out", str(out)])
    capsys.readouterr()
    assert (
        script("evaluate.py")(
            ["--model", str(out), "--data", str(bigger_csv), "--json"]
        )
        == 0
    )
    assert "macro_f1" in json.loads(capsys.readouterr().out)


def test_train_reports_bad_data_in_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,target\nhello,world\n")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "training" / "train.py"),
            "--data",
            str(bad),
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "missing column(s) ['stance']" in run.stderr
    assert "Traceback" not in run.stderr


def test_check_corpus_passes_on_the_bundled_corpus(capsys):
    assert script("check_corpus.py")([]) == 0
    out = capsys.readouterr().out
    assert "near-duplicate pairs" in out and "all checks pass" in out
