"""The n-gram counter, compiled or NumPy, must give exactly scikit-learn's features."""

import pickle

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from stancelib.classifier import CompactTfidfVectorizer, _whitespace_tokens
from stancelib.persistence import load_model, save_model

TRAIN = [
    "The Council welcomes the ceasefire agreed in Doha on Tuesday.",
    "Le Conseil salue le cessez-le-feu conclu à Doha mardi.",
    "We   reject\tthe embargo;\nit hurts civilians.",
    "L’Élysée s'inquiète de l'escalade — « inacceptable », dit-il.",
    "NATO's enlargement: a question for Sweden and Finland?",
    "ÉTAT Straße İstanbul ﬁnance",
    "a I x",
    "",
    "   ",
    "emoji 🙂 and 🙂🙂 twice",
    "Reaffirms its support for resolution 2231 (2015) and the JCPOA.",
    "Deplores the 3rd test of an ICBM, a breach of resolutions 1718 and 2397.",
]
UNSEEN = [
    "Unseen words: zyxt qwv, ✓ marks, ÆØÅ letters and ‽ signs.",
    "the ceasefire the ceasefire the ceasefire",
    "",
    "x",
    "NATO NATO nato",
] + TRAIN

SETTINGS = [
    dict(analyzer="char_wb", ngram_range=(2, 5)),
    dict(analyzer="char_wb", ngram_range=(1, 3)),
    dict(analyzer="char_wb", ngram_range=(4, 6)),
    dict(analyzer="char_wb", ngram_range=(2, 4), lowercase=False),
    dict(ngram_range=(1, 1)),
    dict(ngram_range=(1, 2)),
    dict(ngram_range=(1, 3)),
    dict(ngram_range=(2, 3)),
    dict(ngram_range=(1, 2), min_df=2),
    dict(ngram_range=(1, 2), max_df=0.5, binary=True),
    dict(ngram_range=(1, 2), norm="l1", use_idf=False),
    dict(tokenizer=_whitespace_tokens, token_pattern=None, lowercase=False),
]


@pytest.mark.parametrize("params", SETTINGS, ids=str)
def test_counts_equal_scikit_learn(params, counter):
    params = dict(sublinear_tf=True, dtype=np.float32) | params
    reference = TfidfVectorizer(**params)
    fast = CompactTfidfVectorizer(**params)
    expected = reference.fit_transform(TRAIN)
    assert fast._fast_kind() is not None
    got = fast.fit_transform(TRAIN)
    assert fast.vocabulary_ == reference.vocabulary_
    if reference.use_idf:
        np.testing.assert_array_equal(fast.idf_, reference.idf_)
    assert (got != expected).nnz == 0
    expected = reference.transform(UNSEEN)
    assert (fast.transform(UNSEEN) != expected).nnz == 0
    direct = fast._direct_transform(UNSEEN)
    assert direct.dtype == expected.dtype
    assert (direct != expected).nnz == 0


def test_a_saved_vectorizer_counts_the_same(tmp_path):
    fast = CompactTfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(TRAIN)
    expected = fast.transform(UNSEEN)
    save_model(fast, tmp_path / "v.skops")
    loaded = load_model(tmp_path / "v.skops")
    assert not hasattr(loaded, "_table") or loaded._table[0] is loaded.vocabulary_
    assert (loaded.transform(UNSEEN) != expected).nnz == 0


def test_too_many_distinct_characters_fall_back_to_scikit_learn():
    # 7,000 distinct characters: 5-character codes no longer fit in 64 bits
    docs = ["".join(chr(0x4E00 + i + j) for j in range(7)) for i in range(0, 7000, 7)]
    params = dict(analyzer="char_wb", ngram_range=(2, 5))
    expected = TfidfVectorizer(**params).fit_transform(docs)
    fast = CompactTfidfVectorizer(**params)
    assert (fast.fit_transform(docs) != expected).nnz == 0
    assert (fast._direct_transform(docs[:3]) != expected[:3]).nnz == 0


