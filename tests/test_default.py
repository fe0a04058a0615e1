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
