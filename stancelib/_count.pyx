# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled loops of stancelib: target views, n-gram counting and scoring.

It is optional: without a compiler the package installs without it, and the Python
and NumPy code it stands in for computes the same results (the tests compare both).

:meth:`NgramTable.counts <stancelib._ngrams.NgramTable.counts>` finds every n-gram's
key, looks it up in the vocabulary's hash map and counts the columns of each
document. With NumPy that is some thirty array operations per call whatever the
input's size, which is most of the time of a short input. :func:`count_ngrams` does
the same work in one pass, document by document (character n-grams once per distinct
word of the input, as with NumPy).

:func:`add_scores` turns a block's counts into tf-idf features and multiplies them by
a linear model's weights, row by row, as ``_ngrams.weigh`` and a sparse product do,
without making the block's feature matrix.

:class:`TokenViews` computes the target views of many pairs, as
``_views.target_tokens`` does one pair's in Python, as ids of their tokens: a token's
attributes (clause boundary, stopword, negation, cue class) are worked out once, the
first time it is met, and the clause, negation scope and cue features are loops over
small integers. :class:`TableUnits` turns a view's ids into the unit ids of an n-gram
table, each token's found once, for :func:`count_ngrams`; this is how
``StancePredictor`` predicts. :func:`distinct_tokens` finds the distinct tokens of
token lists.
"""

import numpy as np

from libc.math cimport fabsf, logf, sqrt
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport free, malloc

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15


cdef inline int64_t _lookup(
    int64_t key, const int64_t[:, ::1] table, uint64_t shift
) noexcept nogil:
    """The value of ``key`` in a ``_KeyIndex``'s table, or -1: linear probing from
    the key's home slot to the key or an empty slot."""
    cdef Py_ssize_t slot = <Py_ssize_t>((<uint64_t>key * MULTIPLIER) >> shift)
    cdef int64_t found = table[slot, 0]
    while found != key:
        if found == -1:
            return -1
        slot += 1
        found = table[slot, 0]
    return table[slot, 1]


cdef class _Rows:
    """A CSR count matrix built row by row, rows in order: each row's columns once, in
    order of first occurrence. A small open-addressing table maps a column to its
    position in the output; a slot is in use for row ``r`` when its stamp is ``r + 1``,
    so the table is never cleared."""

    cdef int64_t *column
    cdef int64_t *position
    cdef int64_t *stamp
    cdef Py_ssize_t mask, nnz
    cdef object indptr_array, indices_array, counts_array
    cdef int64_t[::1] indptr
    cdef int32_t[::1] indices
    cdef int32_t[::1] counts

    def __cinit__(self, Py_ssize_t n_rows, Py_ssize_t total, Py_ssize_t widest):
        """Room for ``total`` entries, at most ``widest`` in a row."""
        cdef Py_ssize_t size = 16, slot
        while size < 2 * widest:
            size <<= 1
        self.mask = size - 1
        self.column = <int64_t *>malloc(size * sizeof(int64_t))
        self.position = <int64_t *>malloc(size * sizeof(int64_t))
        self.stamp = <int64_t *>malloc(size * sizeof(int64_t))
        if not self.column or not self.position or not self.stamp:
            raise MemoryError()
        for slot in range(size):
            self.stamp[slot] = 0
        self.indptr_array = np.zeros(n_rows + 1, np.int64)
        self.indices_array = np.empty(total, np.int32)
        self.counts_array = np.empty(total, np.int32)
        self.indptr = self.indptr_array
        self.indices = self.indices_array
        self.counts = self.counts_array
        self.nnz = 0

    def __dealloc__(self):
        free(self.column)
        free(self.position)
        free(self.stamp)

    cdef inline void add(
        self, Py_ssize_t row, int64_t column, int32_t count
    ) noexcept nogil:
        """Add ``count`` to ``column`` of ``row``, the row being built."""
        cdef Py_ssize_t slot = <Py_ssize_t>(
            (<uint64_t>column * MULTIPLIER) >> 32
        ) & self.mask
        while self.stamp[slot] == row + 1 and self.column[slot] != column:
            slot = (slot + 1) & self.mask
        if self.stamp[slot] == row + 1:
            self.counts[self.position[slot]] += count
            return
        self.stamp[slot] = row + 1
        self.column[slot] = column
        self.position[slot] = self.nnz
        self.indices[self.nnz] = <int32_t>column
        self.counts[self.nnz] = count
        self.nnz += 1

    cdef inline void end(self, Py_ssize_t row) noexcept nogil:
        """Close ``row``."""
        self.indptr[row + 1] = self.nnz

    def result(self):
        """Return ``(indptr, indices, counts)``."""
        return (
            self.indptr_array,
            self.indices_array[: self.nnz],
            self.counts_array[: self.nnz],
        )


