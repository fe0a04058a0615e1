"""A StancePredictor must give the probabilities of the classifier it was made from,
without scikit-learn. (The pipeline's features are float32 and the predictor's
float64: they agree to 1e-6, and on every predicted stance.)"""

import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC

import stancelib
from stancelib.classifier import LogRatioSVC, _pipeline_proba
from stancelib.predictor import StancePredictor

UNSEEN = [
    ("Tokyo firmly rejects the new tariffs on steel.", "the new tariffs on steel"),
    ("Le ministre salue l'accord de Paris et rejette la taxe.", "la taxe"),
    ("Le ministre salue l'accord de Paris et rejette la taxe.", "l'accord de Paris"),
    ("The talks on the budget resume on Friday.", "the budget"),
    ("No mention here at all.", "the embargo"),
    ("", "the embargo"),
    ("The new trade accord, the new trade accord!", "the new trade accord"),
    ("Nous sommes inquiets: the drought plan, the drought plan.", "the drought plan"),
]

CLASSIFIERS = {
    "default": None,
    "calibrated log-ratio SVM": CalibratedClassifierCV(LogRatioSVC(), cv=3),
    "calibrated, ensemble": CalibratedClassifierCV(
        LinearSVC(random_state=0), cv=3, ensemble=True
    ),
    "calibrated logistic": CalibratedClassifierCV(LogisticRegression(), cv=3),
    "calibrated SGD": CalibratedClassifierCV(SGDClassifier(random_state=0), cv=3),
    "logistic, multinomial": LogisticRegression(C=10.0, max_iter=1000),
    "logistic, newton-cg": LogisticRegression(solver="newton-cg", C=10.0),
}


def _expected(model, pairs):
    texts, targets = zip(*pairs)
    return _pipeline_proba(model, list(texts), list(targets))


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_predictor_gives_the_pipelines_probabilities(pairs, name, counter):
    X, y = pairs[["text", "target"]], pairs["stance"]
    model = stancelib.StanceClassifier(estimator=CLASSIFIERS[name]).fit(X, y)
    predictor = model.to_predictor()
    for batch in (UNSEEN, list(zip(X["text"], X["target"]))):
        expected = _expected(model, batch)
        got = predictor.predict_proba(batch)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
        assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
        # what the classifier's own predict_proba returns
        np.testing.assert_array_equal(model.predict_proba(batch), got)


def test_a_pairs_probabilities_do_not_depend_on_its_batch(fitted, pairs, counter):
    predictor = fitted.to_predictor()
    batch = UNSEEN + list(zip(pairs["text"], pairs["target"]))
    together = predictor.predict_proba(batch)
    alone = np.vstack([predictor.predict_proba([pair]) for pair in batch])
    backwards = predictor.predict_proba(batch[::-1])[::-1]
    # to the last bit: a row's features are summed in an order of its own
    np.testing.assert_array_equal(alone, together)
    np.testing.assert_array_equal(backwards, together)


def test_predictions_hold_when_the_token_ids_start_afresh(fitted, pairs, monkeypatch):
    import stancelib.predictor as module

    # a predictor keeps so few tokens that each call starts its ids afresh
    monkeypatch.setattr(module, "_TOKEN_LIMIT", 20)
    predictor = fitted.to_predictor()
    batch = UNSEEN + list(zip(pairs["text"], pairs["target"]))
    generations = set()
    for part in (batch, batch[::-1], UNSEEN, batch):
        got = predictor.predict_proba(part)
        np.testing.assert_allclose(got, _expected(fitted, part), rtol=0, atol=1e-6)
        if predictor._compiled is not None:  # the compiled views
            generations.add(predictor._compiled[1].generation)
    if stancelib.predictor._ngrams._count is not None:
        assert len(generations) == 4


def test_threads_can_share_a_predictor(fitted, pairs):
    from concurrent.futures import ThreadPoolExecutor

    predictor = fitted.to_predictor()
    batch = UNSEEN + list(zip(pairs["text"], pairs["target"]))
    parts = [batch[i::7] for i in range(7)] * 3
    expected = [_expected(fitted, part) for part in parts]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(predictor.predict_proba, parts))
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_binary_models_and_per_target_models(pairs):
    X, y = pairs[["text", "target"]], pairs["stance"]
    two = y.isin(["support", "opposition"])
    binary = stancelib.StanceClassifier(
        estimator=LogisticRegression(solver="liblinear")
    ).fit(X[two], y[two])
    np.testing.assert_allclose(
        binary.to_predictor().predict_proba(UNSEEN),
        _expected(binary, UNSEEN),
        rtol=0,
        atol=1e-6,
    )
    many = X.assign(target="the accord").sample(frac=3, replace=True, random_state=0)
    labels = np.resize(y.to_numpy(), len(many))
    both = list(zip(many["text"], many["target"])) + UNSEEN
    model = stancelib.StanceClassifier(per_target=True).fit(many, labels)
    assert "the accord" in model.target_models_
    np.testing.assert_allclose(
        model.to_predictor().predict_proba(both),
        _expected(model, both),
        rtol=0,
        atol=1e-6,
    )


