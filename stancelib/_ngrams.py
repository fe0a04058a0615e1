"""Count word and character n-grams with NumPy, as scikit-learn's analyzers do.

scikit-learn's ``CountVectorizer`` builds every n-gram of every document as a Python
string and looks it up in a dict: for character n-grams that was most of the time
stancelib spent classifying. Here each document's units (characters, or word tokens)
become small integer ids, and an n-gram of length ``l`` becomes the integer whose
base-``B`` digits are its ids, computed for all positions of a block of documents at
once. The vocabulary is a hash map of such integers (:class:`_KeyIndex`), looked up for
all n-grams in one go, and the counts are a SciPy sparse matrix. Character n-grams
are found once per distinct word of a block: a document's counts are the sparse
product of its word occurrences and its words' counts. The counts are those of
scikit-learn's analyzer, term for term (``tests/test_ngrams.py`` checks it on awkward
text).

Counting a vocabulary's n-grams in documents (``NgramTable.counts``, what transform
does, and ``NgramTable.rows``, what prediction does) goes through the compiled loop of
:mod:`stancelib._count` where it was built: the same keys and hash map, one pass per
document instead of some thirty array operations per call, which is most of the time
of a short input. Without it, NumPy counts the same. Learning a vocabulary
(``fit_counts``) always uses NumPy.

Only the settings whose analyzer this reproduces exactly are handled (see
:func:`fast_kind`); for any other, or when the codes would not fit in 64 bits (an
alphabet of thousands of characters), the vectorizer falls back to scikit-learn's loop.
"""

from __future__ import annotations

import re
from itertools import chain, repeat

import numpy as np

try:  # the compiled counting loop; without it, NumPy counts the same
    from . import _count
except ImportError:  # pragma: no cover - built without a compiler
    _count = None

WORD_PATTERN = r"(?u)\b\w\w+\b"

# documents per block: bounds the memory of the per-position arrays
_BLOCK = 8192


def fast_kind(vectorizer):
    """Return ``"char_wb"`` or ``"word"`` if the n-gram counter reproduces the
    analyzer of ``vectorizer`` exactly, else None."""
    v = vectorizer
    if (
        v.input != "content"
        or v.preprocessor is not None
        or v.strip_accents
        or v.stop_words is not None
        or not isinstance(v.analyzer, str)
    ):
        return None
    if v.analyzer == "char_wb":
        return "char_wb"
    if v.analyzer == "word" and v.tokenizer is None and v.token_pattern == WORD_PATTERN:
        return "word"
    return None


def _fits(base, max_n):
    """Whether codes of up to ``max_n`` digits in ``base``, times 16, fit in int64."""
    return base**max_n * 16 < 2**63


class _Segments:
    """The units of a block of documents, cut into segments n-grams do not cross.

    For ``char_wb`` a segment is a word padded with a space on each side and the units
    are its characters; for ``word`` (tokens of the default pattern) and ``split``
    (whitespace-separated tokens) a segment is a whole document and the units are its
    tokens.
    """

    def __init__(self, docs, kind, lowercase):
        if lowercase:
            docs = [doc.lower() for doc in docs]
        if kind == "char_wb":
            words = [doc.split() for doc in docs]
            flat = list(chain.from_iterable(words))
            padded = " " + "  ".join(flat) + " " if flat else ""
            self.units = np.frombuffer(padded.encode("utf-32-le"), dtype="<u4")
            self.lengths = np.fromiter(map(len, flat), np.int64, len(flat)) + 2
            per_doc = np.fromiter(map(len, words), np.int64, len(words))
        else:
            if kind == "split":
                tokens = [doc.split() for doc in docs]
            else:
                tokens = [_WORD_RE.findall(doc) for doc in docs]
            self.units = list(chain.from_iterable(tokens))
            per_doc = np.ones(len(docs), np.int64)
            self.lengths = np.fromiter(map(len, tokens), np.int64, len(tokens))
        # the document of each segment
        self.docs = np.repeat(np.arange(len(docs)), per_doc)
        self.n_docs = len(docs)