def count_ngrams(
    const int64_t[::1] ids,
    const int64_t[::1] lengths,
    base,
    int min_n,
    int max_n,
    bint short_segments,
    const int64_t[:, ::1] table,
    shift,
):
    """Count the vocabulary's n-grams in each segment.

    Segment ``s`` is the next ``lengths[s]`` units of ``ids``; n-grams do not cross
    segments. They are keyed and looked up as ``_ngrams._windows`` and
    ``_KeyIndex.get`` do (``table`` and ``shift`` are the index's).

    Returns ``(indptr, indices, counts)`` of a CSR matrix with a row per segment:
    each row's columns once, in order of first occurrence.
    """
    cdef Py_ssize_t n_segments = lengths.shape[0]
    cdef Py_ssize_t s, n, length, bound, begin, start = 0, widest = 0, total = 0
    cdef int64_t code, column, b = base
    cdef uint64_t shift_bits = shift
    with nogil:
        for s in range(n_segments):
            bound = 0
            for n in range(min_n, max_n + 1):
                if lengths[s] >= n:
                    bound += lengths[s] - n + 1
            if short_segments and lengths[s] < min_n:
                bound += 1
            total += bound
            widest = max(widest, bound)
    cdef _Rows rows = _Rows(n_segments, total, widest)
    with nogil:
        for s in range(n_segments):
            length = lengths[s]
            for begin in range(length):
                code = 0
                for n in range(1, max_n + 1):
                    if begin + n > length:
                        break
                    code = code * b + ids[start + begin + n - 1]
                    # char_wb emits a segment shorter than min_n whole
                    if n < min_n and not (
                        short_segments and begin == 0 and n == length
                    ):
                        continue
                    column = _lookup(code * 16 + n, table, shift_bits)
                    if column >= 0:
                        rows.add(s, column, 1)
            start += length
            rows.end(s)
    return rows.result()


def sum_rows(
    const int64_t[::1] indptr,
    const int32_t[::1] indices,
    const int32_t[::1] counts,
    const int64_t[::1] doc_indptr,
    const int64_t[::1] doc_rows,
):
    """Add up rows of a CSR count matrix: row ``d`` of the result is the sum of the
    rows ``doc_rows[doc_indptr[d] : doc_indptr[d + 1]]`` (a document's words).

    Returns ``(indptr, indices, counts)``: each row's columns once, in order of first
    occurrence.
    """
    cdef Py_ssize_t n_docs = doc_indptr.shape[0] - 1
    cdef Py_ssize_t d, j, r, k, bound, widest = 0, total = 0
    with nogil:
        for d in range(n_docs):
            bound = 0
            for j in range(doc_indptr[d], doc_indptr[d + 1]):
                r = doc_rows[j]
                bound += indptr[r + 1] - indptr[r]
            total += bound
            widest = max(widest, bound)
    cdef _Rows rows = _Rows(n_docs, total, widest)
    with nogil:
        for d in range(n_docs):
            for j in range(doc_indptr[d], doc_indptr[d + 1]):
                r = doc_rows[j]
                for k in range(indptr[r], indptr[r + 1]):
                    rows.add(d, indices[k], counts[k])
            rows.end(d)
    return rows.result()


def add_scores(
    const int64_t[::1] indptr,
    const int32_t[::1] indices,
    const int32_t[::1] counts,
    bint binary,
    bint sublinear,
    const float[::1] idf,
    int norm,
    const double[:, ::1] weights,
    double[:, ::1] scores,
):
    """Add the tf-idf features of each row of a CSR count matrix, times ``weights``,
    to the row of ``scores``.

    The features are ``_ngrams.weigh``'s, in float32 as there: counts, 1 if
    ``binary``, ``1 + log`` if ``sublinear``, times ``idf`` (None: no idf), divided
    by the row's l2 norm (``norm`` 2), l1 norm (1) or not (0). Each row's terms are
    added in the row's order, so a row's scores do not depend on the other rows.
    """
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, width = weights.shape[1]
    cdef Py_ssize_t r, k, c, widest = 0
    cdef bint weighted = idf is not None
    cdef float value
    cdef double total, scale
    cdef const double *row_weights
    cdef Py_ssize_t n_columns = weights.shape[0], outside = 0
    if scores.shape[0] != n_rows or scores.shape[1] != width:
        raise ValueError("scores must have a row per count row, a column per weight")
    if weighted and idf.shape[0] != n_columns:
        raise ValueError("idf must have a value per row of weights")
    with nogil:
        for r in range(n_rows):
            widest = max(widest, indptr[r + 1] - indptr[r])
        for k in range(indices.shape[0]):
            if indices[k] < 0 or indices[k] >= n_columns:
                outside += 1
    if outside:
        raise ValueError("a column of the counts has no row in weights")
    cdef float *values = <float *>malloc(max(widest, 1) * sizeof(float))
    if not values:
        raise MemoryError()
    with nogil:
        for r in range(n_rows):
            total = 0.0
            for k in range(indptr[r], indptr[r + 1]):
                value = 1.0 if binary else <float>counts[k]
                if sublinear:
                    value = logf(value) + <float>1.0
                if weighted:
                    value = value * idf[indices[k]]
                values[k - indptr[r]] = value
                if norm == 2:
                    total += <double>(value * value)
                elif norm == 1:
                    total += <double>fabsf(value)
            if norm == 2:
                total = sqrt(total)
            # an all-zero row stays as it is, as in weigh
            scale = total if norm != 0 and total != 0.0 else 1.0
            for k in range(indptr[r], indptr[r + 1]):
                value = <float>(values[k - indptr[r]] / scale)
                row_weights = &weights[indices[k], 0]
                for c in range(width):
                    scores[r, c] += <double>value * row_weights[c]
    free(values)


