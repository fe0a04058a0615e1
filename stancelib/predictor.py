"""StancePredictor: a fitted StanceClassifier reduced to what prediction needs.

Predicting needs the target views (no scikit-learn), each vectorizer's n-gram table
and idf weights, and the linear classifier's weights and calibration: NumPy arrays. A
:class:`StancePredictor` holds just those. It loads and predicts without importing
scikit-learn or pandas (importing scikit-learn alone takes a second or more), and
without a pipeline's per-call input checks. Where :mod:`stancelib._count` was built,
it finds the views, and the n-grams of a row are counted, weighed and multiplied by
the weights in one compiled pass, with no feature matrix; without it, the views are
found in Python, the features are a SciPy sparse matrix and the scores a sparse
product. Its probabilities are those of the
classifier it was made from, to float rounding (``tests/test_predictor.py``).

:meth:`StanceClassifier.predict_proba <stancelib.StanceClassifier.predict_proba>`
itself goes through one, and :func:`~stancelib.load_default` returns one.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
import uuid

import numpy as np

from . import _ngrams, _views
from ._ngrams import _BLOCK, weigh
from ._views import VIEWS, no_cycle_collection, tokens_of
from .data import pair_columns
from .targets import normalize

# with n_jobs, inputs longer than this are split between processes
_PARALLEL_ROWS = 8000
# distinct tokens a predictor keeps the attributes and units of (see _view_counts)
_TOKEN_LIMIT = 200_000


class _View:
    """One vectorizer: which view it reads, its n-gram table and tf-idf settings."""

    def __init__(self, vectorizer, column, kind, offset):
        tfidf = vectorizer._tfidf
        self.column = column
        self.table = vectorizer._ngram_table(kind)
        self.offset = offset
        self.binary = vectorizer.binary
        self.sublinear = tfidf.sublinear_tf
        # the vectorizer's own precision (float32 in StanceClassifier)
        self.dtype = vectorizer.dtype
        self.idf = np.asarray(tfidf.idf_, self.dtype) if tfidf.use_idf else None
        self.norm = tfidf.norm

    def counts(self, docs):
        """Return the :class:`_Counts` of ``docs``: this view of
        :func:`~stancelib._views.tokens_of`, token lists that stand for their tokens
        joined by spaces."""
        matrix = self.table.counts(docs, np.int32, sort=False, tokenized=True)
        return _Counts(matrix.indptr, matrix.indices, matrix.data)

    def features(self, counts):
        """Return the tf-idf features (CSR) of ``counts`` (:class:`_Counts`), as the
        vectorizer's ``transform`` computes them from the texts."""
        from scipy import sparse

        matrix = sparse.csr_matrix(
            (counts.values.astype(self.dtype), counts.indices, counts.indptr),
            shape=(len(counts.indptr) - 1, self.table.n_features),
        )
        return weigh(matrix, self.binary, self.sublinear, self.idf, self.norm)

    def add_scores(self, counts, weights, scores):
        """Add ``features(counts) @ weights`` to ``scores``.

        The compiled loop (:func:`stancelib._count.add_scores`) computes each row's
        features and products in turn, without the block's feature matrix.
        """
        compiled = _ngrams._count
        if compiled is None or self.dtype != np.float32:  # float32 only, as there
            scores += self.features(counts) @ weights
            return
        compiled.add_scores(
            counts.indptr,
            counts.indices,
            counts.values,
            self.binary,
            self.sublinear,
            self.idf,
            _NORMS[self.norm],
            weights,
            scores,
        )


class _Counts:
    """The n-gram counts of a block of rows for one view: ``indptr``, ``indices``
    and ``values`` of a CSR matrix (int64, int32 and int32 from the compiled
    loops), columns of a row in any order."""

    def __init__(self, indptr, indices, values):
        self.indptr = np.asarray(indptr, np.int64)
        self.indices = indices
        self.values = values

    def take(self, rows):
        """Return the counts of the chosen rows, in their order."""
        rows = np.asarray(rows, np.intp)
        starts = self.indptr[rows]
        sizes = self.indptr[rows + 1] - starts
        indptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(sizes, out=indptr[1:])
        at = np.repeat(starts - indptr[:-1], sizes) + np.arange(indptr[-1])
        return _Counts(indptr, self.indices[at], self.values[at])


_NORMS = {None: 0, "l1": 1, "l2": 2}


