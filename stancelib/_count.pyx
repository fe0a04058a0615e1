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

:func:`target_tokens_many` computes the target views' tokens of many pairs, as
``_views.target_tokens`` does one pair's in Python (tokenizing by hand instead of by
regex, the clause, negation scope and cue features in C loops); :func:`token_units`
and :func:`distinct_tokens` turn those token lists into the unit ids ``_ngrams``
counts.
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
# The target views' tokens (stancelib._views.target_tokens), compiled.

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.unicode cimport Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE


cdef inline bint _is_word(Py_UCS4 ch) noexcept:
    """Whether ``ch`` is a word character of Python's ``re`` (``\\w``)."""
    return ch == u"_" or Py_UNICODE_ISALNUM(ch)


cdef void _split(str text, Py_ssize_t start, Py_ssize_t end, list out) except *:
    """Append the tokens of ``text[start:end]`` to ``out``, as ``_views._tokens``
    finds them: runs of word characters (a final "n't" split off), and every other
    character but whitespace alone."""
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
                    out.append(text[i : j - 1])
                out.append(u"n't")
                i = j + 2
            else:
                out.append(text[i:j])
                i = j
        elif Py_UNICODE_ISSPACE(ch):
            i += 1
        else:
            out.append(text[i : i + 1])
            i += 1


# the cue features of a cue class (index 0-2), by negation, side and distance
cdef tuple _CLASSES = (u"sup", u"opp", u"con")
cdef dict _CLASS_INDEX = {cls: k for k, cls in enumerate(_CLASSES)}
cdef list _BARE = [[cls, cls + u"_neg"] for cls in _CLASSES]
cdef list _SIDED = [
    [[cls + u"_" + side, cls + u"_" + side + u"_neg"] for side in u"LR"]
    for cls in _CLASSES
]
cdef list _FAR = [
    [[cls + u"_" + side + u"_" + d for d in (u"d1", u"d2", u"d3")] for side in u"LR"]
    for cls in _CLASSES
]
cdef list _ANY = [u"any_" + cls for cls in _CLASSES]
cdef list _OUT = [u"out_" + cls for cls in _CLASSES]
cdef list _GOVCLS = [[u"govcls_" + cls, u"govcls_" + cls + u"_neg"] for cls in _CLASSES]
cdef list _GOVSIDE = [u"govside_L", u"govside_R"]


cdef class _Tables:
    """What the views read from :mod:`stancelib._views` and :mod:`stancelib.targets`:
    tables, and the functions of ``targets`` that find a mention (see :func:`_find`)."""

    # the fold table and the cue cache compute what they miss (__missing__)
    cdef object fold, cues
    cdef frozenset negations, boundaries, stopwords
    cdef object find, names, fold_name, odd_spacing, search, partial

    def __init__(self, fold, cues, negations, boundaries, stopwords, finders):
        self.fold = fold
        self.cues = cues
        self.negations = negations
        self.boundaries = boundaries
        self.stopwords = stopwords
        (
            self.find, self.names, self.fold_name, self.odd_spacing, self.search,
            self.partial,
        ) = finders


def views_tables(fold, cues, negations, boundaries, stopwords, finders):
    """Bundle the tables :func:`target_tokens_many` reads (see there); ``finders`` are
    ``targets``' ``find_folded``, ``_names``, ``_fold_name``, ``_odd_spacing``,
    ``_search`` and ``_partial_mentions``."""
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


cdef list _find(_Tables t, str folded_text, object target, aliases):
    """``targets.find_folded(folded_text, target, aliases, partial=True)``: the
    target's names are tried in turn, each searched in C unless the text is spaced
    oddly (the regex of ``targets._search``), then a partial mention."""
    if aliases is not None:
        return t.find(folded_text, target, aliases, partial=True)
    cdef int odd = -1  # whether the text is spaced oddly: not yet known
    cdef str folded
    cdef list spans
    core, names = t.names(target)
    for name in names:
        folded = t.fold_name(name)
        if not folded:
            continue
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


cdef list _cue_tokens(
    _Tables t, list tokens, Py_ssize_t first, Py_ssize_t lo, Py_ssize_t hi,
    const unsigned char[::1] negated,
):
    """``_views._cue_tokens``; ``first`` -1 when the target was not found,
    ``negated`` None when no token is negated."""
    cdef list out = []
    cdef Py_ssize_t i, n = len(tokens), gap, gov_i = -1
    cdef int cls, gov_cls = -1, neg, gov_neg = 0, side, gov_side = 0, d
    cdef str tok
    for i in range(n):
        cls = _cue_index(t.cues, <str>tokens[i])
        if cls < 0:
            continue
        if first < 0:
            out.append(_ANY[cls])
            continue
        if not lo <= i < hi:
            out.append(_OUT[cls])
            continue
        side = 0 if i < first else 1
        neg = 0 if negated is None else negated[i]
        gap = i - first if i > first else first - i
        d = 0 if gap <= 2 else 1 if gap <= 5 else 2
        out.append(_BARE[cls][neg])
        out.append(_SIDED[cls][side][neg])
        out.append(_FAR[cls][side][d])
        if side == 0 or gov_i < 0:
            gov_i, gov_cls, gov_neg, gov_side = i, cls, neg, side
    if gov_i >= 0:
        tok = tokens[gov_i]
        out.append(u"gov_" + tok[:6] + (u"_neg" if gov_neg else u""))
        out.append(_GOVCLS[gov_cls][gov_neg])
        out.append(_GOVSIDE[gov_side])
    if first >= 0:
        # the nearest content word on each side of the mention, within the clause
        for i in range(first - 1, lo - 1, -1):
            tok = tokens[i]
            if tok not in t.stopwords and tok.isalpha():
                out.append(u"left_" + tok[:6])
                break
        for i in range(first + 1, hi):
            tok = tokens[i]
            if tok not in t.stopwords and tok.isalpha():
                out.append(u"right_" + tok[:6])
                break
    return out


