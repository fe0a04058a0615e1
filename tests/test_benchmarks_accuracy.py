"""Smoke test of benchmarks/accuracy.py: a quick run on the smallest benchmark when the
public data are present, and the clear message when they are not."""

import os

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import importlib.util  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"


@pytest.fixture(scope="module")
def accuracy():
    spec = importlib.util.spec_from_file_location("benchmark_accuracy", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    sys.path.insert(0, str(SCRIPT.parent))  # as when run: its helpers sit beside it
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(SCRIPT.parent))
        del sys.modules[spec.name]


def test_accuracy_quick_run_on_french2017(accuracy, tmp_path):
    root = accuracy.find_data()
    if root is None or not (root / accuracy.BENCHMARKS["french2017"].folder).is_dir():
        pytest.skip(
            "stance benchmark data not found: set STANCELIB_BENCH_DATA or provide "
            "../shared/data (with french_elections_2017_lai2020/)"
        )
    table = accuracy.main(["--quick", "--only", "french2017", "--out", str(tmp_path)])
    assert table["dataset"].tolist() == ["French 2017 (Macron test)"]
    assert 0 <= table.loc[0, "stancelib"] <= 100
    assert 0 <= table.loc[0, "baseline_per_target"] <= 100
    reached = table.loc[0, "stancelib"] >= table.loc[0, "goal"]
    assert table.loc[0, "met"] == ("yes" if reached else "no")
    saved = pd.read_csv(tmp_path / "accuracy-french2017-quick.csv")
    assert list(saved.columns[: len(accuracy.COLUMNS)]) == accuracy.COLUMNS
    markdown = (tmp_path / "accuracy-french2017-quick.md").read_text()
    assert markdown.startswith("| dataset | metric | stancelib |")
    # says whether the embedding blend was tried, and why not
    assert "stancelib on the public benchmarks: the n-gram model" in markdown


def test_accuracy_without_data_says_so_and_returns(
    accuracy, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("STANCELIB_BENCH_DATA", str(tmp_path / "absent"))
    assert accuracy.main(["--only", "french2017", "--out", str(tmp_path)]) is None
    assert capsys.readouterr().out.strip() == (
        "stance benchmark data not found: set STANCELIB_BENCH_DATA or provide "
        "../shared/data"
    )
    assert not list(tmp_path.iterdir())
