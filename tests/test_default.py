import stancelib
from stancelib import default
from stancelib.persistence import metadata_path


def test_default_model_is_built_once_then_loaded(
    default_model, model_home, monkeypatch
):
    cached = default.default_model_path()
    assert cached.parent == model_home and cached.is_file()
    assert metadata_path(cached).is_file()

    def fail():
        raise AssertionError("the default model was rebuilt")

    monkeypatch.setattr(default, "build_default", fail)
    again = stancelib.load_default()
    assert list(again.classes_) == list(default_model.classes_)


def test_a_new_corpus_builds_a_new_model(model_home, monkeypatch):
    before = default.default_model_path()
    monkeypatch.setattr(default, "corpus_fingerprint", lambda: "f" * 64)
    after = default.default_model_path()
    assert after != before and after.parent == before.parent
    assert not after.exists()


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("STANCELIB_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default.cache_dir() == tmp_path / "stancelib"
    monkeypatch.setenv("STANCELIB_HOME", str(tmp_path / "home"))
    assert default.cache_dir() == tmp_path / "home"


def test_the_cached_model_is_private_and_refused_when_it_is_not(
    default_model, model_home
):
    import os
    import stat

    import pytest

    cached = default.default_model_path()
    for path in (cached, default.predictor_path(cached)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        os.chmod(path, 0o620)
        try:
            with pytest.raises(stancelib.UntrustedModelError, match="other than you"):
                stancelib.load_default()
        finally:
            os.chmod(path, 0o600)
    assert list(stancelib.load_default().classes_) == list(default_model.classes_)


def test_only_the_newest_builds_are_kept(tmp_path):
    import os

    old = []
    for i in range(5):
        path = tmp_path / f"default-0.0.{i}-{i:016x}.joblib"
        path.write_bytes(b"x")
        metadata_path(path).write_text("{}")
        default.predictor_path(path).write_bytes(b"x")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
        old.append(path)
    current = tmp_path / "default-9.9.9-ffffffffffffffff.joblib"
    current.write_bytes(b"x")
    default._forget_old_builds(current)
    kept = sorted(p.name for p in tmp_path.glob("default-*.joblib"))
    assert kept == sorted([current.name, old[4].name, old[3].name])
    assert not metadata_path(old[0]).exists() and metadata_path(old[4]).exists()
    assert not default.predictor_path(old[0]).exists()
    assert default.predictor_path(old[4]).exists()
