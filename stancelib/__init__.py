"""stancelib: the stance of political and diplomatic statements toward a named target.

>>> import stancelib as sl
>>> sl.STANCES
('support', 'opposition', 'concern', 'none')
"""

from importlib import import_module

from .analyze import analyze  # imported here: the function shadows its module's name
from .labels import STANCE_MEANINGS, STANCES

__version__ = "0.1.0"

# the public names and their modules, imported on first use: ``import stancelib``
# stays quick, and a prediction loads only what it needs
_LAZY = {
    "EmbeddingBlend": "embeddings",
    "StanceClassifier": "classifier",
    "StancePredictor": "predictor",
    "UntrustedModelError": "persistence",
    "evaluate": "metrics",
    "load_corpus": "data",
    "load_dataset": "data",
    "load_default": "default",
    "load_model": "persistence",
    "save_model": "persistence",
}

__all__ = ["STANCES", "STANCE_MEANINGS", "analyze", *sorted(_LAZY)]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stancelib' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_LAZY])
