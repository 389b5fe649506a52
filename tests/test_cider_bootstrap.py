"""CIDEr-D of sub-corpora (any row length) and the BCa interval helper."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.bootstrap_methods import bca_interval, percentile_interval
from metrics.cider import CiderD
from tests.caption_data import make_captions


def test_corpus_values_of_a_sub_corpus_equal_that_corpus_alone():
    hyps, refs = make_captions(60, seed=2)
    full = CiderD(hyps, refs)
    rows = np.array([np.arange(0, 30), np.arange(5, 35)[::-1]])  # the last images unused
    for row, value in zip(rows, full.corpus_values(rows)):
        alone = CiderD([hyps[i] for i in row], [refs[i] for i in row])
        assert value == pytest.approx(alone.scores().mean(), abs=1e-12)


def test_bca_reduces_to_percentile_without_bias_or_skew():
    values = np.linspace(-1.0, 1.0, 2001)
    jack = np.array([-1.0, 1.0, -2.0, 2.0])  # symmetric: acceleration 0
    assert bca_interval(values, 0.0, jack, 0.9) == pytest.approx(percentile_interval(values, 0.9))


def test_bca_shifts_with_the_bias_correction():
    values = np.linspace(-1.0, 1.0, 2001)
    jack = np.array([-1.0, 1.0])
    low, high = bca_interval(values, 0.2, jack, 0.9)  # the point lies above most resamples
    p_low, p_high = percentile_interval(values, 0.9)
    assert low > p_low and high > p_high
