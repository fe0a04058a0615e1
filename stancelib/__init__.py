"""stancelib: the stance of political and diplomatic statements toward a named target.

>>> import stancelib as sl
>>> sl.STANCES
('support', 'opposition', 'concern', 'none')
"""

__version__ = "0.1.0"

from .analyze import analyze
from .classifier import StanceClassifier
from .data import load_corpus, load_dataset
from .default import load_default
from .labels import STANCE_MEANINGS, STANCES
from .metrics import evaluate
from .persistence import UntrustedModelError, load_model, save_model

__all__ = [
    "STANCES",
    "STANCE_MEANINGS",
    "StanceClassifier",
    "UntrustedModelError",
    "analyze",
    "evaluate",
    "load_corpus",
    "load_dataset",
    "load_default",
    "load_model",
    "save_model",
]