# ---------------------------------------------------------------------------------
# The target views (stancelib._views.target_tokens), compiled, as token ids.

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.unicode cimport Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE
from libc.stdint cimport int8_t, uint8_t


cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


cdef inline bint _is_word(Py_UCS4 ch) noexcept:
    """Whether ``ch`` is a word character of Python's ``re`` (``\\w``)."""
    return ch == u"_" or Py_UNICODE_ISALNUM(ch)


# the cue features of a cue class (index 0-2), by negation, side and distance
cdef tuple _CLASSES = (u"sup", u"opp", u"con")
cdef dict _CLASS_INDEX = {cls: k for k, cls in enumerate(_CLASSES)}


cdef class _Tables:
    """What the views read from :mod:`stancelib._views` and :mod:`stancelib.targets`:
    tables, and the functions of ``targets`` that find a mention (see :func:`_find`)."""

    # the fold table and the cue cache compute what they miss (__missing__)
    cdef object fold, cues
    cdef frozenset negations, boundaries, stopwords
    cdef object find, names, odd_spacing, search, partial

    def __init__(self, fold, cues, negations, boundaries, stopwords, finders):
        self.fold = fold
        self.cues = cues
        self.negations = negations
        self.boundaries = boundaries
        self.stopwords = stopwords
        (
            self.find, self.names, self.odd_spacing, self.search, self.partial
        ) = finders


def views_tables(fold, cues, negations, boundaries, stopwords, finders):
    """Bundle the tables :class:`TokenViews` reads (see there); ``finders`` are
    ``targets``' ``find_folded``, ``_names``, ``_odd_spacing``, ``_search`` and
    ``_partial_mentions``."""
    return _Tables(fold, cues, negations, boundaries, stopwords, finders)


cdef list _search_plain(str text, str name):
    """``targets._search`` of a folded name in a text spaced plainly: every
    occurrence of ``name`` that starts and ends on a word boundary."""
    cdef list spans = []
    cdef Py_ssize_t n = len(text), m = len(name), start, end
    cdef bint alnum_first = Py_UNICODE_ISALNUM(name[0])
    cdef bint alnum_last = Py_UNICODE_ISALNUM(name[m - 1])
    start = text.find(name)
    while start >= 0:
        end = start + m
        if not (
            (alnum_first and start > 0 and _is_word(text[start - 1]))
            or (alnum_last and end < n and _is_word(text[end]))
        ):
            spans.append((start, end))
        start = text.find(name, start + 1)
    return spans


cdef list _find(_Tables t, str folded_text, object target, tuple names, aliases):
    """``targets.find_folded(folded_text, target, aliases, partial=True)``.

    Without ``aliases``, ``names`` are the target's ``(core, ((name, folded name),
    ...))`` (see ``TokenViews._target``): each name is searched in C unless the
    text is spaced oddly (the regex of ``targets._search``), then a partial
    mention."""
    if aliases is not None:
        return t.find(folded_text, target, aliases, partial=True)
    cdef int odd = -1  # whether the text is spaced oddly: not yet known
    cdef str folded
    cdef list spans
    core, pairs = names
    for name, folded in pairs:
        if u" " in folded:
            if odd < 0:
                odd = 1 if t.odd_spacing(folded_text) else 0
            if odd:
                spans = t.search(folded_text, name, True)
            else:
                spans = _search_plain(folded_text, folded)
        else:
            spans = _search_plain(folded_text, folded)
        if spans:
            return spans
    return t.partial(folded_text, core)


cdef inline int _cue_index(object cues, str token) except -2:
    """The cue class of a token (0-2), or -1; ``cues`` is ``_views._CUE_CACHE``."""
    cdef PyObject *known = PyDict_GetItem(cues, token)
    if known is NULL:  # not seen yet: the cache works it out
        found = cues[token]
    else:
        found = <object>known
    if found is None:
        return -1
    return _CLASS_INDEX[found]


cdef object _grown(object array, Py_ssize_t size, fill):
    """``array`` lengthened (along its first axis) to ``size`` rows, the new ones set
    to ``fill``."""
    more = np.full((size - array.shape[0],) + array.shape[1:], fill, array.dtype)
    return np.concatenate([array, more])