class _Linear:
    """A linear classifier's weights and how its scores become probabilities.

    ``members`` are the calibrated classifiers of a ``CalibratedClassifierCV``
    (sigmoid), whose probabilities are averaged, or one logistic regression
    (``softmax`` or one-vs-rest); each member owns a slice of the weight columns.
    """

    def __init__(self, classifier):
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        self.classes = np.asarray(classifier.classes_)
        blocks, self.members = [], []
        if isinstance(classifier, CalibratedClassifierCV):
            for member in classifier.calibrated_classifiers_:
                if member.method != "sigmoid" or not _is_linear(member.estimator):
                    raise _NotLinear(classifier)
                columns = np.searchsorted(self.classes, member.estimator.classes_)
                a = np.array([c.a_ for c in member.calibrators], np.float64)
                b = np.array([c.b_ for c in member.calibrators], np.float64)
                self.members.append(("sigmoid", len(a), columns, a, b))
                blocks.append(member.estimator)
        elif type(classifier) is LogisticRegression:
            multinomial = len(self.classes) > 2 and not _one_vs_rest(classifier)
            kind = "softmax" if multinomial else "ovr"
            width = np.atleast_2d(classifier.coef_).shape[0]
            self.members.append((kind, width, None, None, None))
            blocks.append(classifier)
        else:
            raise _NotLinear(classifier)
        self.weights = np.hstack([np.atleast_2d(m.coef_).T for m in blocks])
        self.weights = np.ascontiguousarray(self.weights, np.float64)
        self.intercept = np.hstack([np.ravel(m.intercept_) for m in blocks])

    def proba(self, views, counts):
        """Return the probabilities of rows from the :class:`_Counts` of each of
        ``views`` (:class:`_View`), in order."""
        n = len(counts[0].indptr) - 1
        scores = np.zeros((n, self.weights.shape[1]))
        for view, view_counts in zip(views, counts):
            part = self.weights[view.offset : view.offset + view.table.n_features]
            view.add_scores(view_counts, part, scores)
        scores += self.intercept
        proba = np.zeros((n, len(self.classes)))
        start = 0
        for kind, width, classes, a, b in self.members:
            part = scores[:, start : start + width]
            start += width
            if kind == "sigmoid":
                proba += _calibrated(part, classes, a, b, len(self.classes))
            elif kind == "softmax":
                part = np.exp(part - part.max(axis=1, keepdims=True))
                proba += part / part.sum(axis=1, keepdims=True)
            else:
                proba += _one_vs_rest_proba(part)
        proba /= len(self.members)
        return proba


class _NotLinear(ValueError):
    def __init__(self, classifier):
        super().__init__(
            "a StancePredictor needs a linear classifier (LinearSVC, LogRatioSVC, "
            "LogisticRegression, SGDClassifier or RidgeClassifier, alone or in a "
            "sigmoid CalibratedClassifierCV); the model's classifier is "
            f"{type(classifier).__name__}."
        )


def _is_linear(estimator):
    from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
    from sklearn.svm import LinearSVC

    from .classifier import LogRatioSVC

    kinds = (LinearSVC, LogisticRegression, SGDClassifier, RidgeClassifier, LogRatioSVC)
    return type(estimator) in kinds


def _one_vs_rest(logistic):
    multi_class = getattr(logistic, "multi_class", "auto")
    return multi_class == "ovr" or logistic.solver == "liblinear"


def _expit(x):
    """The logistic function; exp overflows to inf for very negative x, giving 0."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _calibrated(scores, columns, a, b, n_classes):
    """As scikit-learn's ``_CalibratedClassifier.predict_proba``, from the scores."""
    proba = np.zeros((len(scores), n_classes))
    if n_classes == 2:
        columns = columns[:1] + 1
    for k, column in enumerate(columns):
        proba[:, column] = _expit(-(a[k] * scores[:, k] + b[k]))
    if n_classes == 2:
        proba[:, 0] = 1.0 - proba[:, 1]
    else:
        total = proba.sum(axis=1)[:, np.newaxis]
        proba = np.divide(
            proba, total, out=np.full_like(proba, 1 / n_classes), where=total != 0
        )
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba


def _one_vs_rest_proba(scores):
    """As scikit-learn's ``LinearClassifierMixin._predict_proba_lr``."""
    proba = _expit(scores)
    if proba.shape[1] == 1:
        return np.hstack([1.0 - proba, proba])
    return proba / proba.sum(axis=1, keepdims=True)


