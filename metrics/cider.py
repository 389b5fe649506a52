"""CIDEr-D as coco-caption computes it (pycocoevalcap's CiderScorer), vectorized for the bootstrap.

Per image: for n = 1..4, the similarity of the tf-idf vectors of the hypothesis and of each
reference (hypothesis tf clipped by the reference tf), times a Gaussian penalty on their length
difference (sigma 6; "length" is the bigram count, as in the reference code); averaged over n
and references, times 10. idf(g) = log(#images) - log(max(1, df(g))), df(g) = the number of
images whose references contain g: a property of the whole corpus.

With w(g) = idf(g)^2 every term is linear in w: the clipped dot product is
sum_g w(g) min(tf_h, tf_r) tf_r and the squared norms are sum_g w(g) tf^2. So the corpus is held
as sparse matrices over n-grams and a bootstrap resample with image multiplicities m is
df = D^T m, w = (log N - log max(1, df))^2 and a few sparse products: the document frequencies
are recomputed for every resample, exactly as CiderScorer run on the resampled corpus (where a
duplicated image counts twice in df) does. Two reductions keep it fast: an n-gram found in a
single image's references has weight (log N - log max(1, m_i))^2, so its terms fold into one
constant per row; and rows (reference, n) with no n-gram in common with the hypothesis
contribute exactly 0 and are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from metrics.ngrams import count_ngrams, unique_counts

N_MAX = 4
SIGMA = 6.0
BLOCK = 64  # resamples per batched sparse product


class _Rows:
    """One family of sums sum_g w(g) x(row, g), split by how w(g) varies under resampling."""

    def __init__(self, rows, cols, vals, n_rows, row_image, df, owner, shared_index, n_images):
        from scipy import sparse

        g_df = df[cols]
        shared = g_df >= 2
        own = (g_df == 1) & (owner[cols] == row_image[rows])
        foreign = (g_df == 1) & ~own
        zero = g_df == 0
        n_shared = int(shared_index.max()) + 1 if len(shared_index) else 0
        self.shared = sparse.csr_matrix(
            (vals[shared], (rows[shared], shared_index[cols[shared]])),
            shape=(n_rows, max(n_shared, 1)),
        )
        self.foreign = sparse.csr_matrix(
            (vals[foreign], (rows[foreign], owner[cols[foreign]])), shape=(n_rows, n_images)
        )
        self.own = np.bincount(rows[own], weights=vals[own], minlength=n_rows)
        self.zero = np.bincount(rows[zero], weights=vals[zero], minlength=n_rows)
        self.row_image = row_image

    def dot(self, w_shared: np.ndarray, f_image: np.ndarray, w_zero: np.ndarray) -> np.ndarray:
        out = self.shared @ w_shared
        out += self.own[:, None] * f_image[self.row_image]
        if self.foreign.nnz:
            out += self.foreign @ f_image
        if self.zero.any():
            out += self.zero[:, None] * w_zero[None, :]
        return out


class CiderD:
    """CIDEr-D of one corpus (tokenized hypotheses and references), for any image multiset."""

    def __init__(self, hyps: Sequence[str], refs: Sequence[Sequence[str]], sigma: float = SIGMA):
        from scipy import sparse

        n = self.n_images = len(hyps)
        pair_image = np.repeat(np.arange(n), [len(r) for r in refs])
        counts = count_ngrams(list(hyps) + [r for rs in refs for r in rs], N_MAX)
        n_grams = counts.n_grams
        is_hyp = counts.sentence < n
        h_img, h_gram, h_tf = (
            counts.sentence[is_hyp],
            counts.gram[is_hyp],
            counts.count[is_hyp].astype(float),
        )
        r_pair = counts.sentence[~is_hyp] - n
        r_gram, r_tf = counts.gram[~is_hyp], counts.count[~is_hyp].astype(float)
        r_img = pair_image[r_pair]

        # document frequency: images whose references hold the n-gram
        doc, _ = unique_counts(r_img * n_grams + r_gram)
        d_img, d_gram = doc // n_grams, doc % n_grams
        df = np.bincount(d_gram, minlength=n_grams)
        owner = np.full(n_grams, -1)
        owner[d_gram[df[d_gram] == 1]] = d_img[df[d_gram] == 1]
        shared_grams = np.flatnonzero(df >= 2)
        shared_index = np.full(n_grams, -1)
        shared_index[shared_grams] = np.arange(len(shared_grams))
        keep = df[d_gram] >= 2
        self.Dt = sparse.csr_matrix(
            (np.ones(int(keep.sum())), (shared_index[d_gram[keep]], d_img[keep])),
            shape=(max(len(shared_grams), 1), n),
        )

        # clipped products: reference entries whose n-gram is also in the hypothesis
        h_key = h_img * n_grams + h_gram
        r_key = r_img * n_grams + r_gram
        pos = np.minimum(np.searchsorted(h_key, r_key), max(len(h_key) - 1, 0))
        hit = (h_key[pos] == r_key) if len(h_key) else np.zeros(len(r_key), bool)
        a_val = np.minimum(np.where(hit, h_tf[pos] if len(h_tf) else 0.0, 0.0), r_tf) * r_tf

        order = counts.order - 1
        r_row = r_pair * N_MAX + order[r_gram]
        active_rows = np.unique(r_row[a_val > 0])
        row_index = np.full(len(pair_image) * N_MAX, -1)
        row_index[active_rows] = np.arange(len(active_rows))
        in_active = row_index[r_row] >= 0
        act_pair = active_rows // N_MAX
        act_img = pair_image[act_pair]
        common = (df, owner, shared_index, n)
        self.A = _Rows(
            row_index[r_row[a_val > 0]], r_gram[a_val > 0], a_val[a_val > 0],
            len(active_rows), act_img, *common,
        )  # fmt: skip
        self.R = _Rows(
            row_index[r_row[in_active]], r_gram[in_active], r_tf[in_active] ** 2,
            len(active_rows), act_img, *common,
        )  # fmt: skip
        h_row = h_img * N_MAX + order[h_gram]
        self.H = _Rows(h_row, h_gram, h_tf**2, n * N_MAX, np.repeat(np.arange(n), N_MAX), *common)
        self.hyp_row = act_img * N_MAX + active_rows % N_MAX

        bigrams = np.maximum(counts.lengths - 1, 0).astype(float)
        delta = bigrams[:n][pair_image] - bigrams[n:]
        penalty = np.e ** (-(delta**2) / (2 * sigma**2))
        n_refs = np.bincount(pair_image, minlength=n).astype(float)
        weight = penalty[act_pair] * 10.0 / N_MAX / n_refs[act_img]
        self.aggregate = sparse.csr_matrix(
            (weight, (act_img, np.arange(len(active_rows)))), shape=(n, len(active_rows))
        )

    def image_scores(self, multiplicity: np.ndarray) -> np.ndarray:
        """Per-image CIDEr-D [n_images, B] under the idf of the corpus in which image i occurs
        multiplicity[i, b] times (one column per resample; all ones = the corpus itself)."""
        m = np.asarray(multiplicity, dtype=float)
        log_size = np.log(m.sum(axis=0))[None, :]
        w_shared = (log_size - np.log(np.maximum(1.0, self.Dt @ m))) ** 2
        f_image = (log_size - np.log(np.maximum(1.0, m))) ** 2
        w_zero = log_size[0] ** 2
        num = self.A.dot(w_shared, f_image, w_zero)
        denom = np.sqrt(self.H.dot(w_shared, f_image, w_zero))[self.hyp_row]
        denom *= np.sqrt(self.R.dot(w_shared, f_image, w_zero))
        val = np.divide(num, denom, out=np.zeros_like(num), where=denom > 0)
        return self.aggregate @ val

    def scores(self) -> np.ndarray:
        """Per-image CIDEr-D of the corpus as given (pycocoevalcap's `scores`)."""
        return self.image_scores(np.ones((self.n_images, 1)))[:, 0]

    def corpus_values(self, indices: np.ndarray) -> np.ndarray:
        """CIDEr-D of each corpus made of a row of image indices (any length; repeats are
        separate images), idf recomputed per row."""
        out = np.empty(len(indices))
        for start in range(0, len(indices), BLOCK):
            block = np.asarray(indices[start : start + BLOCK])
            flat = (block + np.arange(len(block))[:, None] * self.n_images).ravel()
            m = np.bincount(flat, minlength=len(block) * self.n_images)
            m = m.reshape(len(block), self.n_images).T.astype(float)
            per_image = self.image_scores(m)
            out[start : start + len(block)] = (m * per_image).sum(axis=0) / block.shape[1]
        return out
