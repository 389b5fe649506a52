"""The Fréchet distance between two Gaussians fitted to embeddings (FAD; FID has its own).

    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))

`frechet_distance` takes the matrix square root with scipy.linalg.sqrtm and the usual stability
handling (Heusel et al.'s reference code, also used by pytorch-fid and fadtk): when the product
is singular enough for sqrtm to return non-finite values, eps is added to both diagonals; a
complex result with a negligible imaginary part is replaced by its real part, otherwise it is an
error. `frechet_distance_eigh` computes the same trace through symmetric eigendecompositions
(tr((S1 S2)^(1/2)) = sum of the square roots of the eigenvalues of S1^(1/2) S2 S1^(1/2)), which is
several times faster and is what the bootstrap uses for its many resamples.
"""

from __future__ import annotations

import numpy as np

SINGULAR_EPS = 1e-6
"""Diagonal offset added to both covariances when sqrtm of their product is not finite."""
IMAGINARY_TOLERANCE = 1e-3
"""Largest imaginary part on the diagonal of sqrtm's result that is treated as round-off."""


def gaussian(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased covariance (ddof=1) of embeddings [n, d]; needs n >= 2."""
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"need at least 2 embeddings of shape [n, d], got {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """Fréchet distance of N(mu1, sigma1) and N(mu2, sigma2), matrix root by scipy's sqrtm."""
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(f"shapes differ: mean {mu1.shape} vs {mu2.shape}, cov {sigma1.shape}")
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * SINGULAR_EPS
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        worst = float(np.max(np.abs(np.diagonal(covmean).imag)))
        if worst > IMAGINARY_TOLERANCE:
            raise ValueError(f"matrix square root has an imaginary component {worst:.3g}")
        covmean = covmean.real
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean)
    return float(value)


def _psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(sigma)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance_eigh(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """The same distance for symmetric PSD covariances, through two eigendecompositions."""
    root = _psd_sqrt(np.atleast_2d(sigma1))
    inner = root @ np.atleast_2d(sigma2) @ root
    eig = np.linalg.eigvalsh((inner + inner.T) / 2.0)
    trace_root = float(np.sum(np.sqrt(np.clip(eig, 0.0, None))))
    diff = np.atleast_1d(mu1) - np.atleast_1d(mu2)
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_root)