cdef class _Ids:
    """A growable array of int32 ids."""

    cdef object array
    cdef int32_t[::1] data
    cdef Py_ssize_t n

    def __cinit__(self, Py_ssize_t room=64):
        self.array = np.empty(max(room, 16), np.int32)
        self.data = self.array
        self.n = 0

    cdef inline int add(self, int32_t value) except -1:
        if self.n == self.data.shape[0]:
            self.array = _grown(self.array, 2 * self.n, 0)
            self.data = self.array
        self.data[self.n] = value
        self.n += 1
        return 0

    cdef int extend(self, _Ids other, Py_ssize_t start, Py_ssize_t end) except -1:
        cdef Py_ssize_t i
        for i in range(start, end):
            self.add(other.data[i])
        return 0

    cdef object result(self):
        return self.array[: self.n].copy()


# what a token's flags say (TokenViews.flags)
cdef enum:
    BOUNDARY = 1
    STOPWORD = 2
    NEGATION = 4
    ALPHA = 8
    QUESTION_MARK = 16

# the features made from a token, by column of TokenViews.derived
cdef enum:
    NEGATED = 0  # not_ + token
    LEFT = 1  # left_ + token[:6]
    RIGHT = 2  # right_ + token[:6]
    GOVERNOR = 3  # gov_ + token[:6]
    GOVERNOR_NEG = 4  # gov_ + token[:6] + _neg
    N_DERIVED = 5

# the fixed cue features, at these offsets of TokenViews.fixed (cls: cue class 0-2,
# neg 0-1, side 0 left 1 right, d distance 0-2)
cdef enum:
    NOTFOUND = 0
    QUESTION = 1
    ANY = 2  # + cls
    OUT = 5  # + cls
    BARE = 8  # + 2 cls + neg
    SIDED = 14  # + 4 cls + 2 side + neg
    FAR = 26  # + 6 cls + 3 side + d
    GOVCLS = 44  # + 2 cls + neg
    GOVSIDE = 50  # + side
    N_FIXED = 52

cdef list _FIXED = (
    [u"notfound", u"question"]
    + [u"any_" + cls for cls in _CLASSES]
    + [u"out_" + cls for cls in _CLASSES]
    + [cls + neg for cls in _CLASSES for neg in (u"", u"_neg")]
    + [
        cls + u"_" + side + neg
        for cls in _CLASSES
        for side in u"LR"
        for neg in (u"", u"_neg")
    ]
    + [
        cls + u"_" + side + u"_" + d
        for cls in _CLASSES
        for side in u"LR"
        for d in (u"d1", u"d2", u"d3")
    ]
    + [u"govcls_" + cls + neg for cls in _CLASSES for neg in (u"", u"_neg")]
    + [u"govside_L", u"govside_R"]
)
assert len(_FIXED) == N_FIXED

cdef enum:
    FOLDS = 0x3000  # code points below this have their fold kept in a C array