class StancePredictor:
    """A fitted :class:`~stancelib.StanceClassifier`, ready to predict fast.

    It holds NumPy arrays only (n-gram tables, idf and classifier weights) and
    predicts without scikit-learn or pandas: it loads in a fraction of the time a
    ``StanceClassifier`` takes and gives the same probabilities. Make one with
    :meth:`StanceClassifier.to_predictor <stancelib.StanceClassifier.to_predictor>`;
    :func:`~stancelib.load_default` returns one.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Stance labels, in the order of ``predict_proba``'s columns.
    n_jobs : int or None
        Processes for inputs of more than 8,000 pairs (joblib); None means 1. The
        worker processes keep the predictor between calls, so that only the first
        call sends it to them.
    classifier : StanceClassifier
        The model it was made from: the one of :func:`~stancelib.load_default`,
        loaded on first access, or the one ``to_predictor`` was called on (kept in
        this process only, not in a pickle).

    Examples
    --------
    >>> from stancelib import StanceClassifier
    >>> X = [("We welcome the accord.", "accord"),
    ...      ("We reject the embargo.", "embargo")]
    >>> model = StanceClassifier().fit(X, ["support", "opposition"])
    >>> model.to_predictor().predict([("They reject the plan.", "the plan")]).tolist()
    ['opposition']
    """

    def __init__(self, model):
        from .classifier import CompactTfidfVectorizer

        features = model.pipeline_.named_steps["features"]
        context = model.pipeline_.named_steps["context"]
        self.classes_ = np.asarray(model.classes_)
        self.n_jobs = model.n_jobs
        self.aliases = context.aliases
        # models saved before mask_target existed always masked
        self.mask_target = getattr(context, "mask_target", True)
        self.views, offset = [], 0
        for _, vectorizer, column in features.transformers_:
            if vectorizer == "drop":
                continue
            fast = isinstance(vectorizer, CompactTfidfVectorizer)
            kind = vectorizer._fast_kind() if fast else None
            if kind is None or not vectorizer._ngram_table(kind).usable:
                raise ValueError(
                    "a StancePredictor needs the vectorizers of StanceClassifier; "
                    f"the view {column!r} has {vectorizer!r:.60}."
                )
            self.views.append(_View(vectorizer, column, kind, offset))
            offset += len(vectorizer.vocabulary_)
        self.model = _Linear(model.pipeline_.named_steps["classifier"])
        self.target_models = {
            key: _Linear(m) for key, m in getattr(model, "target_models_", {}).items()
        }
        self._classifier = model
        self._source = None
        self._token = uuid.uuid4().hex
        self._compiled = None  # see _view_counts

    @property
    def classifier(self):
        """The :class:`~stancelib.StanceClassifier` this predictor was made from."""
        if self._classifier is None:
            if self._source is None:
                raise AttributeError(
                    "this StancePredictor was unpickled without its classifier; keep "
                    "the StanceClassifier it was made from to call explain or fit."
                )
            from .default import _load_private

            self._classifier = _load_private(self._source)
        return self._classifier

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
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

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
        texts, targets = pair_columns(X)
        return in_parts(_proba_of, self, texts, targets, self.n_jobs)

    def explain(self, X, top=5):
        """The features that pushed each prediction: see
        :meth:`StanceClassifier.explain <stancelib.StanceClassifier.explain>`."""
        return self.classifier.explain(X, top=top)

    def _proba(self, texts, targets):
        proba = np.empty((len(texts), len(self.classes_)))
        for i in range(0, len(texts), _BLOCK):
            part = slice(i, i + _BLOCK)
            proba[part] = self._block_proba(texts[part], targets[part])
        return proba

    def _block_proba(self, texts, targets):
        with no_cycle_collection():  # see there: many small objects, no cycles
            counts = self._view_counts(texts, targets)
            proba = self.model.proba(self.views, counts)
            if self.target_models:
                self._target_proba(targets, counts, proba)
        return proba

    def _view_counts(self, texts, targets):
        """Return the :class:`_Counts` of the pairs for each of ``self.views``.

        With :mod:`stancelib._count`, the views are token ids
        (``_count.TokenViews``) and each view's units come from the ids
        (``_count.TableUnits``): every token's attributes and units are worked out
        once, the first time it is met, and kept for the calls that follow. Without
        it, the views are token lists (:func:`~stancelib._views.tokens_of`).
        """
        compiled = _ngrams._count
        if compiled is None:
            tokens = tokens_of(texts, targets, self.aliases, self.mask_target)
            return [view.counts(tokens[view.column]) for view in self.views]
        if getattr(self, "_compiled", None) is None:
            ids = compiled.TokenViews(_views._TABLES, _TOKEN_LIMIT)
            units = [compiled.TableUnits(ids, view.table) for view in self.views]
            self._compiled = (threading.Lock(), ids, units)
        lock, ids, units = self._compiled
        with lock:
            views = dict(
                zip(VIEWS, ids.views(texts, targets, self.aliases, self.mask_target))
            )
            return [
                _Counts(*table.rows(*views[view.column]))
                for view, table in zip(self.views, units)
            ]

    def _target_proba(self, targets, counts, proba):
        """Give the rows of each target that has a model of its own that model's
        probabilities, in place."""
        rows_of = {}
        for i, target in enumerate(targets):
            key = normalize(target)
            if key in self.target_models:
                rows_of.setdefault(key, []).append(i)
        for key, chosen in rows_of.items():
            model = self.target_models[key]
            picked = [view_counts.take(chosen) for view_counts in counts]
            proba[chosen] = 0.0
            columns = np.searchsorted(self.classes_, model.classes)
            proba[np.ix_(chosen, columns)] = model.proba(self.views, picked)

    def _resident_key(self):
        """What names this predictor in the worker processes (see ``in_parts``):
        its own token, and the settings that change its predictions short of
        replacing its arrays."""
        settings = pickle.dumps((self.aliases, self.mask_target, self.classes_))
        return (self._token, hashlib.sha1(settings).hexdigest())

    def __setstate__(self, state):
        self.__dict__.update(state)
        # a copy may be changed apart from the original: it gets a token of its own
        self._token = uuid.uuid4().hex

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_classifier"] = None  # a pickle stays free of scikit-learn
        state["_compiled"] = None  # caches, rebuilt on use
        return state

    def __repr__(self):
        return f"StancePredictor(classes={self.classes_.tolist()})"