def test_other_settings_use_scikit_learn_loop():
    params = dict(analyzer="char", ngram_range=(2, 3))
    fast = CompactTfidfVectorizer(**params)
    assert fast._fast_kind() is None
    expected = TfidfVectorizer(**params).fit(TRAIN).transform(UNSEEN)
    assert (fast.fit(TRAIN).transform(UNSEEN) != expected).nnz == 0


def test_empty_vocabulary_is_an_error():
    with pytest.raises(ValueError, match="empty vocabulary"):
        CompactTfidfVectorizer().fit(["a", "b c", ""])


@pytest.mark.parametrize("params", SETTINGS, ids=str)
def test_token_lists_count_as_their_joined_text(params, counter):
    # the predictor passes the views' tokens, not the texts they are joined into
    from stancelib._views import tokens_of

    params = dict(sublinear_tf=True, dtype=np.float32) | params
    fast = CompactTfidfVectorizer(**params).fit(TRAIN)
    table = fast._ngram_table(fast._fast_kind())
    docs = [doc.split() for doc in UNSEEN] + [
        ["TGT", "n't", "not_,", "not_TGT", "ÉTAT", "İstanbul", "a", "x1", "--"],
        # words that differ only in case: distinct tokens, the same lowercased
        ["The", "the", "THE", "tgt", "TGT", "Accord", "accord"],
        [],
    ]
    docs += tokens_of(UNSEEN, ["the ceasefire"] * len(UNSEEN))["clause"]
    expected = table.counts([" ".join(doc) for doc in docs], np.float32)
    # the second call finds the tokens' units remembered from the first
    for _ in range(2):
        got = table.counts(docs, np.float32, tokenized=True)
        assert got.shape == expected.shape
        assert got.has_sorted_indices
        assert (got != expected).nnz == 0
    # unsorted, as the predictor asks: the same entries, each column once per row
    got = table.counts(docs, np.float32, sort=False, tokenized=True)
    got.sort_indices()
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_array_equal(got.data, expected.data)
    # what the table remembers stays out of its pickle, and is found again
    copy = pickle.loads(pickle.dumps(table))
    assert copy._token_ids is None
    assert (copy.counts(docs, np.float32, tokenized=True) != expected).nnz == 0


def test_compiled_distinct_tokens(compiled):
    unique, seen, per_doc = compiled.distinct_tokens([["b", "a", "b"], [], ["a", "c"]])
    assert unique == ["b", "a", "c"]
    assert seen.tolist() == [0, 1, 0, 1, 2]
    assert per_doc.tolist() == [3, 0, 2]


@pytest.mark.parametrize("n_keys", [0, 1, 5, 3000])
def test_key_index_finds_every_key_and_no_other(n_keys, counter):
    from stancelib import _ngrams

    rng = np.random.default_rng(n_keys)
    # keys as the tables make them: code * 16 + n, here unigrams (n = 1)
    codes = rng.choice(2**40, size=2 * n_keys, replace=False).astype(np.int64)
    keys = codes * 16 + 1
    present, absent = keys[:n_keys], keys[n_keys:]
    values = rng.permutation(n_keys).astype(np.int64)
    index = _ngrams._KeyIndex(present, values)
    # runs of several keys in a row, as in any table of thousands of keys
    assert n_keys < 3000 or index.probes > 3
    assert index.table[-1, 0] == -1  # a probe always ends on an empty slot
    assert index.get(present).tolist() == values.tolist()
    assert (index.get(absent) == -1).all()
    if counter == "compiled":
        from stancelib import _count

        # every key, present or not, as a one-unit segment
        order = rng.permutation(2 * n_keys)
        indptr, columns, counts = _count.count_ngrams(
            codes[order],
            np.ones(2 * n_keys, np.int64),
            2**40,
            1,
            1,
            False,
            index.table,
            int(index._shift),
        )
        hits = order < n_keys
        assert np.diff(indptr).tolist() == hits.astype(int).tolist()
        assert columns.tolist() == values[order[hits]].tolist()
