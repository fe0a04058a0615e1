import json
import os
import pickle

import numpy as np
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer

import stancelib
from stancelib.persistence import UntrustedModelError, metadata_path


def test_round_trip_predicts_identically(tmp_path, fitted, pairs):
    path = tmp_path / "model.skops"
    stancelib.save_model(fitted, path, data_fingerprint="abc", scores={"macro_f1": 1.0})
    loaded = stancelib.load_model(path)
    X = pairs[["text", "target"]]
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    np.testing.assert_allclose(loaded.predict_proba(X), fitted.predict_proba(X))


def test_metadata_records_versions_data_params_and_scores(tmp_path, fitted):
    path = tmp_path / "model.skops"
    meta = stancelib.save_model(
        fitted, path, data_fingerprint="abc", scores={"macro_f1": 0.5}
    )
    assert meta == metadata_path(path) == tmp_path / "model.metadata.json"
    record = json.loads(meta.read_text())
    assert record["stancelib_version"] == stancelib.__version__
    assert {"sklearn_version", "python_version", "params", "created"} <= set(record)
    assert record["data_fingerprint"] == "abc"
    assert record["scores"] == {"macro_f1": 0.5}
    assert record["classes"] == list(fitted.classes_)


def test_a_pickle_is_refused(tmp_path, fitted):
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(fitted))
    with pytest.raises(UntrustedModelError, match="not a skops model file"):
        stancelib.load_model(path)


def test_a_skops_file_with_a_foreign_type_is_refused(tmp_path):
    # the classic payload: a scikit-learn transformer whose function runs a command
    path = tmp_path / "model.skops"
    sio.dump(FunctionTransformer(func=os.system), path)
    with pytest.raises(UntrustedModelError, match=r"system; refusing to load"):
        stancelib.load_model(path)


def test_untrusted_model_error_is_a_type_error():
    assert issubclass(UntrustedModelError, TypeError)


def test_missing_model_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model file"):
        stancelib.load_model(tmp_path / "absent.skops")


def test_a_failed_write_leaves_the_old_model_intact(tmp_path, fitted, monkeypatch):
    path = tmp_path / "model.skops"
    stancelib.save_model(fitted, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("stancelib.persistence.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        stancelib.save_model(fitted, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.metadata.json",
        "model.skops",
    ]


def test_saved_files_follow_the_umask(tmp_path, fitted):
    old = os.umask(0o022)
    try:
        path = tmp_path / "model.skops"
        stancelib.save_model(fitted, path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert metadata_path(path).stat().st_mode & 0o777 == 0o644