def _proba_of(model, texts, targets):
    """``model._proba`` of checked input, or of one part of it in a worker."""
    return model._proba(texts, targets)


def in_parts(function, model, texts, targets, n_jobs):
    """Return ``function(model, texts, targets)``, computed in one part per process
    when ``n_jobs`` allows and the input is long enough.

    A :class:`StancePredictor` is sent to the worker processes once: each keeps the
    last one it was sent (and the caches it warmed) for the calls that follow, until
    joblib stops the idle workers. Any other model is sent with every call.
    """
    if n_jobs is None or n_jobs == 1 or len(texts) <= _PARALLEL_ROWS:
        return function(model, texts, targets)
    from joblib import Parallel, delayed, effective_n_jobs

    workers = effective_n_jobs(n_jobs)
    if workers < 2:
        return function(model, texts, targets)
    size = -(-len(texts) // workers)
    starts = list(range(0, len(texts), size))
    key = model._resident_key() if isinstance(model, StancePredictor) else None

    def run(chosen, sent):
        return Parallel(n_jobs=workers)(
            delayed(_in_worker)(
                function, key, sent, texts[i : i + size], targets[i : i + size]
            )
            for i in chosen
        )

    parts = run(starts, None) if key in _sent else [None] * len(starts)
    # the parts a worker could not compute without the model (a worker restarted
    # by joblib, or one that never got it): computed again, with the model
    missing = [k for k, part in enumerate(parts) if part is None]
    if missing:
        for k, part in zip(missing, run([starts[k] for k in missing], model)):
            parts[k] = part
        if key is not None:
            _sent.clear()
            _sent.add(key)
    return np.vstack(parts)


# in the main process: the key of the last predictor sent to the workers
_sent = set()
# in a worker process: the last predictor it was sent, by key
_resident = {}


def _in_worker(function, key, model, texts, targets):
    """``function(model, texts, targets)`` in a worker process; ``model`` None means
    the one this process keeps under ``key`` (None if it keeps none), which a model
    sent with a key replaces."""
    if model is None:
        model = _resident.get(key)
        if model is None:
            return None
    elif key is not None:
        _resident.clear()
        _resident[key] = model
    return function(model, texts, targets)