cdef tuple _target_tokens(_Tables t, object text, object target, aliases, bint mask):
    """``_views.target_tokens`` of one pair (``text`` and ``target``: str, or a
    subclass such as NumPy's ``str_``)."""
    cdef str folded = text.translate(t.fold)
    cdef list spans = _find(t, folded, target, aliases)
    cdef list tokens, sentence, clause, cues
    cdef list words = target.translate(t.fold).split()
    cdef Py_ssize_t n, i, lo, hi, first = -1, done = 0, start, end, before
    cdef bint active
    cdef object span
    cdef unsigned char[::1] negated = None
    if not spans:
        tokens = []
        _split(folded, 0, len(folded), tokens)
        cues = [u"notfound", u"question"] if u"?" in tokens else [u"notfound"]
        cues += _cue_tokens(t, tokens, -1, 0, len(tokens), None)
        return tokens, tokens, cues, words
    # each run of tokens touching a mention becomes one TGT (_views._mask_mentions)
    tokens = []
    for span in sorted(spans):
        start, end = span
        if start < done:  # overlaps the previous mention
            done = max(done, end)
            continue
        before = len(tokens)
        _split(folded, done, start, tokens)
        if len(tokens) > before or before == 0:
            if first < 0:
                first = len(tokens)
            tokens.append(u"TGT")
        done = end
    _split(folded, done, len(folded), tokens)
    if mask:
        sentence = tokens
    else:
        sentence = []
        _split(folded, 0, len(folded), sentence)
    cues = [u"question"] if u"?" in tokens else []
    n = len(tokens)
    # the clause: from the boundary before the mention to the one after it
    lo = first
    while lo > 0 and tokens[lo - 1] not in t.boundaries:
        lo -= 1
    # a coordinated object ("welcome the accord and TGT") borrows the clause before
    if lo > 0:
        i = lo
        while i < first and tokens[i] in t.stopwords:
            i += 1
        if i == first:
            lo -= 1
            while lo > 0 and tokens[lo - 1] not in t.boundaries:
                lo -= 1
    hi = first + 1
    while hi < n and tokens[hi] not in t.boundaries:
        hi += 1
    if t.negations.isdisjoint(tokens):  # most sentences: nothing is negated
        clause = tokens[lo:hi]
    else:
        negated = bytearray(n)
        active = False
        for i in range(n):
            if tokens[i] in t.boundaries:
                active = False
            negated[i] = active
            if tokens[i] in t.negations:
                active = True
        clause = []
        for i in range(lo, hi):
            if negated[i] and tokens[i] != u"TGT":
                clause.append(u"not_" + tokens[i])
            else:
                clause.append(tokens[i])
    cues += _cue_tokens(t, tokens, first, lo, hi, negated)
    return sentence, clause, cues, words


def target_tokens_many(texts, targets, aliases, bint mask, _Tables tables):
    """Return ``_views.target_tokens`` of each pair, as four lists (one a view).

    ``texts`` and ``targets`` are sequences of str; ``tables`` comes from
    :func:`views_tables`. The Python functions of ``_views`` are the reference: the
    tests check that both give the same tokens.
    """
    cdef list sentence = [], clause = [], cues = [], words = []
    cdef tuple views
    for text, target in zip(texts, targets):
        views = _target_tokens(tables, text, target, aliases, mask)
        sentence.append(views[0])
        clause.append(views[1])
        cues.append(views[2])
        words.append(views[3])
    return sentence, clause, cues, words


# ---------------------------------------------------------------------------------
# Token lists to unit ids (stancelib._ngrams, for pre-tokenized documents).


cdef Py_ssize_t _n_tokens(list docs) except -1:
    """The number of tokens of ``docs``, which must be lists of tokens."""
    cdef Py_ssize_t total = 0
    cdef list doc
    for doc in docs:
        total += len(doc)
    return total


def token_units(list docs, object ids_of):
    """Return each doc's number of units and all the units' ids, doc after doc.

    ``docs`` are lists of tokens; ``ids_of`` maps a token to the tuple of its units'
    ids (``_ngrams._TokenIds``, which finds the tokens it lacks). As
    ``NgramTable._token_units`` computes them with NumPy.
    """
    cdef Py_ssize_t n = len(docs), d, size = 0, begin
    cdef Py_ssize_t room = 16 + _n_tokens(docs)  # most tokens are one unit or none
    cdef list doc
    cdef PyObject *known
    lengths = np.empty(n, np.int64)
    ids = np.empty(room, np.int64)
    cdef int64_t[::1] length_of = lengths
    cdef int64_t[::1] id_of = ids
    for d in range(n):
        doc = docs[d]
        begin = size
        for token in doc:
            known = PyDict_GetItem(ids_of, token)
            found = ids_of[token] if known is NULL else <object>known
            for unit in <tuple?>found:
                if size == room:
                    room *= 2
                    ids = np.concatenate([ids, np.empty(room - size, np.int64)])
                    id_of = ids
                id_of[size] = unit
                size += 1
        length_of[d] = size - begin
    return lengths, ids[:size]


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
