"""LogRatioSVC: a LinearSVC on features weighted by their log-count ratios (NB-SVM)."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from stancelib.classifier import LogRatioSVC

# two of scikit-learn's checks fit every linear classifier with class_weight on
# blobs of negative values, which a log-count ratio cannot weigh (it says so)
NEGATIVE_BLOBS = {
    "check_class_weight_classifiers": "fits negative features",
    "check_class_weight_balanced_linear_classifier": "fits negative features",
}


@parametrize_with_checks(
    [LogRatioSVC()], expected_failed_checks=lambda estimator: NEGATIVE_BLOBS
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _ratios(X, positive, alpha):
    """The log-count ratios, written out plainly."""
    inside = X[positive].sum(axis=0) + alpha
    outside = X[~positive].sum(axis=0) + alpha
    return np.log(inside / inside.sum()) - np.log(outside / outside.sum())


@pytest.fixture
def counts():
    rng = np.random.default_rng(0)
    X = rng.poisson(0.6, size=(120, 15)).astype(float)
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 120)]
    X[y == "a", 0] += 2  # features that tell the classes apart
    X[y == "b", 1] += 2
    return X, y


def test_weights_are_the_svms_on_weighted_features_folded_back(counts):
    X, y = counts
    model = LogRatioSVC(alpha=0.5).fit(sparse.csr_matrix(X), y)
    assert model.coef_.shape == (3, X.shape[1])
    for k, label in enumerate(model.classes_):
        r = _ratios(X, y == label, 0.5)
        svm = LinearSVC(C=0.25, class_weight="balanced", tol=0.3, random_state=0)
        svm.fit(X * r, y == label)
        np.testing.assert_allclose(model.coef_[k], svm.coef_[0] * r, rtol=1e-10)
        np.testing.assert_allclose(
            model.decision_function(X)[:, k], svm.decision_function(X * r), rtol=1e-8
        )


def test_two_classes_have_one_row_of_weights_for_the_second(counts):
    X, y = counts
    keep = y != "c"
    model = LogRatioSVC().fit(X[keep], y[keep])
    assert model.coef_.shape == (1, X.shape[1])
    r = _ratios(X[keep], y[keep] == "b", 0.3)
    svm = LinearSVC(C=0.25, class_weight="balanced", tol=0.3, random_state=0)
    svm.fit(X[keep] * r, y[keep] == "b")
    np.testing.assert_allclose(model.coef_[0], svm.coef_[0] * r, rtol=1e-10)
    assert list(model.predict(X[:2])) == list(
        np.where(svm.decision_function(X[:2] * r) > 0, "b", "a")
    )


def test_dense_and_sparse_input_give_the_same_model(counts):
    X, y = counts
    dense = LogRatioSVC().fit(X, y)
    csr = LogRatioSVC().fit(sparse.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.coef_, csr.coef_)
    np.testing.assert_array_equal(dense.intercept_, csr.intercept_)


@pytest.mark.parametrize(
    "params, X, y, match",
    [
        ({}, [[1.0, -1.0], [0.0, 1.0]], ["a", "b"], "Negative values .* \\(X\\)"),
        ({"alpha": 0}, [[1.0, 0.0], [0.0, 1.0]], ["a", "b"], "'alpha' parameter"),
        ({"alpha": "1"}, [[1.0, 0.0], [0.0, 1.0]], ["a", "b"], "'alpha' parameter"),
        ({}, [[1.0, 0.0], [0.0, 1.0]], ["a", "a"], "one class only"),
    ],
)
def test_bad_input_is_refused(params, X, y, match):
    with pytest.raises(ValueError, match=match):
        LogRatioSVC(**params).fit(np.array(X), y)


def test_float32_features_give_the_float64_model(counts):
    # float32 features are weighted into float64 without a float64 copy of them
    X, y = counts
    X32 = sparse.csr_matrix(X.astype(np.float32))
    single = LogRatioSVC().fit(X32, y)
    double = LogRatioSVC().fit(sparse.csr_matrix(X), y)
    np.testing.assert_array_equal(single.coef_, double.coef_)
    np.testing.assert_array_equal(single.intercept_, double.intercept_)
    assert X32.dtype == np.float32  # the caller's matrix is left as it was
