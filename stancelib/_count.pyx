# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The n-gram counting loop of :mod:`stancelib._ngrams`, compiled.

:meth:`NgramTable.counts <stancelib._ngrams.NgramTable.counts>` finds every n-gram's
key, looks it up in the vocabulary's hash map and counts the columns of each
document. With NumPy that is some thirty array operations per call whatever the
input's size, which is most of the time of a short input. This module does the same
work in one pass, document by document (character n-grams once per distinct word of
the input, as with NumPy). It is optional: without
a compiler the package installs without it and ``_ngrams`` counts with NumPy, to the
same counts.

:func:`add_scores` turns a block's counts into tf-idf features and multiplies them by
a linear model's weights, row by row, as ``_ngrams.weigh`` and a sparse product do,
without making the block's feature matrix.
"""

import numpy as np

from libc.math cimport fabsf, logf, sqrt
from libc.stdint cimport int32_t, int64_t, uint64_t, uint8_t
from libc.stdlib cimport free, malloc

cdef uint64_t MULTIPLIER = 0x9E3779B97F4A7C15


cdef inline int64_t _lookup(
    int64_t key,
    const int64_t[::1] slot_key,
    const int32_t[::1] slot_value,
    const uint8_t[::1] shared,
    const int64_t[::1] rest_keys,
    const int32_t[::1] rest_values,
    uint64_t shift,
) noexcept nogil:
    """The column of ``key`` in a ``_KeyIndex``, or -1."""
    cdef Py_ssize_t slot = <Py_ssize_t>((<uint64_t>key * MULTIPLIER) >> shift)
    cdef Py_ssize_t lo, hi, mid
    if slot_key[slot] == key:
        return slot_value[slot]
    if not shared[slot]:
        return -1
    lo, hi = 0, rest_keys.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if rest_keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < rest_keys.shape[0] and rest_keys[lo] == key:
        return rest_values[lo]
    return -1


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
    const int64_t[::1] slot_key,
    const int32_t[::1] slot_value,
    const uint8_t[::1] shared,
    const int64_t[::1] rest_keys,
    const int32_t[::1] rest_values,
    shift,
):
    """Count the vocabulary's n-grams in each segment.

    Segment ``s`` is the next ``lengths[s]`` units of ``ids``; n-grams do not cross
    segments. They are keyed and looked up as ``_ngrams._windows`` and
    ``_KeyIndex.get`` do.

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
                    column = _lookup(
                        code * 16 + n,
                        slot_key,
                        slot_value,
                        shared,
                        rest_keys,
                        rest_values,
                        shift_bits,
                    )
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