cdef class TokenViews:
    """The target views of pairs (``_views.target_tokens``) as ids of their tokens.

    Each distinct token (a word, a mark, a cue feature such as ``gov_welcom``) gets
    an id the first time it is met, and what the views ask of it (is it a clause
    boundary, a stopword, a negation, a cue of which class; its ``not_`` form...) is
    worked out then, once. A pair's views are then loops over small integers, with a
    dictionary lookup per token of the text and no list of strings;
    :class:`TableUnits` maps the ids to an n-gram table's units.

    The ids are valid until the next call of :meth:`views`, which starts afresh
    (new ids: ``generation`` grows) when more than ``limit`` tokens have ids, so that
    an endless stream of new words cannot fill the memory. Not thread-safe: callers
    hold a lock.
    """

    cdef _Tables t
    cdef dict index, target_ids
    cdef readonly list strings
    cdef readonly Py_ssize_t generation
    cdef Py_ssize_t limit
    cdef object _flags, _cue, _derived
    cdef uint8_t[::1] flags
    cdef int8_t[::1] cue
    cdef int32_t[:, ::1] derived
    cdef int32_t fixed[N_FIXED]
    cdef int32_t tgt, nt
    cdef Py_UCS4 *folds  # each code point's fold, 0 if not yet known
    cdef Py_UCS4 *buffer  # a folded text
    cdef Py_ssize_t buffer_size
    cdef _Ids scratch  # one pair's tokens
    cdef object _negated
    cdef uint8_t[::1] negated

    def __cinit__(self, _Tables tables, Py_ssize_t limit=200_000):
        self.t = tables
        self.limit = limit
        self.folds = <Py_UCS4 *>malloc(FOLDS * sizeof(Py_UCS4))
        self.buffer_size = 256
        self.buffer = <Py_UCS4 *>malloc(self.buffer_size * sizeof(Py_UCS4))
        if not self.folds or not self.buffer:
            raise MemoryError()
        cdef Py_ssize_t c
        for c in range(FOLDS):
            self.folds[c] = 0
        self.scratch = _Ids()
        self._negated = np.zeros(64, np.uint8)
        self.negated = self._negated
        self.generation = 0
        self.reset()

    def __dealloc__(self):
        free(self.folds)
        free(self.buffer)

    def reset(self):
        """Forget every id (the next ones are of a new ``generation``)."""
        self.index = {}
        self.target_ids = {}
        self.strings = []
        self._flags = np.zeros(1024, np.uint8)
        self._cue = np.zeros(1024, np.int8)
        self._derived = np.zeros((1024, N_DERIVED), np.int32)
        self.flags, self.cue, self.derived = self._flags, self._cue, self._derived
        self.generation += 1
        cdef Py_ssize_t k
        for k in range(N_FIXED):
            self.fixed[k] = self._id(_FIXED[k])
        self.tgt = self._id(u"TGT")
        self.nt = self._id(u"n't")

    def __len__(self):
        return len(self.strings)

    # -- ids -------------------------------------------------------------------------

    cdef inline int32_t _id(self, str token) except -1:
        """The id of ``token``."""
        cdef PyObject *known = PyDict_GetItem(self.index, token)
        if known is not NULL:
            return <int32_t><object>known
        return self._new(token)

    cdef int32_t _new(self, str token) except -1:
        cdef Py_ssize_t g = len(self.strings), k
        cdef int flags = 0
        cdef _Tables t = self.t
        if g == self.flags.shape[0]:
            self._flags = _grown(self._flags, 2 * g, 0)
            self._cue = _grown(self._cue, 2 * g, 0)
            self._derived = _grown(self._derived, 2 * g, 0)
            self.flags, self.cue, self.derived = self._flags, self._cue, self._derived
        if token in t.boundaries:
            flags |= BOUNDARY
        if token in t.stopwords:
            flags |= STOPWORD
        if token in t.negations:
            flags |= NEGATION
        if token.isalpha():
            flags |= ALPHA
        if token == u"?":
            flags |= QUESTION_MARK
        self.flags[g] = flags
        self.cue[g] = _cue_index(t.cues, token)
        for k in range(N_DERIVED):
            self.derived[g, k] = -1
        self.strings.append(token)
        self.index[token] = g
        return g

    cdef int32_t _derive(self, int32_t g, int kind) except -1:
        """The id of a feature made from token ``g`` (see ``N_DERIVED``)."""
        cdef int32_t found = self.derived[g, kind]
        if found >= 0:
            return found
        cdef str token = self.strings[g]
        if kind == NEGATED:
            found = self._id(u"not_" + token)
        elif kind == LEFT:
            found = self._id(u"left_" + token[:6])
        elif kind == RIGHT:
            found = self._id(u"right_" + token[:6])
        elif kind == GOVERNOR:
            found = self._id(u"gov_" + token[:6])
        else:
            found = self._id(u"gov_" + token[:6] + u"_neg")
        self.derived[g, kind] = found
        return found

    # -- text --------------------------------------------------------------------------

    cdef str _fold(self, object text):
        """``text.translate(_FOLD)``, with each code point's fold looked up once."""
        cdef str s = text if type(text) is str else str(text)
        cdef Py_ssize_t n = len(s), i = 0
        cdef Py_UCS4 ch, out
        if n > self.buffer_size:
            free(self.buffer)
            self.buffer_size = 2 * n
            self.buffer = <Py_UCS4 *>malloc(self.buffer_size * sizeof(Py_UCS4))
            if not self.buffer:
                self.buffer_size = 0
                raise MemoryError()
        for ch in s:
            out = self.folds[ch] if ch < FOLDS else 0
            if out == 0:
                # the fold table's own answer (one character), kept
                out = <Py_UCS4>ord(self.t.fold[<Py_ssize_t>ch])
                if ch < FOLDS:
                    self.folds[ch] = out
            self.buffer[i] = out
            i += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, self.buffer, n)

    cdef int _split(self, str text, Py_ssize_t start, Py_ssize_t end, _Ids out) except -1:
        """Add the ids of the tokens of ``text[start:end]`` to ``out``, as
        ``_views._tokens`` finds them: runs of word characters (a final "n't" split
        off), and every other character but whitespace alone."""
        cdef Py_ssize_t i = start, j
        cdef Py_UCS4 ch
        while i < end:
            ch = text[i]
            if _is_word(ch):
                j = i + 1
                while j < end and _is_word(text[j]):
                    j += 1
                if (
                    j + 1 < end
                    and text[j - 1] == u"n"
                    and text[j] == u"'"
                    and text[j + 1] == u"t"
                ):
                    if j - 1 > i:
                        out.add(self._id(text[i : j - 1]))
                    out.add(self.nt)
                    i = j + 2
                else:
                    out.add(self._id(text[i:j]))
                    i = j
            elif Py_UNICODE_ISSPACE(ch):
                i += 1
            else:
                out.add(self._id(text[i : i + 1]))
                i += 1
        return 0

    cdef tuple _target(self, object target):
        """What the views need of a target: the ids of its view (the folded
        target's words), and the names it is looked for under (see :func:`_find`),
        worked out once."""
        cdef PyObject *known = PyDict_GetItem(self.target_ids, target)
        if known is not NULL:
            return <tuple>known
        core, names = self.t.names(target)
        cdef list words = self._fold(target).split(), pairs = []
        cdef str folded
        for k, name in enumerate(names):
            # targets._fold_name(name); names[0] is the target itself
            folded = u" ".join(words if k == 0 else self._fold(name).split())
            if folded:
                pairs.append((name, folded))
        info = (tuple([self._id(word) for word in words]), (core, tuple(pairs)))
        if len(self.target_ids) >= self.limit:
            self.target_ids.clear()
        self.target_ids[target] = info
        return info

    # -- views -------------------------------------------------------------------------

    cdef int _pair(
        self, object text, object target, aliases, bint mask,
        _Ids sentence, _Ids clause, _Ids cues, _Ids words,
    ) except -1:
        """Add one pair's views to the four outputs (``_views.target_tokens``)."""
        cdef str folded = self._fold(text)
        cdef tuple info = self._target(target)
        cdef list spans = _find(self.t, folded, target, info[1], aliases)
        cdef _Ids tokens = self.scratch
        cdef Py_ssize_t i, n, lo, hi, first = -1, done = 0, start, end, before
        cdef int32_t g
        cdef bint question = False, negations = False, active
        for g in <tuple>info[0]:
            words.add(g)
        tokens.n = 0
        if not spans:
            self._split(folded, 0, len(folded), tokens)
            sentence.extend(tokens, 0, tokens.n)
            clause.extend(tokens, 0, tokens.n)
            cues.add(self.fixed[NOTFOUND])
            for i in range(tokens.n):
                if self.flags[tokens.data[i]] & QUESTION_MARK:
                    cues.add(self.fixed[QUESTION])
                    break
            for i in range(tokens.n):
                if self.cue[tokens.data[i]] >= 0:
                    cues.add(self.fixed[ANY + self.cue[tokens.data[i]]])
            return 0
        # each run of tokens touching a mention becomes one TGT (_mask_mentions)
        for span in sorted(spans):
            start, end = span
            if start < done:  # overlaps the previous mention
                done = max(done, end)
                continue
            before = tokens.n
            self._split(folded, done, start, tokens)
            if tokens.n > before or before == 0:
                if first < 0:
                    first = tokens.n
                tokens.add(self.tgt)
            done = end
        self._split(folded, done, len(folded), tokens)
        n = tokens.n
        if mask:
            sentence.extend(tokens, 0, n)
        else:
            self._split(folded, 0, len(folded), sentence)
        for i in range(n):
            g = self.flags[tokens.data[i]]
            question |= (g & QUESTION_MARK) != 0
            negations |= (g & NEGATION) != 0
        if question:
            cues.add(self.fixed[QUESTION])
        # the clause: from the boundary before the mention to the one after it
        lo = first
        while lo > 0 and not self.flags[tokens.data[lo - 1]] & BOUNDARY:
            lo -= 1
        # a coordinated object ("welcome the accord and TGT") borrows the clause before
        if lo > 0:
            i = lo
            while i < first and self.flags[tokens.data[i]] & STOPWORD:
                i += 1
            if i == first:
                lo -= 1
                while lo > 0 and not self.flags[tokens.data[lo - 1]] & BOUNDARY:
                    lo -= 1
        hi = first + 1
        while hi < n and not self.flags[tokens.data[hi]] & BOUNDARY:
            hi += 1
        if not negations:  # most sentences: nothing is negated
            clause.extend(tokens, lo, hi)
        else:
            if self.negated.shape[0] < n:
                self._negated = np.zeros(2 * n, np.uint8)
                self.negated = self._negated
            active = False
            for i in range(n):
                g = self.flags[tokens.data[i]]
                if g & BOUNDARY:
                    active = False
                self.negated[i] = active
                if g & NEGATION:
                    active = True
            for i in range(lo, hi):
                g = tokens.data[i]
                if self.negated[i] and g != self.tgt:
                    clause.add(self._derive(g, NEGATED))
                else:
                    clause.add(g)
        self._cues(first, lo, hi, negations, cues)
        return 0

    cdef int _cues(
        self, Py_ssize_t first, Py_ssize_t lo, Py_ssize_t hi, bint negations,
        _Ids cues,
    ) except -1:
        """Add the cue features of the pair in ``self.scratch`` (``_cue_tokens``)."""
        cdef _Ids tokens = self.scratch
        cdef Py_ssize_t i, gap, gov_i = -1
        cdef int cls, gov_cls = -1, neg, gov_neg = 0, side, gov_side = 0, d, kind
        for i in range(tokens.n):
            cls = self.cue[tokens.data[i]]
            if cls < 0:
                continue
            if not lo <= i < hi:
                cues.add(self.fixed[OUT + cls])
                continue
            side = 0 if i < first else 1
            neg = self.negated[i] if negations else 0
            gap = i - first if i > first else first - i
            d = 0 if gap <= 2 else 1 if gap <= 5 else 2
            cues.add(self.fixed[BARE + 2 * cls + neg])
            cues.add(self.fixed[SIDED + 4 * cls + 2 * side + neg])
            cues.add(self.fixed[FAR + 6 * cls + 3 * side + d])
            if side == 0 or gov_i < 0:
                gov_i, gov_cls, gov_neg, gov_side = i, cls, neg, side
        if gov_i >= 0:
            kind = GOVERNOR_NEG if gov_neg else GOVERNOR
            cues.add(self._derive(tokens.data[gov_i], kind))
            cues.add(self.fixed[GOVCLS + 2 * gov_cls + gov_neg])
            cues.add(self.fixed[GOVSIDE + gov_side])
        # the nearest content word on each side of the mention, within the clause
        for i in range(first - 1, lo - 1, -1):
            if self.flags[tokens.data[i]] & (STOPWORD | ALPHA) == ALPHA:
                cues.add(self._derive(tokens.data[i], LEFT))
                break
        for i in range(first + 1, hi):
            if self.flags[tokens.data[i]] & (STOPWORD | ALPHA) == ALPHA:
                cues.add(self._derive(tokens.data[i], RIGHT))
                break
        return 0

    def views(self, texts, targets, aliases, bint mask):
        """Return the views of the pairs: for each view of ``_views.VIEWS``, the ids
        of its tokens, pair after pair (int32), and the number of ids of each pair
        (int64).

        ``texts`` and ``targets`` are sequences of str (or of a subclass such as
        NumPy's ``str_``); ``aliases`` and ``mask`` are ``target_tokens``'.
        """
        cdef Py_ssize_t n = len(texts), k = 0, v
        if len(targets) != n:
            raise ValueError("texts and targets must have the same length")
        if len(self.strings) > self.limit:
            self.reset()
        cdef list outputs = [_Ids(16 * n + 16) for v in range(4)]
        cdef _Ids sentence = outputs[0], clause = outputs[1]
        cdef _Ids cues = outputs[2], words = outputs[3]
        lengths = np.zeros((4, n), np.int64)
        cdef int64_t[:, ::1] counts = lengths
        cdef Py_ssize_t before[4]
        for text, target in zip(texts, targets):
            for v in range(4):
                before[v] = (<_Ids>outputs[v]).n
            self._pair(text, target, aliases, mask, sentence, clause, cues, words)
            for v in range(4):
                counts[v, k] = (<_Ids>outputs[v]).n - before[v]
            k += 1
        return [((<_Ids>outputs[v]).result(), lengths[v]) for v in range(4)]

    def tokens(self, ids, const int64_t[::1] lengths):
        """Return the tokens of the ids of one view: a list of str per pair."""
        cdef const int32_t[::1] which = ids
        cdef list strings = self.strings, out = [], doc
        cdef Py_ssize_t d, i, at = 0
        for d in range(lengths.shape[0]):
            doc = []
            for i in range(at, at + lengths[d]):
                doc.append(strings[which[i]])
            at += lengths[d]
            out.append(doc)
        return out


