"""Fréchet distance against closed forms on known Gaussians and scipy's matrix square root."""

import numpy as np
import pytest
from scipy import linalg

from metrics.frechet import frechet_distance, frechet_distance_eigh, gaussian


def closed_form_diagonal(mu1, var1, mu2, var2):
    """Diagonal covariances commute: tr sqrt(S1 S2) = sum sqrt(var1 * var2)."""
    return float(np.sum((mu1 - mu2) ** 2) + np.sum(var1 + var2 - 2.0 * np.sqrt(var1 * var2)))


def scipy_formula(mu1, s1, mu2, s2):
    """The textbook formula evaluated directly with scipy's sqrtm."""
    root = linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2.0 * np.real(root)))


def random_psd(rng, d, rank=None):
    a = rng.standard_normal((d, rank or d))
    return a @ a.T / d + (0 if rank else 0.1) * np.eye(d)


@pytest.mark.parametrize("fn", [frechet_distance, frechet_distance_eigh])
def test_diagonal_gaussians_match_the_closed_form(fn):
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    var1, var2 = rng.uniform(0.1, 3.0, 6), rng.uniform(0.1, 3.0, 6)
    expected = closed_form_diagonal(mu1, var1, mu2, var2)
    assert fn(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("fn", [frechet_distance, frechet_distance_eigh])
def test_one_dimension_is_mean_and_std_difference(fn):
    # W2 between N(1, 4) and N(-2, 9): (1 + 2)^2 + (2 - 3)^2 = 10
    assert fn(np.array([1.0]), np.array([[4.0]]), np.array([-2.0]), np.array([[9.0]])) == (
        pytest.approx(10.0)
    )


@pytest.mark.parametrize("fn", [frechet_distance, frechet_distance_eigh])
def test_full_covariances_match_scipy_sqrtm_formula(fn):
    rng = np.random.default_rng(1)
    for d in (3, 16, 64):
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        s1, s2 = random_psd(rng, d), random_psd(rng, d)
        assert fn(mu1, s1, mu2, s2) == pytest.approx(scipy_formula(mu1, s1, mu2, s2), rel=1e-7)


def test_rank_deficient_covariances_agree_across_implementations():
    # fewer embeddings than dimensions, as with a small evaluation set of 512-d CLAP embeddings
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(10, 32)), rng.normal(size=(12, 32)) + 0.5
    a, b = gaussian(x), gaussian(y)
    sqrtm_value = frechet_distance(*a, *b)
    assert np.isfinite(sqrtm_value)
    assert frechet_distance_eigh(*a, *b) == pytest.approx(sqrtm_value, rel=1e-5)


def test_identical_sets_are_at_distance_zero_and_distance_is_symmetric():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(50, 8)), rng.normal(size=(40, 8)) * 2
    assert frechet_distance(*gaussian(x), *gaussian(x)) == pytest.approx(0.0, abs=1e-9)
    assert frechet_distance(*gaussian(x), *gaussian(y)) == pytest.approx(
        frechet_distance(*gaussian(y), *gaussian(x)), rel=1e-8
    )


def test_gaussian_is_mean_and_unbiased_covariance():
    x = np.array([[1.0, 2.0], [3.0, 0.0], [5.0, 4.0]])
    mu, cov = gaussian(x)
    np.testing.assert_allclose(mu, [3.0, 2.0])
    np.testing.assert_allclose(cov, [[4.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ValueError, match="at least 2"):
        gaussian(x[:1])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shapes differ"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