def test_classifiers_that_are_not_linear_use_the_pipeline(pairs):
    X, y = pairs[["text", "target"]], pairs["stance"]
    forest = RandomForestClassifier(n_estimators=5, random_state=0)
    model = stancelib.StanceClassifier(estimator=forest).fit(X, y)
    with pytest.raises(ValueError, match="RandomForestClassifier"):
        model.to_predictor()
    proba = model.predict_proba(UNSEEN)
    np.testing.assert_array_equal(proba, _expected(model, UNSEEN))


def test_a_pickled_predictor_needs_no_scikit_learn(fitted, tmp_path):
    path = tmp_path / "model.predictor"
    path.write_bytes(pickle.dumps(fitted.to_predictor()))
    expected = fitted.predict(UNSEEN).tolist()
    code = (
        "import pickle, sys\n"
        f"p = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        f"print(p.predict({UNSEEN!r}).tolist())\n"
        "heavy = [m for m in ('sklearn', 'pandas') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    predicted, heavy = out.stdout.strip().splitlines()
    assert predicted == str(expected)
    assert heavy == "[]"


def test_explain_needs_the_classifier(fitted):
    predictor = fitted.to_predictor()
    why = predictor.explain(UNSEEN[:1], top=2)
    assert why.equals(fitted.explain(UNSEEN[:1], top=2))
    unpickled = pickle.loads(pickle.dumps(predictor))
    with pytest.raises(AttributeError, match="without its classifier"):
        unpickled.explain(UNSEEN[:1])


def test_predictor_checks_its_input(fitted):
    predictor = fitted.to_predictor()
    with pytest.raises(TypeError, match="row 0: 'target' must be a string"):
        predictor.predict([("a sentence", None)])
    with pytest.raises(ValueError, match="empty"):
        predictor.predict([])


def test_load_default_returns_a_predictor(default_model):
    assert isinstance(default_model, StancePredictor)
    assert isinstance(default_model.classifier, stancelib.StanceClassifier)
    pairs = [("Both sides reject the sanctions.", "the sanctions")]
    np.testing.assert_array_equal(
        default_model.predict_proba(pairs),
        default_model.classifier.predict_proba(pairs),
    )


def test_extreme_scores_give_probabilities_without_warnings():
    import warnings

    from stancelib.predictor import _expit

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(_expit(np.array([-1e4, 0.0, 1e4])), [0, 0.5, 1])


@pytest.mark.parametrize(
    "params",
    [
        dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        dict(ngram_range=(1, 2), binary=True),
        dict(ngram_range=(1, 2), norm="l1", use_idf=False),
        dict(ngram_range=(1, 1), norm=None, sublinear_tf=True),
    ],
    ids=str,
)
def test_compiled_scores_are_the_features_times_the_weights(params, compiled, pairs):
    from stancelib.classifier import CompactTfidfVectorizer
    from stancelib.predictor import _View

    texts = pairs["text"].tolist()
    vectorizer = CompactTfidfVectorizer(dtype=np.float32, **params).fit(texts)
    view = _View(vectorizer, "sentence", vectorizer._fast_kind(), 0)
    docs = [text.split() for text in texts] + [[], ["unseen", "zyxt"]]
    counts = view.counts(docs)
    weights = np.random.default_rng(0).normal(size=(view.table.n_features, 3))
    scores = np.ones((len(docs), 3))
    view.add_scores(counts, weights, scores)
    expected = 1.0 + view.features(counts) @ weights
    np.testing.assert_allclose(scores, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="a row per count row"):
        view.add_scores(counts, weights, scores[1:])
    # columns the weights do not cover (or an idf longer than the weights)
    with pytest.raises(ValueError, match="weights"):
        view.add_scores(counts, weights[:5], scores)


def test_n_jobs_workers_keep_the_predictor_they_were_sent(fitted, monkeypatch):
    from joblib import Parallel, delayed

    import stancelib.predictor as module

    monkeypatch.setattr(module, "_PARALLEL_ROWS", 3)
    X = UNSEEN * 3
    predictor = fitted.to_predictor()
    serial = predictor.predict_proba(X)
    pickled = []  # the predictor is pickled in this process to go to a worker
    getstate = StancePredictor.__getstate__

    def counted(self):
        pickled.append(1)
        return getstate(self)

    monkeypatch.setattr(StancePredictor, "__getstate__", counted)
    predictor.n_jobs = 2

    def sent_with(expected):
        pickled.clear()
        np.testing.assert_array_equal(predictor.predict_proba(X), expected)
        return len(pickled)

    def calls_sending():
        # both tiny parts of a call may go to the same worker: the other is sent
        # the model on a later call, when it gets a part
        return [sent_with(serial) for _ in range(6)]

    sends = calls_sending()
    assert sends[0] > 0 and min(sends[1:]) == 0
    # workers that lost it (as when joblib restarts them) are sent it again
    forget = "import time, stancelib.predictor as m; m._resident.clear(); time.sleep(1)"
    Parallel(n_jobs=2)(delayed(exec)(forget) for _ in range(2))  # one a worker
    sends = calls_sending()
    assert sends[0] > 0 and min(sends[1:]) == 0
    # a change of settings makes a new key: the changed predictor is sent
    aliases = {"the embargo": ["mention"]}  # "No mention here at all."
    alone = fitted.to_predictor()
    alone.aliases = aliases
    expected = alone.predict_proba(X)
    assert not np.array_equal(expected, serial)
    predictor.aliases = aliases
    assert sent_with(expected) > 0