cdef class TableUnits:
    """The units of an n-gram table (``_ngrams.NgramTable``) of each token id of a
    :class:`TokenViews`: found once per token (the table's ``token_unit_ids``), then
    copied. :meth:`rows` counts the table's n-grams in a view's ids, as
    ``NgramTable.rows`` counts them in the view's token lists."""

    cdef TokenViews owner
    cdef object table
    cdef bint chars, lowercase
    cdef object _lookup
    cdef const int64_t[::1] lookup  # for chars: the table's unit id of a code point
    cdef Py_ssize_t generation, n_units, stamp
    cdef object _start, _count, _units, _mark, _place
    cdef int64_t[::1] start  # by id: where its units start in units, -1 unknown
    cdef int32_t[::1] count  # by id: how many units it has
    cdef int64_t[::1] units
    # for chars, by id: the stamp of the last rows call that met it, and its rank
    # among that call's distinct ids
    cdef int64_t[::1] mark
    cdef int64_t[::1] place

    def __cinit__(self, TokenViews owner, table):
        self.owner = owner
        self.table = table
        self.chars = table.kind == "char_wb"
        self.lowercase = table.lowercase
        if self.chars:
            self._lookup = np.ascontiguousarray(table.lookup, np.int64)
            self.lookup = self._lookup
        self.generation = -1
        self.stamp = 0

    cdef int _prepare(self) except -1:
        """Make room for every id of the owner; forget all of a past generation."""
        cdef Py_ssize_t size = len(self.owner.strings)
        if self.generation != self.owner.generation:
            self.generation = self.owner.generation
            size = max(size, 1024)
            self._start = np.full(size, -1, np.int64)
            self._count = np.zeros(size, np.int32)
            if self.chars:
                self._mark = np.zeros(size, np.int64)
                self._place = np.zeros(size, np.int64)
            self._units = np.empty(16 * size, np.int64)
            self.n_units = 0
        elif size > self.start.shape[0]:
            size = max(size, 2 * self.start.shape[0])
            self._start = _grown(self._start, size, -1)
            self._count = _grown(self._count, size, 0)
            if self.chars:
                self._mark = _grown(self._mark, size, 0)
                self._place = _grown(self._place, size, 0)
        else:
            return 0
        self.start, self.count, self.units = self._start, self._count, self._units
        if self.chars:
            self.mark, self.place = self._mark, self._place
        return 0

    cdef int _learn(self, int32_t g) except -1:
        """Find the units of token ``g`` (``NgramTable.token_unit_ids``)."""
        cdef str token = self.owner.strings[g], word
        cdef Py_ssize_t k, m, last = self.lookup.shape[0] - 1 if self.chars else 0
        cdef Py_UCS4 ch
        if self.chars:  # the word padded with a space on each side: its characters
            word = u" " + (token.lower() if self.lowercase else token) + u" "
            found = None
            m = len(word)
        else:
            found = self.table.token_unit_ids(token)
            m = len(found)
        if self.n_units + m > self.units.shape[0]:
            self._units = np.concatenate(
                [self._units[: self.n_units], np.empty(self.n_units + m, np.int64)]
            )
            self.units = self._units
        if self.chars:
            k = 0
            for ch in word:
                self.units[self.n_units + k] = self.lookup[min(<Py_ssize_t>ch, last)]
                k += 1
        else:
            for k in range(m):
                self.units[self.n_units + k] = found[k]
        self.start[g] = self.n_units
        self.count[g] = <int32_t>m
        self.n_units += m
        return 0

    def rows(self, ids, const int64_t[::1] lengths):
        """Return ``(indptr, indices, counts)`` of the table's count matrix of the
        docs (``lengths[d]`` ids each, one after the other), as ``NgramTable.rows``."""
        cdef const int32_t[::1] which = ids
        cdef Py_ssize_t i, k, total = 0, n_docs = lengths.shape[0], n_unique = 0
        cdef int32_t g
        self._prepare()
        self.stamp += 1
        # for chars, the distinct ids (n-grams are found once per distinct word): each
        # id's rank among them, and the ids in order
        seen = unique = None
        cdef int64_t[::1] rank
        cdef int32_t[::1] distinct
        if self.chars:
            seen = np.empty(which.shape[0], np.int64)
            unique = np.empty(which.shape[0], np.int32)
            rank, distinct = seen, unique
        for i in range(which.shape[0]):
            g = which[i]
            if self.start[g] < 0:
                self._learn(g)
            if not self.chars:
                total += self.count[g]
            elif self.mark[g] != self.stamp:
                self.mark[g] = self.stamp
                self.place[g] = n_unique
                distinct[n_unique] = g
                n_unique += 1
                total += self.count[g]
            if self.chars:
                rank[i] = self.place[g]
        units = np.empty(total, np.int64)
        cdef int64_t[::1] out = units
        segment_lengths = np.empty(n_unique if self.chars else n_docs, np.int64)
        cdef int64_t[::1] segments = segment_lengths
        cdef Py_ssize_t at = 0, d, j, begin
        if self.chars:
            for j in range(n_unique):
                g = distinct[j]
                begin = self.start[g]
                for k in range(self.count[g]):
                    out[at + k] = self.units[begin + k]
                at += self.count[g]
                segments[j] = self.count[g]
        else:
            i = 0
            for d in range(n_docs):
                segments[d] = 0
                for j in range(lengths[d]):
                    g = which[i]
                    i += 1
                    begin = self.start[g]
                    for k in range(self.count[g]):
                        out[at + k] = self.units[begin + k]
                    at += self.count[g]
                    segments[d] += self.count[g]
        table = self.table
        index = table.index
        counted = count_ngrams(
            units, segment_lengths, table.base, table.ngram_range[0],
            table.ngram_range[1], self.chars, index.table, int(index._shift),
        )
        if not self.chars:
            return counted
        doc_indptr = np.zeros(n_docs + 1, np.int64)
        np.cumsum(lengths, out=doc_indptr[1:])
        return sum_rows(*counted, doc_indptr, seen)


