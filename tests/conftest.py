"""Shared fixtures: tiny labelled data built in code, and an isolated model cache."""

import os

# nothing in the tests may reach a hub
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import stancelib  # noqa: E402

ROWS = [
    ("The ministers welcome the new trade accord.", "the new trade accord", "support"),
    (
        "Paris strongly supports the ceasefire agreement.",
        "the ceasefire agreement",
        "support",
    ),
    ("Le Conseil salue la reprise du dialogue.", "la reprise du dialogue", "support"),
    ("Berlin rejects the proposed embargo.", "the proposed embargo", "opposition"),
    (
        "Les deux pays condamnent les essais nucléaires.",
        "les essais nucléaires",
        "opposition",
    ),
    ("The union opposes the pipeline project.", "the pipeline project", "opposition"),
    ("We are deeply concerned about the missile test.", "the missile test", "concern"),
    ("Ottawa s'inquiète de la hausse des tarifs.", "la hausse des tarifs", "concern"),
    ("The council is worried by the drought plan.", "the drought plan", "concern"),
    (
        "The delegation arrived for the review conference.",
        "the review conference",
        "none",
    ),
    ("La réunion sur le budget aura lieu lundi.", "le budget", "none"),
    ("The summit on the climate fund opens on Monday.", "the climate fund", "none"),
]


@pytest.fixture
def pairs():
    """A dozen labelled rows as a DataFrame with text, target and stance."""
    return pd.DataFrame(ROWS, columns=["text", "target", "stance"])


@pytest.fixture
def fitted(pairs):
    return stancelib.StanceClassifier().fit(pairs[["text", "target"]], pairs["stance"])


@pytest.fixture(scope="session")
def model_home(tmp_path_factory):
    """A private STANCELIB_HOME for the whole session, so tests never touch ~/.cache."""
    home = tmp_path_factory.mktemp("stancelib_home")
    old = os.environ.get("STANCELIB_HOME")
    os.environ["STANCELIB_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("STANCELIB_HOME", None)
    else:
        os.environ["STANCELIB_HOME"] = old


@pytest.fixture(scope="session")
def default_model(model_home):
    """The default model, built once for the session in the private cache."""
    return stancelib.load_default()


@pytest.fixture
def labelled_csv(tmp_path, pairs):
    path = tmp_path / "labelled.csv"
    pairs.assign(doc_id=[f"d{i // 2}" for i in range(len(pairs))]).to_csv(
        path, index=False
    )
    return path


@pytest.fixture(params=["compiled", "numpy"])
def counter(request, monkeypatch):
    """Find the views and count n-grams with the compiled loops (stancelib._count),
    then in Python and NumPy, as where the extension was not built.

    Where it was not built (no compiler at install), the compiled case is skipped,
    or fails if STANCELIB_REQUIRE_COMPILED is set, as CI sets it.
    """
    from stancelib import _ngrams, _views

    if request.param == "numpy":
        monkeypatch.setattr(_ngrams, "_count", None)
        monkeypatch.setattr(_views, "_compiled", None)
    else:
        _compiled_loops()
    return request.param


@pytest.fixture
def compiled():
    """The compiled loops, :mod:`stancelib._count` (see :func:`_compiled_loops`)."""
    return _compiled_loops()


def _compiled_loops():
    """Return :mod:`stancelib._count`; where the extension was not built, skip the
    test, or fail it if STANCELIB_REQUIRE_COMPILED is set, as CI sets it."""
    from stancelib import _ngrams

    if _ngrams._count is None:
        message = "stancelib._count is not built: n-grams are counted with NumPy"
        if os.environ.get("STANCELIB_REQUIRE_COMPILED"):
            pytest.fail(message)
        pytest.skip(message)
    return _ngrams._count