_WORD_RE = re.compile(WORD_PATTERN)


class _DocSegments:
    """Segments that are whole documents, of ``lengths`` units each."""

    def __init__(self, lengths):
        self.lengths = lengths
        self.n_docs = len(lengths)
        self.docs = np.arange(self.n_docs)


class _TokenIds(dict):
    """The unit ids of each token of pre-tokenized documents, for one table: found
    once per distinct token, then remembered (bounded, as the views' cue cache is).

    A token list counts as the text of its tokens joined by spaces. Lowercasing that
    text lowercases each token (it adds and removes no spaces), and under the word
    pattern ``\\b`` at a space is ``\\b`` at a word's edge: the text's units are its
    tokens' units one after the other, so each token's ids can be found alone.
    """

    def __init__(self, table):
        super().__init__()
        self.table = table

    def __missing__(self, token):
        found = tuple(self.table.token_unit_ids(token))
        if len(self) >= _TOKEN_CACHE_SIZE:
            self.clear()
        self[token] = found
        return found


_TOKEN_CACHE_SIZE = 100_000


def _sums(sizes, per_doc):
    """Sum ``sizes`` over consecutive groups of ``per_doc`` items."""
    totals = np.zeros(len(sizes) + 1, np.int64)
    np.cumsum(sizes, out=totals[1:])
    bounds = np.zeros(len(per_doc) + 1, np.int64)
    np.cumsum(per_doc, out=bounds[1:])
    return totals[bounds[1:]] - totals[bounds[:-1]]


def _distinct_words(docs, lowercase, tokenized=False):
    """Return the distinct whitespace-separated words of ``docs`` as written (in
    order of first occurrence), lowercased if asked, the index of each occurrence
    among them, and the words per doc.

    ``docs`` may be texts, or lists of tokens without whitespace when
    ``tokenized``. Words are told apart before lowercasing, so that only the
    distinct ones are lowercased: two of them may then be equal ("The", "the"),
    which costs a little work and changes no count.
    """
    tokens = docs if tokenized else [doc.split() for doc in docs]
    if _count is not None and type(tokens) is list:
        unique, seen, per_doc = _count.distinct_tokens(tokens)
    else:
        per_doc = np.fromiter(map(len, tokens), np.int64, len(tokens))
        flat = list(chain.from_iterable(tokens))
        index = {word: i for i, word in enumerate(dict.fromkeys(flat))}
        seen = np.fromiter(map(index.__getitem__, flat), np.int64, len(flat))
        unique = list(index)
    if lowercase and unique:
        # lowercasing adds and removes no spaces: one call for all the words
        unique = " ".join(unique).lower().split(" ")
    return unique, seen, per_doc


class _Words:
    """The words of a block of documents, for ``char_wb``: each distinct word once.

    A word's character n-grams are the same wherever it occurs, so they are found
    for each distinct word (``segments``, one word per segment) and a document's
    counts are the sum of its words' counts: ``seen[indptr[d] : indptr[d + 1]]`` are
    the distinct words of document ``d``, one per occurrence, in the document's
    order. :meth:`counts` adds them up with one sparse product, with no list of every
    n-gram occurrence of every document; the compiled counter adds them up itself.
    """

    def __init__(self, docs, lowercase, tokenized=False):
        self.unique, self.seen, per_doc = _distinct_words(docs, lowercase, tokenized)
        self.indptr = np.zeros(len(docs) + 1, np.int64)
        np.cumsum(per_doc, out=self.indptr[1:])
        self.segments = _Segments(self.unique, "char_wb", lowercase=False)

    def counts(self, word_counts, dtype, sort=True):
        """Return the documents' counts from each distinct word's counts."""
        from scipy import sparse

        # left as written, a word once per occurrence in the document's order: the
        # product then lists and adds a row's n-grams in an order set by the
        # document alone, so its features, to the last bit, do not depend on the
        # other documents of the block
        occurrences = sparse.csr_matrix(
            (np.ones(len(self.seen), np.float32), self.seen, self.indptr),
            shape=(len(self.indptr) - 1, len(self.unique)),
        )
        counts = (occurrences @ word_counts).astype(dtype, copy=False)
        if sort:
            counts.sort_indices()
        return counts


