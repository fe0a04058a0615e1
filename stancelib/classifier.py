"""StanceClassifier: a scikit-learn estimator for the stance of a text toward a
target."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._ngrams import NgramTable, fast_kind, fit_counts, weigh
from ._views import views_of
from .data import check_training_pairs, pair_columns
from .features import TargetContext
from .predictor import StancePredictor, in_parts
from .targets import normalize

# a target needs this many training rows to get a classifier of its own
_MIN_TARGET_ROWS = 20


def default_estimator(smallest_class=3, n_jobs=None):
    """Return the default final classifier of :class:`StanceClassifier`.

    A :class:`LogRatioSVC` (linear SVMs on features weighted by their log-count
    ratios, balanced class weights), fitted on all the data, whose scores are turned
    into probabilities by a sigmoid calibration learnt on 3-fold cross-validated
    scores. Calibration needs three rows of each stance; with fewer
    (``smallest_class < 3``), a balanced logistic regression. ``n_jobs`` processes
    fit the calibration folds. The SVMs' coordinate descent visits rows in a seeded
    order, so a model is the same each time it is trained.

    Chosen by grouped 3-fold cross-validation on the twenty-third round's ``train``
    (76,140 rows; macro-F1): the weighting lifts a plain ``LinearSVC`` (C=0.25) from
    0.8084 to 0.8141, every fold up; its smoothing ``alpha`` scores 0.8132, 0.8141,
    0.8141 and 0.8138 at 0.1, 0.2, 0.3 and 0.5, and ``C=0.1`` 0.8117. Its SVMs stop
    at a tolerance of 0.3, scored fold by fold as at 1e-2 (within 1e-4): they fit
    in 40 % less time, 1.5 times the plain SVM's.
    """
    if smallest_class < 3:
        return LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    return CalibratedClassifierCV(LogRatioSVC(), cv=3, ensemble=False, n_jobs=n_jobs)


class LogRatioSVC(LinearClassifierMixin, BaseEstimator):
    """A linear SVM on features weighted by their log-count ratios (NB-SVM).

    For each stance against the others (one problem when there are two classes),
    every feature is multiplied by the log-ratio of its share of the stance's rows to
    its share of the other rows (Wang and Manning, 2012, "Baselines and bigrams"), and
    a ``LinearSVC`` is fitted on the weighted features. Features that tell the stance
    apart are stretched and the others shrunk, so the SVM's regularisation spends less
    on the uninformative. The weighting is folded into ``coef_``: the model scores
    the features as they come, like any linear model, and its weights explain its
    predictions.

    Parameters
    ----------
    C : float, default=0.25
        Regularisation of each ``LinearSVC`` (smaller is stronger).
    alpha : float, default=0.3
        Smoothing added to each feature's sum on either side before the ratio, so
        that a feature seen on one side only gets a finite weight.
    class_weight : dict, "balanced" or None, default="balanced"
        Weights of each binary problem's two sides, as in ``LinearSVC``.
    tol : float, default=0.3
        Stopping tolerance of each ``LinearSVC``: the default's cross-validated
        scores on the corpus are those of 1e-2 (see :func:`default_estimator`).
    max_iter : int, default=1000
        Iterations of each ``LinearSVC`` at most.
    random_state : int or None, default=0
        Seed of the ``LinearSVC`` coordinate descent's visiting order.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in fit.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights of the features as they come (the SVM's times the log-count ratios);
        one row for ``classes_[1]`` when there are two classes.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The SVMs' intercepts.
    n_iter_ : int
        The most iterations any of the SVMs ran.

    Examples
    --------
    >>> X = np.array([[2, 0, 1], [3, 0, 1], [0, 2, 1], [0, 3, 1]])
    >>> LogRatioSVC().fit(X, ["a", "a", "b", "b"]).predict([[1, 0, 1], [0, 1, 1]])
    array(['a', 'b'], dtype='<U1')
    """

    def __init__(
        self,
        C=0.25,
        alpha=0.3,
        class_weight="balanced",
        tol=0.3,
        max_iter=1000,
        random_state=0,
    ):
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y):
        """Fit one weighted ``LinearSVC`` per stance (one for two classes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Non-negative features (counts, tf-idf).
        y : array-like of shape (n_samples,)
            Labels, at least two distinct.

        Returns
        -------
        self : LogRatioSVC
            The fitted classifier.
        """
        if not (isinstance(self.alpha, int | float) and self.alpha > 0):
            raise ValueError(
                "The 'alpha' parameter of LogRatioSVC must be a float > 0. "
                f"Got {self.alpha!r} instead."
            )
        # float32 features stay as they are: only their weighted copy is float64
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=(np.float64, np.float32)
        )
        check_classification_targets(y)
        X = sparse.csr_matrix(X)
        if X.nnz and X.data.min() < 0:
            raise ValueError(
                "Negative values in data passed to LogRatioSVC (X): it weighs "
                "non-negative features such as counts or tf-idf; X holds "
                f"{X.data.min()}."
            )
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"y holds one class only ({self.classes_[0]!r}); LogRatioSVC needs two "
                "or more."
            )
        positives = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        is_positive = np.asarray(y)[:, None] == positives[None, :]
        # each feature's sum over each stance's rows and over the other rows
        sides = sparse.csr_matrix(is_positive.T, dtype=np.float64)
        sums = (sides @ X).toarray()
        inside = sums + self.alpha
        outside = np.asarray(X.sum(axis=0, dtype=np.float64)) - sums + self.alpha
        ratios = np.log(inside / inside.sum(axis=1, keepdims=True)) - np.log(
            outside / outside.sum(axis=1, keepdims=True)
        )
        # the weighted features share X's indices; their values are made per stance
        weighted = sparse.csr_matrix(
            (np.empty(X.nnz), X.indices, X.indptr), shape=X.shape, copy=False
        )
        coef = np.empty((len(positives), X.shape[1]))
        intercept = np.empty(len(positives))
        self.n_iter_ = 0
        for k in range(len(positives)):
            np.take(ratios[k], X.indices, out=weighted.data)
            weighted.data *= X.data
            svm = LinearSVC(
                C=self.C,
                class_weight=self.class_weight,
                tol=self.tol,
                max_iter=self.max_iter,
                random_state=self.random_state,
            ).fit(weighted, is_positive[:, k])
            coef[k] = svm.coef_[0] * ratios[k]
            intercept[k] = svm.intercept_[0]
            self.n_iter_ = max(self.n_iter_, int(svm.n_iter_))
        self.coef_, self.intercept_ = coef, intercept
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.positive_only = True
        return tags


def _linear_part(classifier):
    """Return the linear model inside ``classifier`` (itself, or the calibrated SVM)."""
    if hasattr(classifier, "coef_"):
        return classifier
    calibrated = getattr(classifier, "calibrated_classifiers_", [])
    if len(calibrated) == 1 and hasattr(calibrated[0].estimator, "coef_"):
        return calibrated[0].estimator
    raise TypeError(
        f"explain needs a linear classifier with coef_; "
        f"{type(classifier).__name__} has none."
    )


def _pipeline_proba(model, texts, targets):
    """The pipeline's ``predict_proba`` of checked input, or of a part of it."""
    return model._proba(targets, model._transform(texts, targets))


def _whitespace_tokens(text):
    """Split a cue view into its tokens (a named function, so models serialise)."""
    return text.split()


class CompactTfidfVectorizer(TfidfVectorizer):
    """A ``TfidfVectorizer`` that counts n-grams with numpy and saves compactly.

    Its features are those of ``TfidfVectorizer`` with the same parameters. Two
    things differ:

    - Word n-grams (default token pattern) and ``char_wb`` n-grams are counted by
      :mod:`stancelib._ngrams`, several times faster than scikit-learn's Python
      loop, with the same counts; other settings use scikit-learn's loop.
    - The vocabulary is saved as one newline-joined string (no term holds a
      newline: the analyzers split on whitespace), not a dict: skops writes a dict
      entry by entry, which made a model's file some 200 MB and slow to load.
    """

    def _count_vocab(self, raw_documents, fixed_vocab):
        docs = list(raw_documents)
        kind = self._fast_kind()
        if kind is not None and all(isinstance(doc, str) for doc in docs):
            if fixed_vocab:
                table = self._ngram_table(kind)
                if table.usable:
                    return self.vocabulary_, table.counts(docs, self.dtype)
            else:
                found = fit_counts(
                    docs, kind, self.ngram_range, self.lowercase, self.dtype
                )
                if found is not None:
                    if not found[0]:
                        raise ValueError(
                            "empty vocabulary; perhaps the documents only contain "
                            "stop words"
                        )
                    return found
        return super()._count_vocab(docs, fixed_vocab)

    def _fast_kind(self):
        if self.tokenizer is _whitespace_tokens and self.ngram_range == (1, 1):
            # the cue view: whitespace-separated tokens, case kept
            return "split" if not self.lowercase and self.analyzer == "word" else None
        return fast_kind(self)

    def _direct_transform(self, docs):
        """Return ``transform(docs)`` for a list of str, without scikit-learn's
        per-call input checks (they cost more than the work for a few documents).

        The steps are those of ``TfidfVectorizer.transform``, on the same counts.
        """
        kind = self._fast_kind()
        table = None if kind is None else self._ngram_table(kind)
        if table is None or not table.usable:
            return self.transform(docs)
        tfidf = self._tfidf
        if tfidf.norm not in ("l2", "l1", None):
            return self.transform(docs)
        idf = tfidf.idf_ if hasattr(tfidf, "idf_") else None
        counts = table.counts(docs, self.dtype)
        return weigh(counts, self.binary, tfidf.sublinear_tf, idf, tfidf.norm)

    def _ngram_table(self, kind):
        """Return the :class:`NgramTable` of ``vocabulary_``, built once."""
        cached = getattr(self, "_table", None)
        if cached is None or cached[0] is not self.vocabulary_:
            table = NgramTable(self.vocabulary_, kind, self.ngram_range, self.lowercase)
            self._table = cached = (self.vocabulary_, table)
        return cached[1]

    def __getstate__(self):
        state = super().__getstate__().copy()
        state.pop("_table", None)
        vocabulary = state.get("vocabulary_")
        if vocabulary is not None and not any("\n" in term for term in vocabulary):
            terms = [""] * len(vocabulary)
            for term, index in vocabulary.items():
                terms[index] = term
            del state["vocabulary_"]
            state["_terms"] = "\n".join(terms)
        return state

    def __setstate__(self, state):
        terms = state.pop("_terms", None)
        if terms is not None:
            state["vocabulary_"] = {term: i for i, term in enumerate(terms.split("\n"))}
        super().__setstate__(state)


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Classify the stance of sentences toward a named target.

    The features come from where and how the target is mentioned: the whole sentence
    with the mention masked, the clause that holds it (negations marked) and the
    stance cue that governs it, so one sentence can take different stances toward two
    targets; and from the words of the target itself.

    Parameters
    ----------
    estimator : classifier, default=None
        The final classifier; it needs ``predict_proba``. None means
        :func:`default_estimator`: linear SVMs on features weighted by their
        log-count ratios (:class:`LogRatioSVC`), with class weights, their scores
        calibrated into probabilities (a logistic regression when a stance has fewer
        than three training rows).
    word_ngram_range : tuple of (int, int), default=(1, 2)
        Word n-grams of the sentence view.
    char_ngram_range : tuple of (int, int) or None, default=(2, 5)
        Character n-grams (within word boundaries) of the sentence view; None turns
        them off.
    clause_ngram_range : tuple of (int, int) or None, default=(1, 3)
        Word n-grams of the target's clause; None turns the clause view off.
    target_ngram_range : tuple of (int, int) or None, default=(1, 2)
        Word n-grams of the target itself (what it is: "the shelling of civilians",
        "any attempt to dismantle the accord"); None turns the target view off.
    use_cues : bool, default=True
        Whether to use the symbolic cue features (governing cue, negation, side).
    min_df : int, default=1
        Minimum document frequency of an n-gram.
    aliases : dict of str to list of str, default=None
        Extra names under which a target may be mentioned, e.g.
        ``{"EU": ["Brussels"]}``.
    mask_target : bool, default=True
        Whether the sentence view replaces the target's mention by ``TGT``: the model
        then learns how stance is expressed rather than which targets are favoured,
        which is what carries over to new targets. False lets the mention's own
        words count, which can help data sets with a few fixed targets (say, tweets
        whose hashtags name the target); the clause and cue views always mask it.
    per_target : bool, default=False
        Also fit one classifier per target seen at least 20 times with two stances or
        more (for data sets with a few fixed targets); pairs with other targets use the
        joint classifier. The features are shared.
    n_jobs : int, default=None
        Processes (joblib) for fitting the vectorizers and the calibration folds, and
        for predicting inputs of more than 8,000 pairs, which are split into one part
        per process. None means 1; -1 means all cores. The results do not depend on
        it. With a linear classifier the worker processes keep the model between
        predictions, so that only the first sends it to them (see ``StancePredictor``).

    Attributes
    ----------
    pipeline_ : Pipeline
        The fitted target-context transformer, vectorizers and classifier.
    classes_ : ndarray of shape (n_classes,)
        Stance labels seen during fit.
    target_models_ : dict of str to classifier
        With ``per_target=True``, the classifier of each frequent target, keyed by the
        folded target; else empty.

    Examples
    --------
    >>> X = [("We welcome the accord.", "accord"),
    ...      ("We reject the embargo.", "embargo")]
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
        target_ngram_range=(1, 2),
        use_cues=True,
        min_df=1,
        aliases=None,
        mask_target=True,
        per_target=False,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.clause_ngram_range = clause_ngram_range
        self.target_ngram_range = target_ngram_range
        self.use_cues = use_cues
        self.min_df = min_df
        self.aliases = aliases
        self.mask_target = mask_target
        self.per_target = per_target
        self.n_jobs = n_jobs

    def _check_params(self):
        for name in (
            "word_ngram_range",
            "char_ngram_range",
            "clause_ngram_range",
            "target_ngram_range",
        ):
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
        blocks = [
            (
                "word",
                CompactTfidfVectorizer(ngram_range=self.word_ngram_range, **tfidf),
                "sentence",
            )
        ]
        if self.char_ngram_range is not None:
            blocks.append(
                (
                    "char",
                    CompactTfidfVectorizer(
                        analyzer="char_wb", ngram_range=self.char_ngram_range, **tfidf
                    ),
                    "sentence",
                )
            )
        # word n-grams of the clause and target views, each named after its view
        for view, ngram_range in (
            ("clause", self.clause_ngram_range),
            ("target", self.target_ngram_range),
        ):
            if ngram_range is not None:
                vectorizer = CompactTfidfVectorizer(ngram_range=ngram_range, **tfidf)
                blocks.append((view, vectorizer, view))
        if self.use_cues:
            blocks.append(
                (
                    "cues",
                    CompactTfidfVectorizer(
                        tokenizer=_whitespace_tokens,
                        token_pattern=None,
                        lowercase=False,
                        sublinear_tf=True,
                        dtype=np.float32,
                    ),
                    "cues",
                )
            )
        return ColumnTransformer(blocks, sparse_threshold=1.0, n_jobs=self.n_jobs)

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
        import pandas as pd

        self._check_params()
        X, y = check_training_pairs(X, y)
        if self.estimator is None:
            estimator = default_estimator(
                pd.Series(y).value_counts().min(), n_jobs=self.n_jobs
            )
        else:
            estimator = clone(self.estimator)
        self.pipeline_ = Pipeline(
            [
                (
                    "context",
                    TargetContext(aliases=self.aliases, mask_target=self.mask_target),
                ),
                ("features", self._features()),
                ("classifier", estimator),
            ]
        )
        # fitted step by step (the slices share the steps), so that the per-target
        # models below reuse the training features instead of computing them again
        features = self.pipeline_[:-1].fit_transform(X, y)
        self.pipeline_[-1].fit(features, y)
        self.classes_ = self.pipeline_.classes_
        self.target_models_ = {}
        if self.per_target:
            labels = np.asarray(y)
            keys = X["target"].map(normalize)
            for key, rows in keys.groupby(keys).groups.items():
                counts = pd.Series(labels[rows]).value_counts()
                # two stances or more, each with enough rows for a calibration fold
                if (
                    len(counts) > 1
                    and counts.min() >= 5
                    and len(rows) >= _MIN_TARGET_ROWS
                ):
                    self.target_models_[key] = clone(estimator).fit(
                        features[rows], labels[rows]
                    )
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
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

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
        predictor = self._predictor()
        if predictor is not None:
            return predictor.predict_proba(X)
        texts, targets = pair_columns(X)
        return in_parts(_pipeline_proba, self, texts, targets, self.n_jobs)

    def to_predictor(self):
        """Return a :class:`~stancelib.predictor.StancePredictor` of this model.

        It predicts the same probabilities from NumPy arrays alone, without
        scikit-learn: quick to load in a new process (pickle it), and what
        ``predict_proba`` itself uses.

        Returns
        -------
        StancePredictor

        Raises
        ------
        ValueError
            If the classifier is not linear (see ``StancePredictor``).
        """
        check_is_fitted(self)
        return StancePredictor(self)

    def _predictor(self):
        """The model's predictor, made once; None if the classifier is not linear."""
        cached = self.__dict__.get("_fast")
        if cached is None or cached[0] is not self.pipeline_:
            try:
                predictor = StancePredictor(self)
            except ValueError:
                predictor = None
            self._fast = cached = (self.pipeline_, predictor)
        return cached[1]

    def _transform(self, texts, targets):
        """Return the feature matrix of checked pairs, as ``pipeline_[:-1]`` does.

        The views and vectorizers are called directly: the pipeline's per-step input
        validation costs more than the work itself when a few pairs are classified.
        """
        context = self.pipeline_.named_steps["context"]
        aliases = context.aliases
        # models saved before mask_target existed always masked
        mask = getattr(context, "mask_target", True)
        views = views_of(texts, targets, aliases, mask)
        blocks = [
            vectorizer._direct_transform(views[column])
            if isinstance(vectorizer, CompactTfidfVectorizer)
            else vectorizer.transform(views[column])
            for _, vectorizer, column in self.pipeline_.named_steps[
                "features"
            ].transformers_
            if vectorizer not in ("drop", "passthrough")
        ]
        return sparse.hstack(blocks, format="csr")

    def _predict(self, targets, features):
        return self.classes_[self._proba(targets, features).argmax(axis=1)]

    def _proba(self, targets, features):
        """The pipeline's probabilities of a feature matrix (for classifiers that a
        StancePredictor cannot hold)."""
        with config_context(assume_finite=True):
            proba = self.pipeline_[-1].predict_proba(features)
            if not self.target_models_:
                return proba
            import pandas as pd

            keys = pd.Series(targets).map(normalize)
            for key, rows in keys.groupby(keys).groups.items():
                model = self.target_models_.get(key)
                if model is not None:
                    columns = np.searchsorted(self.classes_, model.classes_)
                    proba[rows] = 0.0
                    proba[np.ix_(rows, columns)] = model.predict_proba(features[rows])
        return proba

    def __getstate__(self):
        state = super().__getstate__().copy()
        state.pop("_fast", None)  # remade on first use
        return state

    def explain(self, X, top=5):
        """Return the features that pushed each prediction toward its stance.

        A feature's contribution is its value in the pair times the classifier's weight
        for the predicted stance; the ``top`` largest are listed per pair.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The statements and their targets.
        top : int, default=5
            How many features to list per pair.

        Returns
        -------
        DataFrame
            One row per (pair, feature): ``row`` (position in X), ``stance`` (the
            prediction), ``rank``, ``feature`` (view and n-gram, e.g. ``clause__reject
            tgt``, where ``tgt`` stands for the target's mention, or a cue feature
            such as ``cues__gov_reject``) and ``contribution``.

        Examples
        --------
        >>> X = [("We welcome the accord.", "accord"),
        ...      ("We reject the embargo.", "embargo")]
        >>> model = StanceClassifier().fit(X, ["support", "opposition"])
        >>> why = model.explain([("They reject the plan.", "the plan")], top=3)
        >>> why[["stance", "feature"]].values.tolist()[0]
        ['opposition', 'word__reject']
        """
        check_is_fitted(self)
        if not isinstance(top, int) or top < 1:
            raise ValueError(f"top must be a positive int. Got {top!r} instead.")
        linear = _linear_part(self.pipeline_.named_steps["classifier"])
        texts, targets = pair_columns(X)
        features = self._transform(texts, targets)
        names = self.pipeline_.named_steps["features"].get_feature_names_out()
        predicted = self._predict(targets, features)
        coef = np.atleast_2d(linear.coef_)
        classes = list(linear.classes_)
        rows = []
        for i, stance in enumerate(predicted):
            k = classes.index(stance)
            # a binary model has one row of weights, for classes_[1]
            weights = coef[0] * (1 if k == 1 else -1) if len(coef) == 1 else coef[k]
            row = features[i].tocoo()
            contribution = row.data * weights[row.col]
            for rank, j in enumerate(np.argsort(-contribution)[:top], start=1):
                rows.append(
                    (i, stance, rank, names[row.col[j]], float(contribution[j]))
                )
        import pandas as pd

        return pd.DataFrame(
            rows, columns=["row", "stance", "rank", "feature", "contribution"]
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
