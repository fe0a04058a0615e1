import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from stancelib import StanceClassifier


def test_fit_returns_self_and_keeps_params(pairs):
    model = StanceClassifier(min_df=1)
    params = model.get_params()
    assert model.fit(pairs[["text", "target"]], pairs["stance"]) is model
    assert model.get_params() == params


def test_predict_before_fit_raises(pairs):
    with pytest.raises(NotFittedError):
        StanceClassifier().predict(pairs[["text", "target"]])


def test_predictions_are_stances_and_training_rows_are_learnt(fitted, pairs):
    predicted = fitted.predict(pairs[["text", "target"]])
    assert set(predicted) <= set(fitted.classes_)
    assert (predicted == pairs["stance"]).mean() == 1.0


def test_predict_proba_follows_classes_order(fitted, pairs):
    proba = fitted.predict_proba(pairs[["text", "target"]])
    assert proba.shape == (len(pairs), len(fitted.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(
        fitted.classes_[proba.argmax(axis=1)], fitted.predict(pairs[["text", "target"]])
    )


def test_pairs_and_dataframe_give_the_same_predictions(fitted, pairs):
    as_pairs = list(pairs[["text", "target"]].itertuples(index=False, name=None))
    np.testing.assert_array_equal(
        fitted.predict(as_pairs), fitted.predict(pairs[["text", "target"]])
    )


def test_score_is_accuracy(fitted, pairs):
    assert fitted.score(pairs[["text", "target"]], pairs["stance"]) == 1.0


def test_second_fit_forgets_the_first(pairs):
    model = StanceClassifier().fit(pairs[["text", "target"]], pairs["stance"])
    subset = pairs[pairs["stance"].isin(["support", "opposition"])]
    model.fit(subset[["text", "target"]], subset["stance"])
    assert list(model.classes_) == ["opposition", "support"]


def test_grid_search_reaches_parameters(pairs):
    search = GridSearchCV(
        StanceClassifier(),
        {"char_ngram_range": [None, (2, 4)], "use_cues": [True, False]},
        cv=2,
    )
    search.fit(pairs[["text", "target"]], pairs["stance"])
    assert set(search.best_params_) == {"char_ngram_range", "use_cues"}
    assert clone(search.best_estimator_).get_params()["use_cues"] in (True, False)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"word_ngram_range": (2, 1)}, "word_ngram_range"),
        ({"char_ngram_range": 3}, "char_ngram_range"),
        ({"min_df": 0}, "min_df"),
    ],
)
def test_bad_parameters_are_refused_in_fit(pairs, params, match):
    model = StanceClassifier(**params)  # __init__ only stores
    with pytest.raises(ValueError, match=match):
        model.fit(pairs[["text", "target"]], pairs["stance"])


@pytest.mark.parametrize(
    "X, error, match",
    [
        ("We welcome the accord.", TypeError, "single string"),
        ([("only text",)], TypeError, r"X\[0\] must be a \(text, target\) pair"),
        ([("text", 3)], TypeError, "'target' must be a string"),
        ([], ValueError, "X is empty"),
        (42, TypeError, "got int"),
    ],
)
def test_bad_X_is_refused(fitted, X, error, match):
    with pytest.raises(error, match=match):
        fitted.predict(X)


def test_dataframe_without_target_is_refused(fitted, pairs):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['target'\]"):
        fitted.predict(pairs[["text", "stance"]])


def test_unknown_label_is_refused(pairs):
    with pytest.raises(ValueError, match="'favor', not a stance label"):
        StanceClassifier().fit(pairs[["text", "target"]], ["favor"] * len(pairs))


def test_length_mismatch_is_refused(pairs):
    with pytest.raises(ValueError, match="12 rows but y has 3"):
        StanceClassifier().fit(pairs[["text", "target"]], pairs["stance"][:3])


# The default model is trained on the bundled corpus; these sentences are not in it.
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Both sides reject the sanctions and welcome the accord.",
            {"the sanctions": "opposition", "the accord": "support"},
        ),
        (
            "Le gouvernement salue le cessez-le-feu mais condamne les frappes "
            "aériennes.",
            {"le cessez-le-feu": "support", "les frappes aériennes": "opposition"},
        ),
    ],
)
def test_one_sentence_two_targets_two_stances(default_model, text, expected):
    predicted = default_model.predict([(text, target) for target in expected])
    assert dict(zip(expected, predicted)) == expected