def _windows(ids, segments, base, ngram_range, short_segments):
    """Return (document, key) of every n-gram of the segments, ordered by document.

    A key is ``code * 16 + length``; ``ids`` are the units' ids (0 for a unit the
    vocabulary lacks, which no key of the vocabulary contains).
    """
    min_n, max_n = ngram_range
    lengths = segments.lengths
    starts = np.cumsum(lengths) - lengths
    # units left in the segment from each position on, this one included
    left = np.repeat(starts + lengths, lengths) - np.arange(len(ids))
    position_doc = np.repeat(segments.docs, lengths)
    # keys[p, n - 1]: the n-gram starting at p, or -1; row by row, that is
    # position by position, so the documents come out in order
    keys = np.full((len(ids), max_n), -1, np.int64)
    code = ids.astype(np.int64)
    for n in range(1, max_n + 1):
        if n > 1:
            code = code[:-1] * base + ids[n - 1 :]
        if n >= min_n:
            valid = left[: len(code)] >= n
            keys[: len(code), n - 1][valid] = code[valid] * 16 + n
        elif short_segments:
            # scikit-learn's char_wb emits a word shorter than min_n whole, once
            at = starts[lengths == n]
            keys[at, n - 1] = code[at] * 16 + n
    keys = keys.ravel()
    kept = np.flatnonzero(keys >= 0)
    return position_doc[kept // max_n], keys[kept]


class _KeyIndex:
    """A read-only hash map from non-negative int64 keys to int64 values (columns),
    looked up in bulk.

    Open addressing with linear probing: ``table`` has a row ``(key, value)`` per
    slot (-1 for an empty one), so that a lookup reads one cache line, not one for
    the key and another for the value. Keys are placed in order of their home slot,
    each in the first free slot from its home on; the table is long enough that no
    run wraps around, and ends with an empty slot. There are 2 to 4 slots a key.
    """

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, keys, values):
        bits = max(10, int(len(keys) * 2).bit_length())
        self._shift = np.uint64(64 - bits)
        home = self._slots(keys)
        order = np.argsort(home, kind="stable")
        home = home[order]
        # slot of the i-th key by home: i + the largest (home - rank) so far
        at = np.arange(len(keys)) + np.maximum.accumulate(home - np.arange(len(keys)))
        size = max(1 << bits, int(at[-1]) + 2 if len(at) else 1)
        self.table = np.full((size, 2), -1, np.int64)
        self.table[at, 0] = keys[order]
        self.table[at, 1] = values[order]
        # no key is more than probes - 1 slots past its home: a lookup that has not
        # found its key by then never will
        self.probes = int((at - home).max()) + 1 if len(at) else 0

    def _slots(self, keys):
        return ((keys.view(np.uint64) * self._MULTIPLIER) >> self._shift).astype(
            np.intp
        )

    def get(self, keys):
        """Return the value of each key, -1 for a key not in the map."""
        keys = np.asarray(keys, np.int64)
        values = np.full(len(keys), -1, np.int64)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        for _ in range(self.probes):
            if not len(pending):
                break
            found = self.table[slots, 0]
            hit = found == keys[pending]
            values[pending[hit]] = self.table[slots[hit], 1]
            going = ~hit & (found != -1)
            pending, slots = pending[going], slots[going] + 1
        return values


