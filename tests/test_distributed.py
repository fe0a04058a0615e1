from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip(
    "distributed", reason='the Dask tests need the "dask" extra (dask, distributed)'
)
dd = pytest.importorskip(
    "dask.dataframe", reason='the Dask tests need the "dask" extra (dask[dataframe])'
)

from distributed import Client, LocalCluster  # noqa: E402

from stancelib import distributed, stream  # noqa: E402

DOCS = [
    "We reject the embargo. Le Conseil salue la reprise du dialogue.",
    "The ministers welcome the new trade accord.",
    "Berlin rejects the proposed embargo, and the union opposes the pipeline project.",
    "",
    "Nous sommes préoccupés par la hausse des tarifs. The summit opens on Monday.",
    "The council is worried by the drought plan.",
    "Paris strongly supports the ceasefire agreement.",
] * 3


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def test_distributed_predict_equals_single_process(client, fitted, pairs):
    many = pd.concat([pairs] * 5, ignore_index=True)
    frame = dd.from_pandas(many[["text", "target"]], npartitions=4)
    proba = distributed.predict_proba(frame, fitted, client=client).compute()
    assert list(proba.columns) == list(fitted.classes_)
    np.testing.assert_allclose(
        proba.to_numpy(), fitted.predict_proba(many), rtol=0, atol=1e-6
    )
    stances = distributed.predict(frame, fitted, client=client).compute()
    assert stances.tolist() == fitted.predict(many).tolist()


def test_model_is_shipped_once_not_per_partition(client, fitted, pairs, monkeypatch):
    shipped = []
    ship = distributed.ship_model

    def spy(model, client):
        shipped.append(model)
        return ship(model, client)

    monkeypatch.setattr(distributed, "ship_model", spy)
    frame = dd.from_pandas(pairs[["text", "target"]], npartitions=6)
    distributed.predict(frame, fitted, client=client).compute()
    assert len(shipped) == 1


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_distributed_files_equal_streaming_row_for_row(tmp_path, client, fitted, fmt):
    documents = pd.DataFrame({"body": DOCS})
    # two input files, so the rows are numbered across files and partitions
    halves = [documents.iloc[:10], documents.iloc[10:]]
    paths = []
    for i, half in enumerate(halves):
        path = tmp_path / f"in{i}.{fmt}"
        half.to_csv(path, index=False) if fmt == "csv" else half.to_parquet(path)
        paths.append(path)
    whole = tmp_path / f"whole.{fmt}"
    documents.to_csv(whole, index=False) if fmt == "csv" else documents.to_parquet(
        whole
    )
    single = tmp_path / "single.csv"
    stream.analyze_file(whole, single, text_column="body", model=fitted)
    spread = tmp_path / "spread.csv"
    rows = distributed.analyze_files(
        paths,
        spread,
        text_column="body",
        model=fitted,
        scheduler=client,
        blocksize=200,
    )
    got, expected = pd.read_csv(spread), pd.read_csv(single)
    assert rows == len(expected) > 0
    assert list(got.columns) == list(expected.columns)
    exact = [c for c in got.columns if c != "confidence"]
    assert got[exact].values.tolist() == expected[exact].values.tolist()
    assert got["confidence"].to_numpy() == pytest.approx(
        expected["confidence"].to_numpy(), abs=1e-4
    )


def test_tune_searches_through_the_dask_backend(tmp_path, client, pairs):
    import json
    import runpy

    data = pd.concat([pairs] * 4, ignore_index=True)
    data["doc_id"] = [f"d{i % 8}" for i in range(len(data))]
    data.to_csv(tmp_path / "labels.csv", index=False)
    root = Path(__file__).resolve().parents[1]
    tune = runpy.run_path(str(root / "training" / "tune.py"))
    argv = ["--data", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "run")]
    argv += ["--n-iter", "2", "--backend", "dask"]
    assert tune["main"]([*argv, "--scheduler", client.scheduler.address]) == 0
    best = json.loads((tmp_path / "run" / "best.json").read_text())
    assert best["configurations"] == 2 and 0 <= best["cv_macro_f1"] <= 1