def test_absent_target_is_answered_from_the_sentence(default_model):
    [stance] = default_model.predict(
        [("The ministers condemned the decision in the strongest terms.", "Zorbania")]
    )
    assert stance in default_model.classes_


def test_explain_lists_the_top_features_of_each_prediction(default_model):
    X = [
        ("Both sides reject the sanctions and welcome the accord.", "the accord"),
        (
            "Les ministres condamnent fermement les essais nucléaires.",
            "les essais nucléaires",
        ),
    ]
    why = default_model.explain(X, top=4)
    assert why.groupby("row").size().tolist() == [4, 4]
    assert why["stance"].tolist() == ["support"] * 4 + ["opposition"] * 4
    assert (
        why.groupby("row")["contribution"]
        .apply(lambda c: c.is_monotonic_decreasing)
        .all()
    )
    assert any("welcom" in f or "sup" in f for f in why[why["row"] == 0]["feature"])


def test_explain_needs_a_linear_model(pairs):
    from sklearn.ensemble import RandomForestClassifier

    model = StanceClassifier(estimator=RandomForestClassifier(n_estimators=5))
    model.fit(pairs[["text", "target"]], pairs["stance"])
    with pytest.raises(TypeError, match="RandomForestClassifier has none"):
        model.explain(pairs[["text", "target"]])


def test_direct_transform_equals_the_pipeline(fitted, pairs):
    # explain skips the pipeline's per-step validation, and predictions go through a
    # StancePredictor: the features must stay exactly those of the pipeline, and the
    # probabilities those of the pipeline to float32 rounding (its features' dtype)
    X = pairs[["text", "target"]]
    direct = fitted._transform(X["text"].tolist(), X["target"].tolist())
    assert (direct != fitted.pipeline_[:-1].transform(X)).nnz == 0
    np.testing.assert_allclose(
        fitted.predict_proba(X), fitted.pipeline_.predict_proba(X), rtol=0, atol=1e-6
    )
    np.testing.assert_array_equal(fitted.predict(X), fitted.pipeline_.predict(X))


def test_direct_transform_with_a_view_turned_off(pairs):
    model = StanceClassifier(clause_ngram_range=None, char_ngram_range=None)
    model.fit(pairs[["text", "target"]], pairs["stance"])
    X = pairs[["text", "target"]]
    direct = model._transform(X["text"].tolist(), X["target"].tolist())
    assert (direct != model.pipeline_[:-1].transform(X)).nnz == 0


def test_n_jobs_gives_the_same_model_and_predictions(pairs, monkeypatch):
    import stancelib.predictor as predictor

    X, y = pairs[["text", "target"]], pairs["stance"]
    serial = StanceClassifier().fit(X, y)
    parallel = StanceClassifier(n_jobs=2).fit(X, y)
    # split even a small input between the two processes
    monkeypatch.setattr(predictor, "_PARALLEL_ROWS", 3)
    np.testing.assert_array_equal(parallel.predict_proba(X), serial.predict_proba(X))
    np.testing.assert_array_equal(parallel.predict(X), serial.predict(X))


def test_mask_target_false_keeps_the_mention_in_the_sentence_view(pairs):
    from stancelib.features import target_views

    sentence, clause, _, target = target_views(
        "We reject the embargo.", "the embargo", mask=False
    )
    assert sentence == "we reject the embargo ."
    assert clause == "we reject TGT"
    assert target == "the embargo"
    X, y = pairs[["text", "target"]], pairs["stance"]
    model = StanceClassifier(mask_target=False).fit(X, y)
    direct = model._transform(X["text"].tolist(), X["target"].tolist())
    assert (direct != model.pipeline_[:-1].transform(X)).nnz == 0
    masked = StanceClassifier().fit(X, y)
    assert set(model.pipeline_[1].get_feature_names_out()) != set(
        masked.pipeline_[1].get_feature_names_out()
    )