def _csr(rows, columns, shape, dtype):
    """Return the count matrix of (row, column) occurrences; rows come sorted."""
    from scipy import sparse

    indptr = np.zeros(shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    index = np.int32 if max(indptr[-1], shape[1]) < 2**31 else np.int64
    data = np.ones(len(rows), dtype)
    matrix = sparse.csr_matrix(
        (data, columns.astype(index), indptr.astype(index)), shape=shape
    )
    matrix.sum_duplicates()
    return matrix


class NgramTable:
    """The vocabulary of a fitted vectorizer as a hash map of n-gram keys.

    Parameters
    ----------
    vocabulary : dict of str to int
        The vectorizer's ``vocabulary_``.
    kind : {"char_wb", "word", "split"}
        The analyzer: see :func:`fast_kind`; ``split`` is a tokenizer that splits on
        whitespace, with unigrams only.
    ngram_range : tuple of (int, int)
    lowercase : bool
    """

    def __init__(self, vocabulary, kind, ngram_range, lowercase):
        self.kind = kind
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.n_features = len(vocabulary)
        self._token_ids = None  # see _token_units
        terms = list(vocabulary)
        columns = np.fromiter(vocabulary.values(), np.int64, len(vocabulary))
        if kind == "char_wb":
            alphabet = sorted(set().union(*terms))
            # unit id of each code point up to the largest in the vocabulary
            self.lookup = np.zeros(ord(alphabet[-1]) + 2 if alphabet else 1, np.int64)
            self.lookup[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1)
            base = len(alphabet) + 1
            units = np.frombuffer("".join(terms).encode("utf-32-le"), dtype="<u4")
            ids = self._char_ids(units)
        else:
            units = " ".join(terms).split(" ")
            self.tokens = dict(zip(dict.fromkeys(units), range(1, len(units) + 1)))
            base = len(self.tokens) + 1
            ids = self._word_ids(units)
        self.base = base
        self.usable = _fits(base, max(ngram_range[1], 1))
        if not self.usable:
            return
        if kind == "char_wb":
            lengths = np.fromiter(map(len, terms), np.int64, len(terms))
        else:
            spaces = map(str.count, terms, repeat(" "))
            lengths = np.fromiter(spaces, np.int64, len(terms)) + 1
        # each term's whole-length code
        keys = np.zeros(len(terms), np.int64)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        for n in np.unique(lengths):
            which = np.flatnonzero(lengths == n)
            code = np.zeros(len(which), np.int64)
            for k in range(n):
                code = code * base + ids[starts[which] + k]
            keys[which] = code * 16 + n
        self.index = _KeyIndex(keys, columns)

    def token_unit_ids(self, token):
        """Return the unit ids of one token (a str without whitespace) of a
        pre-tokenized document (see :class:`_TokenIds`): for ``char_wb`` those of
        the word padded with a space on each side, the segment its n-grams are
        found in; else its word units' ids (0 for a unit the vocabulary lacks).
        """
        word = token.lower() if self.lowercase else token
        if self.kind == "char_wb":
            padded = (" " + word + " ").encode("utf-32-le")
            return self._char_ids(np.frombuffer(padded, dtype="<u4")).tolist()
        units = (word,) if self.kind == "split" else _WORD_RE.findall(word)
        return [self.tokens.get(unit, 0) for unit in units]

    def _char_ids(self, units):
        return self.lookup[np.minimum(units, len(self.lookup) - 1)]

    def _word_ids(self, units):
        return np.fromiter(map(self.tokens.get, units, repeat(0)), np.int64, len(units))

    def counts(self, docs, dtype, sort=True, tokenized=False):
        """Return the (n_docs, n_features) count matrix of ``docs`` (CSR).

        With ``sort=False`` the columns of a row may come in any order, which
        sparse products do not mind; sorting them costs time. With
        ``tokenized=True`` each doc is a list of tokens without whitespace, counted
        as the text of those tokens joined by spaces (see :class:`_TokenIds`).
        """
        from scipy import sparse

        blocks = [
            self._block_counts(docs[i : i + _BLOCK], dtype, sort, tokenized)
            for i in range(0, len(docs), _BLOCK)
        ]
        if len(blocks) == 1:
            return blocks[0]
        if not blocks:
            return sparse.csr_matrix((0, self.n_features), dtype=dtype)
        return sparse.vstack(blocks, format="csr")

    def _block_counts(self, docs, dtype, sort, tokenized=False):
        if _count is not None:
            return self._matrix(*self.rows(docs, tokenized), dtype, sort)
        if self.kind != "char_wb":
            segments, ids = self._word_units(docs, tokenized)
            return self._segment_counts(segments, ids, dtype, False)
        words = _Words(docs, self.lowercase, tokenized)
        ids = self._char_ids(words.segments.units)
        per_word = self._segment_counts(words.segments, ids, np.float32, True)
        return words.counts(per_word, dtype, sort)

    def _word_units(self, docs, tokenized):
        """Return the segments and unit ids of docs, for the word kinds."""
        if tokenized:
            return self._token_units(docs)
        segments = _Segments(docs, self.kind, self.lowercase)
        return segments, self._word_ids(segments.units)

    def _token_units(self, docs):
        """Return the segments (one per doc) and unit ids of token lists."""
        if self._token_ids is None:
            self._token_ids = _TokenIds(self)
        per_doc = np.fromiter(map(len, docs), np.int64, len(docs))
        parts = list(map(self._token_ids.__getitem__, chain.from_iterable(docs)))
        sizes = np.fromiter(map(len, parts), np.int64, len(parts))
        ids = np.fromiter(chain.from_iterable(parts), np.int64, int(sizes.sum()))
        return _DocSegments(_sums(sizes, per_doc)), ids

    def __getstate__(self):
        # the token cache is rebuilt on use; a pickle stays the size of the table
        return self.__dict__ | {"_token_ids": None}

    def rows(self, docs, tokenized=False):
        """Count ``docs`` with the compiled loops of :mod:`stancelib._count`, which
        must be built; :meth:`counts` splits long inputs into blocks, this does not.

        Returns ``(indptr, indices, counts)`` of the CSR count matrix (int64, int32,
        int32): each row's columns once, in order of first occurrence.
        """
        if self.kind == "char_wb":
            # each distinct word's n-grams, then a document's words added up
            words = _Words(docs, self.lowercase, tokenized)
            ids, lengths = self._char_ids(words.segments.units), words.segments.lengths
        else:
            words = None
            segments, ids = self._word_units(docs, tokenized)
            lengths = segments.lengths
        index = self.index
        counted = _count.count_ngrams(
            ids,
            lengths,
            self.base,
            self.ngram_range[0],
            self.ngram_range[1],
            self.kind == "char_wb",
            index.table,
            int(index._shift),
        )
        if words is not None:
            counted = _count.sum_rows(*counted, words.indptr, words.seen)
        return counted

    def _matrix(self, indptr, indices, counts, dtype, sort):
        """Return the CSR matrix of :meth:`rows`' arrays."""
        from scipy import sparse

        if indptr[-1] < 2**31:
            indptr = indptr.astype(np.int32)
        shape = (len(indptr) - 1, self.n_features)
        matrix = sparse.csr_matrix((counts.astype(dtype), indices, indptr), shape=shape)
        if sort:
            matrix.sort_indices()
        return matrix

    def _segment_counts(self, segments, ids, dtype, short):
        """Return the count matrix of the documents of ``segments``."""
        rows, keys = _windows(ids, segments, self.base, self.ngram_range, short)
        columns = self.index.get(keys)
        found = columns >= 0
        shape = (segments.n_docs, self.n_features)
        return _csr(rows[found], columns[found], shape, dtype)


def weigh(counts, binary, sublinear, idf, norm):
    """Turn a CSR count matrix into tf-idf features, in place, as scikit-learn's
    ``TfidfTransformer.transform`` does; ``norm`` is "l2", "l1" or None.

    Returns the matrix.
    """
    values = counts.data
    if binary:
        values.fill(1)
    if sublinear:
        np.log(values, out=values)
        values += 1.0
    if idf is not None:
        values *= idf[counts.indices]
    if norm is not None:
        lengths = np.diff(counts.indptr)
        # each row's sum in float64, as scikit-learn's row normalisation adds them
        weights = values * values if norm == "l2" else np.abs(values)
        norms = np.zeros(counts.shape[0])
        filled = np.flatnonzero(lengths)
        starts = counts.indptr[filled]
        norms[filled] = np.add.reduceat(weights.astype(np.float64), starts)
        if norm == "l2":
            np.sqrt(norms, out=norms)
        # an all-zero row stays as it is (scikit-learn leaves it)
        norms[norms == 0] = 1.0
        values /= np.repeat(norms, lengths)
    return counts


def fit_counts(docs, kind, ngram_range, lowercase, dtype):
    """Learn the vocabulary of ``docs`` and count it, as ``_count_vocab`` does.

    Returns (vocabulary, counts), or None when the codes would not fit in int64.
    """
    from scipy import sparse

    if kind == "char_wb":
        return _fit_char_counts(docs, ngram_range, lowercase, dtype)
    blocks = [
        _Segments(docs[i : i + _BLOCK], kind, lowercase)
        for i in range(0, len(docs), _BLOCK)
    ]
    tokens = {}
    ids = [
        np.fromiter(
            (tokens.setdefault(t, len(tokens) + 1) for t in b.units),
            np.int64,
            len(b.units),
        )
        for b in blocks
    ]
    base = len(tokens) + 1
    if not _fits(base, ngram_range[1]):
        return None
    names = [""] + list(tokens)
    local = []
    for block, block_ids in zip(blocks, ids):
        rows, keys = _windows(block_ids, block, base, ngram_range, False)
        unique, columns = np.unique(keys, return_inverse=True)
        local.append((unique, _csr(rows, columns, (block.n_docs, len(unique)), dtype)))
    vocabulary_keys = np.unique(np.concatenate([u for u, _ in local] or [[]]))
    vocabulary_keys = vocabulary_keys.astype(np.int64)
    # renumber each block's columns into the whole vocabulary (order is kept)
    matrices = [
        sparse.csr_matrix(
            (
                counts.data,
                np.searchsorted(vocabulary_keys, unique)[counts.indices],
                counts.indptr,
            ),
            shape=(counts.shape[0], len(vocabulary_keys)),
        )
        for unique, counts in local
    ]
    counts = (
        sparse.vstack(matrices, format="csr") if len(matrices) != 1 else matrices[0]
    )
    terms = _decode(vocabulary_keys, base, kind, names)
    return dict(zip(terms, range(len(terms)))), counts


def _fit_char_counts(docs, ngram_range, lowercase, dtype):
    """:func:`fit_counts` for ``char_wb``: n-grams of each distinct word once."""
    words = _Words(docs, lowercase)
    units = words.segments.units
    alphabet = np.unique(units).astype(np.uint32)
    base = len(alphabet) + 1
    if not _fits(base, ngram_range[1]):
        return None
    ids = np.searchsorted(alphabet, units).astype(np.int64) + 1
    rows, keys = _windows(ids, words.segments, base, ngram_range, True)
    vocabulary_keys, columns = np.unique(keys, return_inverse=True)
    shape = (len(words.unique), len(vocabulary_keys))
    counts = words.counts(_csr(rows, columns.ravel(), shape, np.float32), dtype)
    names = np.array([chr(c) for c in alphabet.tolist()] or [""], dtype="<U1")
    terms = _decode(vocabulary_keys, base, "char_wb", names)
    return dict(zip(terms, range(len(terms)))), counts


def _decode(keys, base, kind, names):
    """Return the n-gram string of each key."""
    lengths = keys % 16
    codes = keys // 16
    terms = np.empty(len(keys), dtype=object)
    for n in np.unique(lengths):
        which = np.flatnonzero(lengths == n)
        powers = base ** np.arange(n - 1, -1, -1, dtype=np.int64)
        digits = (codes[which, None] // powers) % base
        if kind == "char_wb":
            chars = np.ascontiguousarray(names[digits - 1])
            terms[which] = chars.view(f"<U{n}").ravel().tolist()
        else:
            terms[which] = [" ".join(names[d] for d in row) for row in digits.tolist()]
    return terms.tolist()
