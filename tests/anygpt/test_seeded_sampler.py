"""The per-request seeded sampler: the right distribution, and rows independent of their batch."""

from __future__ import annotations

import pytest
import torch

from evals.adapters.seeded_sampling import MASKED, SeededSampler

SCORES = torch.tensor([[3.0, 2.0, 1.0, 0.0, -1.0, -2.0, -9.0]])


def frequencies(sampler: SeededSampler, scores: torch.Tensor, n: int = 20000) -> torch.Tensor:
    counts = torch.zeros(scores.shape[-1])
    for _ in range(n):
        counts[sampler.draw(scores)[0, 0]] += 1
    return counts / n


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"top_k": 5}, torch.softmax(SCORES[0, :5], 0)),
        ({"top_p": 0.7}, torch.softmax(SCORES[0, :2], 0)),  # 0.64 + 0.24 > 0.7: the 3rd is dropped
        ({"temperature": 2.0}, torch.softmax(SCORES[0] / 2, 0)),
    ],
)
def test_draws_follow_the_filtered_distribution(options, expected):
    freq = frequencies(SeededSampler([1], 1, "cpu", **options), SCORES)
    assert torch.allclose(freq[: len(expected)], expected, atol=0.015)
    assert freq[len(expected) :].sum() == 0


def test_never_draws_a_masked_token():
    scores = torch.tensor([[float("-inf"), 1.0, float("-inf"), 1.0, float("-inf")]])
    freq = frequencies(SeededSampler([2], 1, "cpu"), scores, 4000)
    assert freq[[0, 2, 4]].sum() == 0 and abs(freq[1] - 0.5) < 0.05


def test_a_row_draws_the_same_alone_and_in_a_batch():
    torch.manual_seed(0)
    steps = [torch.randn(6, 300) for _ in range(20)]
    ids = torch.zeros(6, 1, dtype=torch.long)
    together = SeededSampler(range(10, 16), 1, "cpu", top_k=50, top_p=0.9)
    alone = [SeededSampler([10 + r], 1, "cpu", top_k=50, top_p=0.9) for r in range(6)]
    for scores in steps:
        batch = together(ids, scores).argmax(-1)
        single = [alone[r](ids[:1], scores[r : r + 1]).argmax(-1).item() for r in range(6)]
        assert batch.tolist() == single
    out = together(ids, steps[0])
    assert ((out == 0).sum(-1) == 1).all() and (out[out != 0] == MASKED).all()
