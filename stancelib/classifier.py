"""StanceClassifier: a scikit-learn estimator for the stance of a text toward a target."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .data import check_pairs, check_stances
from .features import TargetContext


def _whitespace_tokens(text):
    """Split a cue view into its symbolic tokens (a named function, so models pickle)."""
    return text.split()


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Classify the stance of sentences toward a named target.

    The features come from where and how the target is mentioned: the whole sentence with
    the mention masked, the clause that holds it (negations marked) and the stance cue
    that governs it, so one sentence can take different stances toward two targets.

    Parameters
    ----------
    estimator : classifier, default=None
        The final classifier; it needs ``predict_proba``. None means
        ``LogisticRegression(C=10, class_weight="balanced", max_iter=2000)``.
    word_ngram_range : tuple of (int, int), default=(1, 2)
        Word n-grams of the sentence view.
    char_ngram_range : tuple of (int, int) or None, default=(2, 5)
        Character n-grams (within word boundaries) of the sentence view; None turns
        them off.
    clause_ngram_range : tuple of (int, int) or None, default=(1, 3)
        Word n-grams of the target's clause; None turns the clause view off.
    use_cues : bool, default=True
        Whether to use the symbolic cue features (governing cue, negation, side).
    min_df : int, default=1
        Minimum document frequency of an n-gram.
    aliases : dict of str to list of str, default=None
        Extra names under which a target may be mentioned (e.g. ``{"EU": ["Brussels"]}``).

    Attributes
    ----------
    pipeline_ : Pipeline
        The fitted target-context transformer, vectorizers and classifier.
    classes_ : ndarray of shape (n_classes,)
        Stance labels seen during fit.

    Examples
    --------
    >>> X = [("We welcome the accord.", "accord"), ("We reject the embargo.", "embargo")]
    >>> StanceClassifier().fit(X, ["support", "opposition"]).predict(X).tolist()
    ['support', 'opposition']
    """

    def __init__(
        self,
        *,
        estimator=None,
        word_ngram_range=(1, 2),
        char_ngram_range=(2, 5),
        clause_ngram_range=(1, 3),
        use_cues=True,
        min_df=1,
        aliases=None,
    ):
        self.estimator = estimator
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.clause_ngram_range = clause_ngram_range
        self.use_cues = use_cues
        self.min_df = min_df
        self.aliases = aliases

    def _check_params(self):
        for name in ("word_ngram_range", "char_ngram_range", "clause_ngram_range"):
            value = getattr(self, name)
            if value is None and name != "word_ngram_range":
                continue
            ok = (
                isinstance(value, tuple)
                and len(value) == 2
                and all(isinstance(v, int) and v >= 1 for v in value)
                and value[0] <= value[1]
            )
            if not ok:
                raise ValueError(
                    f"The {name!r} parameter of StanceClassifier must be a tuple "
                    f"(min_n, max_n) with 1 <= min_n <= max_n. Got {value!r} instead."
                )
        if not isinstance(self.min_df, int) or self.min_df < 1:
            raise ValueError(
                "The 'min_df' parameter of StanceClassifier must be an int >= 1. "
                f"Got {self.min_df!r} instead."
            )

    def _features(self):
        tfidf = dict(sublinear_tf=True, min_df=self.min_df, dtype=np.float32)
        blocks = [("word", TfidfVectorizer(ngram_range=self.word_ngram_range, **tfidf),
                   "sentence")]
        if self.char_ngram_range is not None:
            blocks.append(("char", TfidfVectorizer(
                analyzer="char_wb", ngram_range=self.char_ngram_range, **tfidf), "sentence"))
        if self.clause_ngram_range is not None:
            blocks.append(("clause", TfidfVectorizer(
                ngram_range=self.clause_ngram_range, **tfidf), "clause"))
        if self.use_cues:
            blocks.append(("cues", TfidfVectorizer(
                tokenizer=_whitespace_tokens, token_pattern=None, lowercase=False,
                sublinear_tf=True, dtype=np.float32), "cues"))
        return ColumnTransformer(blocks)

    def fit(self, X, y):
        """Fit the classifier.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The training statements and their targets.
        y : array-like of shape (n_samples,)
            Stance labels, each one of ``support, opposition, concern, none``.

        Returns
        -------
        self : StanceClassifier
            The fitted classifier.
        """
        self._check_params()
        X = check_pairs(X)
        y = check_stances(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels.")
        estimator = (
            LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
            if self.estimator is None
            else clone(self.estimator)
        )
        self.pipeline_ = Pipeline(
            [
                ("context", TargetContext(aliases=self.aliases)),
                ("features", self._features()),
                ("classifier", estimator),
            ]
        ).fit(X, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X):
        """Predict the stance of each (text, target) pair.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The statements and their targets.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predicted stance labels.
        """
        check_is_fitted(self)
        return self.pipeline_.predict(check_pairs(X))

    def predict_proba(self, X):
        """Return the probability of each stance, columns in ``classes_`` order.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The statements and their targets.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Class probabilities.
        """
        check_is_fitted(self)
        return self.pipeline_.predict_proba(check_pairs(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