# ---------------------------------------------------------------------------------
# Token lists to unit ids (stancelib._ngrams, for pre-tokenized documents).


cdef Py_ssize_t _n_tokens(list docs) except -1:
    """The number of tokens of ``docs``, which must be lists of tokens."""
    cdef Py_ssize_t total = 0
    cdef list doc
    for doc in docs:
        total += len(doc)
    return total


def distinct_tokens(list docs):
    """Return the distinct tokens of ``docs`` (lists of tokens) in order of first
    occurrence, the index of each occurrence among them, and the tokens per doc, as
    ``_ngrams._distinct_words`` does before lowercasing."""
    cdef Py_ssize_t n = len(docs), d, k = 0
    cdef list doc, unique = []
    cdef dict index = {}
    cdef PyObject *known
    per_doc = np.empty(n, np.int64)
    seen = np.empty(_n_tokens(docs), np.int64)
    cdef int64_t[::1] per = per_doc
    cdef int64_t[::1] where = seen
    for d in range(n):
        doc = docs[d]
        per[d] = len(doc)
        for token in doc:
            known = PyDict_GetItem(index, token)
            if known is NULL:
                where[k] = len(unique)
                index[token] = len(unique)
                unique.append(token)
            else:
                where[k] = <object>known
            k += 1
    return unique, seen, per_doc
