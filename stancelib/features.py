"""TargetContext: the target-aware views of (text, target) pairs as a scikit-learn
transformer, for the vectorizers of :class:`~stancelib.StanceClassifier`.

The views themselves are computed by :func:`target_views` (see :mod:`stancelib._views`).
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin

from ._views import CUES, NEGATIONS, VIEWS, cue_class, target_views, views_of
from .data import check_pairs

__all__ = [
    "CUES",
    "NEGATIONS",
    "VIEWS",
    "TargetContext",
    "cue_class",
    "target_views",
    "views_of",
]


class TargetContext(TransformerMixin, BaseEstimator):
    """Turn (text, target) pairs into the ``sentence``, ``clause`` and ``cues`` views.

    Parameters
    ----------
    aliases : dict of str to list of str, default=None
        Extra names under which a target may be mentioned, added to the built-in ones.
    mask_target : bool, default=True
        Whether the sentence view replaces the mention by ``TGT``.

    Examples
    --------
    >>> views = TargetContext().transform([("We reject the embargo.", "the embargo")])
    >>> views["clause"][0]
    'we reject TGT'
    """

    def __init__(self, *, aliases=None, mask_target=True):
        self.aliases = aliases
        self.mask_target = mask_target

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        pairs = check_pairs(X)
        views = views_of(
            pairs["text"].tolist(),
            pairs["target"].tolist(),
            self.aliases,
            self.mask_target,
        )
        import pandas as pd

        return pd.DataFrame(views, columns=list(VIEWS))

    def get_feature_names_out(self, input_features=None):
        return list(VIEWS)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
